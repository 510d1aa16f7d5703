package inventory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/inventory/inventorytest"
	"github.com/google/go-cmp/cmp"
)

func openStore(t testing.TB) (*inventory.Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "aam.db")
	s, err := inventory.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

// writeRandomGraph writes a random graph of n nodes and 2n edges: every kind of node
// and edge (followed by Reach or not), parallel edges of several kinds,
// cycles, edges to nodes no scope described, access levels and standing
// credentials. It returns every id an edge leaves from or points to.
func writeRandomGraph(t *testing.T, s *inventory.Store, rng *rand.Rand, n int) []string {
	t.Helper()
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	scope := inventory.Scope{Provider: "aws", Tenant: "111", Name: inventory.GlobalScope}
	kinds := []inventory.NodeKind{inventory.KindAgent, inventory.KindIdentity, inventory.KindIdentity, inventory.KindCredential, inventory.KindResource, inventory.KindPerson}
	edgeKinds := append(append([]inventory.EdgeKind(nil), inventory.ReachEdges...), inventory.EdgeCanAccess, inventory.EdgeOwnedBy)
	levels := []any{inventory.LevelRead, inventory.LevelWrite, inventory.LevelAdmin, inventory.LevelUnknown, "", 3, nil}
	var ids []string
	for i := range n {
		// Ids are not in the order they are written, and some are never
		// described.
		id := fmt.Sprintf("n%03d", rng.IntN(1000))
		ids = append(ids, id)
		if i%7 == 3 {
			continue
		}
		attrs := map[string]any{"i": i}
		if rng.IntN(2) == 0 {
			attrs[inventory.AttrStanding] = rng.IntN(3) == 0
		}
		if err := sc.Node(ctx, scope, inventory.Node{ID: id, Kind: kinds[rng.IntN(len(kinds))], Provider: "aws", Tenant: "111", Name: fmt.Sprintf("name-%d", i%5), Attrs: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 * n {
		e := inventory.Edge{From: ids[rng.IntN(n)], To: ids[rng.IntN(n)], Kind: edgeKinds[rng.IntN(len(edgeKinds))]}
		if e.Kind == inventory.EdgeCanAccess {
			e.Attrs = map[string]any{inventory.AttrLevel: levels[rng.IntN(len(levels))]}
		} else if rng.IntN(4) == 0 {
			e.Attrs = map[string]any{"env_var": "K"}
		}
		if err := sc.Edge(ctx, scope, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.CompleteScope(ctx, scope); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
	return append(ids, "never-written")
}

// ReachFrom, one statement for every start, finds what a breadth-first walk
// with one query per node finds, by the same paths, with the same access
// and standing, at every depth.
func TestReachFromIsTheBreadthFirstWalk(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s, _ := openStore(t)
			ids := writeRandomGraph(t, s, rand.New(rand.NewPCG(seed, 7)), 20+int(seed)*8)
			// A walk bounded at a lesser depth finds what the deepest finds
			// within that depth, by the same paths.
			walks := map[string][]inventory.Reached{}
			for _, start := range ids {
				w, err := inventorytest.BreadthFirstReach(ctx, s, start, inventory.ReachEdges, inventory.ReachDepth)
				if err != nil {
					t.Fatal(err)
				}
				walks[start] = w
			}
			reached := 0
			for _, depth := range []int{1, 2, 3, inventory.ReachDepth} {
				got, err := s.ReachFrom(ctx, ids, inventory.ReachEdges, depth)
				if err != nil {
					t.Fatal(err)
				}
				for _, start := range ids {
					var want []inventory.Reached
					for _, r := range walks[start] {
						if len(r.Steps) <= depth {
							want = append(want, r)
						}
					}
					if diff := cmp.Diff(want, got[start]); diff != "" {
						t.Fatalf("reach from %s, depth %d (-walk +ReachFrom):\n%s", start, depth, diff)
					}
					reached += len(want)
				}
			}
			if reached == 0 {
				t.Fatal("no start reached anything: the graph tests nothing")
			}
		})
	}
}

// The levels of an identity's can_access edges rank none < read < write <
// admin < unknown, whatever else the attribute holds.
func TestHighestAccess(t *testing.T) {
	for _, c := range []struct {
		levels []string
		want   string
	}{
		{nil, ""},
		{[]string{"", "bogus"}, ""},
		{[]string{inventory.LevelRead, "bogus"}, inventory.LevelRead},
		{[]string{inventory.LevelWrite, inventory.LevelRead}, inventory.LevelWrite},
		{[]string{inventory.LevelRead, inventory.LevelAdmin, inventory.LevelWrite}, inventory.LevelAdmin},
		{[]string{inventory.LevelAdmin, inventory.LevelUnknown}, inventory.LevelUnknown},
	} {
		if got := inventory.HighestAccess(c.levels...); got != c.want {
			t.Errorf("HighestAccess(%q) = %q, want %q", c.levels, got, c.want)
		}
	}
}

// What every agent reaches costs the same statements, none of which reads
// the nodes or edges table whole, on an estate ten times larger.
func TestReachOfEveryAgentDoesNotGrowWithTheEstate(t *testing.T) {
	ctx := context.Background()
	var counts []int64
	for _, agents := range []int{10, 100} {
		s, path := openStore(t)
		if err := inventorytest.WriteEstate(ctx, s, agents); err != nil {
			t.Fatal(err)
		}
		before := s.Statements()
		stop := inventorytest.Record(s)
		nodes, err := s.Nodes(ctx, inventory.NodeFilter{Kind: inventory.KindAgent})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, n := range nodes {
			ids = append(ids, n.ID)
		}
		reach, err := s.ReachFrom(ctx, ids, inventory.ReachEdges, inventory.ReachDepth)
		if err != nil {
			t.Fatal(err)
		}
		stmts := stop()
		counts = append(counts, s.Statements()-before)
		if len(ids) != agents || len(reach) != agents {
			t.Fatalf("%d agents, %d reach something; want %d", len(ids), len(reach), agents)
		}
		scans, err := inventorytest.TableScans(ctx, path, stmts)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scans {
			t.Errorf("with %d agents, a statement reads a whole table:\n%s", agents, sc)
		}
	}
	if counts[0] != counts[1] {
		t.Errorf("reach of every agent ran %d statements for 10 agents and %d for 100", counts[0], counts[1])
	}
}
