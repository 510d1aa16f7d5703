package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
)

// TestAgentPathsCap walks the demo's agents with the cap the HTML report
// uses and with a small one: a capped picture keeps the nearest nodes,
// counts the rest, and draws every edge between nodes it shows; the
// can_access hop brings the resources in.
func TestAgentPathsCap(t *testing.T) {
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(t.TempDir(), "fingerprint.key"))
	db := filepath.Join(t.TempDir(), "aam.db")
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"scan", "--demo", "--db", db}, &IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("aam scan --demo exited %d: %s", code, errOut.String())
	}
	if code := Run(context.Background(), []string{"posture", "--db", db, "-o", "json", "--out", filepath.Join(t.TempDir(), "p.json")}, &IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("aam posture exited %d: %s", code, errOut.String())
	}
	ctx := context.Background()
	store, err := inventory.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rep, err := posture.LoadReport(ctx, store, 0)
	if err != nil {
		t.Fatal(err)
	}
	agents, err := store.Nodes(ctx, inventory.NodeFilter{Kind: inventory.KindAgent})
	if err != nil {
		t.Fatal(err)
	}
	full, notWalked, err := agentPaths(ctx, db, rep.Findings, pathNodeCap)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) == 0 {
		t.Fatal("no agent paths on the demo")
	}
	if len(full)+notWalked != len(agents) || len(full) > report.MaxAgentSections {
		t.Errorf("%d agents walked and %d not, of %d (at most %d are drawn)", len(full), notWalked, len(agents), report.MaxAgentSections)
	}
	const small = 3
	capped, _, err := agentPaths(ctx, db, rep.Findings, small)
	if err != nil {
		t.Fatal(err)
	}
	sawCut, sawResource := false, false
	for id, f := range full {
		if f.Omitted != 0 {
			t.Errorf("%s: %d nodes left out at the cap of %d: the demo's agents should fit", id, f.Omitted, pathNodeCap)
		}
		for _, e := range f.Edges {
			if e.Kind == "can_access" {
				sawResource = true
			}
		}
		c := capped[id]
		if len(c.Nodes) > small {
			t.Errorf("%s: %d nodes past the cap of %d", id, len(c.Nodes), small)
		}
		if len(c.Nodes)+c.Omitted != len(f.Nodes) {
			t.Errorf("%s: capped %d shown + %d left out, want the %d it reaches", id, len(c.Nodes), c.Omitted, len(f.Nodes))
		}
		if c.Omitted > 0 {
			sawCut = true
		}
		shown := map[string]int{id: 0}
		for i, n := range c.Nodes {
			if n != f.Nodes[i] {
				t.Errorf("%s: capped node %d is %+v, want the nearest, %+v", id, i, n, f.Nodes[i])
			}
			shown[n.ID] = n.Depth
		}
		if len(c.Edges) != len(c.Nodes) {
			t.Errorf("%s: %d edges for %d nodes: one edge goes into each node", id, len(c.Edges), len(c.Nodes))
		}
		for _, e := range c.Edges {
			from, okf := shown[e.From]
			to, okt := shown[e.To]
			if !okf || !okt || from >= to {
				t.Errorf("%s: edge %s -%s-> %s does not go from a shown node to a farther one", id, e.From, e.Kind, e.To)
			}
		}
	}
	if !sawCut {
		t.Errorf("no demo agent reaches more than %d nodes: the cap is not exercised", small)
	}
	if !sawResource {
		t.Error("no picture has a can_access hop: the resources are missing")
	}
}
