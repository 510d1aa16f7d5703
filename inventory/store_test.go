package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "aam.db")
	s, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

var (
	iamA = Scope{Provider: "aws", Tenant: "111", Name: GlobalScope}
	iamB = Scope{Provider: "aws", Tenant: "222", Name: GlobalScope}
	euA  = Scope{Provider: "aws", Tenant: "111", Name: "eu-west-1"}
)

// scanOf writes one scan: for each scope, the given node ids (as identities)
// and edges "from>to"; scopes listed in complete are completed.
type scanSpec struct {
	nodes    map[Scope][]string
	edges    map[Scope][]string
	complete []Scope
	abandon  bool
}

func runScan(t *testing.T, s *Store, spec scanSpec) int64 {
	t.Helper()
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{Providers: []string{"aws"}})
	if err != nil {
		t.Fatal(err)
	}
	for scope, ids := range spec.nodes {
		for _, id := range ids {
			if err := sc.Node(ctx, scope, Node{ID: id, Kind: KindIdentity, Provider: scope.Provider, Tenant: scope.Tenant, Name: id, Attrs: map[string]any{"scan": sc.ID()}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for scope, es := range spec.edges {
		for _, e := range es {
			from, to, _ := strings.Cut(e, ">")
			if err := sc.Edge(ctx, scope, Edge{From: from, To: to, Kind: EdgeCanAssume}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, scope := range spec.complete {
		if err := sc.CompleteScope(ctx, scope); err != nil {
			t.Fatal(err)
		}
	}
	if spec.abandon {
		sc.Abandon()
		return sc.ID()
	}
	if err := sc.Finish(ctx, ScanOK); err != nil {
		t.Fatal(err)
	}
	return sc.ID()
}

func currentIDs(t *testing.T, s *Store) []string {
	t.Helper()
	ns, err := s.Nodes(context.Background(), NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	return ids
}

func currentEdges(t *testing.T, s *Store) []string {
	t.Helper()
	res, err := s.db.Query(`SELECT from_id || '>' || to_id FROM edges WHERE gone_in IS NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var out []string
	for res.Next() {
		var e string
		if err := res.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestCompleteScopeMakesRowsCurrent(t *testing.T) {
	s, _ := openTemp(t)
	runScan(t, s, scanSpec{
		nodes:    map[Scope][]string{iamA: {"a1", "a2"}, iamB: {"b1"}},
		edges:    map[Scope][]string{iamA: {"a1>a2"}, iamB: {"b1>a1"}},
		complete: []Scope{iamA},
	})
	if got, want := strings.Join(currentIDs(t, s), ","), "a1,a2"; got != want {
		t.Errorf("current nodes = %s, want %s (iamB was never completed)", got, want)
	}
	if got, want := strings.Join(currentEdges(t, s), ","), "a1>a2"; got != want {
		t.Errorf("current edges = %s, want %s", got, want)
	}
}

func TestGoneMarkingPerScope(t *testing.T) {
	s, _ := openTemp(t)
	first := runScan(t, s, scanSpec{
		nodes:    map[Scope][]string{iamA: {"a1", "a2"}, euA: {"eu1", "eu2"}, iamB: {"b1"}},
		edges:    map[Scope][]string{iamA: {"a1>a2"}, euA: {"eu1>a1"}},
		complete: []Scope{iamA, euA, iamB},
	})
	// Second scan: a2 and the a1>a2 edge are gone from iamA; euA is not
	// completed (its region failed); iamB is not scanned at all.
	second := runScan(t, s, scanSpec{
		nodes:    map[Scope][]string{iamA: {"a1", "a3"}, euA: {"eu1"}},
		complete: []Scope{iamA},
	})
	if got, want := strings.Join(currentIDs(t, s), ","), "a1,a3,b1,eu1,eu2"; got != want {
		t.Errorf("current nodes = %s, want %s", got, want)
	}
	if got, want := strings.Join(currentEdges(t, s), ","), "eu1>a1"; got != want {
		t.Errorf("current edges = %s, want %s", got, want)
	}
	ctx := context.Background()
	a2, err := s.NodeByID(ctx, "a2")
	if err != nil {
		t.Fatal(err)
	}
	if a2.GoneIn != second || a2.LastSeen != first {
		t.Errorf("a2: gone_in=%d last_seen=%d, want gone_in=%d last_seen=%d", a2.GoneIn, a2.LastSeen, second, first)
	}
	a1, _ := s.NodeByID(ctx, "a1")
	if a1.FirstSeen != first || a1.LastSeen != second || a1.GoneIn != 0 {
		t.Errorf("a1: first=%d last=%d gone=%d, want %d %d 0", a1.FirstSeen, a1.LastSeen, a1.GoneIn, first, second)
	}
	// A third scan brings a2 back: it is current again and keeps first_seen.
	third := runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a1", "a2", "a3"}}, complete: []Scope{iamA}})
	a2, _ = s.NodeByID(ctx, "a2")
	if a2.GoneIn != 0 || a2.FirstSeen != first || a2.LastSeen != third {
		t.Errorf("a2 back: gone=%d first=%d last=%d, want 0 %d %d", a2.GoneIn, a2.FirstSeen, a2.LastSeen, first, third)
	}
}

func TestEmptyCompletedScopeMarksEverythingGone(t *testing.T) {
	s, _ := openTemp(t)
	runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a1"}}, complete: []Scope{iamA}})
	runScan(t, s, scanSpec{complete: []Scope{iamA}})
	if got := currentIDs(t, s); len(got) != 0 {
		t.Errorf("current nodes = %v, want none: the scope completed with nothing in it", got)
	}
}

func TestKilledScanKeepsLastFinishedState(t *testing.T) {
	s, p := openTemp(t)
	runScan(t, s, scanSpec{
		nodes:    map[Scope][]string{iamA: {"a1", "a2"}},
		edges:    map[Scope][]string{iamA: {"a1>a2"}},
		complete: []Scope{iamA},
	})
	// The second scan stages different rows, then dies before finishing.
	killed := runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"x1", "x2"}}, abandon: true})
	s.Close()

	s2, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, want := strings.Join(currentIDs(t, s2), ","), "a1,a2"; got != want {
		t.Errorf("after a killed scan: current nodes = %s, want %s", got, want)
	}
	// The next scan marks the dead one interrupted and drops its staged rows.
	runScan(t, s2, scanSpec{nodes: map[Scope][]string{iamB: {"b1"}}, complete: []Scope{iamB}})
	rec, err := s2.ScanByID(context.Background(), killed)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != ScanInterrupted {
		t.Errorf("killed scan status = %s, want %s", rec.Status, ScanInterrupted)
	}
	if got, want := strings.Join(currentIDs(t, s2), ","), "a1,a2,b1"; got != want {
		t.Errorf("current nodes = %s, want %s", got, want)
	}
}

func TestUpsertMergesWithinScanAndReplacesAcrossScans(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	created := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	write := func(nodes ...Node) {
		sc, err := s.BeginScan(ctx, ScanInfo{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			if err := sc.Node(ctx, iamA, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := sc.CompleteScope(ctx, iamA); err != nil {
			t.Fatal(err)
		}
		if err := sc.Finish(ctx, ScanOK); err != nil {
			t.Fatal(err)
		}
	}
	// Within one scan, a bare reference written later keeps what the full
	// row had, and attributes merge.
	write(
		Node{ID: "r", Kind: KindIdentity, Provider: "aws", Tenant: "111", Name: "role", Created: created, Attrs: map[string]any{"path": "/", "x": 1}},
		Node{ID: "r", Kind: KindIdentity, Provider: "aws", Attrs: map[string]any{"x": 2}},
	)
	n, err := s.NodeByID(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != "role" || n.Tenant != "111" || !n.Created.Equal(created) || n.Attrs["path"] != "/" || n.Attrs["x"] != float64(2) {
		t.Errorf("merged node = %+v", n)
	}
	// A later scan replaces the row.
	write(Node{ID: "r", Kind: KindIdentity, Provider: "aws", Tenant: "111", Name: "role2", Attrs: map[string]any{"y": true}})
	n, _ = s.NodeByID(ctx, "r")
	if n.Name != "role2" || !n.Created.IsZero() || n.Attrs["path"] != nil || n.Attrs["y"] != true {
		t.Errorf("replaced node = %+v", n)
	}
}

func TestScanErrorsAndStatus(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	want := ScanError{Provider: "aws", Tenant: "222", Scope: "global", Operation: "iam:GetAccountAuthorizationDetails", Message: "access denied"}
	if err := sc.RecordError(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, ScanPartial); err != nil {
		t.Fatal(err)
	}
	errs, err := s.ScanErrors(ctx, sc.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("scan errors = %+v, want [%+v]", errs, want)
	}
	rec, _ := s.ScanByID(ctx, sc.ID())
	if rec.Status != ScanPartial || rec.Finished.IsZero() {
		t.Errorf("scan record = %+v", rec)
	}
	if err := sc.Node(ctx, iamA, Node{ID: "late", Kind: KindIdentity}); err == nil {
		t.Error("writing to a finished scan succeeded")
	}
}

func TestInvalidRowsRefused(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Finish(ctx, ScanOK)
	if err := sc.Node(ctx, iamA, Node{Kind: KindIdentity}); err == nil {
		t.Error("node without id accepted")
	}
	if err := sc.Edge(ctx, iamA, Edge{From: "a", Kind: EdgeRunsAs}); err == nil {
		t.Error("edge without target accepted")
	}
	if err := sc.Node(ctx, iamA, Node{ID: "x", Kind: KindIdentity, Attrs: map[string]any{"bad": func() {}}}); err == nil {
		t.Error("unencodable attributes accepted")
	}
}

func TestMigrationsFromEveryEarlierVersion(t *testing.T) {
	latest := SchemaVersion()
	if latest < 1 {
		t.Fatal("no migrations embedded")
	}
	for from := 0; from < latest; from++ {
		t.Run(fmt.Sprintf("from_v%d", from), func(t *testing.T) {
			ctx := context.Background()
			p := filepath.Join(t.TempDir(), "aam.db")
			old, err := open(ctx, p, from, Options{})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := old.version(ctx)
			if v != from {
				t.Fatalf("built database at version %d, want %d", v, from)
			}
			old.Close()
			s, err := Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, _ := s.version(ctx); v != latest {
				t.Errorf("version after Open = %d, want %d", v, latest)
			}
			// The migrated database works end to end.
			runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a1"}}, complete: []Scope{iamA}})
			if got := currentIDs(t, s); len(got) != 1 {
				t.Errorf("nodes after migration and scan = %v", got)
			}
		})
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	_, p := openTemp(t)
	db, err := sql.Open("sqlite", dsn(p, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for name, open := range map[string]func(context.Context, string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		_, err := open(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), "newer than this aam") || !strings.Contains(err.Error(), "upgrade aam") {
			t.Errorf("%s of a newer database: err = %v, want a refusal with a hint", name, err)
		}
	}
}

func TestForeignDatabaseRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", dsn(p, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), p); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("Open of a non-aam database: err = %v, want a refusal naming --db", err)
	}
}

func TestReadOnlyStoreRefusesWrites(t *testing.T) {
	s, p := openTemp(t)
	runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a1"}}, complete: []Scope{iamA}})
	ro, err := OpenReadOnly(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	res, err := ro.Query(context.Background(), "SELECT id FROM nodes")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != "a1" {
		t.Errorf("query rows = %v", res.Rows)
	}
	// Past the statement check, SQLite itself refuses writes on this connection.
	if _, err := ro.db.Exec(`DELETE FROM nodes`); err == nil {
		t.Error("read-only store accepted a DELETE")
	}
	if _, err := ro.BeginScan(context.Background(), ScanInfo{}); err == nil {
		t.Error("read-only store began a scan")
	}
	if _, err := OpenReadOnly(context.Background(), filepath.Join(t.TempDir(), "missing.db")); err == nil || !strings.Contains(err.Error(), "aam scan") {
		t.Errorf("OpenReadOnly of a missing file: %v", err)
	}
}

func TestReferenceNeverOverwritesFullNode(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	full := Node{ID: "arn:aws:iam::222:role/ci", Kind: KindIdentity, Provider: "aws", Tenant: "222", Name: "ci", Attrs: map[string]any{"type": "iam_role"}}
	ref := Node{ID: full.ID, Kind: KindIdentity, Provider: "aws", Tenant: "222", Name: "ci", Attrs: map[string]any{"principal_type": "role", "external": true}, Ref: true}
	for _, order := range [][]Scope{{iamA, iamB}, {iamB, iamA}} {
		sc, err := s.BeginScan(ctx, ScanInfo{})
		if err != nil {
			t.Fatal(err)
		}
		// iamA references the role; iamB (its own account) describes it.
		if err := sc.Node(ctx, iamA, ref); err != nil {
			t.Fatal(err)
		}
		if err := sc.Node(ctx, iamB, full); err != nil {
			t.Fatal(err)
		}
		for _, scope := range order {
			if err := sc.CompleteScope(ctx, scope); err != nil {
				t.Fatal(err)
			}
		}
		if err := sc.Finish(ctx, ScanOK); err != nil {
			t.Fatal(err)
		}
		n, err := s.NodeByID(ctx, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.Attrs["type"] != "iam_role" || n.Attrs["external"] != nil {
			t.Errorf("completing %v: attrs = %v, want the full description only", order, n.Attrs)
		}
	}
	// When its account drops the role and no edge refers to it, it is gone.
	runScan(t, s, scanSpec{complete: []Scope{iamA, iamB}})
	n, err := s.NodeByID(ctx, full.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n.GoneIn == 0 {
		t.Errorf("role still current after every scope dropped it")
	}
}

// A scan abandoned in this process leaves staged rows on a pooled
// connection; the next scan must not merge them into the same scope.
func TestAbandonedStagingNeverLeaksIntoTheNextScan(t *testing.T) {
	s, _ := openTemp(t)
	// One connection: every scan reuses the one the abandoned scan staged on.
	s.db.SetMaxOpenConns(1)
	runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a1"}}, complete: []Scope{iamA}})
	for i := 0; i < 3; i++ {
		// Completing euA flushes iamA's staged rows to their table first.
		runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"leak1", "leak2"}}, edges: map[Scope][]string{iamA: {"leak1>leak2"}}, complete: []Scope{euA}, abandon: true})
		// The same scope again, and one that completes empty.
		runScan(t, s, scanSpec{nodes: map[Scope][]string{iamA: {"a2"}}, complete: []Scope{iamA, iamB}})
		if got, want := strings.Join(currentIDs(t, s), ","), "a2"; got != want {
			t.Fatalf("round %d: current nodes = %s, want %s", i, got, want)
		}
		if got := currentEdges(t, s); len(got) != 0 {
			t.Fatalf("round %d: current edges = %v, want none", i, got)
		}
	}
}

func TestFullNodeReplacesReferenceOfAnotherKind(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	// iamB's policy names the role as a resource; iamA describes the role.
	if err := sc.Node(ctx, iamB, Node{ID: "arn:aws:iam::111:role/r", Kind: KindResource, Provider: "aws", Name: "arn", Ref: true}); err != nil {
		t.Fatal(err)
	}
	if err := sc.Node(ctx, iamA, Node{ID: "arn:aws:iam::111:role/r", Kind: KindIdentity, Provider: "aws", Name: "r"}); err != nil {
		t.Fatal(err)
	}
	for _, sco := range []Scope{iamB, iamA} {
		if err := sc.CompleteScope(ctx, sco); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Finish(ctx, ScanOK); err != nil {
		t.Fatal(err)
	}
	n, err := s.NodeByID(ctx, "arn:aws:iam::111:role/r")
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != KindIdentity || n.Name != "r" {
		t.Errorf("node = %s %q, want the full description (identity r)", n.Kind, n.Name)
	}
}

func TestReachFollowsOnlyTheGivenEdges(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]NodeKind{"agent": KindAgent, "role": KindIdentity, "ag": KindResource, "fn": KindResource, "key": KindCredential, "other": KindIdentity, "key2": KindCredential}
	for id, k := range nodes {
		if err := sc.Node(ctx, iamA, Node{ID: id, Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []Edge{
		{From: "agent", To: "role", Kind: EdgeRunsAs},
		{From: "agent", To: "ag", Kind: EdgeUsesTool},
		{From: "ag", To: "fn", Kind: EdgeUsesTool},
		{From: "fn", To: "key", Kind: EdgeUsesCredential},
		{From: "role", To: "other", Kind: EdgeCanAccess}, // not followed
		{From: "other", To: "key2", Kind: EdgeHasCredential},
	} {
		if err := sc.Edge(ctx, iamA, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.CompleteScope(ctx, iamA); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, ScanOK); err != nil {
		t.Fatal(err)
	}
	paths, err := s.Reach(ctx, "agent", ReachEdges, KindCredential, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0].To.ID != "key" || len(paths[0].Steps) != 3 {
		t.Fatalf("paths = %+v, want the key through ag and fn", paths)
	}
	if short, _ := s.Reach(ctx, "agent", ReachEdges, KindCredential, 2); len(short) != 0 {
		t.Errorf("depth 2 reached %+v", short)
	}
}

// A node several scopes refer to (a service principal many accounts trust)
// stays current while any current edge touches it, and goes with the last.
func TestSharedNodeStaysWhileReferenced(t *testing.T) {
	s, _ := openTemp(t)
	svc := "aws:service:lambda.amazonaws.com"
	write := func(scopes map[Scope][]string, complete ...Scope) int64 {
		t.Helper()
		ctx := context.Background()
		sc, err := s.BeginScan(ctx, ScanInfo{})
		if err != nil {
			t.Fatal(err)
		}
		for scope, roles := range scopes {
			for _, r := range roles {
				must(t, sc.Node(ctx, scope, Node{ID: svc, Kind: KindIdentity, Ref: true}))
				must(t, sc.Node(ctx, scope, Node{ID: r, Kind: KindIdentity}))
				must(t, sc.Edge(ctx, scope, Edge{From: svc, To: r, Kind: EdgeCanAssume}))
			}
		}
		for _, c := range complete {
			must(t, sc.CompleteScope(ctx, c))
		}
		must(t, sc.Finish(ctx, ScanOK))
		return sc.ID()
	}
	// Both accounts trust the service; B completes last and owns the node.
	write(map[Scope][]string{iamA: {"roleA"}, iamB: {"roleB"}}, iamA, iamB)
	// B fails twice (never completes); A keeps its trust (and so owns the
	// node), then drops it.
	write(map[Scope][]string{iamA: {"roleA"}}, iamA)
	write(map[Scope][]string{}, iamA)
	n, err := s.NodeByID(context.Background(), svc)
	if err != nil {
		t.Fatal(err)
	}
	if n.GoneIn != 0 {
		t.Fatalf("service principal gone while B's trust edge is current")
	}
	// B completes without it too: now nothing refers to it.
	third := write(map[Scope][]string{}, iamB)
	if n, _ = s.NodeByID(context.Background(), svc); n.GoneIn != third {
		t.Errorf("service principal gone_in = %d, want %d once no edge refers to it", n.GoneIn, third)
	}
	if got := currentEdges(t, s); len(got) != 0 {
		t.Errorf("current edges = %v, want none", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A scanner whose context ends (a --timeout) can still hand over what it
// found: the writer's contract is that an error means the store failed.
func TestWritesAfterTheCallersContextEnds(t *testing.T) {
	s, _ := openTemp(t)
	sc, err := s.BeginScan(context.Background(), ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 100; i++ {
		if err := sc.Node(ctx, iamA, Node{ID: fmt.Sprint("n", i), Kind: KindIdentity}); err != nil {
			t.Fatalf("Node after cancel: %v", err)
		}
	}
	if err := sc.RecordError(ctx, ScanError{Provider: "aws", Operation: "x", Message: "timed out"}); err != nil {
		t.Fatalf("RecordError after cancel: %v", err)
	}
	if err := sc.CompleteScope(ctx, iamA); err != nil {
		t.Fatalf("CompleteScope after cancel: %v", err)
	}
	must(t, sc.Finish(ctx, ScanPartial))
	if got := currentIDs(t, s); len(got) != 100 {
		t.Errorf("%d nodes current, want 100", len(got))
	}
}

func TestOneScanAtATime(t *testing.T) {
	s, p := openTemp(t)
	ctx := context.Background()
	first, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	// A second process (here: a second store on the same file) is refused.
	other, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.BeginScan(ctx, ScanInfo{}); err == nil || !strings.Contains(err.Error(), "another aam scan is writing") || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("second scan: err = %v, want a refusal with a hint", err)
	}
	must(t, first.Finish(ctx, ScanOK))
	second, err := other.BeginScan(ctx, ScanInfo{})
	if err != nil {
		t.Fatalf("scan after the first finished: %v", err)
	}
	must(t, second.Finish(ctx, ScanOK))
	if rec, _ := s.ScanByID(ctx, first.ID()); rec.Status != ScanOK {
		t.Errorf("first scan status %s, want ok (not interrupted)", rec.Status)
	}
}

func TestNoteFingerprintKey(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tt := range []struct{ id, wantPrev string }{{"k1", ""}, {"k1", ""}, {"k2", "k1"}, {"k2", ""}} {
		prev, err := s.NoteFingerprintKey(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if prev != tt.wantPrev {
			t.Errorf("NoteFingerprintKey(%s) = %q, want %q", tt.id, prev, tt.wantPrev)
		}
	}
	res, err := s.Query(ctx, "SELECT ref FROM current_nodes LIMIT 1")
	if err != nil || len(res.Columns) != 1 {
		t.Errorf("current_nodes has no ref column: %v", err)
	}
}

// Writers that do not scan (posture, remediation, the broker) open without
// the scan lock: several opening one new file at once all get a migrated
// database, none fails on tables another created.
func TestConcurrentFirstOpensMigrateOnce(t *testing.T) {
	for round := range 5 {
		p := filepath.Join(t.TempDir(), "aam.db")
		const openers = 6
		errs := make(chan error, openers)
		start := make(chan struct{})
		for range openers {
			go func() {
				<-start
				s, err := Open(context.Background(), p)
				if err == nil {
					var v int
					v, err = s.version(context.Background())
					if err == nil && v != SchemaVersion() {
						err = fmt.Errorf("version %d after Open, want %d", v, SchemaVersion())
					}
					s.Close()
				}
				errs <- err
			}()
		}
		close(start)
		for range openers {
			if err := <-errs; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}
