package report

import (
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

// Render writes r.
func (Table) Render(w io.Writer, r *posture.Report) error {
	tw := &textWriter{w: w}
	ev := r.Evaluation
	tw.line("aam posture: scan %d, evaluated at %s", ev.ScanID, posture.When(ev.Now))
	if r.Stored {
		tw.line("Findings stored with scan %d.", ev.ScanID)
	} else {
		tw.line("Findings not stored: %s", r.StoreNote)
	}

	var fails, unknowns []posture.Finding
	for _, f := range r.Triage.Active {
		if f.Status == posture.StatusUnknown {
			unknowns = append(unknowns, f)
		} else {
			fails = append(fails, f)
		}
	}
	expired := map[string]posture.Suppression{}
	for _, e := range r.Triage.Expired {
		expired[e.Finding.Fingerprint] = e.Suppression
	}
	counts := posture.Counts(fails)
	if len(r.Triage.Active) == 0 {
		tw.blank()
		tw.line("No findings.")
	}
	for _, sev := range severitiesDown {
		if counts[sev] == 0 {
			continue
		}
		tw.blank()
		tw.line("%s (%d)", strings.ToUpper(sev.String()), counts[sev])
		for _, f := range fails {
			if f.Severity != sev {
				continue
			}
			tw.finding(f, "")
			if s, ok := expired[f.Fingerprint]; ok {
				tw.line("      baseline suppression expired %s: it no longer suppresses this (%s)", s.Expires.Format("2006-01-02"), s.Reason)
			}
		}
	}
	if len(unknowns) > 0 {
		tw.blank()
		tw.line("NOT EVALUABLE (%d): a detail these controls need is unknown; unknown is not pass", len(unknowns))
		for _, f := range unknowns {
			tw.finding(f, "? "+f.Severity.String()+" ")
		}
	}

	tw.blank()
	tw.line("Summary")
	var parts []string
	for _, sev := range severitiesDown {
		parts = append(parts, fmt.Sprintf("%s %d", sev, counts[sev]))
	}
	tw.line("  findings: %d (%s)", len(fails), strings.Join(parts, ", "))
	tw.line("  not evaluable: %d", len(unknowns))
	tw.line("  suppressed by the baseline: %d", len(r.Triage.Suppressed))
	if len(r.Triage.Expired) > 0 {
		tw.line("  expired suppressions (they no longer suppress; their findings are counted above): %d", len(r.Triage.Expired))
		for _, e := range r.Triage.Expired {
			tw.line("    %s %s on %s, expired %s: %s", e.Suppression.Fingerprint, e.Finding.ControlID, subjectLabel(e.Finding), e.Suppression.Expires.Format("2006-01-02"), e.Suppression.Reason)
		}
	}
	if len(r.Triage.Unmatched) > 0 {
		tw.line("  unmatched suppressions (their finding is gone; drop them from the baseline): %d", len(r.Triage.Unmatched))
		for _, s := range r.Triage.Unmatched {
			tw.line("    %s %s %s", s.Fingerprint, orDash(s.Control), orDash(s.Subject))
		}
	}

	tw.blank()
	tw.line("Coverage")
	if len(ev.Coverage.Scopes) == 0 {
		tw.line("  no scope has been scanned: run aam scan")
	}
	states := map[string]int{}
	for _, sc := range ev.Coverage.Scopes {
		states[sc.State]++
	}
	if len(ev.Coverage.Scopes) > 0 {
		tw.line("  scopes: %d complete, %d partial, %d stale, %d failed", states[posture.ScopeComplete], states[posture.ScopePartial], states[posture.ScopeStale], states[posture.ScopeFailed])
	}
	for _, sc := range ev.Coverage.Scopes {
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
	for _, o := range ev.Controls {
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
