package posture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// Inventory is what evaluation reads: guarded read-only SQL, and the walks
// the Go evaluators take.
type Inventory interface {
	EachRow(ctx context.Context, q string, args []any, each func(cols []string, row []any) error) error
	ReachFrom(ctx context.Context, starts []string, follow []inventory.EdgeKind, maxDepth int) (map[string][]inventory.Reached, error)
	EscalationCredentials(ctx context.Context, ids []string) (map[string][]inventory.Reached, error)
}

// Status is what a finding says of its item.
type Status string

const (
	// StatusFail: the item breaks the control.
	StatusFail Status = "fail"
	// StatusUnknown: the item could not be judged, because a detail the
	// control needs is unknown (a denied enrichment). Unknown is not pass.
	StatusUnknown Status = "unknown"
)

// Finding is one item a control found, or could not judge.
type Finding struct {
	ControlID string `json:"control_id"`
	// Fingerprint is stable across scans: a hash of the control id, the
	// subject and the other ids the finding is about.
	Fingerprint string   `json:"fingerprint"`
	Status      Status   `json:"status"`
	Severity    Severity `json:"severity"`
	SubjectID   string   `json:"subject_id"`
	SubjectKind string   `json:"subject_kind"`
	SubjectName string   `json:"subject_name"`
	Provider    string   `json:"provider"`
	Tenant      string   `json:"tenant"`
	// About lists the other nodes the finding is about (the agents sharing
	// an identity); they are part of the fingerprint.
	About   []string `json:"about,omitempty"`
	Message string   `json:"message"`
	// Evidence is a JSON object of the facts, kept as the query built it.
	Evidence json.RawMessage `json:"evidence,omitempty"`
}

// Options shape one evaluation.
type Options struct {
	// Now is the evaluation time: every age is computed against it.
	Now time.Time
	// Thresholds override controls' defaults: control id → name → value.
	Thresholds map[string]map[string]int
	// StaleAfter is the age past which a scope's last complete scan makes
	// it stale; 0 means DefaultStaleAfter.
	StaleAfter time.Duration
}

// MapBytes is how much of the database file an evaluation should map into
// memory (inventory.ReadOptions): most of a large inventory's pages are
// read by one control or another.
const MapBytes = 1 << 30

// DefaultStaleAfter is how old a scope's last complete scan may be before
// coverage calls it stale.
const DefaultStaleAfter = 7 * 24 * time.Hour

// Evaluation is what the controls found on one inventory.
type Evaluation struct {
	// ScanID is the last finished scan, the one the findings are tied to;
	// 0 when the inventory has none.
	ScanID   int64             `json:"scan_id"`
	Now      time.Time         `json:"evaluated_at"`
	Controls []*ControlOutcome `json:"controls"`
	Findings []Finding         `json:"findings"`
	Coverage Coverage          `json:"coverage"`
}

// ControlOutcome is one control's part of an evaluation.
type ControlOutcome struct {
	Control *Control `json:"-"`
	// Thresholds are the values the control ran with.
	Thresholds map[string]int `json:"thresholds,omitempty"`
	Failed     int            `json:"failed"`
	Unknown    int            `json:"not_evaluable"`
	// NotEvaluated says why the control judged part of the estate only
	// (scopes of its providers failed); "" when it judged everything.
	NotEvaluated string `json:"not_evaluated,omitempty"`
	// NoTenant is true when no tenant of the control's providers has been
	// scanned: nothing to judge, which is not a gap.
	NoTenant bool `json:"no_tenant,omitempty"`
}

// row is what a control's query, or its Go evaluator, returns per item.
type row struct {
	subject  string
	about    []string
	status   Status
	severity Severity
	message  string
	evidence json.RawMessage
}

