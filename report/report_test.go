package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	tenantA = "111111111111"
	tenantB = "222222222222"
)

// fixture is a report built by hand: two tenants, every severity, an item
// that could not be evaluated, a finding a baseline suppresses, one whose
// suppression expired, a suppression whose finding is gone, a failed, a
// stale and a partial scope.
type fixture struct {
	rep *posture.Report
	// ev and tri are what rep was made of: the evaluation and the
	// baseline's triage of its findings.
	ev  *posture.Evaluation
	tri posture.Triage
	// findings are every finding the evaluation made, by subject id.
	findings map[string]posture.Finding
	controls map[string]*posture.Control
}

func newFixture(t *testing.T, configPath string) fixture {
	t.Helper()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ctls := []*posture.Control{
		{ID: "AAM-101", Title: "Identity holds full admin", Severity: posture.SeverityCritical, Providers: []string{"aws"},
			Rationale:   "An identity allowed every action on every resource turns any leak of it into a takeover of the account.",
			Remediation: "Replace the policy with one that names the actions the workload needs.",
			Mappings:    posture.Mappings{OWASPNHI: []string{"NHI5"}, OWASPAgentic: []string{"ASI03"}, CISAWS: []string{"2.15"}}, Source: "builtin:AAM-101.yaml"},
		{ID: "AAM-102", Title: "Access key older than 90 days", Severity: posture.SeverityHigh, Providers: []string{"*"},
			Rationale:   "A long-lived key is a standing secret: the longer it lives, the more places it leaks to.",
			Remediation: "Rotate the key, or convert it with `aam remediate plan CREDENTIAL --out PLAN` (JIT mode).",
			Mappings:    posture.Mappings{OWASPNHI: []string{"NHI7"}, CISAWS: []string{"2.13"}}, Source: "builtin:AAM-102.yaml",
			Thresholds: []posture.Threshold{{Name: "max_age_days", Default: 90, Description: "oldest a key may be"}}},
		{ID: "AAM-103", Title: "Tool's identity cannot be judged", Severity: posture.SeverityMedium, Providers: []string{"*"},
			Rationale:   "A tool whose identity is unknown may act with any permission.",
			Remediation: "Let the scanning role read the tool's configuration.",
			Mappings:    posture.Mappings{OWASPAgentic: []string{"ASI02"}}, Source: "builtin:AAM-103.yaml"},
		{ID: "AAM-104", Title: "User without a group", Severity: posture.SeverityLow, Providers: []string{"aws"},
			Rationale:   "Permissions attached to users one by one drift apart.",
			Remediation: "Grant the user's permissions through a group.",
			Mappings:    posture.Mappings{OWASPNHI: []string{"NHI9"}, CISAWS: []string{"2.14"}}, Source: "builtin:AAM-104.yaml"},
	}
	finding := func(ctl *posture.Control, status posture.Status, sev posture.Severity, tenant, id, kind, name, msg string, evidence map[string]any) posture.Finding {
		return posture.Finding{ControlID: ctl.ID, Fingerprint: posture.Fingerprint(ctl.ID, id, nil), Status: status, Severity: sev,
			SubjectID: id, SubjectKind: kind, SubjectName: name, Provider: "aws", Tenant: tenant, Message: msg, Evidence: rawEvidence(evidence)}
	}
	all := []posture.Finding{
		finding(ctls[0], posture.StatusFail, posture.SeverityCritical, tenantA, "arn:aws:iam::111111111111:role/agent-admin", "identity", "agent-admin",
			"the role holds AdministratorAccess (*:*)", map[string]any{"policy": "arn:aws:iam::aws:policy/AdministratorAccess"}),
		finding(ctls[1], posture.StatusFail, posture.SeverityHigh, tenantA, "aws:access-key:AKIAEXAMPLEOLDKEY001", "credential", "AKIAEXAMPLEOLDKEY001",
			"the access key is 412 days old (over 90)", map[string]any{"age_days": 412}),
		finding(ctls[1], posture.StatusFail, posture.SeverityHigh, tenantB, "aws:access-key:AKIAEXAMPLEOLDKEY002", "credential", "AKIAEXAMPLEOLDKEY002",
			"the access key is 130 days old (over 90)", map[string]any{"age_days": 130}),
		finding(ctls[2], posture.StatusUnknown, posture.SeverityMedium, tenantB, "arn:aws:lambda:us-east-1:222222222222:function:summarizer", "resource", "summarizer",
			"the function's configuration is unknown (lambda:GetFunctionConfiguration was denied)", nil),
		finding(ctls[3], posture.StatusFail, posture.SeverityLow, tenantB, "arn:aws:iam::222222222222:user/ci-deployer", "identity", "ci-deployer",
			"the user has 2 policies attached directly and no group", nil),
	}
	failedScope := "aws/" + tenantB + "/us-west-2/bedrock-agent failed"
	var outcomes []*posture.ControlOutcome
	for _, c := range ctls {
		o := &posture.ControlOutcome{Control: c, Thresholds: map[string]int{}, NotEvaluated: "items in scopes that failed are not judged: " + failedScope}
		for _, th := range c.Thresholds {
			o.Thresholds[th.Name] = th.Default
		}
		for _, f := range all {
			if f.ControlID != c.ID {
				continue
			}
			if f.Status == posture.StatusUnknown {
				o.Unknown++
			} else {
				o.Failed++
			}
		}
		outcomes = append(outcomes, o)
	}
	ago := func(d int) *time.Time { t := now.AddDate(0, 0, -d); return &t }
	ev := &posture.Evaluation{ScanID: 7, Now: now, Controls: outcomes, Findings: all, Coverage: posture.Coverage{StaleAfterDays: 7, Scopes: []posture.ScopeCoverage{
		{Provider: "aws", Tenant: tenantA, Scope: "global", State: posture.ScopeComplete, LastComplete: ago(0)},
		{Provider: "aws", Tenant: tenantA, Scope: "us-west-2/agentcore", State: posture.ScopeStale, LastComplete: ago(12)},
		{Provider: "aws", Tenant: tenantB, Scope: "global", State: posture.ScopePartial, LastComplete: ago(0),
			Errors: []string{"lambda:GetFunctionConfiguration: AccessDeniedException: not authorized"}},
		{Provider: "aws", Tenant: tenantB, Scope: "us-west-2/bedrock-agent", State: posture.ScopeFailed,
			Errors: []string{"bedrock-agent:ListAgents: AccessDeniedException: not authorized to perform bedrock:ListAgents"}},
	}}}
	base := &posture.Baseline{Path: "aam-baseline.yaml", Suppressions: []posture.Suppression{
		{Fingerprint: all[2].Fingerprint, Control: "AAM-102", Subject: all[2].SubjectID, Reason: "rotation scheduled with the vendor", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{Fingerprint: all[1].Fingerprint, Control: "AAM-102", Subject: all[1].SubjectID, Reason: "legacy integration, retiring", Expires: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{Fingerprint: posture.Fingerprint("AAM-104", "arn:aws:iam::111111111111:user/gone", nil), Control: "AAM-104", Subject: "arn:aws:iam::111111111111:user/gone", Reason: "contractor account", Expires: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
	}}
	tri := base.Apply(all, now)
	rep := reportOf(ev, tri, base.Path)
	rep.Gate, rep.ConfigPath = posture.Gate{FailOn: posture.SeverityHigh}, configPath
	rep.StoreNote = "the database aam.db cannot be written (permission denied): the report is complete, nothing was kept"
	rep.Gate.Decide(rep.Run, rep.Tally)
	// One agent's paths, for the HTML report's picture: it runs as the
	// admin role, whose old key and bucket it reaches; three more nodes
	// past the cap.
	agent := posture.PathNode{ID: "arn:aws:bedrock:us-east-1:111111111111:agent/AGENT00001", Kind: "agent", Name: "support-agent"}
	rep.Paths = map[string]posture.AgentPaths{agent.ID: {Agent: agent, Omitted: 3,
		Nodes: []posture.PathNode{
			{ID: all[0].SubjectID, Kind: "identity", Name: "agent-admin", Depth: 1},
			{ID: all[1].SubjectID, Kind: "credential", Name: "AKIAEXAMPLEOLDKEY001", Depth: 2},
			{ID: "arn:aws:s3:::support-tickets", Kind: "resource", Name: "support-tickets", Depth: 2},
		},
		Edges: []posture.PathEdge{
			{From: agent.ID, To: all[0].SubjectID, Kind: "runs_as"},
			{From: all[0].SubjectID, To: all[1].SubjectID, Kind: "has_credential"},
			{From: all[0].SubjectID, To: "arn:aws:s3:::support-tickets", Kind: "can_access"},
		}}}
	fx := fixture{rep: rep, ev: ev, tri: tri, findings: map[string]posture.Finding{}, controls: map[string]*posture.Control{}}
	for _, f := range all {
		fx.findings[f.SubjectID] = f
	}
	for _, c := range ctls {
		fx.controls[c.ID] = c
	}
	return fx
}

// goldenFormats are the golden files, each with the format it holds.
var goldenFormats = map[string]renderer{
	"report.txt":       report.Table{},
	"report.json":      report.JSON{},
	"report.sarif":     report.SARIF{},
	"report.md":        report.Markdown{},
	"report.junit.xml": report.JUnit{},
	"report.csv":       report.CSV{},
	"report.html":      report.HTML{},
}

// TestGolden keeps each format's rendering of the fixture; go test
// ./report -update rewrites them.
func TestGolden(t *testing.T) {
	fx := newFixture(t, "deploy/aam.yaml")
	for file, r := range goldenFormats {
		t.Run(file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.Render(context.Background(), &buf, fx.rep); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", file)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v: run go test ./report -update", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the golden file (go test ./report -update rewrites it):\n%s", file, buf.String())
			}
		})
	}
}

// TestEmptyInventory renders an evaluation of an inventory nothing was
// scanned into: every format says so rather than looking clean.
func TestEmptyInventory(t *testing.T) {
	rep := emptyReport()
	for _, tc := range []struct {
		name string
		r    renderer
		want []string
	}{
		{"table", report.Table{}, []string{"No findings.", "no scope has been scanned: run aam scan", "Gate: none"}},
		{"json", report.JSON{}, []string{`"outcome": "no_tenant"`, `"findings": []`, `"scopes": []`}},
		{"sarif", report.SARIF{}, []string{`"id": "aam/"`, "No tenant has been scanned", `"results": []`}},
		{"markdown", report.Markdown{}, []string{"No findings.", "No scope has been scanned: run `aam scan`.", "Gate: none"}},
		{"junit", report.JUnit{}, []string{`name="aam posture: no tenant scanned"`, "<skipped>no tenant of the control"}},
		{"csv", report.CSV{}, []string{"severity,status,control,title"}},
		{"html", report.HTML{}, []string{"No findings.", "No scope has been scanned: run aam scan", "Gate: none", "No agents."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.r.Render(context.Background(), &buf, rep); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !bytes.Contains(buf.Bytes(), []byte(w)) {
					t.Errorf("%s of an empty inventory lacks %q:\n%s", tc.name, w, buf.String())
				}
			}
		})
	}
}

