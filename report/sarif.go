package report

import (
	"errors"
	"io"

	"github.com/aam-dev/aam/posture"
)

// SARIF renders a report as SARIF 2.1.0 for code scanning.
type SARIF struct{}

// Render writes r.
func (SARIF) Render(w io.Writer, r *posture.Report) error {
	return errors.New("sarif: not written yet")
}