// Evaluate runs every control of cat over inv.
func Evaluate(ctx context.Context, inv Inventory, cat *Catalogue, o Options) (*Evaluation, error) {
	if o.Now.IsZero() {
		return nil, errors.New("evaluate: no evaluation time")
	}
	if o.StaleAfter == 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	ev := &Evaluation{Now: o.Now.UTC(), Findings: []Finding{}}
	if err := ev.readScan(ctx, inv); err != nil {
		return nil, err
	}
	cov, err := readCoverage(ctx, inv, o.Now, o.StaleAfter)
	if err != nil {
		return nil, err
	}
	ev.Coverage = cov
	for id := range o.Thresholds {
		if _, ok := cat.Lookup(id); !ok {
			return nil, fmt.Errorf("posture thresholds name control %s, which the catalogue does not have: see aam controls list", id)
		}
	}
	for _, ctl := range cat.Controls {
		for name := range o.Thresholds[ctl.ID] {
			if !ctl.hasThreshold(name) {
				return nil, fmt.Errorf("posture thresholds: control %s has no threshold %s: see aam controls show %s", ctl.ID, name, ctl.ID)
			}
		}
	}
	// Controls run side by side on as many read connections as there are
	// processors; their findings are kept in the catalogue's order.
	type result struct {
		out      *ControlOutcome
		findings []Finding
		err      error
	}
	results := make([]chan result, len(cat.Controls))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	workers := max(1, min(runtime.GOMAXPROCS(0), len(cat.Controls)))
	for range workers {
		go func() {
			for i := range next {
				out, fs, err := ev.evaluateOne(ctx, inv, cat.Controls[i], o.Thresholds[cat.Controls[i].ID], cov)
				results[i] <- result{out, fs, err}
			}
		}()
	}
	// The walks written in Go take longest: they start first, so that
	// the SQL controls fill the other connections meanwhile.
	order := make([]int, 0, len(cat.Controls))
	for i, c := range cat.Controls {
		if c.Evaluator != "" {
			order = append(order, i)
		}
	}
	for i, c := range cat.Controls {
		if c.Evaluator == "" {
			order = append(order, i)
		}
	}
	go func() {
		defer close(next)
		for _, i := range order {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i, ctl := range cat.Controls {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return nil, fmt.Errorf("posture stopped at control %s: %w", ctl.ID, ctx.Err())
		}
		if r.err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("posture stopped at control %s: %w", ctl.ID, ctx.Err())
			}
			return nil, fmt.Errorf("control %s (%s): %w", ctl.ID, ctl.Source, r.err)
		}
		ev.Controls = append(ev.Controls, r.out)
		ev.Findings = append(ev.Findings, r.findings...)
	}
	sortFindings(ev.Findings)
	return ev, nil
}

