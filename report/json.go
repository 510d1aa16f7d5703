package report

import (
	"encoding/json"
	"io"

	"github.com/aam-dev/aam/posture"
)

// JSON renders a report as one JSON document of schema_version
// posture.ReportSchemaVersion.
type JSON struct{}

// Render writes r.
func (JSON) Render(w io.Writer, r *posture.Report) error {
	ev := r.Evaluation
	type control struct {
		ID       string                  `json:"id"`
		Title    string                  `json:"title"`
		Severity posture.Severity        `json:"severity"`
		Mappings posture.Mappings        `json:"mappings"`
		Outcome  *posture.ControlOutcome `json:"outcome"`
	}
	controls := make([]control, 0, len(ev.Controls))
	for _, c := range ev.Controls {
		controls = append(controls, control{ID: c.Control.ID, Title: c.Control.Title, Severity: c.Control.Severity, Mappings: c.Control.Mappings, Outcome: c})
	}
	doc := struct {
		SchemaVersion int                   `json:"schema_version"`
		Tool          string                `json:"tool"`
		Version       string                `json:"version"`
		ScanID        int64                 `json:"scan_id"`
		EvaluatedAt   string                `json:"evaluated_at"`
		Stored        bool                  `json:"stored"`
		StoreNote     string                `json:"store_note,omitempty"`
		Gate          posture.Gate          `json:"gate"`
		Coverage      posture.Coverage      `json:"coverage"`
		Controls      []control             `json:"controls"`
		Findings      []posture.Finding     `json:"findings"`
		Suppressed    []posture.Suppressed  `json:"suppressed"`
		Expired       []posture.Suppressed  `json:"expired_suppressions"`
		Unmatched     []posture.Suppression `json:"unmatched_suppressions"`
	}{posture.ReportSchemaVersion, r.Tool, r.Version, ev.ScanID, ev.Now.Format("2006-01-02T15:04:05Z07:00"), r.Stored, r.StoreNote,
		r.Gate, ev.Coverage, controls, r.Triage.Active, r.Triage.Suppressed, r.Triage.Expired, r.Triage.Unmatched}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
