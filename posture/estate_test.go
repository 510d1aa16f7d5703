package posture

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// testNow is the pinned clock of the per-control tests.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// daysAgo is a time n days before testNow.
func daysAgo(n int) time.Time { return testNow.AddDate(0, 0, -n) }

// estate is a small inventory written through a real scan on real SQLite,
// for a control's positive and negative cases.
type estate struct {
	t     *testing.T
	nodes []inventory.Node
	edges []inventory.Edge
	// failed scopes: recorded as errors, never completed
	failed []inventory.ScanError
	// gone nodes and edges: written by an earlier scan, missing from the
	// last one, so the inventory keeps them marked gone
	goneNodes []inventory.Node
	goneEdges []inventory.Edge
}

func newEstate(t *testing.T) *estate { return &estate{t: t} }

// node adds a node of the account 111111111111 (tenant may be overridden
// by setting n.Tenant).
func (e *estate) node(n inventory.Node) *estate {
	if n.Provider == "" {
		n.Provider = "aws"
	}
	if n.Tenant == "" {
		n.Tenant = "111111111111"
	}
	if n.Name == "" {
		n.Name = filepath.Base(n.ID)
	}
	if n.Attrs == nil {
		n.Attrs = map[string]any{}
	}
	e.nodes = append(e.nodes, n)
	return e
}

func (e *estate) edge(from string, kind inventory.EdgeKind, to string, attrs map[string]any) *estate {
	if attrs == nil {
		attrs = map[string]any{}
	}
	e.edges = append(e.edges, inventory.Edge{From: from, Kind: kind, To: to, Attrs: attrs})
	return e
}

// gone moves the nodes of ids, and every edge from or to them, to an
// earlier scan: the last scan no longer has them, so they are gone.
func (e *estate) gone(ids ...string) *estate {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	var nodes []inventory.Node
	for _, n := range e.nodes {
		if drop[n.ID] {
			e.goneNodes = append(e.goneNodes, n)
		} else {
			nodes = append(nodes, n)
		}
	}
	var edges []inventory.Edge
	for _, ed := range e.edges {
		if drop[ed.From] || drop[ed.To] {
			e.goneEdges = append(e.goneEdges, ed)
		} else {
			edges = append(edges, ed)
		}
	}
	e.nodes, e.edges = nodes, edges
	return e
}

// fail records a failure of a scope that the scan does not complete.
func (e *estate) fail(se inventory.ScanError) *estate {
	e.failed = append(e.failed, se)
	return e
}

// store writes the estate in one finished scan: every node and edge in the
// scope aws/TENANT/global of its tenant (after an earlier scan that also
// had the gone ones), and returns the store, open read-only as aam posture
// opens it.
func (e *estate) store() *inventory.Store {
	t := e.t
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aam.db")
	s, err := inventory.OpenForScan(ctx, path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.goneNodes)+len(e.goneEdges) > 0 {
		// The earlier scan: everything, the gone items included.
		e.scan(ctx, s, append(append([]inventory.Node(nil), e.goneNodes...), e.nodes...), append(append([]inventory.Edge(nil), e.goneEdges...), e.edges...), nil)
	}
	e.scan(ctx, s, e.nodes, e.edges, e.failed)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := inventory.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

// evaluate runs the built-in control id over the estate at testNow, with
// thresholds overriding its defaults, and returns its findings.
func (e *estate) evaluate(id string, thresholds map[string]int) []Finding {
	t := e.t
	t.Helper()
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ctl, ok := cat.Lookup(id)
	if !ok {
		t.Fatalf("no built-in control %s", id)
	}
	o := Options{Now: testNow}
	if thresholds != nil {
		o.Thresholds = map[string]map[string]int{id: thresholds}
	}
	ev, err := Evaluate(context.Background(), e.store(), &Catalogue{Controls: []*Control{ctl}}, o)
	if err != nil {
		t.Fatal(err)
	}
	return ev.Findings
}

// subjects are the subject ids of findings of status st, sorted.
func subjects(fs []Finding, st Status) []string {
	var out []string
	for _, f := range fs {
		if f.Status == st {
			out = append(out, f.SubjectID)
		}
	}
	sort.Strings(out)
	return out
}

func namedArg(name string, v any) any { return sql.Named(name, v) }

// scan writes nodes and edges in one finished scan that completes the
// scope of each tenant they belong to, and records failed.
func (e *estate) scan(ctx context.Context, s *inventory.Store, nodes []inventory.Node, edges []inventory.Edge, failed []inventory.ScanError) {
	t := e.t
	t.Helper()
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{Providers: []string{"aws"}, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[inventory.Scope]bool{}
	scopeOf := func(tenant string) inventory.Scope {
		sc := inventory.Scope{Provider: "aws", Tenant: tenant, Name: inventory.GlobalScope}
		scopes[sc] = true
		return sc
	}
	tenantOf := map[string]string{}
	for _, n := range nodes {
		tenantOf[n.ID] = n.Tenant
		if err := sc.Node(ctx, scopeOf(n.Tenant), n); err != nil {
			t.Fatal(err)
		}
	}
	for _, ed := range edges {
		tenant := tenantOf[ed.From]
		if tenant == "" {
			tenant = "111111111111"
		}
		if err := sc.Edge(ctx, scopeOf(tenant), ed); err != nil {
			t.Fatal(err)
		}
	}
	for s := range scopes {
		if err := sc.CompleteScope(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range failed {
		if err := sc.RecordError(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
}
