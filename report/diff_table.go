package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/aam-dev/aam/posture"
)

// DiffTable renders a drift between two scans for a person at a terminal.
type DiffTable struct{}

// Render writes d.
func (DiffTable) Render(w io.Writer, d *posture.Drift) error {
	tw := &textWriter{w: w}
	tw.line("aam diff: scan %d (%s) to scan %d (%s)", d.From.ID, posture.When(d.From.Finished), d.To.ID, posture.When(d.To.Finished))
	for _, part := range []struct {
		title string
		nodes []posture.DriftNode
	}{{"New", d.New}, {"Gone", d.Gone}} {
		tw.blank()
		tw.line("%s agents, identities and credentials (%d)", part.title, len(part.nodes))
		for _, n := range part.nodes {
			tenant := n.Tenant
			if tenant == "" {
				tenant = "-"
			}
			tw.line("  %-10s %s  %s/%s", n.Kind, n.Name, n.Provider, tenant)
			tw.line("             %s", n.ID)
		}
	}
	if note := FindingsNote(d); note != "" {
		tw.blank()
		tw.line("Findings not compared: %s", note)
		return tw.err
	}
	for _, part := range []struct {
		title string
		fs    []posture.DriftFinding
	}{{"New findings", d.Findings.New}, {"Resolved findings", d.Findings.Resolved}} {
		tw.blank()
		tw.line("%s (%d)", part.title, len(part.fs))
		for _, f := range part.fs {
			mark := strings.ToUpper(f.Severity.String()) + " "
			if f.Status == posture.StatusUnknown {
				mark += "(not evaluable) "
			}
			if f.Suppressed {
				mark += "(suppressed) "
			}
			tw.finding(f.Finding, mark)
		}
	}
	return tw.err
}

// FindingsNote says why the findings of d were not compared, and what to
// do; "" when they were.
func FindingsNote(d *posture.Drift) string {
	var missing []string
	if !d.Findings.FromEvaluated {
		missing = append(missing, fmt.Sprint(d.From.ID))
	}
	if !d.Findings.ToEvaluated {
		missing = append(missing, fmt.Sprint(d.To.ID))
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("no stored evaluation of scan %s: aam posture stores one for the last scan; run it after each scan", strings.Join(missing, " nor of scan "))
}
