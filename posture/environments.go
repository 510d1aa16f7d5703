package posture

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// environment is what an agent's tags or name say it serves.
type environment int

const (
	envUnknown environment = iota
	envProd
	envNonProd
)

// envTokens classify a word of an agent's name or of an environment tag's
// value. Non-production stages are one class: the control is about
// production sharing an identity with anything else.
var envTokens = map[string]environment{
	"prod": envProd, "production": envProd, "prd": envProd,
	"dev": envNonProd, "development": envNonProd, "test": envNonProd, "staging": envNonProd,
	"stage": envNonProd, "sandbox": envNonProd, "sbx": envNonProd, "qa": envNonProd, "uat": envNonProd,
}

// envTagKeys are the tag keys, compared ignoring case, that name an
// environment.
var envTagKeys = []string{"env", "environment", "stage"}

// classifyWords is the environment the words of s name: unknown when they
// name none, or both (a "prod-to-dev" sync says nothing it can be held to).
func classifyWords(s string) (environment, string) {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	env, word := envUnknown, ""
	for _, w := range words {
		e, ok := envTokens[w]
		if !ok {
			continue
		}
		if env != envUnknown && e != env {
			return envUnknown, ""
		}
		env, word = e, w
	}
	return env, word
}

// agentEnvironment reads an agent's environment from an environment tag
// when it has one, else from the words of its name; by says how it was
// learned, for the message.
func agentEnvironment(name string, tags map[string]string) (env environment, by string) {
	// The first of envTagKeys present decides, whatever the order of the
	// map, so that the finding reads the same on every run.
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range envTagKeys {
		for _, k := range keys {
			if strings.EqualFold(k, key) {
				e, _ := classifyWords(tags[k])
				// A tag is the owner's word: an unrecognised value is
				// unknown, not overruled by the name.
				return e, fmt.Sprintf("by its tag %s=%s", k, tags[k])
			}
		}
	}
	e, w := classifyWords(name)
	return e, "by its name: " + w
}

// identitySharedAcrossEnvironments finds each identity that agents of
// production and of another environment run as. One finding per identity;
// the agents are named in the message and the evidence, not in about, so
// that the finding keeps its fingerprint while agents come and go. An agent
// whose environment neither a tag nor its name says is left out: it is
// neither evidence of sharing nor a gap the control could close.
func identitySharedAcrossEnvironments(ctx context.Context, inv Inventory, _ map[string]int, _ time.Time, emit func(row) error) error {
	type agent struct{ id, name, by string }
	var (
		current     string
		prod, other []agent
		seen        = map[string]bool{}
	)
	flush := func() error {
		defer func() { prod, other, seen = nil, nil, map[string]bool{} }()
		if len(prod) == 0 || len(other) == 0 {
			return nil
		}
		list := func(as []agent) (string, []string) {
			sort.Slice(as, func(i, j int) bool { return as[i].id < as[j].id })
			var words, ids []string
			for _, a := range as {
				words = append(words, a.name+" ("+a.by+")")
				ids = append(ids, a.id)
			}
			return strings.Join(words, ", "), ids
		}
		p, pids := list(prod)
		o, oids := list(other)
		return emit(row{subject: current, status: StatusFail,
			message:  fmt.Sprintf("the production agent(s) %s and the non-production agent(s) %s run as this one identity: whatever steers or holds a non-production one acts with production's access", p, o),
			evidence: evidenceOf(map[string]any{"production_agents": pids, "non_production_agents": oids})})
	}
	// Only an identity that two agents or more run as can be shared: those
	// are counted first (agents by nodes_current_agents, their runs_as edges
	// by the edges' UNIQUE key, one per agent and identity), and only their
	// agents are read, sorted and classified (runs_as edges into them by
	// edges_by_to), not every agent of the estate.
	const q = `WITH shared AS MATERIALIZED (
  SELECT e.to_id AS id
  FROM current_nodes a CROSS JOIN current_edges e ON e.from_id = a.id AND e.kind = 'runs_as'
  WHERE a.kind = 'agent'
  GROUP BY e.to_id
  HAVING count(*) > 1
)
SELECT e.to_id, a.id, a.name, a.attrs->'$.tags'
FROM shared s
  CROSS JOIN current_edges e ON e.to_id = s.id AND e.kind = 'runs_as'
  CROSS JOIN current_nodes a ON a.id = e.from_id
WHERE a.kind = 'agent'
ORDER BY e.to_id, a.id`
	err := inv.EachRow(ctx, q, nil, func(_ []string, r []any) error {
		identity, id, name := asString(r[0]), asString(r[1]), asString(r[2])
		if identity != current {
			if err := flush(); err != nil {
				return err
			}
			current = identity
		}
		if seen[id] {
			return nil
		}
		seen[id] = true
		var tags map[string]string
		if t := asString(r[3]); t != "" {
			// Tags that are not a map of strings are no evidence.
			_ = json.Unmarshal([]byte(t), &tags)
		}
		switch env, by := agentEnvironment(name, tags); env {
		case envProd:
			prod = append(prod, agent{id, name, by})
		case envNonProd:
			other = append(other, agent{id, name, by})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
