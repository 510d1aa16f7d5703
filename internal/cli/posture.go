package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
	"github.com/aam-dev/aam/scanners"
	"github.com/spf13/cobra"
)

// PostureOptions are the flags of aam posture.
type PostureOptions struct {
	*globalOptions
	Output          string
	Out             string
	FailOn          string
	AllowUnknown    bool
	Baseline        string
	WriteBaseline   string
	ControlsDir     string
	ConfigPath      string
	At              string
	Timeout         time.Duration
	Scan            string
	postureSeverity posture.Severity
}

func newPostureCmd(g *globalOptions) *cobra.Command {
	opts := &PostureOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "posture",
		Short: "Evaluate the controls over the inventory and report the findings",
		Long: `Evaluate every control over the current inventory and report what they find.

Each finding names its control (aam controls show ID), the node it is about,
and a fingerprint that stays the same across scans. The findings are kept in
the database with the scan they were evaluated on; on a database aam cannot
write, they are reported without being kept, and the report says so.

Unknown is not pass: the report states its coverage, which scopes were
scanned completely and which are stale or failed, and an item a control could
not judge (a detail the scan was denied) is reported as not evaluable.

--fail-on SEVERITY exits 3 when a finding at or above it remains after the
baseline, or, unless --allow-unknown, when an item at or above it could not be
evaluated. --baseline FILE suppresses findings by fingerprint until each
suppression's expiry date; --write-baseline FILE starts one from the current
findings.

Every report is rendered from the findings as stored, read row by row. --scan
renders a stored evaluation again, in any format, without evaluating: the
baseline and controls are those it was evaluated with; --fail-on decides anew.`,
		Example: `  aam posture
  aam posture -o sarif --out aam.sarif --fail-on high
  aam posture -o markdown --out posture.md    # a pull-request comment, a job summary
  aam posture -o junit --out posture.xml      # a CI test tab
  aam posture -o html --out posture.html
  aam posture --baseline aam-baseline.yaml --fail-on medium
  aam posture --write-baseline aam-baseline.yaml
  aam posture --controls-dir ./controls --config aam.yaml
  aam posture --scan last -o csv --out findings.csv   # no new evaluation`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runPosture(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, sarif, markdown, junit, csv or html")
	f.StringVar(&opts.Out, "out", "", "write the report to this file instead of standard output")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit 3 when a finding at or above this severity remains: critical, high, medium or low")
	f.BoolVar(&opts.AllowUnknown, "allow-unknown", false, "with --fail-on, let items that could not be evaluated pass")
	f.StringVar(&opts.Baseline, "baseline", "", "suppress the findings this baseline file accepts, until each expires")
	f.StringVar(&opts.WriteBaseline, "write-baseline", "", "write a baseline accepting the current findings to this file")
	f.StringVar(&opts.ControlsDir, "controls-dir", "", "add the controls of this folder (*.yaml) to aam's own")
	f.StringVar(&opts.ConfigPath, "config", "", "aam.yaml, for its posture section (thresholds) and as the SARIF location")
	f.StringVar(&opts.At, "at", "", "evaluate as of this time (RFC 3339, such as 2026-11-26T12:00:00Z) instead of now")
	f.DurationVar(&opts.Timeout, "timeout", 10*time.Minute, "stop evaluating after this long (0: no limit)")
	f.StringVar(&opts.Scan, "scan", "", "render the stored evaluation of this scan (an id, or last) instead of evaluating")
	return cmd
}

// postureSettings is the posture section of aam.yaml.
type postureSettings struct {
	// Thresholds override controls' defaults: control id → name → value.
	Thresholds map[string]map[string]int `yaml:"thresholds"`
	// StaleAfterDays is when a scope's last complete scan is too old.
	StaleAfterDays int `yaml:"stale_after_days"`
}

func runPosture(ctx context.Context, o *PostureOptions) error {
	switch o.Output {
	case "table", "json", "sarif", "markdown", "junit", "csv", "html":
	default:
		return usagef("unknown output %q: use table, json, sarif, markdown, junit, csv or html", o.Output)
	}
	if o.FailOn != "" {
		sev, err := posture.ParseSeverity(o.FailOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		o.postureSeverity = sev
	} else if o.AllowUnknown {
		return usagef("--allow-unknown only changes --fail-on: add --fail-on SEVERITY, or drop it")
	}
	if o.Timeout < 0 {
		return usagef("--timeout must not be negative (got %s)", o.Timeout)
	}
	if o.Scan != "" {
		return runPostureStored(ctx, o)
	}
	now := o.Now()
	if o.At != "" {
		t, err := time.Parse(time.RFC3339, o.At)
		if err != nil {
			return usagef("--at %q: give a time as RFC 3339, such as 2026-11-26T12:00:00Z", o.At)
		}
		now = t
	}
	cat, err := posture.Builtin()
	if err != nil {
		return err
	}
	if o.ControlsDir != "" {
		if err := cat.LoadDir(o.ControlsDir); err != nil {
			return err
		}
	}
	var settings postureSettings
	if o.ConfigPath != "" {
		reg, err := registry()
		if err != nil {
			return err
		}
		cfg, err := scanners.LoadConfig(o.ConfigPath, reg)
		if err != nil {
			return err
		}
		if cfg.Posture != nil {
			if err := scanners.DecodeSection(cfg.Path, "posture", cfg.Posture, &settings); err != nil {
				return err
			}
		}
		if settings.StaleAfterDays < 0 {
			return fmt.Errorf("config %s: posture.stale_after_days must not be negative", cfg.Path)
		}
	}
	var baseline *posture.Baseline
	if o.Baseline != "" {
		if baseline, err = posture.LoadBaseline(o.Baseline); err != nil {
			return err
		}
	}
	ectx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ectx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	ev, err := evaluateStore(ectx, o.DB, cat, posture.Options{Now: now, Thresholds: settings.Thresholds,
		StaleAfter: time.Duration(settings.StaleAfterDays) * 24 * time.Hour})
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return errors.New("posture interrupted: nothing was stored")
		case errors.Is(ectx.Err(), context.DeadlineExceeded):
			return fmt.Errorf("posture timed out after %s: nothing was stored; raise --timeout", o.Timeout)
		}
		return err
	}
	triage := baseline.Apply(ev.Findings, now)
	rep := posture.NewReport(ev, triage, o.Baseline)
	rep.Stored, rep.StoreNote = storeFindings(ctx, o.DB, rep)
	if o.WriteBaseline != "" {
		if err := writeBaselineFile(o.WriteBaseline, ev.Findings, baseline, now); err != nil {
			return err
		}
	}
	written := len(ev.Findings)
	if rep.Stored {
		// The report is rendered from what was stored, finding by finding:
		// the evaluation's findings are let go first.
		ev, triage = nil, posture.Triage{}
		store, err := inventory.OpenReadOnlyWith(ctx, o.DB, inventory.ReadOptions{})
		if err != nil {
			return err
		}
		defer store.Close()
		if rep, err = posture.LoadReport(ctx, store, rep.Run.ScanID); err != nil {
			return err
		}
	}
	if err := renderPosture(ctx, o, rep); err != nil {
		return err
	}
	if !rep.Stored {
		fmt.Fprintf(o.IO.ErrOut, "aam: findings not stored: %s\n", rep.StoreNote)
	}
	if o.WriteBaseline != "" {
		fmt.Fprintf(o.IO.ErrOut, "Baseline of %d finding(s) written to %s: replace each reason with why the finding is accepted.\n", written, o.WriteBaseline)
	}
	if rep.Gate.Failed {
		return findingsError{fmt.Sprintf("--fail-on %s: %s", rep.Gate.FailOn, joinReasons(rep.Gate.Reasons))}
	}
	return nil
}

