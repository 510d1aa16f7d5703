package posture

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// evalFunc is a control written in Go, for what SQL cannot say well: a
// walk of the graph as aam inventory show takes it.
type evalFunc func(ctx context.Context, inv Inventory, th map[string]int, now time.Time, emit func(row) error) error

// goEvaluator finds a built-in Go evaluator by the name a control file
// gives under evaluator.
func goEvaluator(name string) (evalFunc, bool) {
	switch name {
	case "agent-reaches-standing-credential":
		return agentReachesStandingCredential, true
	case "identity-shared-across-environments":
		return identitySharedAcrossEnvironments, true
	}
	return nil, false
}

// agentsNearStandingCredentials lists, by id, the current agents that may
// reach a standing credential: those a walk backwards from every standing
// credential meets, along the edges a reach follows and can_escalate, as
// far as a reach and an escalation can go. It is a superset of the agents
// the control reports, found without walking out of every agent: most
// agents of a large estate reach no standing secret.
func agentsNearStandingCredentials(ctx context.Context, inv Inventory) ([]string, error) {
	kinds, err := json.Marshal(append(append([]inventory.EdgeKind(nil), inventory.ReachEdges...), inventory.EdgeCanEscalate))
	if err != nil {
		return nil, err
	}
	var ids []string
	err = inv.EachRow(ctx, `WITH RECURSIVE
		follow(kind) AS (SELECT value FROM json_each(:kinds)),
		back(id, depth) AS (
			SELECT id, 0 FROM nodes
			WHERE kind = 'credential' AND gone_in IS NULL AND json_extract(attrs, '$.standing') = 1
			UNION
			SELECT e.from_id, b.depth + 1 FROM back b JOIN edges e ON e.to_id = b.id
			WHERE b.depth < :depth AND e.kind IN (SELECT kind FROM follow) AND e.gone_in IS NULL)
		SELECT DISTINCT n.id FROM back b JOIN nodes n ON n.id = b.id
		WHERE n.kind = 'agent' AND n.gone_in IS NULL ORDER BY n.id`,
		[]any{sql.Named("kinds", string(kinds)), sql.Named("depth", inventory.ReachDepth+inventory.EscalationDepth)},
		func(_ []string, r []any) error {
			ids = append(ids, asString(r[0]))
			return nil
		})
	return ids, err
}

// agentsPerWalk bounds how many agents one reach walk starts from, so that
// what a walk holds stays small on a large estate.
const agentsPerWalk = 500

// agentReachesStandingCredential finds each agent that can use a standing
// credential: along what it runs as, the tools it uses and what they hold
// (the walk aam inventory show takes), or by reading it through a
// can_escalate step of an identity it reaches. One finding per agent and
// credential, with the path.
func agentReachesStandingCredential(ctx context.Context, inv Inventory, _ map[string]int, _ time.Time, emit func(row) error) error {
	agents, err := agentsNearStandingCredentials(ctx, inv)
	if err != nil {
		return err
	}
	var batches [][]string
	for len(agents) > 0 {
		n := min(agentsPerWalk, len(agents))
		batches = append(batches, agents[:n])
		agents = agents[n:]
	}
	// Walks run on as many read connections as there are processors; their
	// rows are emitted in the agents' order, whatever order they end in.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(batches)))
	results := make([]chan []row, len(batches))
	for i := range results {
		results[i] = make(chan []row, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for i := range next {
				rows, err := standingCredentialRows(ctx, inv, batches[i])
				if err != nil {
					errs <- err
					cancel()
					return
				}
				results[i] <- rows
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range batches {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range batches {
		select {
		case rows := <-results[i]:
			for _, r := range rows {
				if err := emit(r); err != nil {
					return err
				}
			}
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// standingCredentialRows walks out of one batch of agents.
func standingCredentialRows(ctx context.Context, inv Inventory, batch []string) ([]row, error) {
	reached, err := inv.ReachFrom(ctx, batch, inventory.ReachEdges, inventory.ReachDepth)
	if err != nil {
		return nil, err
	}
	var identities []string
	seenIdentity := map[string]bool{}
	for _, a := range batch {
		for _, r := range reached[a] {
			if r.To.Kind == inventory.KindIdentity && !seenIdentity[r.To.ID] {
				seenIdentity[r.To.ID] = true
				identities = append(identities, r.To.ID)
			}
		}
	}
	sort.Strings(identities)
	escalated, err := inv.EscalationCredentials(ctx, identities)
	if err != nil {
		return nil, err
	}
	var out []row
	for _, a := range batch {
		seen := map[string]bool{}
		for _, r := range reached[a] {
			if r.To.Kind != inventory.KindCredential || !r.Standing || seen[r.To.ID] {
				continue
			}
			seen[r.To.ID] = true
			out = append(out, reachRow(a, r, nil))
		}
		for _, r := range reached[a] {
			if r.To.Kind != inventory.KindIdentity {
				continue
			}
			for _, c := range escalated[r.To.ID] {
				if c.To.Kind != inventory.KindCredential || !c.Standing || seen[c.To.ID] {
					continue
				}
				seen[c.To.ID] = true
				out = append(out, reachRow(a, c, &r))
			}
		}
	}
	return out, nil
}

// reachRow is the finding of agent reaching credential c, through the
// identity via when it reads c by escalation.
func reachRow(agent string, c inventory.Reached, via *inventory.Reached) row {
	var hops []string
	steps := c.Steps
	if via != nil {
		steps = append(append([]inventory.EdgeRecord(nil), via.Steps...), c.Steps...)
	}
	for _, s := range steps {
		to := s.To
		if s.PeerName != "" {
			to = s.PeerName
		}
		hop := string(s.Kind) + " → " + to
		if m, ok := s.Attrs[inventory.AttrMethod].(string); ok && m != "" {
			hop += " (" + m + ")"
		}
		hops = append(hops, hop)
	}
	typ, _ := c.To.Attrs[inventory.AttrType].(string)
	what := c.To.Name
	if typ != "" {
		what = typ + " " + c.To.Name
	}
	msg := fmt.Sprintf("the agent can use the standing credential %s in %d hop(s): %s", what, len(steps), strings.Join(hops, ", "))
	if via != nil {
		msg = fmt.Sprintf("the agent can read the standing credential %s through %s's permissions: %s", what, via.To.Name, strings.Join(hops, ", "))
	}
	var ids []string
	for _, s := range steps {
		ids = append(ids, s.To)
	}
	return row{subject: agent, about: []string{c.To.ID}, status: StatusFail, message: msg,
		evidence: evidenceOf(map[string]any{"credential": c.To.ID, "path": ids})}
}

// evidenceOf is the evidence of a finding a Go evaluator makes.
func evidenceOf(m map[string]any) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}