// emptyReport is the report on an inventory no scan has written.
func emptyReport() *posture.Report {
	ctl := &posture.Control{ID: "AAM-101", Title: "Identity holds full admin", Severity: posture.SeverityCritical, Providers: []string{"aws"},
		Rationale: "An identity allowed everything is a takeover waiting.", Remediation: "Narrow the policy."}
	ev := &posture.Evaluation{Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Findings: []posture.Finding{},
		Controls: []*posture.ControlOutcome{{Control: ctl, NoTenant: true}}}
	var none *posture.Baseline
	rep := reportOf(ev, none.Apply(nil, ev.Now), "")
	rep.StoreNote = "the inventory has no finished scan to tie them to: run aam scan"
	return rep
}

// reportOf is the report of an evaluation, its findings read from memory,
// as aam posture renders it when the findings cannot be stored.
func reportOf(ev *posture.Evaluation, tri posture.Triage, baseline string) *posture.Report {
	rep := posture.NewReport(ev, tri, baseline)
	rep.Tool, rep.Version = "aam", "v1.4.0"
	return rep
}

// renderer is what every posture format is.
type renderer interface {
	Render(ctx context.Context, w io.Writer, r *posture.Report) error
}

func rawEvidence(m map[string]any) json.RawMessage {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// TestGoldenFromStore renders the fixture as aam posture does once the
// findings are kept: saved to a real database, read back row by row. Every
// format must match its golden file byte for byte, so a stored evaluation
// renders as the one just computed.
func TestGoldenFromStore(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "deploy/aam.yaml")
	store, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	id, err := posture.Save(ctx, store, fx.rep)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := posture.LoadReport(ctx, store, fx.ev.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Run.ID != id || !stored.Stored {
		t.Fatalf("loaded run %d (stored %v), saved %d", stored.Run.ID, stored.Stored, id)
	}
	if len(stored.Tally) != len(fx.rep.Tally) {
		t.Errorf("stored tally has %d classes, the evaluation's %d", len(stored.Tally), len(fx.rep.Tally))
	}
	for k, n := range fx.rep.Tally {
		if stored.Tally[k] != n {
			t.Errorf("stored tally of %+v is %d, want %d", k, stored.Tally[k], n)
		}
	}
	// What the CLI sets on any report, stored or not.
	stored.Tool, stored.Version, stored.ConfigPath = fx.rep.Tool, fx.rep.Version, fx.rep.ConfigPath
	stored.Stored, stored.StoreNote, stored.Paths = fx.rep.Stored, fx.rep.StoreNote, fx.rep.Paths
	stored.Gate = posture.Gate{FailOn: fx.rep.Gate.FailOn}
	stored.Gate.Decide(stored.Run, stored.Tally)
	for file, r := range goldenFormats {
		t.Run(file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.Render(ctx, &buf, stored); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatalf("%v: run go test ./report -update", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s rendered from the store differs from the golden file:\n%s", file, buf.String())
			}
		})
	}
}
