package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Path is a chain of current edges from a start node to a reached node.
type Path struct {
	To    NodeRecord
	Steps []EdgeRecord
}

// Reached is a current node a walk reached, the shortest path to it, and
// what the graph says it grants.
type Reached struct {
	Path
	// Access is, for an identity, its effective level (EffectiveAccess
	// Level): the highest AttrLevel among its current can_access edges and
	// those of every identity it can become through can_escalate edges;
	// "" for other kinds, and for an identity without any.
	Access string
	// Standing is true for a credential whose AttrStanding is true: a
	// secret that does not expire on its own.
	Standing bool
}

// ReachEdges are the edges along which what a node can use flows: what it
// runs as, the tools it uses, the credentials those use or hold, and the
// roles its identities can assume.
var ReachEdges = []EdgeKind{EdgeRunsAs, EdgeUsesTool, EdgeUsesCredential, EdgeHasCredential, EdgeHoldsSecret, EdgeCanAssume}

// ReachDepth bounds what an agent reaches: agent → action group → Lambda →
// key is 3 edges, and a role it can assume and that role's key 2 more.
const ReachDepth = 6

// HighestAccess is the highest of levels by AccessLevelRank, or "" when
// none of them is a level.
func HighestAccess(levels ...string) string {
	best := ""
	for _, l := range levels {
		if AccessLevelRank(l) > AccessLevelRank(best) {
			best = l
		}
	}
	return best
}

// Reach is ReachFrom for one start, returning only the nodes of kind want
// (every node when want is empty).
func (s *Store) Reach(ctx context.Context, start string, follow []EdgeKind, want NodeKind, maxDepth int) ([]Reached, error) {
	all, err := s.ReachFrom(ctx, []string{start}, follow, maxDepth)
	if err != nil {
		return nil, err
	}
	var out []Reached
	for _, r := range all[start] {
		if want == "" || r.To.Kind == want {
			out = append(out, r)
		}
	}
	return out, nil
}

// ReachFrom walks current edges of the follow kinds out of every start, up
// to maxDepth edges, and returns for each start every current node it
// reaches (the start itself excepted), ordered by path length then id. It
// runs one SQL statement, whatever the number of starts, nodes or edges.
//
// The path to each node is the one a breadth-first walk that takes each
// node's edges in order of kind then target id finds first: the shortest,
// and among the shortest the least when their edges are compared in turn,
// by kind then target id. A walk goes on through nodes that are gone or
// were never described, but returns only current nodes.
func (s *Store) ReachFrom(ctx context.Context, starts []string, follow []EdgeKind, maxDepth int) (map[string][]Reached, error) {
	if len(starts) == 0 || len(follow) == 0 || maxDepth < 1 {
		return map[string][]Reached{}, nil
	}
	startsJSON, err := json.Marshal(starts)
	if err != nil {
		return nil, err
	}
	followJSON, err := json.Marshal(follow)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, reachSQL, string(startsJSON), string(followJSON), maxDepth,
		string(KindIdentity), string(EdgeCanAccess), "$."+AttrLevel)
	if err != nil {
		return nil, fmt.Errorf("reach: %w", err)
	}
	defer rows.Close()
	var hops []reachHop
	for rows.Next() {
		var (
			h      reachHop
			nr     nodeRow
			er     edgeRow
			levels *string
		)
		dest := append(nr.dest(), &h.known, &h.start, &h.depth)
		if err := rows.Scan(append(append(dest, er.dest()...), &levels)...); err != nil {
			return nil, fmt.Errorf("reach: %w", err)
		}
		if h.to, err = nr.record(); err != nil {
			return nil, err
		}
		if h.edge, err = er.record(); err != nil {
			return nil, err
		}
		if h.access, err = highestOf(levels); err != nil {
			return nil, fmt.Errorf("reach: access of %s: %w", h.to.ID, err)
		}
		hops = append(hops, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reach: %w", err)
	}
	return firstPaths(hops)
}

