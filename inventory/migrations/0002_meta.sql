-- aam inventory schema, version 2: settings of this database, and whether a
-- node is only known as a reference in the current-state view.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

DROP VIEW current_nodes;
CREATE VIEW current_nodes AS
    SELECT id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, ref, first_seen, last_seen
    FROM nodes WHERE gone_in IS NULL;
