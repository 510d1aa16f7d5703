package inventory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// countedRows counts current nodes and edges the way the summary did before
// counts were kept: every row, read whole.
func countedRows(t *testing.T, s *Store) (nodes, edges []Count) {
	t.Helper()
	ctx := context.Background()
	var err error
	if nodes, err = s.counts(ctx, `SELECT provider, kind, count(*) FROM nodes WHERE gone_in IS NULL GROUP BY provider, kind ORDER BY provider, kind`); err != nil {
		t.Fatal(err)
	}
	if edges, err = s.counts(ctx, `SELECT sc.provider, e.kind, count(*) FROM edges e JOIN scopes sc ON sc.id = e.scope_id WHERE e.gone_in IS NULL GROUP BY sc.provider, e.kind ORDER BY 1, 2`); err != nil {
		t.Fatal(err)
	}
	return nodes, edges
}

func checkCounts(t *testing.T, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	wantNodes, wantEdges := countedRows(t, s)
	gotNodes, err := s.NodeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gotEdges, err := s.EdgeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantNodes, gotNodes); diff != "" {
		t.Fatalf("%s: node counts (-rows +kept):\n%s", when, diff)
	}
	if diff := cmp.Diff(wantEdges, gotEdges); diff != "" {
		t.Fatalf("%s: edge counts (-rows +kept):\n%s", when, diff)
	}
}

// writeRandomScan writes one scan over scopes of two providers that share
// node ids, so rows move between scopes: a reference in one scope becomes a
// full description in another, a node another scope's edge still touches
// stays as that scope's reference, a scope that does not complete keeps
// its last state, and a kind or provider changes under the same id.
func writeRandomScan(t *testing.T, s *Store, rng *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	scopes := []Scope{iamA, iamB, euA, {Provider: "gcp", Tenant: "proj", Name: GlobalScope}}
	kinds := []NodeKind{KindIdentity, KindCredential, KindAgent}
	edgeKinds := []EdgeKind{EdgeCanAssume, EdgeRunsAs, EdgeUsesCredential}
	id := func() string { return fmt.Sprintf("n%d", rng.IntN(40)) }
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	var complete []Scope
	for _, scope := range scopes {
		for range rng.IntN(15) {
			must(t, sc.Node(ctx, scope, Node{
				ID: id(), Kind: kinds[rng.IntN(len(kinds))], Provider: scope.Provider, Tenant: scope.Tenant,
				Ref: rng.IntN(3) == 0,
			}))
		}
		for range rng.IntN(15) {
			must(t, sc.Edge(ctx, scope, Edge{From: id(), To: id(), Kind: edgeKinds[rng.IntN(len(edgeKinds))]}))
		}
		if rng.IntN(4) != 0 {
			complete = append(complete, scope)
		}
	}
	rng.Shuffle(len(complete), func(i, j int) { complete[i], complete[j] = complete[j], complete[i] })
	for _, scope := range complete {
		must(t, sc.CompleteScope(ctx, scope))
	}
	if rng.IntN(8) == 0 {
		sc.Abandon()
		return
	}
	must(t, sc.Finish(ctx, ScanPartial))
}

// The counts the summary reads are, after every scan, what counting the
// rows gives.
func TestKeptCountsAreTheRowCounts(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			s, _ := openTemp(t)
			rng := rand.New(rand.NewPCG(seed, 7))
			moved := 0
			for i := range 40 {
				before := scopeOwners(t, s)
				writeRandomScan(t, s, rng)
				for id, sid := range scopeOwners(t, s) {
					if old, ok := before[id]; ok && old != sid {
						moved++
					}
				}
				checkCounts(t, s, fmt.Sprintf("after scan %d", i+1))
			}
			// The test means something only if rows did move between scopes.
			if moved == 0 {
				t.Error("no row moved between scopes in 40 scans")
			}
		})
	}
}

// scopeOwners maps every current node and edge to the scope that owns it.
func scopeOwners(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	rows, err := s.db.Query(`SELECT 'n:' || id, scope_id FROM nodes WHERE gone_in IS NULL
UNION ALL SELECT 'e:' || from_id || '>' || kind || '>' || to_id, scope_id FROM edges WHERE gone_in IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var sid int64
		if err := rows.Scan(&k, &sid); err != nil {
			t.Fatal(err)
		}
		out[k] = sid
	}
	return out
}

// A database written before counts were kept gets them from its rows when
// it migrates.
func TestMigrationCountsExistingRows(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "aam.db")
	old, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		writeRandomScan(t, old, rng)
	}
	wantNodes, wantEdges := countedRows(t, old)
	if len(wantNodes) == 0 || len(wantEdges) == 0 {
		t.Fatalf("the database holds nothing to count: %v %v", wantNodes, wantEdges)
	}
	// Take it back to version 4: the same rows, no counts (and none of
	// version 6's effective access or version 7's drift indexes).
	if _, err := old.db.ExecContext(ctx, `DROP TRIGGER nodes_change_scope; DROP TRIGGER edges_change_scope;
DROP TABLE node_counts; DROP TABLE edge_counts;
DROP TABLE effective_access; DROP INDEX edges_current_escalations;
DROP INDEX nodes_by_first_seen; DROP INDEX nodes_gone; UPDATE schema_version SET version = 4`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkCounts(t, s, "after migrating")
	writeRandomScan(t, s, rng)
	checkCounts(t, s, "after a scan of the migrated database")
}
