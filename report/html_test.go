package report_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
)

// TestHTMLLoadsNothing checks the HTML report for anything a browser would
// fetch: the file must work offline and tell no one it was opened. The
// browser test (internal/cli) checks the same on the demo by watching the
// network; this one runs without a browser.
func TestHTMLLoadsNothing(t *testing.T) {
	fx := newFixture(t, "")
	var buf bytes.Buffer
	if err := (report.HTML{}).Render(context.Background(), &buf, fx.rep); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(buf.String())
	for _, bad := range []string{"src=", "href=", "url(", "@import", "<script", "<link", "<iframe", "<object", "<embed"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML report contains %q: it must load nothing", bad)
		}
	}
	for _, f := range fx.tri.Active {
		if !strings.Contains(page, `data-fingerprint="`+f.Fingerprint+`"`) {
			t.Errorf("finding %s (%s on %s) has no row", f.Fingerprint, f.ControlID, f.SubjectID)
		}
	}
	for _, s := range fx.tri.Suppressed {
		if strings.Contains(page, `data-fingerprint="`+s.Finding.Fingerprint+`"`) {
			t.Errorf("suppressed finding %s has a row among the findings", s.Finding.Fingerprint)
		}
	}
	if !strings.Contains(page, "3 more it reaches are left out") {
		t.Error("the picture does not say that nodes past the cap were left out")
	}
}

// TestHTMLDrawsTheWorstAgents gives the page more agents than it draws:
// the agents with findings come first and the page says how many it left
// out.
func TestHTMLDrawsTheWorstAgents(t *testing.T) {
	fx := newFixture(t, "")
	admin := fx.findings["arn:aws:iam::111111111111:role/agent-admin"]
	paths := map[string]posture.AgentPaths{}
	for i := 0; i < 105; i++ {
		id := fmt.Sprintf("arn:aws:bedrock:us-east-1:111111111111:agent/A%03d", i)
		p := posture.AgentPaths{Agent: posture.PathNode{ID: id, Kind: "agent", Name: fmt.Sprintf("agent-%03d", i)}}
		if i == 104 {
			// The last by id is the only one that reaches a finding.
			p.Nodes = []posture.PathNode{{ID: admin.SubjectID, Kind: "identity", Name: "agent-admin", Depth: 1}}
			p.Edges = []posture.PathEdge{{From: id, To: admin.SubjectID, Kind: "runs_as"}}
		}
		paths[id] = p
	}
	fx.rep.Paths = paths
	var buf bytes.Buffer
	if err := (report.HTML{}).Render(context.Background(), &buf, fx.rep); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if n := strings.Count(page, `<section class="agent"`); n != 100 {
		t.Errorf("%d agent sections, want 100", n)
	}
	if !strings.Contains(page, "5 more are not") {
		t.Error("the page does not say that 5 agents were left out")
	}
	first := strings.Index(page, `<section class="agent"`)
	if first < 0 || !strings.HasPrefix(page[first:], `<section class="agent" id="agent-arn:aws:bedrock:us-east-1:111111111111:agent/A104"`) {
		t.Error("the agent reaching a critical finding is not drawn first")
	}
	if strings.Contains(page, `data-agent="arn:aws:bedrock:us-east-1:111111111111:agent/A100"`) {
		t.Error("agent A100 is drawn: past the cap, the last by id without findings should be left out")
	}
}
