-- aam inventory schema, version 1.
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    -- running, ok, partial, failed, interrupted
    status      TEXT NOT NULL,
    providers   TEXT NOT NULL DEFAULT '',
    aam_version TEXT NOT NULL DEFAULT ''
);

-- A scope is the slice of a tenant one part of a scanner covers: an account
-- and region, or an account-global service ("global").
CREATE TABLE scopes (
    id       INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    tenant   TEXT NOT NULL,
    name     TEXT NOT NULL,
    UNIQUE (provider, tenant, name)
);

-- One row per scope a scan completed: its rows became the scope's current state.
CREATE TABLE scan_scopes (
    scan_id      INTEGER NOT NULL REFERENCES scans(id),
    scope_id     INTEGER NOT NULL REFERENCES scopes(id),
    completed_at TEXT NOT NULL,
    node_rows    INTEGER NOT NULL,
    edge_rows    INTEGER NOT NULL,
    gone_nodes   INTEGER NOT NULL,
    gone_edges   INTEGER NOT NULL,
    PRIMARY KEY (scan_id, scope_id)
);

CREATE TABLE nodes (
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    provider     TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   TEXT,
    last_used_at TEXT,
    expires_at   TEXT,
    attrs        TEXT NOT NULL DEFAULT '{}',
    -- 1 while the node is only known as a reference from another node
    -- (a trust principal in another account, a service principal)
    ref          INTEGER NOT NULL DEFAULT 0,
    -- the scope whose completion last wrote this row
    scope_id     INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    -- the scan whose completed scope no longer had this node; NULL while current
    gone_in      INTEGER
);
CREATE INDEX nodes_by_scope ON nodes (scope_id);

CREATE TABLE edges (
    from_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    attrs      TEXT NOT NULL DEFAULT '{}',
    scope_id   INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    gone_in    INTEGER,
    UNIQUE (from_id, kind, to_id)
);
CREATE INDEX edges_by_to ON edges (to_id);
CREATE INDEX edges_by_scope ON edges (scope_id);

CREATE TABLE scan_errors (
    id        INTEGER PRIMARY KEY,
    scan_id   INTEGER NOT NULL REFERENCES scans(id),
    at        TEXT NOT NULL,
    provider  TEXT NOT NULL,
    tenant    TEXT NOT NULL,
    scope     TEXT NOT NULL,
    operation TEXT NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX scan_errors_by_scan ON scan_errors (scan_id);

-- What `aam query` users want most: the current graph.
CREATE VIEW current_nodes AS
    SELECT id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, first_seen, last_seen
    FROM nodes WHERE gone_in IS NULL;
CREATE VIEW current_edges AS
    SELECT from_id, kind, to_id, attrs, first_seen, last_seen
    FROM edges WHERE gone_in IS NULL;
