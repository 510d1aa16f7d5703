// Package inventorytest provides what tests of the inventory and of its
// readers share: a generated estate of any size, a reference walk to check
// Store.ReachFrom against, and the query plans of the statements a store ran.
package inventorytest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aam-dev/aam/inventory"
)

// Tenant is the account of the estate WriteEstate writes.
const Tenant = "111111111111"

// AgentID is the id of agent i of the estate WriteEstate writes.
func AgentID(i int) string {
	return fmt.Sprintf("arn:aws:bedrock:us-east-1:%s:agent/AGENT%05d", Tenant, i)
}

// WriteEstate writes, in one finished scan, an estate of the given number
// of agents that exercises every edge Reach follows. Agent i runs as its
// role, and uses an action group whose Lambda runs as a role shared by ten
// Lambdas, holds an inline secret and uses the access key of a user shared
// by five agents; every fourth agent role can escalate to the next agent's
// role and every sixth can read its Lambda's secret. Each agent role can assume the next agent's role (the
// last the first's), reads a bucket, writes a table, and every third is
// admin of it or has a level that could not be read. Some edges point at
// nodes no scope described, and each agent also has edges Reach does not
// follow.
func WriteEstate(ctx context.Context, s *inventory.Store, agents int) error {
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{Providers: []string{"aws"}})
	if err != nil {
		return err
	}
	w := &estateWriter{ctx: ctx, sc: sc,
		global: inventory.Scope{Provider: "aws", Tenant: Tenant, Name: inventory.GlobalScope},
		region: inventory.Scope{Provider: "aws", Tenant: Tenant, Name: "us-east-1/bedrock-agent"}}
	iam := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", Tenant, kind, name) }
	for i := 0; i < agents; i++ {
		agent := AgentID(i)
		role := iam("role", fmt.Sprintf("agent-%05d", i))
		nextRole := iam("role", fmt.Sprintf("agent-%05d", (i+1)%agents))
		group := fmt.Sprintf("%s/actiongroup/G%05d", agent, i)
		fn := fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:tools-%05d", Tenant, i)
		fnRole := iam("role", fmt.Sprintf("lambda-%05d", i/10))
		secret := fn + "#env/API_TOKEN"
		user := iam("user", fmt.Sprintf("deployer-%05d", i/5))
		key := fmt.Sprintf("aws:access-key:AKIA%016d", i/5)
		bucket := fmt.Sprintf("arn:aws:s3:::bucket-%05d", i)
		table := fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/orders-%05d", Tenant, i)
		level := inventory.LevelWrite
		switch i % 3 {
		case 1:
			level = inventory.LevelAdmin
		case 2:
			level = inventory.LevelUnknown
		}
		w.node(w.region, agent, inventory.KindAgent, fmt.Sprintf("agent-%05d", i), "bedrock_agent", nil)
		w.node(w.region, group, inventory.KindResource, "tools", "bedrock_action_group", nil)
		w.node(w.region, fn, inventory.KindResource, fmt.Sprintf("tools-%05d", i), "lambda_function", nil)
		w.node(w.region, secret, inventory.KindCredential, "API_TOKEN", "inline_secret", map[string]any{inventory.AttrStanding: true})
		w.node(w.global, role, inventory.KindIdentity, fmt.Sprintf("agent-%05d", i), "iam_role", nil)
		w.node(w.global, fnRole, inventory.KindIdentity, fmt.Sprintf("lambda-%05d", i/10), "iam_role", nil)
		w.node(w.global, user, inventory.KindIdentity, fmt.Sprintf("deployer-%05d", i/5), "iam_user", nil)
		w.node(w.global, key, inventory.KindCredential, fmt.Sprintf("AKIA%016d", i/5), "iam_access_key", map[string]any{inventory.AttrStanding: i%2 == 0})
		w.node(w.global, bucket, inventory.KindResource, fmt.Sprintf("bucket-%05d", i), "s3_bucket", nil)
		w.node(w.global, table, inventory.KindResource, fmt.Sprintf("orders-%05d", i), "dynamodb_table", nil)
		w.edge(w.region, agent, inventory.EdgeRunsAs, role, nil)
		w.edge(w.region, agent, inventory.EdgeUsesTool, group, nil)
		w.edge(w.region, group, inventory.EdgeUsesTool, fn, nil)
		w.edge(w.region, fn, inventory.EdgeRunsAs, fnRole, nil)
		w.edge(w.region, fn, inventory.EdgeHoldsSecret, secret, map[string]any{"env_var": "API_TOKEN"})
		w.edge(w.region, fn, inventory.EdgeUsesCredential, key, map[string]any{"env_var": "DEPLOYER_KEY_ID"})
		// A tool only a person or an undescribed node stands behind.
		w.edge(w.region, agent, inventory.EdgeUsesTool, fmt.Sprintf("mcp:undescribed:%05d", i), nil)
		w.edge(w.region, agent, inventory.EdgeOwnedBy, fmt.Sprintf("person:owner-%05d", i/7), nil)
		w.edge(w.global, user, inventory.EdgeHasCredential, key, nil)
		w.edge(w.global, role, inventory.EdgeCanAssume, nextRole, nil)
		w.edge(w.global, fnRole, inventory.EdgeCanAssume, role, nil)
		w.edge(w.global, role, inventory.EdgeCanAccess, bucket, map[string]any{inventory.AttrLevel: inventory.LevelRead})
		w.edge(w.global, role, inventory.EdgeCanAccess, table, map[string]any{inventory.AttrLevel: level})
		w.edge(w.global, fnRole, inventory.EdgeCanAccess, table, map[string]any{inventory.AttrLevel: inventory.LevelRead})
		// Every fourth agent role can act as the next agent's role (which
		// is admin of its table); every sixth can read its tool's secret.
		if i%4 == 0 {
			w.edge(w.global, role, inventory.EdgeCanEscalate, nextRole, Escalation(role, nextRole, "sts:AssumeRole", "").Attrs)
		}
		if i%6 == 0 {
			w.edge(w.region, role, inventory.EdgeCanEscalate, secret, Escalation(role, secret, "lambda:GetFunctionConfiguration", "").Attrs)
		}
	}
	for _, scope := range []inventory.Scope{w.global, w.region} {
		if w.err == nil {
			w.err = sc.CompleteScope(ctx, scope)
		}
	}
	if w.err != nil {
		sc.Abandon()
		return w.err
	}
	return sc.Finish(ctx, inventory.ScanOK)
}

