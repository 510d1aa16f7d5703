-- aam inventory schema, version 3: each scan error carries its class
-- (denied, throttled, not_found, absent, malformed, other) and whether it
-- was a warning (an enrichment call that failed: the scope still completed,
-- its unknown detail marked on the node or edge) or a failure.
ALTER TABLE scan_errors ADD COLUMN class TEXT NOT NULL DEFAULT '';
ALTER TABLE scan_errors ADD COLUMN warning INTEGER NOT NULL DEFAULT 0;
