package posture

import (
	"context"
	"sort"
	"time"
)

// Mark is what a baseline did to a finding.
type Mark string

const (
	// MarkNone: no suppression names the finding; it counts.
	MarkNone Mark = ""
	// MarkSuppressed: an unexpired suppression accepts the finding; it
	// does not count.
	MarkSuppressed Mark = "suppressed"
	// MarkExpired: the suppression that named the finding has expired; it
	// counts again.
	MarkExpired Mark = "expired"
)

// Item is a finding as a renderer reads it, with what the baseline did to
// it and, when a suppression named it, that suppression.
type Item struct {
	Finding
	Mark        Mark
	Suppression *Suppression
}

// Counts reports whether the item counts: it is not suppressed.
func (it Item) Counts() bool { return it.Mark != MarkSuppressed }

// Order is the order a renderer reads findings in. Every order ends with
// the evaluation's own (severity, control, subject, fingerprint), so two
// reads of the same findings agree.
type Order int

const (
	// OrderEvaluation: most severe first, then by control, subject and
	// fingerprint.
	OrderEvaluation Order = iota
	// OrderRank: failing before not evaluable, then OrderEvaluation: the
	// order a reader acts in.
	OrderRank
	// OrderSeverity: most severe first, failing before not evaluable
	// within a severity.
	OrderSeverity
	// OrderControl: by control id, failing before not evaluable, then
	// OrderEvaluation.
	OrderControl
)

// Marks selects findings by what the baseline did to them.
type Marks int

const (
	// MarksAll: every finding.
	MarksAll Marks = iota
	// MarksCounting: the findings that count (MarkNone, MarkExpired).
	MarksCounting
	// MarksSuppressed: the findings a suppression accepts.
	MarksSuppressed
	// MarksExpired: the findings whose suppression expired.
	MarksExpired
)

func (m Marks) admits(mark Mark) bool {
	switch m {
	case MarksCounting:
		return mark != MarkSuppressed
	case MarksSuppressed:
		return mark == MarkSuppressed
	case MarksExpired:
		return mark == MarkExpired
	}
	return true
}

// TenantID names a tenant of a provider.
type TenantID struct{ Provider, Tenant string }

// Query is which findings a renderer reads, and in what order.
type Query struct {
	Order Order
	Marks Marks
	// Tenant, when not nil, keeps the findings of one tenant.
	Tenant *TenantID
	// SubjectKind, when not "", keeps the findings about nodes of a kind.
	SubjectKind string
}

func (q Query) admits(it Item) bool {
	if !q.Marks.admits(it.Mark) {
		return false
	}
	if q.Tenant != nil && (it.Provider != q.Tenant.Provider || it.Tenant != q.Tenant.Tenant) {
		return false
	}
	return q.SubjectKind == "" || it.SubjectKind == q.SubjectKind
}

// Findings are one evaluation's findings, read in the order a renderer
// asks for: from memory right after an evaluation, or from the database,
// row by row, when the evaluation was stored.
type Findings interface {
	// Each calls fn with every finding q admits, in q's order, and stops
	// at fn's first error, which it returns.
	Each(ctx context.Context, q Query, fn func(Item) error) error
}

// Run is an evaluation without its findings: what a renderer prints
// around them.
type Run struct {
	// ID is the stored evaluation's id; 0 when it was not stored.
	ID     int64
	ScanID int64
	Now    time.Time
	// Version is the aam that evaluated.
	Version  string
	Controls []*ControlOutcome
	Coverage Coverage
	// Baseline is the baseline file applied, "" when none.
	Baseline string
	// Unmatched are the baseline's suppressions whose finding is gone.
	Unmatched []Suppression
}

// TallyKey is a class of findings that Tally counts.
type TallyKey struct {
	Provider, Tenant, ControlID string
	Status                      Status
	Severity                    Severity
	Mark                        Mark
}

// Tally counts an evaluation's findings by tenant, control, status,
// severity and mark: what summaries, gates and per-control verdicts need,
// without holding the findings.
type Tally map[TallyKey]int

// Sum adds the counts of the keys match admits.
func (t Tally) Sum(match func(TallyKey) bool) int {
	n := 0
	for k, c := range t {
		if match(k) {
			n += c
		}
	}
	return n
}

