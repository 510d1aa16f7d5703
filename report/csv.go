package report

import (
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

// Suppression column values: a finding the baseline suppresses, one whose
// suppression expired (it counts again), or neither.
const (
	csvSuppressed = "suppressed"
	csvExpired    = "expired"
)

// Render writes r.
func (CSV) Render(w io.Writer, r *posture.Report) error {
	controls := map[string]*posture.Control{}
	for _, o := range r.Evaluation.Controls {
		controls[o.Control.ID] = o.Control
	}
	expired := map[string]bool{}
	for _, e := range r.Triage.Expired {
		expired[e.Finding.Fingerprint] = true
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := func(f posture.Finding, suppression string) error {
		var m posture.Mappings
		title := ""
		if c := controls[f.ControlID]; c != nil {
			m, title = c.Mappings, c.Title
		}
		return cw.Write([]string{f.Severity.String(), string(f.Status), f.ControlID, csvCell(title), f.Provider, f.Tenant,
			f.SubjectKind, csvCell(f.SubjectName), csvCell(f.SubjectID), csvCell(f.Message), f.Fingerprint,
			strings.Join(m.OWASPNHI, " "), strings.Join(m.OWASPAgentic, " "), strings.Join(m.CISAWS, " "), suppression})
	}
	for _, f := range r.Triage.Active {
		s := ""
		if expired[f.Fingerprint] {
			s = csvExpired
		}
		if err := row(f, s); err != nil {
			return err
		}
	}
	for _, s := range r.Triage.Suppressed {
		if err := row(s.Finding, csvSuppressed); err != nil {
			return err
		}
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