// renderPosture decides the gate on rep, draws the agents' paths for the
// HTML report, and writes rep in the format asked for.
func renderPosture(ctx context.Context, o *PostureOptions, rep *posture.Report) error {
	rep.Tool, rep.Version, rep.ConfigPath = "aam", Version, sarifConfigPath(o.ConfigPath)
	rep.Gate = posture.Gate{FailOn: o.postureSeverity, AllowUnknown: o.AllowUnknown}
	rep.Gate.Decide(rep.Run, rep.Tally)
	rep.FullReportHint = fullReportHint(rep)
	if o.Output == "html" {
		// Only the HTML report draws the agents' paths, and only for the
		// agents it shows: the other formats do not pay for the walk.
		var err error
		if rep.Paths, rep.AgentsNotWalked, err = agentPaths(ctx, o.DB, rep.Findings, pathNodeCap); err != nil {
			return err
		}
	}
	return writeReport(ctx, o, rep)
}

// runPostureStored renders a stored evaluation without evaluating.
func runPostureStored(ctx context.Context, o *PostureOptions) error {
	for _, f := range []struct {
		flag string
		set  bool
	}{{"--baseline", o.Baseline != ""}, {"--write-baseline", o.WriteBaseline != ""}, {"--controls-dir", o.ControlsDir != ""}, {"--at", o.At != ""}} {
		if flag := f.flag; f.set {
			return usagef("%s changes an evaluation, and --scan renders one already stored: drop %s, or drop --scan to evaluate again", flag, flag)
		}
	}
	var scan int64
	if o.Scan != "last" {
		n, err := strconv.ParseInt(o.Scan, 10, 64)
		if err != nil || n <= 0 {
			return usagef("--scan %q: give a scan id (aam inventory scans lists them) or last", o.Scan)
		}
		scan = n
	}
	store, err := inventory.OpenReadOnlyWith(ctx, o.DB, inventory.ReadOptions{})
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := posture.LoadReport(ctx, store, scan)
	if err != nil {
		return err
	}
	if err := renderPosture(ctx, o, rep); err != nil {
		return err
	}
	if rep.Gate.Failed {
		return findingsError{fmt.Sprintf("--fail-on %s: %s", rep.Gate.FailOn, joinReasons(rep.Gate.Reasons))}
	}
	return nil
}

