package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// EscalationDepth bounds the can_escalate steps a path to an effective
// level may take. Every published AWS chain is one or two steps; the bound
// keeps the walk's size at most the steps of each identity times the depth.
const EscalationDepth = 6

// EscalationHop is one step of an escalation path: the node it reaches, the
// edge kind it takes (EdgeCanEscalate) and how (AttrMethod).
type EscalationHop struct {
	ID     string   `json:"id"`
	Edge   EdgeKind `json:"edge"`
	Method string   `json:"method,omitempty"`
	// LevelCap is the step's AttrLevelCap: the target acts only on the
	// caller's behalf and gives at most this level. "" for its whole access.
	LevelCap string `json:"level_cap,omitempty"`
	// LevelFloor is the step's AttrLevelFloor: the caller writes the
	// target's permissions and gets at least this level. "" for none.
	LevelFloor string `json:"level_floor,omitempty"`
}

// EffectiveAccess is what an identity can become: the highest level it
// holds (Own) or reaches through can_escalate edges (Level, Own included),
// and the shortest path of steps to the identity that gives Level (empty
// when Level is its own).
type EffectiveAccess struct {
	Own   string
	Level string
	Path  []EscalationHop
}

// rankSQL and levelSQL translate AccessLevelRank in SQL, both ways.
func rankSQL(x string) string {
	return fmt.Sprintf(`CASE %s WHEN '%s' THEN 1 WHEN '%s' THEN 2 WHEN '%s' THEN 3 WHEN '%s' THEN 4 ELSE 0 END`,
		x, LevelRead, LevelWrite, LevelAdmin, LevelUnknown)
}

func levelSQL(x string) string {
	return fmt.Sprintf(`CASE %s WHEN 1 THEN '%s' WHEN 2 THEN '%s' WHEN 3 THEN '%s' WHEN 4 THEN '%s' ELSE '' END`,
		x, LevelRead, LevelWrite, LevelAdmin, LevelUnknown)
}

// escalationPred selects, for the node B.id reached from B.start in B.depth
// steps (the last one capped at B.cap, with floor B.floor unless floorExpr
// is "": any floor), the edge that ends such a path: the one from the least
// node that is B.depth-1 uncapped steps from B.start.
func escalationPred(start, id, depth, capExpr, floorExpr string) string {
	floor := ""
	if floorExpr != "" {
		floor = `
          AND nullif(json_extract(e.attrs, '$.` + AttrLevelFloor + `'), '') IS ` + floorExpr
	}
	r := strings.NewReplacer("B.start", start, "B.id", id, "B.depth", depth, "B.cap", capExpr)
	return r.Replace(`(SELECT e.rowid FROM edges e
        WHERE e.to_id = B.id AND e.kind = '` + string(EdgeCanEscalate) + `' AND e.gone_in IS NULL
          AND nullif(json_extract(e.attrs, '$.` + AttrLevelCap + `'), '') IS B.cap` + floor + `
          AND EXISTS (SELECT 1 FROM walk p WHERE p.start = B.start AND p.id = e.from_id AND p.depth = B.depth - 1 AND p.cap IS NULL)
        ORDER BY e.from_id LIMIT 1)`)
}

