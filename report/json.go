package report

import (
	"context"
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

// Render writes r. The findings are written as they are read, one at a
// time, so a report of a hundred thousand findings is never held whole.
func (JSON) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	run := r.Run
	suppressedBy := map[string]int{}
	for k, n := range r.Tally {
		if k.Mark == posture.MarkSuppressed {
			suppressedBy[k.ControlID] += n
		}
	}
	controls := make([]jsonControl, 0, len(run.Controls))
	for _, o := range run.Controls {
		c := o.Control
		controls = append(controls, jsonControl{ID: c.ID, Title: c.Title, Severity: c.Severity, Source: c.Source, Mappings: c.Mappings,
			Thresholds: o.Thresholds, Outcome: controlOutcome(o), Failed: o.Failed, NotEvaluable: o.Unknown,
			Suppressed: suppressedBy[c.ID], NotEvaluated: o.NotEvaluated})
	}
	sum := jsonSummary{Findings: map[string]int{}, NotEvaluable: r.Tally.NotEvaluable(), Suppressed: r.Tally.Marked(posture.MarkSuppressed),
		Expired: r.Tally.Marked(posture.MarkExpired), Unmatched: len(run.Unmatched)}
	for _, sev := range severitiesDown {
		sum.Findings[sev.String()] = r.Tally.Failing(sev)
	}
	gate := jsonGate{AllowUnknown: r.Gate.AllowUnknown, Failed: r.Gate.Failed, Reasons: append([]string{}, r.Gate.Reasons...)}
	if r.Gate.FailOn != posture.SeverityNone {
		s := r.Gate.FailOn.String()
		gate.FailOn = &s
	}
	head := struct {
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
	}{posture.ReportSchemaVersion, r.Tool, r.Version, run.ScanID, run.Now.UTC().Format(time.RFC3339), r.Stored, r.StoreNote,
		sum, gate, run.Coverage, controls}
	if head.Coverage.Scopes == nil {
		head.Coverage.Scopes = []posture.ScopeCoverage{}
	}
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	jw := &jsonWriter{textWriter{w: w}}
	// The head's closing brace is left off: findings and triage follow.
	jw.raw(string(b[:len(b)-2]))
	// Findings are those that count after the baseline, the not evaluable
	// (status unknown) among them.
	jw.raw(",\n  \"findings\": ")
	if err := jw.array(ctx, r.Findings, posture.Query{Marks: posture.MarksCounting}, "  ", func(it posture.Item) any { return it.Finding }); err != nil {
		return err
	}
	suppressed := func(it posture.Item) any {
		return jsonSuppressed{Finding: it.Finding, Suppression: jsonSuppressionOf(*it.Suppression)}
	}
	jw.raw(",\n  \"triage\": {\n    \"suppressed\": ")
	if err := jw.array(ctx, r.Findings, posture.Query{Marks: posture.MarksSuppressed}, "    ", suppressed); err != nil {
		return err
	}
	// Expired suppressions no longer suppress: their findings are in
	// findings.
	jw.raw(",\n    \"expired_suppressions\": ")
	if err := jw.array(ctx, r.Findings, posture.Query{Marks: posture.MarksExpired}, "    ", suppressed); err != nil {
		return err
	}
	unmatched := make([]jsonSuppression, 0, len(run.Unmatched))
	for _, s := range run.Unmatched {
		unmatched = append(unmatched, jsonSuppressionOf(s))
	}
	jw.raw(",\n    \"unmatched_suppressions\": ")
	jw.value(unmatched, "    ")
	jw.raw("\n  }\n}\n")
	return jw.err
}

// jsonWriter writes a JSON document in pieces, indented as
// json.MarshalIndent would, keeping the first error.
type jsonWriter struct{ textWriter }

func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// array writes the items q reads as a JSON array, each as elem makes it.
func (j *jsonWriter) array(ctx context.Context, fs posture.Findings, q posture.Query, prefix string, elem func(posture.Item) any) error {
	n := 0
	err := fs.Each(ctx, q, func(it posture.Item) error {
		if n == 0 {
			j.raw("[\n" + prefix + "  ")
		} else {
			j.raw(",\n" + prefix + "  ")
		}
		n++
		j.value(elem(it), prefix+"  ")
		return j.err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		j.raw("[]")
	} else {
		j.raw("\n" + prefix + "]")
	}
	return j.err
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
