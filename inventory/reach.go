package inventory

import (
	"context"
	"errors"
	"sort"
)

// Path is a chain of current edges from a start node to a reached node.
type Path struct {
	To    NodeRecord
	Steps []EdgeRecord
}

// ReachEdges are the edges along which what a node can use flows: what it
// runs as, the tools it uses, the credentials those use or hold, and the
// roles its identities can assume.
var ReachEdges = []EdgeKind{EdgeRunsAs, EdgeUsesTool, EdgeUsesCredential, EdgeHasCredential, EdgeHoldsSecret, EdgeCanAssume}

// Reach walks current edges of the given kinds out of start, breadth first,
// up to maxDepth edges, and returns the shortest path to every node of kind
// want that it reaches (every node when want is empty), ordered by length
// then id.
func (s *Store) Reach(ctx context.Context, start string, follow []EdgeKind, want NodeKind, maxDepth int) ([]Path, error) {
	allowed := map[EdgeKind]bool{}
	for _, k := range follow {
		allowed[k] = true
	}
	type item struct {
		id    string
		steps []EdgeRecord
	}
	seen := map[string]bool{start: true}
	queue := []item{{id: start}}
	var out []Path
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
			steps := append(append([]EdgeRecord(nil), cur.steps...), e)
			if want == "" || e.PeerKind == want {
				n, err := s.NodeByID(ctx, e.To)
				switch {
				case errors.Is(err, ErrNotFound):
					// An edge to a node no scope wrote: nothing to show.
				case err != nil:
					return nil, err
				case n.GoneIn == 0:
					out = append(out, Path{To: n, Steps: steps})
				}
			}
			queue = append(queue, item{id: e.To, steps: steps})
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
