-- aam inventory schema, version 6: the effective access level of each
-- current identity that has a can_escalate step, the highest it holds or
-- can reach through can_escalate edges, and the shortest path of steps
-- that reaches it, so that posture, reports and reach read it instead of
-- walking the escalation graph.
--
-- An identity without a current can_escalate step has no row: its
-- effective level is its own, the highest level of its current can_access
-- edges, which readers take from those edges. Keeping rows only for the
-- identities that have steps makes recomputing a tenant cost what its
-- escalation graph holds, not what its identities do.
--
-- The rows of a tenant are recomputed, all of them, in the transaction that
-- completes any scope of that tenant (see recomputeEffective in
-- effective.go).
CREATE TABLE effective_access (
    identity_id TEXT NOT NULL PRIMARY KEY,
    provider    TEXT NOT NULL,
    tenant      TEXT NOT NULL,
    -- the highest level of the identity's own current can_access edges;
    -- '' when it has none
    own_level   TEXT NOT NULL,
    -- the highest level reachable, own_level included; '' when none
    level       TEXT NOT NULL,
    -- the steps from the identity to the one whose access gives level,
    -- fewest first: a JSON array of {"id", "edge", "method"} and, for a
    -- step that gives at most a level, "level_cap"; [] when level is the
    -- identity's own
    path        TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE INDEX effective_access_by_tenant ON effective_access (provider, tenant);

-- The current can_escalate edges, where recomputing starts: this index
-- holds them alone, so a scan that writes none maintains nothing more.
CREATE INDEX edges_current_escalations ON edges (from_id, to_id) WHERE kind = 'can_escalate' AND gone_in IS NULL;
