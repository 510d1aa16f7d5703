package posture

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// lambdaControl finds Lambdas whose environment holds anything, and says
// "unknown" for one whose environment could not be read.
const lambdaControl = `id: TEST-ENV
title: Lambda with environment
severity: high
providers: [aws]
rationale: r
remediation: m
query: |
  SELECT id AS subject_id,
         CASE WHEN json_extract(attrs, '$.unknown.env_var_names') IS NOT NULL THEN 'unknown' ELSE 'fail' END AS status,
         CASE WHEN json_extract(attrs, '$.unknown.env_var_names') IS NOT NULL
              THEN 'environment not read: ' || json_extract(attrs, '$.unknown.env_var_names')
              ELSE 'environment holds ' || json_array_length(json_extract(attrs, '$.env_var_names')) || ' variable(s)' END AS message
  FROM current_nodes
  WHERE json_extract(attrs, '$.type') = 'lambda_function'
    AND (json_array_length(json_extract(attrs, '$.env_var_names')) > 0 OR json_extract(attrs, '$.unknown.env_var_names') IS NOT NULL)
`

const (
	fnEnv     = "arn:aws:lambda:us-east-1:111111111111:function:env"
	fnNoEnv   = "arn:aws:lambda:us-east-1:111111111111:function:none"
	fnUnknown = "arn:aws:lambda:us-east-1:111111111111:function:denied"
)

func lambdaEstate(t *testing.T) *estate {
	return newEstate(t).
		node(inventory.Node{ID: fnEnv, Kind: inventory.KindResource, Attrs: map[string]any{"type": "lambda_function", "env_var_names": []any{"A"}}}).
		node(inventory.Node{ID: fnNoEnv, Kind: inventory.KindResource, Attrs: map[string]any{"type": "lambda_function", "env_var_names": []any{}}}).
		node(inventory.Node{ID: fnUnknown, Kind: inventory.KindResource, Attrs: map[string]any{"type": "lambda_function",
			"unknown": map[string]any{"env_var_names": "denied: lambda:GetFunctionConfiguration"}}})
}

func testCatalogue(t *testing.T, texts ...string) *Catalogue {
	t.Helper()
	cat := &Catalogue{}
	for i, text := range texts {
		c, err := ParseControl(filepath.Join("controls", string(rune('a'+i))+".yaml"), []byte(text), false)
		if err != nil {
			t.Fatal(err)
		}
		cat.Controls = append(cat.Controls, c)
	}
	return cat
}