// recomputeEffective replaces the effective_access rows of tenant ?2 of
// provider ?1 with a walk of the current can_escalate edges out of each of
// its current identities that has one, up to ?3 steps. A step with AttrLevelCap ends
// the walk there (the caller does not get the target's credentials, so
// not its further steps either) and gives at most that level. The level
// of a node reached is the highest AttrLevel of its current can_access
// edges, raised to the AttrLevelFloor of the step that reached it (the
// caller can write its permissions) before the cap; each identity keeps the highest level among the nodes it
// reaches, itself included, the one fewest steps away among those, and the
// least id among those; the path to it takes, from its end backwards, the
// edge from the least node one step nearer.
var recomputeEffective = []string{
	`DELETE FROM effective_access WHERE provider = ?1 AND tenant = ?2`,
	`INSERT OR REPLACE INTO effective_access (identity_id, provider, tenant, own_level, level, path)
WITH RECURSIVE
walk(start, id, depth, cap, floor) AS (
    SELECT n.id, n.id, 0, NULL, NULL
    FROM (SELECT DISTINCT from_id FROM edges WHERE kind = '` + string(EdgeCanEscalate) + `' AND gone_in IS NULL) s
    JOIN nodes n ON n.id = s.from_id
    WHERE n.kind = '` + string(KindIdentity) + `' AND n.provider = ?1 AND n.tenant = ?2 AND n.gone_in IS NULL
    UNION
    SELECT w.start, e.to_id, w.depth + 1, nullif(json_extract(e.attrs, '$.` + AttrLevelCap + `'), ''),
           nullif(json_extract(e.attrs, '$.` + AttrLevelFloor + `'), '')
    FROM walk w JOIN edges e ON e.from_id = w.id AND e.kind = '` + string(EdgeCanEscalate) + `'
    WHERE w.cap IS NULL AND w.depth < ?3 AND e.gone_in IS NULL),
own(id, rnk) AS (
    SELECT d.id, coalesce((SELECT max(` + rankSQL(`json_extract(a.attrs, '$.`+AttrLevel+`')`) + `) FROM edges a
                           WHERE a.from_id = d.id AND a.kind = '` + string(EdgeCanAccess) + `' AND a.gone_in IS NULL), 0)
    FROM (SELECT DISTINCT id FROM walk) d),
reached(start, id, depth, cap, floor, rnk) AS (
    SELECT w.start, w.id, min(w.depth), w.cap, w.floor,
           CASE WHEN w.cap IS NULL THEN max(o.rnk, ` + rankSQL("w.floor") + `)
                ELSE min(max(o.rnk, ` + rankSQL("w.floor") + `), ` + rankSQL("w.cap") + `) END
    FROM walk w JOIN own o ON o.id = w.id
    GROUP BY w.start, w.id, w.cap, w.floor),
best(start, id, depth, cap, floor, rnk) AS (
    SELECT start, id, depth, cap, floor, rnk FROM (
        SELECT start, id, depth, cap, floor, rnk,
               row_number() OVER (PARTITION BY start ORDER BY rnk DESC, depth, id, cap IS NOT NULL, cap, floor IS NULL, floor) AS n
        FROM reached)
    WHERE n = 1),
back(start, depth, eid) AS (
    SELECT b.start, b.depth, ` + escalationPred("b.start", "b.id", "b.depth", "b.cap", "b.floor") + `
    FROM best b WHERE b.depth > 0
    UNION ALL
    SELECT k.start, k.depth - 1, ` + escalationPred("k.start", "x.from_id", "k.depth - 1", "NULL", "") + `
    FROM back k JOIN edges x ON x.rowid = k.eid WHERE k.depth > 1)
SELECT b.start, ?1, ?2, ` + levelSQL("o.rnk") + `, ` + levelSQL("b.rnk") + `,
       coalesce((SELECT json_group_array(json(h.hop)) FROM (
           SELECT json_object('id', x.to_id, 'edge', x.kind, 'method', json_extract(x.attrs, '$.` + AttrMethod + `'),
                              'level_cap', json_extract(x.attrs, '$.` + AttrLevelCap + `'),
                              'level_floor', json_extract(x.attrs, '$.` + AttrLevelFloor + `')) AS hop
           FROM back k JOIN edges x ON x.rowid = k.eid
           WHERE k.start = b.start ORDER BY k.depth) h), '[]')
FROM best b JOIN own o ON o.id = b.start`,
}

// recomputeTenant recomputes the effective access of the tenant's
// identities, then of every other tenant's that can step into it (an
// identity of another account that can assume one of its roles, directly
// or through other steps): their levels are made of this tenant's too.
func recomputeTenant(ctx context.Context, tx *sql.Tx, provider, tenant string) error {
	rows, err := tx.QueryContext(ctx, steppingTenants, provider, tenant)
	if err != nil {
		return fmt.Errorf("find the tenants that step into it: %w", err)
	}
	type key struct{ provider, tenant string }
	tenants := []key{{provider, tenant}}
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.provider, &k.tenant); err != nil {
			rows.Close()
			return fmt.Errorf("find the tenants that step into it: %w", err)
		}
		tenants = append(tenants, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find the tenants that step into it: %w", err)
	}
	for _, k := range tenants {
		for _, q := range recomputeEffective {
			if _, err := tx.ExecContext(ctx, q, k.provider, k.tenant, EscalationDepth); err != nil {
				return fmt.Errorf("compute effective access of %s/%s: %w", k.provider, k.tenant, err)
			}
		}
	}
	return nil
}

