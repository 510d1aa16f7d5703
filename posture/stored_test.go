package posture

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// storedLambda evaluates the lambda estate, keeps the findings with a
// baseline that suppresses one, and returns the writable store.
func storedLambda(t *testing.T) (*inventory.Store, *Report) {
	t.Helper()
	ctx := context.Background()
	ro := lambdaEstate(t).store()
	ev, err := Evaluate(ctx, ro, testCatalogue(t, lambdaControl), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	path := ro.Path()
	ro.Close()
	if len(ev.Findings) < 2 {
		t.Fatalf("the lambda estate has %d findings, want at least 2", len(ev.Findings))
	}
	var judged Finding
	for _, f := range ev.Findings {
		if f.Status == StatusFail {
			judged = f
		}
	}
	base := &Baseline{Path: "b.yaml", Suppressions: []Suppression{
		{Fingerprint: judged.Fingerprint, Reason: "accepted", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{Fingerprint: strings.Repeat("0", 32), Reason: "gone", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
	}}
	rep := NewReport(ev, base.Apply(ev.Findings, testNow), base.Path)
	w, err := inventory.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := Save(ctx, w, rep); err != nil {
		t.Fatal(err)
	}
	return w, rep
}

func readAll(t *testing.T, fs Findings, q Query) []Item {
	t.Helper()
	var out []Item
	if err := fs.Each(context.Background(), q, func(it Item) error { out = append(out, it); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStoredFindingsReadAsEvaluated reads the stored findings in every
// order and selection: they are the evaluation's, in the same order as
// from memory, with the baseline's marks and the run's unmatched
// suppressions.
func TestStoredFindingsReadAsEvaluated(t *testing.T) {
	w, mem := storedLambda(t)
	stored, err := LoadReport(context.Background(), w, mem.Run.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Run.Baseline != "b.yaml" || len(stored.Run.Unmatched) != 1 || stored.Run.Unmatched[0].Reason != "gone" {
		t.Errorf("stored run: baseline %q, unmatched %+v", stored.Run.Baseline, stored.Run.Unmatched)
	}
	if !stored.Run.Now.Equal(mem.Run.Now) || len(stored.Run.Controls) != len(mem.Run.Controls) || stored.Run.Controls[0].Control.Query != mem.Run.Controls[0].Control.Query {
		t.Errorf("stored run %+v, evaluated %+v", stored.Run, mem.Run)
	}
	if !reflect.DeepEqual(stored.Tally, mem.Tally) {
		t.Errorf("stored tally %v, evaluated %v", stored.Tally, mem.Tally)
	}
	if stored.Tally.Marked(MarkSuppressed) != 1 {
		t.Errorf("%d suppressed, want 1", stored.Tally.Marked(MarkSuppressed))
	}
	tenant := TenantID{"aws", "111111111111"}
	for _, q := range []Query{
		{}, {Order: OrderRank}, {Order: OrderSeverity}, {Order: OrderControl},
		{Marks: MarksCounting}, {Marks: MarksSuppressed}, {Marks: MarksExpired},
		{Order: OrderRank, Marks: MarksCounting, Tenant: &tenant}, {SubjectKind: "resource"}, {SubjectKind: "agent"},
	} {
		got, want := readAll(t, stored.Findings, q), readAll(t, mem.Findings, q)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v: stored\n%+v\nevaluated\n%+v", q, got, want)
		}
	}
	all := readAll(t, stored.Findings, Query{})
	if len(all) != len(mem.Findings.(*memFindings).items) {
		t.Errorf("%d stored findings, %d evaluated", len(all), len(mem.Findings.(*memFindings).items))
	}
	if n := len(readAll(t, stored.Findings, Query{Marks: MarksSuppressed})); n != 1 {
		t.Errorf("%d suppressed findings read, want 1", n)
	}
}

// TestStoredOrders checks each order on items built to tell them apart.
func TestStoredOrders(t *testing.T) {
	mk := func(ctl string, sev Severity, st Status, subject string) Finding {
		return Finding{ControlID: ctl, Fingerprint: Fingerprint(ctl, subject, nil), Status: st, Severity: sev, SubjectID: subject, Provider: "aws", Tenant: "1"}
	}
	fs := []Finding{
		mk("C-2", SeverityHigh, StatusUnknown, "a"),
		mk("C-1", SeverityLow, StatusFail, "b"),
		mk("C-2", SeverityHigh, StatusFail, "c"),
		mk("C-1", SeverityCritical, StatusUnknown, "d"),
	}
	sortFindings(fs)
	rep := NewReport(&Evaluation{Now: testNow, Findings: fs}, (*Baseline)(nil).Apply(fs, testNow), "")
	subjects := func(q Query) string {
		var s []string
		for _, it := range readAll(t, rep.Findings, q) {
			s = append(s, it.SubjectID)
		}
		return strings.Join(s, "")
	}
	for _, tc := range []struct {
		o    Order
		want string
	}{
		{OrderEvaluation, "dacb"},
		{OrderRank, "cbda"},
		{OrderSeverity, "dcab"},
		{OrderControl, "bdca"},
	} {
		if got := subjects(Query{Order: tc.o}); got != tc.want {
			t.Errorf("order %d: %s, want %s", tc.o, got, tc.want)
		}
	}
}

// TestLoadReportErrors: each database LoadReport cannot render says why
// and what to run.
func TestLoadReportErrors(t *testing.T) {
	ctx := context.Background()
	fresh, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := LoadReport(ctx, fresh, 0); !errors.Is(err, ErrNoStoredEvaluation) || !strings.Contains(err.Error(), "run aam posture") {
		t.Errorf("never evaluated: %v", err)
	}
	w, rep := storedLambda(t)
	if _, err := LoadReport(ctx, w, rep.Run.ScanID+5); !errors.Is(err, ErrNoStoredEvaluation) || !strings.Contains(err.Error(), fmt.Sprintf("scan %d", rep.Run.ScanID+5)) {
		t.Errorf("a scan never evaluated: %v", err)
	}
	set := func(q string) {
		t.Helper()
		if err := w.WriteTx(ctx, func(c *sql.Conn) error { _, err := c.ExecContext(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	set(`UPDATE posture_runs SET controls_json = ''`)
	if _, err := LoadReport(ctx, w, 0); !errors.Is(err, ErrNoStoredEvaluation) || !strings.Contains(err.Error(), "evaluate again") {
		t.Errorf("a run without its controls: %v", err)
	}
	set(`UPDATE posture_schema_version SET version = 1`)
	if _, err := LoadReport(ctx, w, 0); !errors.Is(err, ErrNoStoredEvaluation) || !strings.Contains(err.Error(), "older aam") {
		t.Errorf("schema 1: %v", err)
	}
	set(`UPDATE posture_schema_version SET version = 99`)
	if _, err := LoadReport(ctx, w, 0); err == nil || !strings.Contains(err.Error(), "newer aam") {
		t.Errorf("schema 99: %v", err)
	}
}

// TestWorstAgents picks the agents whose findings are worst, walks no
// more than asked, and fills up with the others by id.
func TestWorstAgents(t *testing.T) {
	mk := func(ctl string, sev Severity, st Status, subject string, about ...string) Finding {
		return Finding{ControlID: ctl, Fingerprint: Fingerprint(ctl, subject, about), Status: st, Severity: sev, SubjectID: subject, About: about}
	}
	fs := []Finding{
		mk("C-1", SeverityLow, StatusFail, "agent/low"),
		mk("C-2", SeverityHigh, StatusFail, "agent/high1"),
		mk("C-3", SeverityHigh, StatusFail, "agent/high2"),
		mk("C-4", SeverityHigh, StatusFail, "role/shared", "agent/high2"),
		mk("C-5", SeverityCritical, StatusUnknown, "agent/unknown"),
		mk("C-6", SeverityCritical, StatusFail, "role/crit", "agent/viarole"),
		mk("C-7", SeverityCritical, StatusFail, "not-an-agent"),
	}
	sortFindings(fs)
	rep := NewReport(&Evaluation{Now: testNow, Findings: fs}, (*Baseline)(nil).Apply(fs, testNow), "")
	agents := []string{"agent/quiet2", "agent/low", "agent/high1", "agent/high2", "agent/unknown", "agent/viarole", "agent/quiet1"}
	for _, tc := range []struct {
		n    int
		want string
	}{
		{3, "agent/viarole agent/high2 agent/high1"},
		{10, "agent/viarole agent/high2 agent/high1 agent/low agent/unknown agent/quiet1 agent/quiet2"},
	} {
		got, err := WorstAgents(context.Background(), rep.Findings, agents, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("n=%d: %v, want %s", tc.n, got, tc.want)
		}
	}
}