func TestEvaluateFailAndUnknown(t *testing.T) {
	store := lambdaEstate(t).store()
	ev, err := Evaluate(context.Background(), store, testCatalogue(t, lambdaControl), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := subjects(ev.Findings, StatusFail); len(got) != 1 || got[0] != fnEnv {
		t.Errorf("failed %v, want %s", got, fnEnv)
	}
	if got := subjects(ev.Findings, StatusUnknown); len(got) != 1 || got[0] != fnUnknown {
		t.Errorf("unknown %v, want %s", got, fnUnknown)
	}
	for _, f := range ev.Findings {
		if f.Provider != "aws" || f.Tenant != "111111111111" || f.SubjectKind != "resource" || f.SubjectName == "" {
			t.Errorf("finding lacks what the inventory says of its subject: %+v", f)
		}
		if f.Fingerprint != Fingerprint("TEST-ENV", f.SubjectID, nil) {
			t.Errorf("fingerprint %s is not the control's and subject's", f.Fingerprint)
		}
	}
	out := ev.Controls[0]
	if out.Failed != 1 || out.Unknown != 1 || out.NotEvaluated != "" || out.NoTenant {
		t.Errorf("outcome %+v", out)
	}
	if ev.ScanID != 1 {
		t.Errorf("scan id %d, want 1", ev.ScanID)
	}

	// The gate: unknown items fail --fail-on unless --allow-unknown; a
	// severity above the findings' lets them pass.
	for _, tt := range []struct {
		gate Gate
		fail bool
	}{
		{Gate{FailOn: SeverityHigh}, true},
		{Gate{FailOn: SeverityCritical}, false},
		{Gate{}, false},
	} {
		g := tt.gate
		rep := NewReport(ev, (*Baseline)(nil).Apply(ev.Findings, testNow), "")
		g.Decide(rep.Run, rep.Tally)
		if g.Failed != tt.fail {
			t.Errorf("gate %+v: failed %v, want %v (%v)", tt.gate, g.Failed, tt.fail, g.Reasons)
		}
	}
	onlyUnknown := []Finding{}
	for _, f := range ev.Findings {
		if f.Status == StatusUnknown {
			onlyUnknown = append(onlyUnknown, f)
		}
	}
	only := NewReport(&Evaluation{ScanID: ev.ScanID, Now: ev.Now, Controls: ev.Controls, Coverage: ev.Coverage, Findings: onlyUnknown},
		(*Baseline)(nil).Apply(onlyUnknown, testNow), "")
	g := Gate{FailOn: SeverityLow}
	g.Decide(only.Run, only.Tally)
	if !g.Failed || !strings.Contains(strings.Join(g.Reasons, ";"), "could not be evaluated") {
		t.Errorf("an unknown item did not fail --fail-on low: %+v", g)
	}
	g = Gate{FailOn: SeverityLow, AllowUnknown: true}
	g.Decide(only.Run, only.Tally)
	if g.Failed {
		t.Errorf("--allow-unknown still failed on an unknown item: %v", g.Reasons)
	}
}

// A scope that failed (denied) is named by the coverage, the controls of
// its provider say they could not judge it, and the gate fails on it
// unless unknowns are allowed.
func TestCoverageNamesFailedScope(t *testing.T) {
	store := lambdaEstate(t).fail(inventory.ScanError{Provider: "aws", Tenant: "111111111111", Scope: "us-east-1/bedrock-agent",
		Operation: "bedrock-agent:ListAgents", Message: "AccessDenied: not authorized", Class: "denied"}).store()
	ev, err := Evaluate(context.Background(), store, testCatalogue(t, lambdaControl), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var failed *ScopeCoverage
	for i, s := range ev.Coverage.Scopes {
		if s.Scope == "us-east-1/bedrock-agent" {
			failed = &ev.Coverage.Scopes[i]
		}
	}
	if failed == nil || failed.State != ScopeFailed || failed.LastComplete != nil || len(failed.Errors) != 1 || !strings.Contains(failed.Errors[0], "ListAgents") {
		t.Fatalf("coverage of the denied scope: %+v", ev.Coverage.Scopes)
	}
	if ne := ev.Controls[0].NotEvaluated; !strings.Contains(ne, "aws/111111111111/us-east-1/bedrock-agent failed") {
		t.Errorf("control says %q, want it to name the failed scope", ne)
	}
	g := Gate{FailOn: SeverityHigh}
	g.Decide(&Run{Controls: ev.Controls, Coverage: ev.Coverage}, nil)
	if !g.Failed {
		t.Error("a failed scope under a high control did not fail --fail-on high")
	}
	g = Gate{FailOn: SeverityHigh, AllowUnknown: true}
	g.Decide(&Run{Controls: ev.Controls, Coverage: ev.Coverage}, nil)
	if g.Failed {
		t.Errorf("--allow-unknown failed on coverage: %v", g.Reasons)
	}
}

func TestCoverageStale(t *testing.T) {
	store := lambdaEstate(t).store()
	ev, err := Evaluate(context.Background(), store, testCatalogue(t, lambdaControl), Options{Now: time.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Coverage.Scopes) != 1 || ev.Coverage.Scopes[0].State != ScopeStale {
		t.Fatalf("coverage a month after the scan: %+v", ev.Coverage.Scopes)
	}
	if len(ev.Coverage.Gaps()) != 1 {
		t.Errorf("gaps %+v", ev.Coverage.Gaps())
	}
}

// A control of a provider no tenant of which was scanned judges nothing,
// which is not a gap.
func TestControlOfUnscannedProvider(t *testing.T) {
	azure := strings.Replace(strings.Replace(lambdaControl, "providers: [aws]", "providers: [azure]", 1), "TEST-ENV", "TEST-AZ", 1)
	store := lambdaEstate(t).store()
	ev, err := Evaluate(context.Background(), store, testCatalogue(t, azure), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Controls[0].NoTenant || ev.Controls[0].NotEvaluated != "" {
		t.Errorf("outcome %+v", ev.Controls[0])
	}
	g := Gate{FailOn: SeverityLow}
	g.Decide(&Run{Controls: ev.Controls, Coverage: ev.Coverage}, nil)
	if g.Failed {
		t.Errorf("an unscanned provider failed the gate: %v", g.Reasons)
	}
}

func TestEvaluateRefusesBadRows(t *testing.T) {
	for name, q := range map[string]string{
		"no subject":      "SELECT 'x' AS message",
		"unknown subject": "SELECT 'nope' AS subject_id, 'x' AS message",
		"bad status":      "SELECT id AS subject_id, 'x' AS message, 'maybe' AS status FROM current_nodes",
		"bad about":       "SELECT id AS subject_id, 'x' AS message, 'a,b' AS about FROM current_nodes",
	} {
		t.Run(name, func(t *testing.T) {
			text := strings.Replace(goodControl, goodControl[strings.Index(goodControl, "query: |"):], "query: |\n  "+q+"\n", 1)
			text = strings.Replace(text, "thresholds:\n  min_days:\n    default: 3\n    description: days before a temp role counts\n", "", 1)
			store := lambdaEstate(t).store()
			_, err := Evaluate(context.Background(), store, testCatalogue(t, text), Options{Now: testNow})
			if err == nil || !strings.Contains(err.Error(), "ACME-001") {
				t.Fatalf("error %v, want one naming the control", err)
			}
		})
	}
}

// A row whose message comes out empty (built from an attribute the item
// lacks) is still a finding, in the control's title.
func TestEmptyMessageFallsBackToTitle(t *testing.T) {
	text := strings.Replace(lambdaControl, "ELSE 'environment holds '", "ELSE NULL || 'environment holds '", 1)
	ev, err := Evaluate(context.Background(), lambdaEstate(t).store(), testCatalogue(t, text), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ev.Findings {
		if f.SubjectID == fnEnv && f.Message != "Lambda with environment" {
			t.Errorf("message %q, want the control's title", f.Message)
		}
	}
	if len(ev.Findings) != 2 {
		t.Errorf("%d findings, want 2", len(ev.Findings))
	}
}

func TestThresholdOverrides(t *testing.T) {
	store := newEstate(t).
		node(inventory.Node{ID: "arn:aws:iam::111111111111:role/temp-a", Kind: inventory.KindIdentity, Created: daysAgo(5)}).
		node(inventory.Node{ID: "arn:aws:iam::111111111111:role/temp-b", Kind: inventory.KindIdentity, Created: daysAgo(1)}).
		store()
	cat := testCatalogue(t, goodControl)
	for _, tt := range []struct {
		th   map[string]map[string]int
		want int
	}{{nil, 1}, {map[string]map[string]int{"ACME-001": {"min_days": 0}}, 2}, {map[string]map[string]int{"ACME-001": {"min_days": 10}}, 0}} {
		ev, err := Evaluate(context.Background(), store, cat, Options{Now: testNow, Thresholds: tt.th})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Findings) != tt.want {
			t.Errorf("thresholds %v: %d findings, want %d", tt.th, len(ev.Findings), tt.want)
		}
	}
	if _, err := Evaluate(context.Background(), store, cat, Options{Now: testNow, Thresholds: map[string]map[string]int{"ACME-001": {"max": 1}}}); err == nil || !strings.Contains(err.Error(), "has no threshold max") {
		t.Errorf("unknown threshold: %v", err)
	}
	if _, err := Evaluate(context.Background(), store, cat, Options{Now: testNow, Thresholds: map[string]map[string]int{"ACME-404": {"max": 1}}}); err == nil || !strings.Contains(err.Error(), "ACME-404") {
		t.Errorf("unknown control: %v", err)
	}
}
