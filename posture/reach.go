package posture

import (
	"context"
	"fmt"
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

// currentAgents lists the ids of the current agents.
func currentAgents(ctx context.Context, inv Inventory) ([]string, error) {
	var ids []string
	err := inv.EachRow(ctx, `SELECT id FROM nodes WHERE kind = 'agent' AND gone_in IS NULL ORDER BY id`, nil, func(_ []string, r []any) error {
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
	agents, err := currentAgents(ctx, inv)
	if err != nil {
		return err
	}
	for len(agents) > 0 {
		batch := agents[:min(agentsPerWalk, len(agents))]
		agents = agents[len(batch):]
		reached, err := inv.ReachFrom(ctx, batch, inventory.ReachEdges, inventory.ReachDepth)
		if err != nil {
			return err
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
			return err
		}
		for _, a := range batch {
			seen := map[string]bool{}
			for _, r := range reached[a] {
				if r.To.Kind != inventory.KindCredential || !r.Standing || seen[r.To.ID] {
					continue
				}
				seen[r.To.ID] = true
				if err := emit(reachRow(a, r, nil)); err != nil {
					return err
				}
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
					if err := emit(reachRow(a, c, &r)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
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
		hop := string(s.Kind) + " → " + s.To
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
	return row{subject: agent, about: []string{c.To.ID}, status: StatusFail, message: msg,
		evidence: map[string]any{"credential": c.To.ID, "path": hops}}
}