// evaluateOne runs one control with its thresholds (defaults, then
// overrides) and returns its outcome and findings.
func (ev *Evaluation) evaluateOne(ctx context.Context, inv Inventory, ctl *Control, overrides map[string]int, cov Coverage) (*ControlOutcome, []Finding, error) {
	out := &ControlOutcome{Control: ctl, Thresholds: map[string]int{}}
	for _, t := range ctl.Thresholds {
		out.Thresholds[t.Name] = t.Default
	}
	for name, v := range overrides {
		out.Thresholds[name] = v
	}
	out.NotEvaluated, out.NoTenant = cov.notEvaluated(ctl)
	var pending []row
	var findings []Finding
	flush := func() error {
		fs, err := ev.findings(ctx, inv, ctl, pending)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if f.Status == StatusUnknown {
				out.Unknown++
			} else {
				out.Failed++
			}
		}
		findings = append(findings, fs...)
		pending = pending[:0]
		return nil
	}
	err := evaluateControl(ctx, inv, ctl, out.Thresholds, ev.Now, func(r row) error {
		pending = append(pending, r)
		if len(pending) == subjectsPerLookup {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return out, findings, err
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.ControlID != b.ControlID {
			return a.ControlID < b.ControlID
		}
		if a.SubjectID != b.SubjectID {
			return a.SubjectID < b.SubjectID
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// readScan finds the last finished scan, the one findings are tied to.
func (ev *Evaluation) readScan(ctx context.Context, inv Inventory) error {
	return inv.EachRow(ctx, `SELECT coalesce(max(id), 0) FROM scans WHERE finished_at IS NOT NULL`, nil, func(_ []string, r []any) error {
		ev.ScanID = asInt(r[0])
		return nil
	})
}

// evaluateControl runs one control and calls emit per item.
func evaluateControl(ctx context.Context, inv Inventory, ctl *Control, th map[string]int, now time.Time, emit func(row) error) error {
	if ctl.Evaluator != "" {
		eval, _ := goEvaluator(ctl.Evaluator)
		return eval(ctx, inv, th, now, emit)
	}
	args := []any{sql.Named("now", now.UTC().Format(time.RFC3339))}
	params, err := queryParams(ctl.Query)
	if err != nil {
		return err
	}
	for _, p := range params {
		if p != "now" {
			args = append(args, sql.Named(p, th[p]))
		}
	}
	var idx map[string]int
	return inv.EachRow(ctx, ctl.Query, args, func(cols []string, vals []any) error {
		if idx == nil {
			idx = map[string]int{}
			for i, c := range cols {
				idx[strings.ToLower(c)] = i
			}
			for _, need := range []string{"subject_id", "message"} {
				if _, ok := idx[need]; !ok {
					return fmt.Errorf("the query returns no %s column: it returns %s; see docs/posture.md", need, strings.Join(cols, ", "))
				}
			}
		}
		r, err := queryRow(idx, vals, ctl.Severity)
		if err != nil {
			return err
		}
		return emit(r)
	})
}

// queryRow reads one result row of a control's query: subject_id and
// message, and optionally about (a JSON array of ids), status ('fail' or
// 'unknown'), severity (to lower or raise one item's) and evidence (a JSON
// object).
func queryRow(idx map[string]int, vals []any, def Severity) (row, error) {
	get := func(c string) (any, bool) {
		i, ok := idx[c]
		if !ok {
			return nil, false
		}
		return vals[i], vals[i] != nil
	}
	r := row{status: StatusFail, severity: def}
	v, ok := get("subject_id")
	if !ok {
		return r, errors.New("a row has no subject_id: every row must name the node it is about")
	}
	r.subject = fmt.Sprint(v)
	if v, ok := get("message"); ok {
		r.message = fmt.Sprint(v)
	}
	if v, ok := get("about"); ok {
		if err := json.Unmarshal([]byte(fmt.Sprint(v)), &r.about); err != nil {
			return r, fmt.Errorf("the row about %s: about is not a JSON array of ids (build it with json_group_array or json_array): %v", r.subject, err)
		}
	}
	if v, ok := get("status"); ok {
		switch s := Status(fmt.Sprint(v)); s {
		case StatusFail, StatusUnknown:
			r.status = s
		default:
			return r, fmt.Errorf("the row about %s: status %q: use 'fail' or 'unknown'", r.subject, s)
		}
	}
	if v, ok := get("severity"); ok {
		s, err := ParseSeverity(fmt.Sprint(v))
		if err != nil {
			return r, fmt.Errorf("the row about %s: %v", r.subject, err)
		}
		r.severity = s
	}
	if v, ok := get("evidence"); ok {
		raw := []byte(fmt.Sprint(v))
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
			return r, fmt.Errorf("the row about %s: evidence is not a JSON object (build it with json_object)", r.subject)
		}
		r.evidence = raw
	}
	return r, nil
}

// subjectsPerLookup is how many findings' subjects one query looks up.
const subjectsPerLookup = 512

// findings completes rows with what the inventory says of their subjects,
// looked up in one query.
func (ev *Evaluation) findings(ctx context.Context, inv Inventory, ctl *Control, rows []row) ([]Finding, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.subject
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	type subject struct{ kind, name, provider, tenant string }
	known := make(map[string]subject, len(rows))
	err = inv.EachRow(ctx, `SELECT id, kind, name, provider, tenant FROM nodes WHERE id IN (SELECT value FROM json_each(:ids))`,
		[]any{sql.Named("ids", string(idsJSON))}, func(_ []string, v []any) error {
			known[asString(v[0])] = subject{asString(v[1]), asString(v[2]), asString(v[3]), asString(v[4])}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]Finding, 0, len(rows))
	for _, r := range rows {
		sub, ok := known[r.subject]
		if !ok {
			return nil, fmt.Errorf("a row names subject %q, which is not a node of the inventory: select subject_id from current_nodes.id", r.subject)
		}
		if r.severity == SeverityNone {
			r.severity = ctl.Severity
		}
		if strings.TrimSpace(r.message) == "" {
			// A message built from an attribute this item lacks comes out
			// NULL: the finding stands, in the control's words.
			r.message = ctl.Title
		}
		about := append([]string(nil), r.about...)
		sort.Strings(about)
		about = compactStrings(about)
		out = append(out, Finding{ControlID: ctl.ID, Status: r.status, Severity: r.severity, SubjectID: r.subject,
			SubjectKind: sub.kind, SubjectName: sub.name, Provider: sub.provider, Tenant: sub.tenant,
			About: about, Message: r.message, Evidence: r.evidence, Fingerprint: Fingerprint(ctl.ID, r.subject, about)})
	}
	return out, nil
}

// Fingerprint identifies a finding across scans: the control, its subject,
// and the other ids it is about, in order.
func Fingerprint(controlID, subject string, about []string) string {
	h := sha256.New()
	h.Write([]byte(controlID))
	h.Write([]byte{0})
	h.Write([]byte(subject))
	for _, a := range about {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func asString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func asInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}