type estateWriter struct {
	ctx            context.Context
	sc             *inventory.Scan
	global, region inventory.Scope
	err            error
}

func (w *estateWriter) node(scope inventory.Scope, id string, kind inventory.NodeKind, name, typ string, attrs map[string]any) {
	if w.err != nil {
		return
	}
	a := map[string]any{inventory.AttrType: typ}
	for k, v := range attrs {
		a[k] = v
	}
	w.err = w.sc.Node(w.ctx, scope, inventory.Node{ID: id, Kind: kind, Provider: scope.Provider, Tenant: scope.Tenant, Name: name, Attrs: a})
}

func (w *estateWriter) edge(scope inventory.Scope, from string, kind inventory.EdgeKind, to string, attrs map[string]any) {
	if w.err != nil {
		return
	}
	w.err = w.sc.Edge(w.ctx, scope, inventory.Edge{From: from, To: to, Kind: kind, Attrs: attrs})
}

// BreadthFirstReach is the reference for Store.ReachFrom: a breadth-first
// walk out of start, one query per node, that takes each node's current
// edges of the follow kinds in order of kind then target id and keeps the
// first path to every node, up to maxDepth edges. It returns the current
// nodes found, ordered by path length then id, each identity with the
// highest level among its can_access edges (or its stored effective level
// when that is higher) and each credential with
// whether it is standing.
func BreadthFirstReach(ctx context.Context, s *inventory.Store, start string, follow []inventory.EdgeKind, maxDepth int) ([]inventory.Reached, error) {
	allowed := map[inventory.EdgeKind]bool{}
	for _, k := range follow {
		allowed[k] = true
	}
	type item struct {
		id    string
		steps []inventory.EdgeRecord
	}
	seen := map[string]bool{start: true}
	queue := []item{{id: start}}
	var out []inventory.Reached
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if len(cur.steps) >= maxDepth {
			continue
		}
		edges, _, err := s.EdgesOf(ctx, cur.id)
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			if !allowed[e.Kind] || seen[e.To] {
				continue
			}
			seen[e.To] = true
			steps := append(append([]inventory.EdgeRecord(nil), cur.steps...), e)
			queue = append(queue, item{id: e.To, steps: steps})
			n, err := s.NodeByID(ctx, e.To)
			if errors.Is(err, inventory.ErrNotFound) || err == nil && n.GoneIn != 0 {
				continue
			}
			if err != nil {
				return nil, err
			}
			r := inventory.Reached{Path: inventory.Path{To: n, Steps: steps}}
			switch n.Kind {
			case inventory.KindIdentity:
				grants, _, err := s.EdgesOf(ctx, n.ID)
				if err != nil {
					return nil, err
				}
				for _, a := range grants {
					if l, ok := a.Attrs[inventory.AttrLevel].(string); ok && a.Kind == inventory.EdgeCanAccess &&
						inventory.AccessLevelRank(l) > inventory.AccessLevelRank(r.Access) {
						r.Access = l
					}
				}
				// What its escalation steps give is the store's to say
				// (tested on its own); the walk's is the rest.
				eff, err := s.EffectiveAccessOf(ctx, []string{n.ID})
				if err != nil {
					return nil, err
				}
				r.Access = inventory.HighestAccess(r.Access, eff[n.ID].Level)
			case inventory.KindCredential:
				r.Standing = n.Attrs[inventory.AttrStanding] == true
			}
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].Steps) != len(out[j].Steps) {
			return len(out[i].Steps) < len(out[j].Steps)
		}
		return out[i].To.ID < out[j].To.ID
	})
	return out, nil
}

