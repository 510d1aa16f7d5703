package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/aam-dev/aam/posture"
)

// DiffMarkdown renders a drift between two scans as GitHub-flavoured
// Markdown, for a pull request comment or a ticket.
type DiffMarkdown struct{}

// diffCell makes s safe inside a table cell: a pipe or a line break would end
// the cell, and backticks and angle brackets would format it.
func diffCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "`", "'", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// Render writes d.
func (DiffMarkdown) Render(w io.Writer, d *posture.Drift) error {
	tw := &textWriter{w: w}
	tw.line("## aam diff: scan %d to scan %d", d.From.ID, d.To.ID)
	tw.blank()
	tw.line("Scan %d finished %s; scan %d finished %s.", d.From.ID, posture.When(d.From.Finished), d.To.ID, posture.When(d.To.Finished))
	for _, part := range []struct {
		title string
		nodes []posture.DriftNode
	}{{"New", d.New}, {"Gone", d.Gone}} {
		tw.blank()
		tw.line("### %s agents, identities and credentials (%d)", part.title, len(part.nodes))
		if len(part.nodes) == 0 {
			continue
		}
		tw.blank()
		tw.line("| Kind | Name | Provider/tenant | Id |")
		tw.line("|---|---|---|---|")
		for _, n := range part.nodes {
			tw.line("| %s | %s | %s | %s |", n.Kind, diffCell(n.Name), diffCell(n.Provider+"/"+n.Tenant), diffCell(n.ID))
		}
	}
	if note := FindingsNote(d); note != "" {
		tw.blank()
		tw.line("Findings not compared: %s.", diffCell(note))
		return tw.err
	}
	for _, part := range []struct {
		title string
		fs    []posture.DriftFinding
	}{{"New findings", d.Findings.New}, {"Resolved findings", d.Findings.Resolved}} {
		tw.blank()
		tw.line("### %s (%d)", part.title, len(part.fs))
		if len(part.fs) == 0 {
			continue
		}
		tw.blank()
		tw.line("| Severity | Control | Subject | Message | Fingerprint |")
		tw.line("|---|---|---|---|---|")
		for _, f := range part.fs {
			sev := f.Severity.String()
			if f.Status == posture.StatusUnknown {
				sev += " (not evaluable)"
			}
			if f.Suppressed {
				sev += " (suppressed)"
			}
			tw.line("| %s | %s | %s | %s | %s |", sev, f.ControlID, diffCell(fmt.Sprintf("%s (%s)", subjectLabel(f.Finding), f.SubjectID)), diffCell(f.Message), f.Fingerprint)
		}
	}
	return tw.err
}
