package cli_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/inventory/inventorytest"
	"github.com/google/go-cmp/cmp"
)

// What aam inventory show, the scan summary and aam diff's node drift read
// from the store costs the same statements on an estate ten times larger,
// and none of those statements reads the nodes or edges table whole: the
// summary's counts of every current node and edge come from the counts each
// scope keeps, the drift's nodes from the indexes of first_seen and gone_in.
func TestReadsDoNotGrowWithTheEstate(t *testing.T) {
	ctx := context.Background()
	// Agent 0's role can become the next agent's, which is admin, and read
	// its Lambda's secret.
	agent := inventorytest.AgentID(0)
	reads := []struct {
		name string
		read func(s *inventory.Store, agents int) error
	}{
		{"inventory show", func(s *inventory.Store, _ int) error {
			var out bytes.Buffer
			if err := cli.ShowNode(ctx, s, agent, "table", &out); err != nil {
				return err
			}
			for _, want := range []string{"\nReaches (", "\nEffective access (", "1. can_escalate → ", "\nCredentials reachable through can_escalate ("} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("inventory show %s does not say %q:\n%s", agent, want, out.String())
				}
			}
			return nil
		}},
		{"inventory show -o json", func(s *inventory.Store, _ int) error { return cli.ShowNode(ctx, s, agent, "json", io.Discard) }},
		{"scan summary", func(s *inventory.Store, agents int) error {
			rows, err := cli.ReadScanSummary(ctx, s)
			if len(rows) != agents {
				t.Errorf("the summary lists %d agents, want %d", len(rows), agents)
			}
			for _, r := range rows {
				// Every agent's role chain reaches a level that could not
				// be read, and every agent's Lambda holds a standing secret.
				if !strings.Contains(r, "access="+inventory.LevelUnknown) || strings.Contains(r, "secrets=0") {
					t.Errorf("summary row %q: want access=unknown and a standing secret", r)
				}
			}
			return err
		}},
		{"diff nodes", func(s *inventory.Store, agents int) error {
			// The estate's one scan against none before it: every node of
			// the drift kinds is new, found through nodes_by_first_seen.
			d, err := s.Drift(ctx, 0, 1, inventory.DriftKinds)
			if err == nil && len(d.New) < agents {
				t.Errorf("the drift lists %d new nodes, want at least the %d agents", len(d.New), agents)
			}
			return err
		}},
	}
	sizes := []int{10, 100}
	counts := map[string][]int64{}
	for _, agents := range sizes {
		s, path := writtenStore(t, func(w *inventory.Store) error { return inventorytest.WriteEstate(ctx, w, agents) })
		for _, r := range reads {
			before := s.Statements()
			stop := inventorytest.Record(s)
			if err := r.read(s, agents); err != nil {
				t.Fatalf("%s with %d agents: %v", r.name, agents, err)
			}
			stmts := stop()
			counts[r.name] = append(counts[r.name], s.Statements()-before)
			scans, err := inventorytest.TableScans(ctx, path, stmts)
			if err != nil {
				t.Fatal(err)
			}
			for _, sc := range scans {
				t.Errorf("%s with %d agents reads a whole table:\n%s", r.name, agents, sc)
			}
		}
	}
	for _, r := range reads {
		c := counts[r.name]
		t.Logf("%s: %d statements with %d agents, %d with %d", r.name, c[0], sizes[0], c[1], sizes[1])
		if c[0] != c[1] || c[0] == 0 {
			t.Errorf("%s ran %d statements with %d agents and %d with %d", r.name, c[0], sizes[0], c[1], sizes[1])
		}
	}
}

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

// writtenStore writes a new database with write and opens it read-only, as
// the commands read it; the store closes with the test.
func writtenStore(t *testing.T, write func(*inventory.Store) error) (*inventory.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aam.db")
	w, err := inventory.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := inventory.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}