func joinReasons(r []string) string {
	var b bytes.Buffer
	for i, s := range r {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// evaluateStore evaluates cat on the database at path, opened read-only:
// the controls' SQL meets the same two locks as aam query's.
func evaluateStore(ctx context.Context, path string, cat *posture.Catalogue, opts posture.Options) (*posture.Evaluation, error) {
	store, err := inventory.OpenReadOnlyWith(ctx, path, inventory.ReadOptions{MapBytes: posture.MapBytes})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return posture.Evaluate(ctx, store, cat, opts)
}

// pathNodeCap is the most nodes an agent's picture in the HTML report
// shows: past it a picture stops being readable; the picture says how many
// were left out.
const pathNodeCap = 40

// agentPaths walks, from the agents the HTML report draws (the worst by
// their findings, posture.WorstAgents), the edges along which what it can
// use flows and then the can_access edges to resources, keeping for each
// agent at most max nodes, nearest first. It returns how many agents it
// did not walk.
func agentPaths(ctx context.Context, path string, fs posture.Findings, max int) (map[string]posture.AgentPaths, int, error) {
	store, err := inventory.OpenReadOnlyWith(ctx, path, inventory.ReadOptions{MapBytes: posture.MapBytes})
	if err != nil {
		return nil, 0, err
	}
	defer store.Close()
	all, err := store.Nodes(ctx, inventory.NodeFilter{Kind: inventory.KindAgent})
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[string]inventory.NodeRecord, len(all))
	allIDs := make([]string, 0, len(all))
	for _, a := range all {
		byID[a.ID] = a
		allIDs = append(allIDs, a.ID)
	}
	ids, err := posture.WorstAgents(ctx, fs, allIDs, report.MaxAgentSections)
	if err != nil {
		return nil, 0, fmt.Errorf("paths for the html report: %w", err)
	}
	agents := make([]inventory.NodeRecord, 0, len(ids))
	for _, id := range ids {
		agents = append(agents, byID[id])
	}
	follow := append(append([]inventory.EdgeKind{}, inventory.ReachEdges...), inventory.EdgeCanAccess)
	// One more hop than ReachDepth: the resource the last identity can
	// access.
	reach, err := store.ReachFrom(ctx, ids, follow, inventory.ReachDepth+1)
	if err != nil {
		return nil, 0, fmt.Errorf("paths for the html report: %w", err)
	}
	out := make(map[string]posture.AgentPaths, len(agents))
	for _, a := range agents {
		ap := posture.AgentPaths{Agent: posture.PathNode{ID: a.ID, Kind: string(a.Kind), Name: a.Name}}
		kept := map[string]bool{a.ID: true}
		for _, r := range reach[a.ID] {
			if len(ap.Nodes) == max {
				ap.Omitted++
				continue
			}
			ap.Nodes = append(ap.Nodes, posture.PathNode{ID: r.To.ID, Kind: string(r.To.Kind), Name: r.To.Name, Depth: len(r.Steps)})
			kept[r.To.ID] = true
			// The path may pass through nodes that are gone or were never
			// described: draw the edge from the nearest node shown.
			from := a.ID
			for i := len(r.Steps) - 1; i >= 0; i-- {
				if kept[r.Steps[i].From] {
					from = r.Steps[i].From
					break
				}
			}
			ap.Edges = append(ap.Edges, posture.PathEdge{From: from, To: r.To.ID, Kind: string(r.Steps[len(r.Steps)-1].Kind)})
		}
		out[a.ID] = ap
	}
	return out, len(all) - len(agents), nil
}

// storeFindings keeps the report's findings in the database, and says why
// not when it cannot write there.
func storeFindings(ctx context.Context, path string, rep *posture.Report) (bool, string) {
	if rep.Run.ScanID == 0 {
		return false, "the inventory has no finished scan to tie them to: run aam scan"
	}
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
		return false, fmt.Sprintf("the database %s cannot be written (%v): the report is complete, nothing was kept", path, errors.Unwrap(err))
	} else {
		f.Close()
	}
	store, err := inventory.Open(ctx, path)
	if err != nil {
		return false, fmt.Sprintf("the database %s cannot be written: %v", path, err)
	}
	defer store.Close()
	if _, err := posture.Save(ctx, store, rep); err != nil {
		return false, fmt.Sprintf("storing them in %s failed, nothing was written: %v", path, err)
	}
	return true, ""
}

