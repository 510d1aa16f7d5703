package posture

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

func TestBaselineSuppressesUntilExpiry(t *testing.T) {
	findings := []Finding{
		{ControlID: "AAM-004", SubjectID: "k1", Fingerprint: Fingerprint("AAM-004", "k1", nil), Severity: SeverityHigh, Status: StatusFail},
		{ControlID: "AAM-004", SubjectID: "k2", Fingerprint: Fingerprint("AAM-004", "k2", nil), Severity: SeverityHigh, Status: StatusFail},
		{ControlID: "AAM-008", SubjectID: "k3", Fingerprint: Fingerprint("AAM-008", "k3", nil), Severity: SeverityLow, Status: StatusFail},
	}
	text := "version: 1\nsuppressions:\n" +
		"  - fingerprint: " + findings[0].Fingerprint + "\n    reason: rotation scheduled with the vendor\n    expires: 2026-12-31\n" +
		"  - fingerprint: " + findings[1].Fingerprint + "\n    reason: accepted last quarter\n    expires: 2026-11-25\n" +
		"  - fingerprint: " + Fingerprint("AAM-004", "gone", nil) + "\n    reason: fixed since\n    expires: 2027-01-01\n"
	b, err := ParseBaseline("base.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tr := b.Apply(findings, testNow)
	if len(tr.Suppressed) != 1 || tr.Suppressed[0].Finding.SubjectID != "k1" {
		t.Errorf("suppressed %+v, want k1", tr.Suppressed)
	}
	if len(tr.Expired) != 1 || tr.Expired[0].Finding.SubjectID != "k2" || tr.Expired[0].Suppression.Line != 6 {
		t.Errorf("expired %+v, want k2's suppression of line 6", tr.Expired)
	}
	if len(tr.Active) != 2 || tr.Active[0].SubjectID != "k2" || tr.Active[1].SubjectID != "k3" {
		t.Errorf("active %+v, want k2 (expired suppression) and k3", tr.Active)
	}
	if len(tr.Unmatched) != 1 {
		t.Errorf("unmatched %+v, want the suppression of a gone finding", tr.Unmatched)
	}
	// A suppression lasts through its expiry day.
	tr = b.Apply(findings, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC))
	if len(tr.Suppressed) != 1 {
		t.Errorf("on its expiry day the suppression stopped: %+v", tr)
	}
	tr = b.Apply(findings, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(tr.Suppressed) != 0 {
		t.Errorf("after its expiry day the suppression still holds: %+v", tr.Suppressed)
	}
	// An item that could not be judged is never suppressed, and a written
	// baseline leaves it out.
	unknown := findings[0]
	unknown.Status = StatusUnknown
	if tr := b.Apply([]Finding{unknown}, testNow); len(tr.Suppressed) != 0 || len(tr.Active) != 1 || len(tr.Unmatched) != 2 {
		t.Errorf("a not-evaluable item: %+v", tr)
	}
	var w bytes.Buffer
	if err := WriteBaseline(&w, []Finding{unknown}, nil, testNow); err != nil || strings.Contains(w.String(), unknown.Fingerprint) {
		t.Errorf("a written baseline suppresses a not-evaluable item (%v):\n%s", err, w.String())
	}
	// A nil baseline suppresses nothing.
	var none *Baseline
	if tr := none.Apply(findings, testNow); len(tr.Active) != 3 {
		t.Errorf("no baseline: %d active", len(tr.Active))
	}
}

func TestParseBaselineRefuses(t *testing.T) {
	fp := Fingerprint("AAM-004", "k1", nil)
	for _, tt := range []struct{ name, text, want string }{
		{"no reason", "version: 1\nsuppressions:\n  - fingerprint: " + fp + "\n    expires: 2027-01-01\n", "line 3: suppression of " + fp + " has no reason"},
		{"no expiry", "version: 1\nsuppressions:\n  - fingerprint: " + fp + "\n    reason: x\n", "line 3: suppression of " + fp + " has no expires"},
		{"bad date", "version: 1\nsuppressions:\n  - fingerprint: " + fp + "\n    reason: x\n    expires: next year\n", "expires \"next year\""},
		{"bad fingerprint", "version: 1\nsuppressions:\n  - fingerprint: abc\n    reason: x\n    expires: 2027-01-01\n", "fingerprint \"abc\""},
		{"twice", "version: 1\nsuppressions:\n  - fingerprint: " + fp + "\n    reason: x\n    expires: 2027-01-01\n  - fingerprint: " + fp + "\n    reason: y\n    expires: 2027-01-01\n", "line 6: fingerprint " + fp + " is suppressed twice (first on line 3)"},
		{"version", "version: 2\nsuppressions: []\n", "version 2"},
		{"unknown field", "version: 1\nsuppressions:\n  - fingerprint: " + fp + "\n    reason: x\n    expires: 2027-01-01\n    until: 2027\n", "field until"},
		{"empty", "", "is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBaseline("base.yaml", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "base.yaml") {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A written baseline reads back and suppresses every finding it was
// written from; rewriting it keeps the reasons people gave.
func TestWriteBaselineRoundTrip(t *testing.T) {
	findings := []Finding{
		{ControlID: "AAM-008", SubjectID: "k3", Fingerprint: Fingerprint("AAM-008", "k3", nil)},
		{ControlID: "AAM-004", SubjectID: "k1", Fingerprint: Fingerprint("AAM-004", "k1", nil)},
	}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, findings, nil, testNow); err != nil {
		t.Fatal(err)
	}
	b, err := ParseBaseline("w.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(b.Suppressions) != 2 || b.Suppressions[0].Control != "AAM-004" || !b.Suppressions[0].Expires.Equal(testNow.AddDate(0, 0, DefaultSuppressionDays).Truncate(24*time.Hour)) {
		t.Fatalf("written baseline %+v", b.Suppressions)
	}
	if tr := b.Apply(findings, testNow); len(tr.Active) != 0 || len(tr.Suppressed) != 2 {
		t.Errorf("the written baseline leaves %d active", len(tr.Active))
	}
	b.Suppressions[0].Reason = "vendor key, rotation in January"
	buf.Reset()
	if err := WriteBaseline(&buf, findings, b, testNow.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "vendor key, rotation in January") {
		t.Errorf("rewriting lost the reason:\n%s", buf.String())
	}
}

// Save keeps an evaluation's findings tied to its scan, replaces a second
// evaluation of the same scan, and keeps the fingerprints across rescans.
func TestSaveFindings(t *testing.T) {
	ctx := context.Background()
	ro := lambdaEstate(t).store()
	ev, err := Evaluate(ctx, ro, testCatalogue(t, lambdaControl), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	path := ro.Path()
	ro.Close()
	w, err := inventory.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rep := NewReport(ev, (*Baseline)(nil).Apply(ev.Findings, testNow), "")
	for i := 0; i < 2; i++ {
		if _, err := Save(ctx, w, rep); err != nil {
			t.Fatal(err)
		}
	}
	var n, runs int64
	err = w.EachRow(ctx, `SELECT (SELECT count(*) FROM findings WHERE scan_id = 1), (SELECT count(*) FROM posture_runs)`, nil, func(_ []string, r []any) error {
		n, runs = asInt(r[0]), asInt(r[1])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(ev.Findings)) || runs != 1 {
		t.Errorf("stored %d findings in %d runs, want %d in 1", n, runs, len(ev.Findings))
	}
	var status string
	w.EachRow(ctx, `SELECT status FROM findings WHERE subject_id = :s`, []any{namedArg("s", fnUnknown)}, func(_ []string, r []any) error {
		status = asString(r[0])
		return nil
	})
	if status != "unknown" {
		t.Errorf("the not-evaluable item is stored as %q", status)
	}
}
