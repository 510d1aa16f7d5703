-- aam inventory schema, version 5: how many current nodes and edges each
-- scope holds, per kind, so that the scan summary reads a few hundred rows
-- instead of every node and edge.
--
-- A scope's counts are recounted from its own rows (through nodes_by_scope
-- and edges_by_scope) in the transaction that completes it. The only rows a
-- completion changes outside its scope are the ones that move between
-- scopes (a reference becoming a full description, a node kept as a
-- reference by another scope's edge): the triggers below move those rows'
-- counts. Their WHEN clause is false for every row that stays in its scope,
-- which is nearly every row a re-scan upserts.
CREATE TABLE node_counts (
    scope_id INTEGER NOT NULL,
    provider TEXT NOT NULL,
    kind     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (scope_id, provider, kind)
) WITHOUT ROWID;

CREATE TABLE edge_counts (
    scope_id INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (scope_id, kind)
) WITHOUT ROWID;

INSERT INTO node_counts (scope_id, provider, kind, n)
SELECT scope_id, provider, kind, count(*) FROM nodes WHERE gone_in IS NULL GROUP BY scope_id, provider, kind;

INSERT INTO edge_counts (scope_id, kind, n)
SELECT scope_id, kind, count(*) FROM edges WHERE gone_in IS NULL GROUP BY scope_id, kind;

CREATE TRIGGER nodes_change_scope AFTER UPDATE OF scope_id ON nodes
WHEN old.scope_id <> new.scope_id
BEGIN
    UPDATE node_counts SET n = n - 1
    WHERE old.gone_in IS NULL AND scope_id = old.scope_id AND provider = old.provider AND kind = old.kind;
    INSERT INTO node_counts (scope_id, provider, kind, n)
    SELECT new.scope_id, new.provider, new.kind, 1 WHERE new.gone_in IS NULL
    ON CONFLICT (scope_id, provider, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER edges_change_scope AFTER UPDATE OF scope_id ON edges
WHEN old.scope_id <> new.scope_id
BEGIN
    UPDATE edge_counts SET n = n - 1
    WHERE old.gone_in IS NULL AND scope_id = old.scope_id AND kind = old.kind;
    INSERT INTO edge_counts (scope_id, kind, n)
    SELECT new.scope_id, new.kind, 1 WHERE new.gone_in IS NULL
    ON CONFLICT (scope_id, kind) DO UPDATE SET n = n + 1;
END;

-- Recounting a scope reads only these indexes, in order: the scope's
-- current rows by provider and kind, without a lookup of each row. They
-- replace the plain scope indexes, which every upsert already rewrote
-- (scope_id is set on each), so they add no index to maintain.
DROP INDEX nodes_by_scope;
CREATE INDEX nodes_by_scope ON nodes (scope_id, gone_in, provider, kind);
DROP INDEX edges_by_scope;
CREATE INDEX edges_by_scope ON edges (scope_id, gone_in, kind);