// sarifConfigPath is the config path as a repository-relative path when it
// is one (SARIF locations are relative to the repository root, taken to be
// the working directory).
func sarifConfigPath(p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil {
			return filepath.ToSlash(p)
		}
		rel, err := filepath.Rel(wd, p)
		if err != nil {
			return filepath.ToSlash(p)
		}
		p = rel
	}
	return filepath.ToSlash(filepath.Clean(p))
}

func writeBaselineFile(path string, findings []posture.Finding, prev *posture.Baseline, now time.Time) error {
	return writeFileAtomic(path, func(w io.Writer) error { return posture.WriteBaseline(w, findings, prev, now) })
}

// writeFileAtomic writes path through a temporary file beside it, renamed
// over it once complete, so that a reader never sees half a file and a
// large report is never held whole in memory.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// renderer writes a report in one format.
type renderer interface {
	Render(ctx context.Context, w io.Writer, r *posture.Report) error
}

func writeReport(ctx context.Context, o *PostureOptions, rep *posture.Report) error {
	var r renderer
	switch o.Output {
	case "json":
		r = report.JSON{}
	case "sarif":
		r = report.SARIF{}
	case "markdown":
		r = report.Markdown{}
	case "junit":
		r = report.JUnit{}
	case "csv":
		r = report.CSV{}
	case "html":
		r = report.HTML{}
	default:
		r = report.Table{}
	}
	if o.Out == "" {
		return r.Render(ctx, o.IO.Out, rep)
	}
	if err := writeFileAtomic(o.Out, func(w io.Writer) error { return r.Render(ctx, w, rep) }); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Report written to %s.\n", o.Out)
	return nil
}

// fullReportHint says where a reader of a cut Markdown report finds every
// finding: stored with the scan when they were kept, else a command.
func fullReportHint(rep *posture.Report) string {
	if rep.Stored {
		return fmt.Sprintf("every finding is stored with scan %d; run `aam posture -o json` (or -o csv) for all of them", rep.Run.ScanID)
	}
	return "run `aam posture -o json` (or -o csv) for every finding"
}
