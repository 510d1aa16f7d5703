-- aam inventory schema, version 7: the nodes first seen and found gone in a
-- range of scans, so that aam diff (Store.Drift) searches an index instead
-- of reading every node. first_seen is written once, when a node is first
-- inserted: a re-scan's upsert leaves this index alone. The gone index holds
-- only the nodes that are gone, so the upsert that keeps a node current
-- (gone_in stays NULL) writes nothing to it either.
CREATE INDEX nodes_by_first_seen ON nodes (first_seen);
CREATE INDEX nodes_gone ON nodes (gone_in) WHERE gone_in IS NOT NULL;
