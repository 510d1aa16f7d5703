package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/posture"
)

// The change TestDiffAfterAnEstateChange makes to the demo estate between
// two scans: jenkins-legacy's old key rotated, and an agent added.
const (
	diffOldKey   = "AKIAY63BZ7WIU6AHP4ZJ"
	diffNewKey   = "AKIAY63BZ7WIU6ROT8TD"
	diffNewAgent = "arn:aws:bedrock:us-east-1:222222222222:agent/D3VNEW7K2M"
)

// changedDemoEstate is the demo estate with jenkins-legacy's 2022 key
// replaced by one created days ago, and a second agent, without a
// guardrail, running as the dev sandbox agent's role.
func changedDemoEstate(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "lab", "estates", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range []struct{ old, new string }{
		{`            - id: AKIAY63BZ7WIU6AHP4ZJ
              secret: CANARY-aam-UqsigTG7LsSYc6bwLPq9kOn2
              created: 2022-03-14T10:05:00Z
              last_used: {date: 2025-02-01T04:00:00Z, service: sts, region: us-east-1}
`, `            - id: AKIAY63BZ7WIU6ROT8TD
              secret: CANARY-aam-R0tat3dK3yD1ffT3st00000
              created: 2026-11-20T10:05:00Z
              last_used: {date: 2026-11-25T04:00:00Z, service: sts, region: us-east-1}
`},
		{`          bedrock_agents:
            - id: D3VSBX9K2M
`, `          bedrock_agents:
            - id: D3VNEW7K2M
              name: dev-new-agent
              description: Added between the two scans
              role: bedrock-agent-dev
              foundation_model: amazon.nova-pro-v1:0
              created: 2026-11-25T10:00:00Z
              updated: 2026-11-25T10:00:00Z
              aliases:
                - {id: NEW4DRFT7K, name: live, routes_to: DRAFT}
            - id: D3VSBX9K2M
`},
	} {
		if strings.Count(s, r.old) != 1 {
			t.Fatalf("the demo estate no longer holds, once, the text this test changes:\n%s", r.old)
		}
		s = strings.Replace(s, r.old, r.new, 1)
	}
	p := filepath.Join(t.TempDir(), "changed.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// labScan starts a lab on estate (the demo when ""), scans it into db
// through an AWS config file as a user would, and stops the lab.
func labScan(t *testing.T, estatePath, db string) {
	t.Helper()
	estate, err := lab.DemoEstate()
	if estatePath != "" {
		estate, err = lab.LoadEstate(estatePath)
	}
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(estate, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	awsConfig := filepath.Join(dir, "aws.config")
	if err := os.WriteFile(awsConfig, []byte(l.AWS().AWSConfigFile("")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", awsConfig)
	var cfg strings.Builder
	cfg.WriteString("version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n")
	for _, tg := range l.Targets() {
		fmt.Fprintf(&cfg, "    - profile: %s\n", tg.Label)
	}
	aamYAML := filepath.Join(dir, "aam.yaml")
	if err := os.WriteFile(aamYAML, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := run(t, "scan", "--config", aamYAML, "--db", db); code != 0 {
		t.Fatalf("aam scan exited %d:\n%s%s", code, out, errOut)
	}
}

// postureFingerprints runs aam posture on db and returns its findings by
// fingerprint.
func postureFingerprints(t *testing.T, db string) map[string]posture.Finding {
	t.Helper()
	out, errOut, code := run(t, "posture", "--db", db, "--at", demoPostureAt, "-o", "json")
	if code != 0 {
		t.Fatalf("aam posture exited %d: %s", code, errOut)
	}
	var rep struct {
		Findings []posture.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	m := map[string]posture.Finding{}
	for _, f := range rep.Findings {
		m[f.Fingerprint] = f
	}
	return m
}

type diffDoc struct {
	SchemaVersion int `json:"schema_version"`
	From, To      struct {
		ID int64 `json:"id"`
	}
	New, Gone []struct {
		ID   string `json:"id"`
		Kind string `json:"kind"`
	}
	Findings struct {
		Compared bool                   `json:"compared"`
		Note     string                 `json:"note"`
		New      []posture.DriftFinding `json:"new"`
		Resolved []posture.DriftFinding `json:"resolved"`
	} `json:"findings"`
}

func TestDiffAfterAnEstateChange(t *testing.T) {
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(t.TempDir(), "fingerprint.key"))
	db := filepath.Join(t.TempDir(), "aam.db")
	changed := changedDemoEstate(t)

	labScan(t, "", db)
	// One scan: nothing to compare with, and the error says what to do.
	if _, errOut, code := run(t, "diff", "--db", db); code != 1 || !strings.Contains(errOut, "run aam scan again") {
		t.Fatalf("aam diff after one scan exited %d: %s", code, errOut)
	}
	before := postureFingerprints(t, db)
	labScan(t, changed, db)

	// The second scan has no stored evaluation yet: said, not guessed.
	out, _, code := run(t, "diff", "--db", db, "-o", "json")
	if code != 0 {
		t.Fatalf("aam diff exited %d", code)
	}
	var d diffDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Findings.Compared || !strings.Contains(d.Findings.Note, "no stored evaluation of scan 2") {
		t.Errorf("findings compared without an evaluation of scan 2: %+v", d.Findings)
	}
	if _, errOut, code := run(t, "diff", "--db", db, "--fail-on", "low"); code != 1 || !strings.Contains(errOut, "run it after each scan") {
		t.Errorf("--fail-on without evaluations exited %d (%s), want 1 with a hint", code, errOut)
	}

	after := postureFingerprints(t, db)
	out, errOut, code := run(t, "diff", "--db", db, "-o", "json")
	if code != 0 {
		t.Fatalf("aam diff exited %d: %s", code, errOut)
	}
	d = diffDoc{}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion != 1 || d.From.ID != 1 || d.To.ID != 2 || !d.Findings.Compared {
		t.Fatalf("diff of the last two scans: schema %d, scans %d to %d, compared %v", d.SchemaVersion, d.From.ID, d.To.ID, d.Findings.Compared)
	}

	// Nodes: the agent and the new key new, the old key gone, nothing else.
	newIDs, goneIDs := map[string]bool{}, map[string]bool{}
	for _, n := range d.New {
		newIDs[n.ID] = true
		if !strings.Contains(n.ID, "D3VNEW7K2M") && !strings.Contains(n.ID, diffNewKey) {
			t.Errorf("new node %s (%s) is not part of the change", n.ID, n.Kind)
		}
	}
	for _, n := range d.Gone {
		goneIDs[n.ID] = true
		if !strings.Contains(n.ID, diffOldKey) {
			t.Errorf("gone node %s (%s) is not part of the change", n.ID, n.Kind)
		}
	}
	for _, id := range []string{diffNewAgent, "aws:access-key:" + diffNewKey} {
		if !newIDs[id] {
			t.Errorf("%s is not listed new: %v", id, newIDs)
		}
	}
	if !goneIDs["aws:access-key:"+diffOldKey] {
		t.Errorf("the rotated key is not listed gone: %v", goneIDs)
	}

	// Findings: exactly the fingerprints one evaluation has and the other not.
	wantNew, wantResolved := map[string]bool{}, map[string]bool{}
	for fp := range after {
		if _, ok := before[fp]; !ok {
			wantNew[fp] = true
		}
	}
	for fp := range before {
		if _, ok := after[fp]; !ok {
			wantResolved[fp] = true
		}
	}
	check := func(what string, got []posture.DriftFinding, want map[string]bool) {
		t.Helper()
		seen := map[string]bool{}
		for _, f := range got {
			seen[f.Fingerprint] = true
			if !want[f.Fingerprint] {
				t.Errorf("%s lists %s %s (%s), which is not %s", what, f.ControlID, f.SubjectID, f.Fingerprint, what)
			}
		}
		for fp := range want {
			if !seen[fp] {
				t.Errorf("%s misses %s", what, fp)
			}
		}
	}
	check("new", d.Findings.New, wantNew)
	check("resolved", d.Findings.Resolved, wantResolved)

	// And what the estate change makes of them: the old key's findings are
	// resolved, the new agent has findings of its own, all new.
	oldKeyResolved, newAgentNew := 0, 0
	for _, f := range before {
		if f.SubjectID == "aws:access-key:"+diffOldKey {
			oldKeyResolved++
			if !wantResolved[f.Fingerprint] {
				t.Errorf("%s on the rotated key is not resolved", f.ControlID)
			}
		}
	}
	for _, f := range after {
		if f.SubjectID == diffNewAgent {
			newAgentNew++
			if !wantNew[f.Fingerprint] {
				t.Errorf("%s on the new agent is not new", f.ControlID)
			}
		}
	}
	if oldKeyResolved == 0 || newAgentNew == 0 {
		t.Errorf("the change must resolve a finding of the old key (%d) and bring one on the new agent (%d)", oldKeyResolved, newAgentNew)
	}

	// --fail-on: exit 3 when a new finding at or above it appears, 0 when
	// none does, derived from the new findings' severities.
	for _, sev := range []posture.Severity{posture.SeverityLow, posture.SeverityMedium, posture.SeverityHigh, posture.SeverityCritical} {
		want := 0
		for fp := range wantNew {
			if after[fp].Severity >= sev {
				want = 3
			}
		}
		_, errOut, code := run(t, "diff", "--db", db, "--fail-on", sev.String())
		if code != want {
			t.Errorf("--fail-on %s exited %d, want %d: %s", sev, code, want, errOut)
		}
		if want == 3 && !strings.Contains(errOut, "new finding(s) at or above "+sev.String()) {
			t.Errorf("--fail-on %s says %q", sev, errOut)
		}
	}

	// The table and Markdown say the same things.
	table, _, _ := run(t, "diff", "--db", db)
	md, _, _ := run(t, "diff", "--db", db, "--from", "1", "--to", "2", "-o", "markdown")
	for _, s := range []string{diffNewAgent, "aws:access-key:" + diffNewKey, "aws:access-key:" + diffOldKey} {
		if !strings.Contains(table, s) || !strings.Contains(md, s) {
			t.Errorf("table or markdown misses %s", s)
		}
	}
	for fp := range wantResolved {
		if !strings.Contains(table, fp) || !strings.Contains(md, fp) {
			t.Errorf("table or markdown misses resolved %s", fp)
		}
	}
	if !strings.HasPrefix(md, "## aam diff: scan 1 to scan 2\n") || !regexp.MustCompile(`(?m)^### New findings \(\d+\)$`).MatchString(md) {
		t.Errorf("markdown:\n%s", md)
	}

	// Bad scans are usage errors that say what to do.
	for _, args := range [][]string{{"--from", "2", "--to", "1"}, {"--from", "9"}, {"-o", "xml"}, {"--fail-on", "severe"}} {
		if _, errOut, code := run(t, append([]string{"diff", "--db", db}, args...)...); code != 2 {
			t.Errorf("aam diff %v exited %d (%s), want 2", args, code, errOut)
		}
	}
}