// Failing counts the findings that count and fail, at severity sev.
func (t Tally) Failing(sev Severity) int {
	return t.Sum(func(k TallyKey) bool { return k.Mark != MarkSuppressed && k.Status == StatusFail && k.Severity == sev })
}

// NotEvaluable counts the items that could not be judged (they count).
func (t Tally) NotEvaluable() int {
	return t.Sum(func(k TallyKey) bool { return k.Mark != MarkSuppressed && k.Status == StatusUnknown })
}

// Marked counts the findings with mark m.
func (t Tally) Marked(m Mark) int {
	return t.Sum(func(k TallyKey) bool { return k.Mark == m })
}

// Tenants are the tenants findings name, by provider then tenant.
func (t Tally) Tenants() []TenantID {
	seen := map[TenantID]bool{}
	var out []TenantID
	for k := range t {
		id := TenantID{k.Provider, k.Tenant}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Provider != out[j].Provider {
			return out[i].Provider < out[j].Provider
		}
		return out[i].Tenant < out[j].Tenant
	})
	return out
}

// TallyOf counts findings as they are read.
func TallyOf(ctx context.Context, fs Findings) (Tally, error) {
	t := Tally{}
	err := fs.Each(ctx, Query{}, func(it Item) error {
		t[TallyKey{it.Provider, it.Tenant, it.ControlID, it.Status, it.Severity, it.Mark}]++
		return nil
	})
	return t, err
}

// memFindings are an evaluation's findings held in memory, marked by a
// baseline's triage.
type memFindings struct{ items []Item }

// NewReport is the report of an evaluation just computed, its findings
// read from memory; Gate and the rest are the caller's to fill.
func NewReport(ev *Evaluation, t Triage, baselinePath string) *Report {
	marks := map[string]Item{}
	for _, s := range t.Suppressed {
		sup := s.Suppression
		marks[s.Finding.Fingerprint] = Item{Mark: MarkSuppressed, Suppression: &sup}
	}
	for _, s := range t.Expired {
		sup := s.Suppression
		marks[s.Finding.Fingerprint] = Item{Mark: MarkExpired, Suppression: &sup}
	}
	items := make([]Item, 0, len(ev.Findings))
	tally := Tally{}
	for _, f := range ev.Findings {
		it := marks[f.Fingerprint]
		it.Finding = f
		items = append(items, it)
		tally[TallyKey{f.Provider, f.Tenant, f.ControlID, f.Status, f.Severity, it.Mark}]++
	}
	sortItems(items, OrderEvaluation)
	return &Report{
		Run: &Run{ScanID: ev.ScanID, Now: ev.Now, Controls: ev.Controls, Coverage: ev.Coverage,
			Baseline: baselinePath, Unmatched: append([]Suppression{}, t.Unmatched...)},
		Findings: &memFindings{items: items},
		Tally:    tally,
	}
}

func (m *memFindings) Each(ctx context.Context, q Query, fn func(Item) error) error {
	items := m.items
	if q.Order != OrderEvaluation {
		items = append([]Item(nil), items...)
		sortItems(items, q.Order)
	}
	for i, it := range items {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !q.admits(it) {
			continue
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// sortItems puts items in order o, the same order the stored findings are
// read in (orderBy).
func sortItems(items []Item, o Order) {
	unknownLast := func(a, b Item) (bool, bool) {
		ua, ub := a.Status == StatusUnknown, b.Status == StatusUnknown
		return !ua && ub, ua != ub
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		switch o {
		case OrderRank:
			if less, differ := unknownLast(a, b); differ {
				return less
			}
		case OrderSeverity:
			if a.Severity != b.Severity {
				return a.Severity > b.Severity
			}
			if less, differ := unknownLast(a, b); differ {
				return less
			}
		case OrderControl:
			if a.ControlID != b.ControlID {
				return a.ControlID < b.ControlID
			}
			if less, differ := unknownLast(a, b); differ {
				return less
			}
		}
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

// orderBy is o as SQL over the findings table.
func orderBy(o Order) string {
	const evaluation = "severity_level DESC, control_id, subject_id, fingerprint"
	switch o {
	case OrderRank:
		return "(status = 'unknown'), " + evaluation
	case OrderSeverity:
		return "severity_level DESC, (status = 'unknown'), control_id, subject_id, fingerprint"
	case OrderControl:
		return "control_id, (status = 'unknown'), " + evaluation
	}
	return evaluation
}
