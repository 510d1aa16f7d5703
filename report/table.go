package report

import (
	"fmt"
	"io"

	"github.com/aam-dev/aam/posture"
)

// Table renders a report for a terminal.
type Table struct{}

// Render writes r.
func (Table) Render(w io.Writer, r *posture.Report) error {
	for _, f := range r.Triage.Active {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.ControlID, f.Status, f.SubjectName, f.Message)
	}
	return nil
}
