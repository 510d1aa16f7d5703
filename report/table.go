package report

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aam-dev/aam/posture"
)

// Table renders a report for a person at a terminal: plain text, no
// colour, in a fixed order, so that two runs on the same inventory print
// the same thing.
type Table struct{}

// severitiesDown are the severities, most severe first.
var severitiesDown = []posture.Severity{posture.SeverityCritical, posture.SeverityHigh, posture.SeverityMedium, posture.SeverityLow}

// Render writes r, a finding at a time as they are read.
func (Table) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	tw := &textWriter{w: w}
	run := r.Run
	tw.line("aam posture: scan %d, evaluated at %s", run.ScanID, posture.When(run.Now))
	if r.Stored {
		tw.line("Findings stored with scan %d.", run.ScanID)
	} else {
		tw.line("Findings not stored: %s", r.StoreNote)
	}

	counts := map[posture.Severity]int{}
	fails := 0
	for _, sev := range severitiesDown {
		counts[sev] = r.Tally.Failing(sev)
		fails += counts[sev]
	}
	unknowns := r.Tally.NotEvaluable()
	if fails+unknowns == 0 {
		tw.blank()
		tw.line("No findings.")
	}
	// Failing findings by severity, most severe first, then the not
	// evaluable: the order OrderRank reads them in.
	var section posture.Severity
	inUnknown := false
	err := r.Findings.Each(ctx, posture.Query{Order: posture.OrderRank, Marks: posture.MarksCounting}, func(it posture.Item) error {
		if it.Status == posture.StatusUnknown {
			if !inUnknown {
				inUnknown = true
				tw.blank()
				tw.line("NOT EVALUABLE (%d): a detail these controls need is unknown; unknown is not pass", unknowns)
			}
			tw.finding(it.Finding, "? "+it.Severity.String()+" ")
			return tw.err
		}
		if it.Severity != section {
			section = it.Severity
			tw.blank()
			tw.line("%s (%d)", strings.ToUpper(it.Severity.String()), counts[it.Severity])
		}
		tw.finding(it.Finding, "")
		if s := it.Suppression; s != nil {
			tw.line("      baseline suppression expired %s: it no longer suppresses this (%s)", s.Expires.Format("2006-01-02"), s.Reason)
		}
		return tw.err
	})
	if err != nil {
		return err
	}

	tw.blank()
	tw.line("Summary")
	var parts []string
	for _, sev := range severitiesDown {
		parts = append(parts, fmt.Sprintf("%s %d", sev, counts[sev]))
	}
	tw.line("  findings: %d (%s)", fails, strings.Join(parts, ", "))
	tw.line("  not evaluable: %d", unknowns)
	tw.line("  suppressed by the baseline: %d", r.Tally.Marked(posture.MarkSuppressed))
	if n := r.Tally.Marked(posture.MarkExpired); n > 0 {
		tw.line("  expired suppressions (they no longer suppress; their findings are counted above): %d", n)
		err := r.Findings.Each(ctx, posture.Query{Marks: posture.MarksExpired}, func(it posture.Item) error {
			s := it.Suppression
			tw.line("    %s %s on %s, expired %s: %s", s.Fingerprint, it.ControlID, subjectLabel(it.Finding), s.Expires.Format("2006-01-02"), s.Reason)
			return tw.err
		})
		if err != nil {
			return err
		}
	}
	if len(run.Unmatched) > 0 {
		tw.line("  unmatched suppressions (their finding is gone; drop them from the baseline): %d", len(run.Unmatched))
		for _, s := range run.Unmatched {
			tw.line("    %s %s %s", s.Fingerprint, orDash(s.Control), orDash(s.Subject))
		}
	}

	tw.blank()
	tw.line("Coverage")
	if len(run.Coverage.Scopes) == 0 {
		tw.line("  no scope has been scanned: run aam scan")
	}
	states := map[string]int{}
	for _, sc := range run.Coverage.Scopes {
		states[sc.State]++
	}
	if len(run.Coverage.Scopes) > 0 {
		tw.line("  scopes: %d complete, %d partial, %d stale, %d failed", states[posture.ScopeComplete], states[posture.ScopePartial], states[posture.ScopeStale], states[posture.ScopeFailed])
	}
	for _, sc := range run.Coverage.Scopes {
		if sc.State == posture.ScopeComplete {
			continue
		}
		when := "never completed"
		if sc.LastComplete != nil {
			when = "last complete " + posture.When(*sc.LastComplete)
		}
		tw.line("  %s %s/%s/%s (%s)", sc.State, sc.Provider, sc.Tenant, sc.Scope, when)
		for _, e := range sc.Errors {
			tw.line("      %s", e)
		}
	}
	for _, o := range run.Controls {
		if o.NotEvaluated != "" {
			tw.line("  %s judged part of the estate only: %s", o.Control.ID, o.NotEvaluated)
		}
	}

	tw.blank()
	switch {
	case r.Gate.FailOn == posture.SeverityNone:
		tw.line("Gate: none (pass --fail-on SEVERITY to fail on findings)")
	case r.Gate.Failed:
		tw.line("Gate: FAILED (--fail-on %s): %s", r.Gate.FailOn, strings.Join(r.Gate.Reasons, "; "))
	default:
		allow := ""
		if r.Gate.AllowUnknown {
			allow = ", --allow-unknown"
		}
		tw.line("Gate: passed (--fail-on %s%s)", r.Gate.FailOn, allow)
	}
	return tw.err
}

// textWriter keeps the first write error, so that Render checks once.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
	}
}

func (t *textWriter) blank() { t.line("") }

// raw writes s as it is.
func (t *textWriter) raw(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s)
	}
}

func (t *textWriter) finding(f posture.Finding, mark string) {
	tenant := f.Tenant
	if tenant == "" {
		tenant = "-"
	}
	t.line("  %s%s  %s  %s/%s", mark, f.ControlID, subjectLabel(f), f.Provider, tenant)
	t.line("      %s", f.Message)
	t.line("      %s  fingerprint %s", f.SubjectID, f.Fingerprint)
}

func subjectLabel(f posture.Finding) string {
	name := f.SubjectName
	if name == "" {
		name = f.SubjectID
	}
	return fmt.Sprintf("%s (%s)", name, f.SubjectKind)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
