package cli_test

import (
	"context"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/inventory/inventorytest"
	"github.com/google/go-cmp/cmp"
)

// On the demo's graph, what every node reaches in one statement is what a
// breadth-first walk with a query per node finds.
func TestDemoReachIsTheBreadthFirstWalk(t *testing.T) {
	db, _ := demoDB(t)
	ctx := context.Background()
	s, err := inventory.OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nodes, err := s.Nodes(ctx, inventory.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	got, err := s.ReachFrom(ctx, ids, inventory.ReachEdges, inventory.ReachDepth)
	if err != nil {
		t.Fatal(err)
	}
	agentsReaching := 0
	for _, n := range nodes {
		want, err := inventorytest.BreadthFirstReach(ctx, s, n.ID, inventory.ReachEdges, inventory.ReachDepth)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got[n.ID]); diff != "" {
			t.Errorf("reach from %s (-walk +ReachFrom):\n%s", n.ID, diff)
		}
		if n.Kind == inventory.KindAgent && len(want) > 0 {
			agentsReaching++
		}
	}
	if agentsReaching < 8 {
		t.Errorf("%d of the demo's agents reach anything, want all 8", agentsReaching)
	}
}
