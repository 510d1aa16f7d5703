package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/aam-dev/aam/posture"
)

// JSON renders a report as one JSON document of schema_version
// posture.ReportSchemaVersion, for programs: every finding with its
// fingerprint, the controls with their outcome, the baseline's triage, the
// coverage the findings rest on, and the gate's verdict.
type JSON struct{}

// Control outcomes in the JSON report, from the evaluation (before the
// baseline).
const (
	// OutcomeFail: the control found at least one item.
	OutcomeFail = "fail"
	// OutcomeNotEvaluable: nothing failed, but some items could not be
	// judged.
	OutcomeNotEvaluable = "not_evaluable"
	// OutcomePartial: nothing failed, but scopes of the control's
	// providers failed, so it judged part of the estate only.
	OutcomePartial = "partial"
	// OutcomePass: the control judged everything and found nothing.
	OutcomePass = "pass"
	// OutcomeNoTenant: no tenant of the control's providers was scanned.
	OutcomeNoTenant = "no_tenant"
)

type jsonControl struct {
	ID           string           `json:"id"`
	Title        string           `json:"title"`
	Severity     posture.Severity `json:"severity"`
	Source       string           `json:"source"`
	Mappings     posture.Mappings `json:"mappings"`
	Thresholds   map[string]int   `json:"thresholds,omitempty"`
	Outcome      string           `json:"outcome"`
	Failed       int              `json:"failed"`
	NotEvaluable int              `json:"not_evaluable"`
	Suppressed   int              `json:"suppressed"`
	NotEvaluated string           `json:"not_evaluated,omitempty"`
}

type jsonSuppression struct {
	Fingerprint string `json:"fingerprint"`
	Control     string `json:"control,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Reason      string `json:"reason"`
	// Expires is the last day the suppression holds, UTC.
	Expires string `json:"expires"`
}

type jsonSuppressed struct {
	Finding     posture.Finding `json:"finding"`
	Suppression jsonSuppression `json:"suppression"`
}

type jsonTriage struct {
	Suppressed []jsonSuppressed `json:"suppressed"`
	// Expired suppressions no longer suppress: their findings are in
	// findings.
	Expired []jsonSuppressed `json:"expired_suppressions"`
	// Unmatched suppressions' findings are gone.
	Unmatched []jsonSuppression `json:"unmatched_suppressions"`
}

type jsonSummary struct {
	// Findings counts the active failing findings per severity.
	Findings     map[string]int `json:"findings"`
	NotEvaluable int            `json:"not_evaluable"`
	Suppressed   int            `json:"suppressed"`
	Expired      int            `json:"expired_suppressions"`
	Unmatched    int            `json:"unmatched_suppressions"`
}

type jsonGate struct {
	// FailOn is --fail-on's severity; null when there is no gate.
	FailOn       *string  `json:"fail_on"`
	AllowUnknown bool     `json:"allow_unknown"`
	Failed       bool     `json:"failed"`
	Reasons      []string `json:"reasons"`
}

// Render writes r.
func (JSON) Render(w io.Writer, r *posture.Report) error {
	ev := r.Evaluation
	suppressedBy := map[string]int{}
	for _, s := range r.Triage.Suppressed {
		suppressedBy[s.Finding.ControlID]++
	}
	controls := make([]jsonControl, 0, len(ev.Controls))
	for _, o := range ev.Controls {
		c := o.Control
		controls = append(controls, jsonControl{ID: c.ID, Title: c.Title, Severity: c.Severity, Source: c.Source, Mappings: c.Mappings,
			Thresholds: o.Thresholds, Outcome: controlOutcome(o), Failed: o.Failed, NotEvaluable: o.Unknown,
			Suppressed: suppressedBy[c.ID], NotEvaluated: o.NotEvaluated})
	}
	sum := jsonSummary{Findings: map[string]int{}, Suppressed: len(r.Triage.Suppressed), Expired: len(r.Triage.Expired), Unmatched: len(r.Triage.Unmatched)}
	for _, sev := range severitiesDown {
		sum.Findings[sev.String()] = 0
	}
	findings := []posture.Finding{}
	for _, f := range r.Triage.Active {
		if f.Status == posture.StatusUnknown {
			sum.NotEvaluable++
		} else {
			sum.Findings[f.Severity.String()]++
		}
		findings = append(findings, f)
	}
	tri := jsonTriage{Suppressed: jsonSuppressedOf(r.Triage.Suppressed), Expired: jsonSuppressedOf(r.Triage.Expired), Unmatched: []jsonSuppression{}}
	for _, s := range r.Triage.Unmatched {
		tri.Unmatched = append(tri.Unmatched, jsonSuppressionOf(s))
	}
	gate := jsonGate{AllowUnknown: r.Gate.AllowUnknown, Failed: r.Gate.Failed, Reasons: append([]string{}, r.Gate.Reasons...)}
	if r.Gate.FailOn != posture.SeverityNone {
		s := r.Gate.FailOn.String()
		gate.FailOn = &s
	}
	doc := struct {
		SchemaVersion int              `json:"schema_version"`
		Tool          string           `json:"tool"`
		Version       string           `json:"version"`
		ScanID        int64            `json:"scan_id"`
		EvaluatedAt   string           `json:"evaluated_at"`
		Stored        bool             `json:"stored"`
		StoreNote     string           `json:"store_note,omitempty"`
		Summary       jsonSummary      `json:"summary"`
		Gate          jsonGate         `json:"gate"`
		Coverage      posture.Coverage `json:"coverage"`
		Controls      []jsonControl    `json:"controls"`
		// Findings are those that count after the baseline, the not
		// evaluable (status unknown) among them.
		Findings []posture.Finding `json:"findings"`
		Triage   jsonTriage        `json:"triage"`
	}{posture.ReportSchemaVersion, r.Tool, r.Version, ev.ScanID, ev.Now.UTC().Format(time.RFC3339), r.Stored, r.StoreNote,
		sum, gate, ev.Coverage, controls, findings, tri}
	if doc.Coverage.Scopes == nil {
		doc.Coverage.Scopes = []posture.ScopeCoverage{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func controlOutcome(o *posture.ControlOutcome) string {
	switch {
	case o.NoTenant:
		return OutcomeNoTenant
	case o.Failed > 0:
		return OutcomeFail
	case o.Unknown > 0:
		return OutcomeNotEvaluable
	case o.NotEvaluated != "":
		return OutcomePartial
	}
	return OutcomePass
}

func jsonSuppressionOf(s posture.Suppression) jsonSuppression {
	return jsonSuppression{Fingerprint: s.Fingerprint, Control: s.Control, Subject: s.Subject, Reason: s.Reason, Expires: s.Expires.Format(time.DateOnly)}
}

func jsonSuppressedOf(in []posture.Suppressed) []jsonSuppressed {
	out := []jsonSuppressed{}
	for _, s := range in {
		out = append(out, jsonSuppressed{Finding: s.Finding, Suppression: jsonSuppressionOf(s.Suppression)})
	}
	return out
}
