package report

import (
	"context"
	"encoding/csv"
	"io"
	"strings"

	"github.com/aam-dev/aam/posture"
)

// CSV renders one row per finding, for a spreadsheet or a ticket import:
// the findings that count after the baseline, then those the baseline
// suppresses (marked so), each with its control's mappings.
type CSV struct{}

// CSVHeader is the first row, the columns in order.
var CSVHeader = []string{"severity", "status", "control", "title", "provider", "tenant",
	"subject_kind", "subject_name", "subject_id", "message", "fingerprint",
	"owasp_nhi", "owasp_agentic", "cis_aws", "suppression"}

// The suppression column holds the finding's mark: "suppressed" (the
// baseline accepts it), "expired" (its suppression expired: it counts
// again), or "".
// Render writes r, a row at a time as the findings are read.
func (CSV) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	controls := controlsOf(r.Run)
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := func(it posture.Item) error {
		var m posture.Mappings
		title := ""
		if c := controls[it.ControlID]; c != nil {
			m, title = c.Mappings, c.Title
		}
		return cw.Write([]string{it.Severity.String(), string(it.Status), it.ControlID, csvCell(title), it.Provider, it.Tenant,
			it.SubjectKind, csvCell(it.SubjectName), csvCell(it.SubjectID), csvCell(it.Message), it.Fingerprint,
			strings.Join(m.OWASPNHI, " "), strings.Join(m.OWASPAgentic, " "), strings.Join(m.CISAWS, " "), string(it.Mark)})
	}
	if err := r.Findings.Each(ctx, posture.Query{Marks: posture.MarksCounting}, row); err != nil {
		return err
	}
	if err := r.Findings.Each(ctx, posture.Query{Marks: posture.MarksSuppressed}, row); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvCell keeps a spreadsheet from reading a cell as a formula: a value
// starting with = + - @ (or a tab or carriage return) gets a leading
// apostrophe, as OWASP's CSV-injection advice has it. Names come from the
// scanned accounts, which an attacker may have named.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