// Statement is one SQL statement a store ran.
type Statement struct {
	Query string
	Args  []any
}

// Record returns the statements s runs from now until stop is called.
func Record(s *inventory.Store) (stop func() []Statement) {
	var mu sync.Mutex
	var got []Statement
	s.TraceStatements(func(q string, args []any) {
		mu.Lock()
		got = append(got, Statement{Query: q, Args: args})
		mu.Unlock()
	})
	return func() []Statement {
		s.TraceStatements(nil)
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

// TableScans runs EXPLAIN QUERY PLAN for each statement on the database
// file at path and returns, for each that reads all of the nodes or edges
// table (or a whole index of it), the statement and its plan.
func TableScans(ctx context.Context, path string, stmts []Statement) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var scans []string
	for _, st := range stmts {
		plan, err := queryPlan(ctx, db, st)
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", st.Query, err)
		}
		names := graphTableNames(st.Query)
		for _, line := range plan {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "SCAN" && names[f[1]] {
				scans = append(scans, fmt.Sprintf("%s\n  plan:\n    %s", st.Query, strings.Join(plan, "\n    ")))
				break
			}
		}
	}
	return scans, nil
}

func queryPlan(ctx context.Context, db *sql.DB, st Statement) ([]string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+st.Query, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

// tableRef finds where a query names the nodes or edges table (or one of
// the views of their current rows), and the alias it gives it.
var tableRef = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+((?:current_)?(?:nodes|edges))\b(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?`)

// graphTableNames are the names a query plan may give the nodes and edges
// tables: their own, and their aliases in query.
func graphTableNames(query string) map[string]bool {
	names := map[string]bool{"nodes": true, "edges": true, "current_nodes": true, "current_edges": true}
	for _, m := range tableRef.FindAllStringSubmatch(query, -1) {
		switch alias := strings.ToUpper(m[2]); alias {
		case "", "WHERE", "JOIN", "LEFT", "INNER", "CROSS", "ON", "ORDER", "GROUP", "LIMIT", "USING", "NATURAL", "UNION":
		default:
			names[m[2]] = true
		}
	}
	return names
}

// Graph is a hand-written graph for tests: the nodes and edges each scope
// holds. Nodes reached only by an edge need not be listed.
type Graph struct {
	Nodes map[inventory.Scope][]inventory.Node
	Edges map[inventory.Scope][]inventory.Edge
}

// Add adds nodes and edges to scope and returns g.
func (g *Graph) Add(scope inventory.Scope, rows ...any) *Graph {
	if g.Nodes == nil {
		g.Nodes, g.Edges = map[inventory.Scope][]inventory.Node{}, map[inventory.Scope][]inventory.Edge{}
	}
	for _, r := range rows {
		switch r := r.(type) {
		case inventory.Node:
			r.Provider, r.Tenant = scope.Provider, scope.Tenant
			if r.Name == "" {
				r.Name = r.ID
			}
			g.Nodes[scope] = append(g.Nodes[scope], r)
		case inventory.Edge:
			g.Edges[scope] = append(g.Edges[scope], r)
		default:
			panic(fmt.Sprintf("inventorytest: Graph.Add of a %T", r))
		}
	}
	return g
}

// WriteScan writes g in one scan that completes the scopes given (every
// scope of g when none is) and finishes ok.
func WriteScan(ctx context.Context, s *inventory.Store, g *Graph, complete ...inventory.Scope) error {
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{Providers: []string{"aws"}})
	if err != nil {
		return err
	}
	if len(complete) == 0 {
		seen := map[inventory.Scope]bool{}
		for scope := range g.Nodes {
			seen[scope] = true
		}
		for scope := range g.Edges {
			seen[scope] = true
		}
		for scope := range seen {
			complete = append(complete, scope)
		}
		sort.Slice(complete, func(i, j int) bool { return complete[i].String() < complete[j].String() })
	}
	err = func() error {
		for scope, ns := range g.Nodes {
			for _, n := range ns {
				if err := sc.Node(ctx, scope, n); err != nil {
					return err
				}
			}
		}
		for scope, es := range g.Edges {
			for _, e := range es {
				if err := sc.Edge(ctx, scope, e); err != nil {
					return err
				}
			}
		}
		for _, scope := range complete {
			if err := sc.CompleteScope(ctx, scope); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		sc.Abandon()
		return err
	}
	return sc.Finish(ctx, inventory.ScanOK)
}

// Identity is an identity node of the given type ("iam_role").
func Identity(id, typ string) inventory.Node {
	return inventory.Node{ID: id, Kind: inventory.KindIdentity, Attrs: map[string]any{inventory.AttrType: typ}}
}

// Credential is a credential node, standing or not.
func Credential(id string, standing bool) inventory.Node {
	return inventory.Node{ID: id, Kind: inventory.KindCredential, Attrs: map[string]any{inventory.AttrStanding: standing}}
}

// Access is a can_access edge of the given level.
func Access(from, to, level string) inventory.Edge {
	return inventory.Edge{From: from, To: to, Kind: inventory.EdgeCanAccess, Attrs: map[string]any{inventory.AttrLevel: level}}
}

// Escalation is a can_escalate edge taken by method; levelCap, when not
// "", is its AttrLevelCap.
func Escalation(from, to, method, levelCap string) inventory.Edge {
	attrs := map[string]any{inventory.AttrMethod: method, inventory.AttrPermissions: strings.Split(method, "+")}
	if levelCap != "" {
		attrs[inventory.AttrLevelCap] = levelCap
	}
	return inventory.Edge{From: from, To: to, Kind: inventory.EdgeCanEscalate, Attrs: attrs}
}
