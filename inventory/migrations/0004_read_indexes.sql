-- aam inventory schema, version 4: the current agents, where every walk of
-- what the graph grants starts, so that listing them searches an index
-- instead of scanning nodes. The index holds agents only: an index of every
-- current node by kind would be rewritten with each node a scan upserts.
CREATE INDEX nodes_current_agents ON nodes (kind, provider, id) WHERE kind = 'agent' AND gone_in IS NULL;