// steppingTenants lists the tenants, other than tenant ?2 of provider ?1,
// whose identities have a path of current can_escalate edges into a node
// of it, ordered.
const steppingTenants = `WITH RECURSIVE up(id) AS (
    SELECT e.from_id FROM edges e JOIN nodes t ON t.id = e.to_id
    WHERE e.kind = '` + string(EdgeCanEscalate) + `' AND e.gone_in IS NULL AND t.provider = ?1 AND t.tenant = ?2
    UNION
    SELECT e.from_id FROM up JOIN edges e ON e.to_id = up.id
    WHERE e.kind = '` + string(EdgeCanEscalate) + `' AND e.gone_in IS NULL)
SELECT DISTINCT n.provider, n.tenant FROM up JOIN nodes n ON n.id = up.id
WHERE n.kind = '` + string(KindIdentity) + `' AND n.gone_in IS NULL AND NOT (n.provider = ?1 AND n.tenant = ?2)
ORDER BY n.provider, n.tenant`

// holdsEffectiveRows reports whether scope sid holds, by its counts, any
// row effective access is computed from: an identity, a can_escalate or a
// can_access edge.
func holdsEffectiveRows(ctx context.Context, tx *sql.Tx, sid int64) (bool, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT
    (SELECT coalesce(sum(n), 0) FROM edge_counts WHERE scope_id = ?1 AND kind IN (?2, ?3)) +
    (SELECT coalesce(sum(n), 0) FROM node_counts WHERE scope_id = ?1 AND kind = ?4)`,
		sid, string(EdgeCanEscalate), string(EdgeCanAccess), string(KindIdentity)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count its identities and their steps: %w", err)
	}
	return n > 0, nil
}

// EffectiveAccessOf returns the effective access of each of ids that is a
// current identity, in one statement. An identity without a stored row
// (one without a can_escalate step) has its own level as its effective
// level.
func (s *Store) EffectiveAccessOf(ctx context.Context, ids []string) (map[string]EffectiveAccess, error) {
	out := map[string]EffectiveAccess{}
	if len(ids) == 0 {
		return out, nil
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, effectiveSQL, string(idsJSON))
	if err != nil {
		return nil, fmt.Errorf("read effective access: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, own, level, path string
			stored               bool
			levels               *string
		)
		if err := rows.Scan(&id, &stored, &own, &level, &path, &levels); err != nil {
			return nil, fmt.Errorf("read effective access: %w", err)
		}
		ea := EffectiveAccess{Own: own, Level: level}
		if !stored {
			if ea.Own, err = highestOf(levels); err != nil {
				return nil, fmt.Errorf("read effective access of %s: %w", id, err)
			}
			ea.Level = ea.Own
		} else if err := json.Unmarshal([]byte(path), &ea.Path); err != nil {
			return nil, fmt.Errorf("read effective access of %s: path: %w", id, err)
		}
		out[id] = ea
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read effective access: %w", err)
	}
	return out, nil
}

const effectiveSQL = `SELECT n.id, ea.identity_id IS NOT NULL, coalesce(ea.own_level, ''), coalesce(ea.level, ''), coalesce(ea.path, '[]'),
       CASE WHEN ea.identity_id IS NULL THEN (
           SELECT json_group_array(json_extract(a.attrs, '$.` + AttrLevel + `')) FROM edges a
           WHERE a.from_id = n.id AND a.kind = '` + string(EdgeCanAccess) + `' AND a.gone_in IS NULL) END
FROM json_each(?1) j
JOIN nodes n ON n.id = j.value AND n.kind = '` + string(KindIdentity) + `' AND n.gone_in IS NULL
LEFT JOIN effective_access ea ON ea.identity_id = n.id`

// EscalationCredentials returns, for each of ids, the current credentials
// it can read through can_escalate steps (up to EscalationDepth), each
// with the shortest path of steps, in one statement. A path through a step
// that only acts on the caller's behalf (AttrLevelCap) before its last
// does not hand over what the step's target could read, and is left out.
func (s *Store) EscalationCredentials(ctx context.Context, ids []string) (map[string][]Reached, error) {
	all, err := s.ReachFrom(ctx, ids, []EdgeKind{EdgeCanEscalate}, EscalationDepth)
	if err != nil {
		return nil, err
	}
	out := map[string][]Reached{}
	for id, rs := range all {
	reached:
		for _, r := range rs {
			if r.To.Kind != KindCredential {
				continue
			}
			for _, st := range r.Steps[:len(r.Steps)-1] {
				if _, capped := st.Attrs[AttrLevelCap]; capped {
					continue reached
				}
			}
			out[id] = append(out[id], r)
		}
	}
	return out, nil
}