// reachSQL finds, in ?1 (a JSON array of start ids), every node within ?3
// edges of the kinds in ?2 (a JSON array) and its distance, then returns
// the edges that end a shortest path to each: those from a node one edge
// nearer. Each row holds the node reached (with its effective level when
// it is an identity, or the levels of its current can_access edges when
// none is stored, ?4, ?5 and ?6 being the
// identity kind, the can_access kind and the JSON path of the level), the
// start, the distance and the edge; rows are ordered by start, distance
// and node id. The walk keeps one row per start, node and distance, so its
// size is bounded by the edges each start reaches times the depth.
//
// The edges that end a path are looked up from the nearer node, by the
// edges' UNIQUE (from_id, kind, to_id), never by to_id alone: a node many
// edges point at (an admin role a thousand agents run as) would otherwise
// cost every walk that reaches it all of its incoming edges.
const reachSQL = `WITH RECURSIVE
follow(kind) AS (SELECT value FROM json_each(?2)),
walk(start, id, depth) AS (
    SELECT value, value, 0 FROM json_each(?1)
    UNION
    SELECT w.start, e.to_id, w.depth + 1
    FROM walk w JOIN edges e ON e.from_id = w.id
    WHERE w.depth < ?3 AND e.kind IN (SELECT kind FROM follow) AND e.gone_in IS NULL),
dist(start, id, depth) AS (SELECT start, id, min(depth) FROM walk GROUP BY start, id)
SELECT coalesce(n.id, v.id), coalesce(n.kind, ''), coalesce(n.provider, ''), coalesce(n.tenant, ''), coalesce(n.name, ''),
       n.created_at, n.last_used_at, n.expires_at, coalesce(n.attrs, '{}'),
       coalesce(n.first_seen, 0), coalesce(n.last_seen, 0), coalesce(n.gone_in, 0),
       n.id IS NOT NULL, v.start, v.depth, ` + edgeColumns + `,
       CASE WHEN n.kind = ?4 THEN coalesce(
           (SELECT json_array(x.level) FROM effective_access x WHERE x.identity_id = v.id),
           (SELECT json_group_array(json_extract(a.attrs, ?6)) FROM edges a
            WHERE a.from_id = v.id AND a.kind = ?5 AND a.gone_in IS NULL)) END
FROM dist v
JOIN dist u ON u.start = v.start AND u.depth = v.depth - 1
JOIN edges e INDEXED BY sqlite_autoindex_edges_1
    ON e.from_id = u.id AND e.kind IN (SELECT kind FROM follow) AND e.to_id = v.id AND e.gone_in IS NULL
LEFT JOIN nodes n ON n.id = v.id
WHERE v.depth > 0
ORDER BY v.start, v.depth, v.id`

// reachHop is a row of reachSQL: an edge that ends a shortest path from
// start to the node to, depth edges long.
type reachHop struct {
	start  string
	depth  int
	edge   EdgeRecord
	to     NodeRecord
	known  bool // to is described in nodes
	access string
}

// firstPaths picks from hops, ordered by start, depth and node, the path a
// breadth-first walk would find first to each node: a queue holds each
// depth's nodes in the order they were found (by the rank of the node they
// were found from, then the edge's kind, then their id), and a node is
// found from the first node in that order that has an edge to it.
func firstPaths(hops []reachHop) (map[string][]Reached, error) {
	out := map[string][]Reached{}
	for i := 0; i < len(hops); {
		start := hops[i].start
		// rank is each found node's place in the queue among its depth's.
		rank := map[string]int{start: 0}
		paths := map[string][]EdgeRecord{start: nil}
		for i < len(hops) && hops[i].start == start {
			depth := hops[i].depth
			var level []*reachHop // the hop each node of this depth is found by
			for ; i < len(hops) && hops[i].start == start && hops[i].depth == depth; i++ {
				h := &hops[i]
				if _, ok := rank[h.edge.From]; !ok {
					return nil, fmt.Errorf("reach: %s is found from %s, which is not %d edges from %s", h.to.ID, h.edge.From, depth-1, start)
				}
				if n := len(level); n > 0 && level[n-1].to.ID == h.to.ID {
					if firstFound(h, level[n-1], rank) {
						level[n-1] = h
					}
					continue
				}
				level = append(level, h)
			}
			for _, h := range level {
				steps := append(append([]EdgeRecord(nil), paths[h.edge.From]...), h.edge)
				paths[h.to.ID] = steps
				if !h.known || h.to.GoneIn != 0 {
					continue
				}
				r := Reached{Path: Path{To: h.to, Steps: steps}}
				switch h.to.Kind {
				case KindIdentity:
					r.Access = h.access
				case KindCredential:
					r.Standing = h.to.Attrs[AttrStanding] == true
				}
				out[start] = append(out[start], r)
			}
			// The next depth's nodes are found in this order.
			queue := append([]*reachHop(nil), level...)
			sort.Slice(queue, func(a, b int) bool { return firstFound(queue[a], queue[b], rank) })
			for r, h := range queue {
				rank[h.to.ID] = r
			}
		}
	}
	return out, nil
}

// firstFound reports whether a breadth-first walk takes hop a before hop b:
// a leaves a node earlier in the queue, or the same node by an edge of a
// lesser kind, or of the same kind to a lesser id.
func firstFound(a, b *reachHop, rank map[string]int) bool {
	if ra, rb := rank[a.edge.From], rank[b.edge.From]; ra != rb {
		return ra < rb
	}
	if a.edge.Kind != b.edge.Kind {
		return a.edge.Kind < b.edge.Kind
	}
	return a.edge.To < b.edge.To
}

// highestOf is the HighestAccess of a JSON array of levels (not all of
// them strings), or "" for NULL.
func highestOf(levels *string) (string, error) {
	if levels == nil {
		return "", nil
	}
	var vals []any
	if err := json.Unmarshal([]byte(*levels), &vals); err != nil {
		return "", err
	}
	var ls []string
	for _, v := range vals {
		if l, ok := v.(string); ok {
			ls = append(ls, l)
		}
	}
	return HighestAccess(ls...), nil
}
