package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// stageWriter is owned by a Scan's writer goroutine: it writes staged rows in
// batches and runs the finishing transactions.
type stageWriter struct {
	sc       *Scan
	db       *sql.Conn
	scopeIDs map[Scope]int64
	staged   map[int64]bool // scopes whose staging tables exist
	pending  []*stagedRow
}

func newStageWriter(sc *Scan) *stageWriter {
	return &stageWriter{sc: sc, db: sc.conn, scopeIDs: map[Scope]int64{}, staged: map[int64]bool{}}
}

// Staged rows live in TEMP tables, one pair per scope, private to the scan's
// connection and kept out of the database file: they never reach the WAL, a
// process that dies takes them with it (leaving every scope at its last
// finished state), and completing a scope reads its tables whole and drops
// them.
const (
	stagedNodesTable = `CREATE TEMP TABLE %s (
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    provider     TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   TEXT,
    last_used_at TEXT,
    expires_at   TEXT,
    attrs        TEXT NOT NULL,
    ref          INTEGER NOT NULL)`
	stagedEdgesTable = `CREATE TEMP TABLE %s (
    from_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    to_id    TEXT NOT NULL,
    attrs    TEXT NOT NULL)`
)

func stagedNodes(scopeID int64) string { return fmt.Sprintf("temp.staged_nodes_%d", scopeID) }
func stagedEdges(scopeID int64) string { return fmt.Sprintf("temp.staged_edges_%d", scopeID) }

// dropStagingTables drops every staging table on conn: those of a scan that
// was abandoned on this connection, or of scopes never completed.
func dropStagingTables(ctx context.Context, conn interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name LIKE 'staged\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := conn.ExecContext(ctx, `DROP TABLE temp."`+n+`"`); err != nil {
			return err
		}
	}
	return nil
}

func (w *stageWriter) add(r *stagedRow) { w.pending = append(w.pending, r) }

// scopeID returns the scopes row of s, creating it.
func (w *stageWriter) scopeID(ctx context.Context, tx *sql.Tx, s Scope) (int64, error) {
	if id, ok := w.scopeIDs[s]; ok {
		return id, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO scopes (provider, tenant, name) VALUES (?, ?, ?)
ON CONFLICT (provider, tenant, name) DO UPDATE SET name = excluded.name RETURNING id`, s.Provider, s.Tenant, s.Name).Scan(&id)
	if err != nil {
		return 0, err
	}
	w.scopeIDs[s] = id
	return id, nil
}

const (
	stagedNodeColumns = `id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, ref`
	stagedNodeParams  = 10
	stagedEdgeColumns = `from_id, kind, to_id, attrs`
	stagedEdgeParams  = 4
	// rowsPerInsert rows go in one INSERT statement: fewer statements, the
	// same rows, in order.
	rowsPerInsert = 64
)

func insertStatement(table, columns string, params, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", params), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// rowInserter writes rows of one staging table, rowsPerInsert at a time.
type rowInserter struct {
	tx           *sql.Tx
	table, cols  string
	params       int
	full, single *sql.Stmt
	args         []any
	rows         int
}

func (ri *rowInserter) add(ctx context.Context, args ...any) error {
	ri.args = append(ri.args, args...)
	ri.rows++
	if ri.rows < rowsPerInsert {
		return nil
	}
	if ri.full == nil {
		st, err := ri.tx.PrepareContext(ctx, insertStatement(ri.table, ri.cols, ri.params, rowsPerInsert))
		if err != nil {
			return err
		}
		ri.full = st
	}
	if _, err := ri.full.ExecContext(ctx, ri.args...); err != nil {
		return err
	}
	ri.args, ri.rows = ri.args[:0], 0
	return nil
}

func (ri *rowInserter) flush(ctx context.Context) error {
	if ri.rows == 0 {
		return nil
	}
	if _, err := ri.tx.ExecContext(ctx, insertStatement(ri.table, ri.cols, ri.params, ri.rows), ri.args...); err != nil {
		return err
	}
	ri.args, ri.rows = ri.args[:0], 0
	return nil
}

func (ri *rowInserter) close() {
	if ri.full != nil {
		ri.full.Close()
	}
}

// flush writes the pending rows in one transaction.
func (w *stageWriter) flush(ctx context.Context) (err error) {
	if len(w.pending) == 0 {
		return nil
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write scan rows: %w", err)
	}
	created := map[Scope]bool{}
	var newTables []int64
	defer func() {
		if err != nil {
			// The rollback undoes the new scopes rows and tables too.
			tx.Rollback()
			for s := range created {
				delete(w.scopeIDs, s)
			}
			for _, sid := range newTables {
				delete(w.staged, sid)
			}
		}
	}()
	type inserters struct{ nodes, edges *rowInserter }
	byScope := map[int64]*inserters{}
	var order []*inserters
	defer func() {
		for _, in := range order {
			in.nodes.close()
			in.edges.close()
		}
	}()
	for _, r := range w.pending {
		_, known := w.scopeIDs[r.scope]
		sid, err := w.scopeID(ctx, tx, r.scope)
		if err != nil {
			return fmt.Errorf("write scan rows: %w", err)
		}
		if !known {
			created[r.scope] = true
		}
		in := byScope[sid]
		if in == nil {
			if !w.staged[sid] {
				for _, q := range []string{fmt.Sprintf(stagedNodesTable, stagedNodes(sid)), fmt.Sprintf(stagedEdgesTable, stagedEdges(sid))} {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("write scan rows: %w", err)
					}
				}
				newTables = append(newTables, sid)
				w.staged[sid] = true
			}
			in = &inserters{
				nodes: &rowInserter{tx: tx, table: stagedNodes(sid), cols: stagedNodeColumns, params: stagedNodeParams},
				edges: &rowInserter{tx: tx, table: stagedEdges(sid), cols: stagedEdgeColumns, params: stagedEdgeParams},
			}
			byScope[sid] = in
			order = append(order, in)
		}
		if n := r.node; n != nil {
			err = in.nodes.add(ctx, n.ID, string(n.Kind), n.Provider, n.Tenant, n.Name,
				nullTime(n.Created), nullTime(n.LastUsed), nullTime(n.Expires), r.attrs, n.Ref)
		} else {
			e := r.edge
			err = in.edges.add(ctx, e.From, string(e.Kind), e.To, r.attrs)
		}
		if err != nil {
			return fmt.Errorf("write scan rows: %w", err)
		}
	}
	for _, in := range order {
		for _, ri := range []*rowInserter{in.nodes, in.edges} {
			if err := ri.flush(ctx); err != nil {
				return fmt.Errorf("write scan rows: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write scan rows: %w", err)
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// A node written twice within one scan keeps the first values where the
// later write has none, and merges attributes (later keys win); a node
// written in a later scan is replaced. A reference (ref = 1) never
// overwrites a full description, and a full description replaces a
// reference whole.
const (
	mergeNodes = `
INSERT INTO nodes (id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, ref,
                   scope_id, first_seen, last_seen, gone_in)
SELECT id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, ref, ?1, ?2, ?2, NULL
FROM %s WHERE true ORDER BY rowid
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind,
    provider = excluded.provider,
    tenant = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref AND excluded.tenant = '' THEN nodes.tenant ELSE excluded.tenant END,
    name = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref AND excluded.name = '' THEN nodes.name ELSE excluded.name END,
    created_at = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref THEN coalesce(excluded.created_at, nodes.created_at) ELSE excluded.created_at END,
    last_used_at = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref THEN coalesce(excluded.last_used_at, nodes.last_used_at) ELSE excluded.last_used_at END,
    expires_at = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref THEN coalesce(excluded.expires_at, nodes.expires_at) ELSE excluded.expires_at END,
    attrs = CASE WHEN nodes.last_seen = excluded.last_seen AND nodes.ref = excluded.ref THEN json_patch(nodes.attrs, excluded.attrs) ELSE excluded.attrs END,
    ref = excluded.ref,
    scope_id = excluded.scope_id,
    last_seen = excluded.last_seen,
    gone_in = NULL
WHERE NOT (excluded.ref = 1 AND nodes.ref = 0 AND nodes.gone_in IS NULL)`

	mergeEdges = `
INSERT INTO edges (from_id, kind, to_id, attrs, scope_id, first_seen, last_seen, gone_in)
SELECT from_id, kind, to_id, attrs, ?1, ?2, ?2, NULL
FROM %s WHERE true ORDER BY rowid
ON CONFLICT (from_id, kind, to_id) DO UPDATE SET
    attrs = CASE WHEN edges.last_seen = excluded.last_seen THEN json_patch(edges.attrs, excluded.attrs) ELSE excluded.attrs END,
    scope_id = excluded.scope_id,
    last_seen = excluded.last_seen,
    gone_in = NULL`

	// Edges first: a node the scope no longer has goes only if no current
	// edge touches it. One another scope still points at (a service
	// principal many accounts trust, a Lambda two services use, a role a
	// failed region still runs as) stays current as a reference, owned by
	// a scope that refers to it, so that scope decides when it goes.
	goneEdges = `UPDATE edges SET gone_in = ?2 WHERE scope_id = ?1 AND last_seen < ?2 AND gone_in IS NULL`
	keepRefs  = `
UPDATE nodes SET ref = 1,
    scope_id = (SELECT e.scope_id FROM edges e WHERE (e.from_id = nodes.id OR e.to_id = nodes.id) AND e.gone_in IS NULL LIMIT 1)
WHERE scope_id = ?1 AND last_seen < ?2 AND gone_in IS NULL
  AND EXISTS (SELECT 1 FROM edges e WHERE (e.from_id = nodes.id OR e.to_id = nodes.id) AND e.gone_in IS NULL)`
	goneNodes = `UPDATE nodes SET gone_in = ?2 WHERE scope_id = ?1 AND last_seen < ?2 AND gone_in IS NULL`
)

// recount recounts a completed scope's current nodes and edges from its own
// rows; the triggers of migration 0005 move the counts of rows that leave
// or join another scope.
var recount = []string{
	`DELETE FROM node_counts WHERE scope_id = ?1`,
	`INSERT INTO node_counts (scope_id, provider, kind, n)
SELECT scope_id, provider, kind, count(*) FROM nodes WHERE scope_id = ?1 AND gone_in IS NULL GROUP BY provider, kind`,
	`DELETE FROM edge_counts WHERE scope_id = ?1`,
	`INSERT INTO edge_counts (scope_id, kind, n)
SELECT scope_id, kind, count(*) FROM edges WHERE scope_id = ?1 AND gone_in IS NULL GROUP BY kind`,
}

// complete is the finishing transaction of scope s.
func (w *stageWriter) complete(ctx context.Context, s Scope) (err error) {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	_, known := w.scopeIDs[s]
	defer func() {
		if err != nil {
			tx.Rollback()
			if !known {
				delete(w.scopeIDs, s)
			}
		}
	}()
	sid, err := w.scopeID(ctx, tx, s)
	if err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	var counts [5]int64
	heldBefore, err := holdsEffectiveRows(ctx, tx, sid)
	if err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	steps := []string{"", "", goneEdges, keepRefs, goneNodes}
	hadTables := w.staged[sid]
	if hadTables {
		steps[0], steps[1] = fmt.Sprintf(mergeNodes, stagedNodes(sid)), fmt.Sprintf(mergeEdges, stagedEdges(sid))
	}
	for i, q := range steps {
		if q == "" {
			continue
		}
		res, err := tx.ExecContext(ctx, q, sid, w.sc.id)
		if err != nil {
			return fmt.Errorf("complete %s: %w", s, err)
		}
		counts[i], _ = res.RowsAffected()
	}
	for _, q := range recount {
		if _, err := tx.ExecContext(ctx, q, sid); err != nil {
			return fmt.Errorf("complete %s: count its rows: %w", s, err)
		}
	}
	// Any scope of a tenant may add or take away a step or an access of
	// its identities: recompute them all, so that no level is left stale.
	// A scope that held none of the rows effective access is made of,
	// before its completion or after, changed none of them (a region of
	// agents and gateways only): its tenant's levels stand as they are.
	heldAfter, err := holdsEffectiveRows(ctx, tx, sid)
	if err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	if heldBefore || heldAfter {
		if err := recomputeTenant(ctx, tx, s.Provider, s.Tenant); err != nil {
			return fmt.Errorf("complete %s: %w", s, err)
		}
	}
	if hadTables {
		for _, t := range []string{stagedNodes(sid), stagedEdges(sid)} {
			if _, err := tx.ExecContext(ctx, `DROP TABLE `+t); err != nil {
				return fmt.Errorf("complete %s: %w", s, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO scan_scopes (scan_id, scope_id, completed_at, node_rows, edge_rows, gone_nodes, gone_edges) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.sc.id, sid, formatTime(w.sc.now()), counts[0], counts[1], counts[4], counts[2]); err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("complete %s: %w", s, err)
	}
	delete(w.staged, sid)
	return nil
}

func (w *stageWriter) recordError(ctx context.Context, e ScanError) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO scan_errors (scan_id, at, provider, tenant, scope, operation, message, class, warning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.sc.id, formatTime(w.sc.now()), e.Provider, e.Tenant, e.Scope, e.Operation, e.Message, e.Class, e.Warning)
	if err != nil {
		return fmt.Errorf("record scan error: %w", err)
	}
	return nil
}

// finish drops staged rows of scopes never completed and records the status.
// A scan whose writes failed (prior) is recorded failed whatever status
// was asked, and finish returns that failure.
func (w *stageWriter) finish(ctx context.Context, status ScanStatus, prior error) error {
	if prior != nil {
		status = ScanFailed
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	defer tx.Rollback()
	if err := dropStagingTables(ctx, tx); err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE scans SET status = ?, finished_at = ? WHERE id = ?`, string(status), formatTime(w.sc.now()), w.sc.id); err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	// Move everything into the database file and empty the WAL: a finished
	// database is one file, which a reader that cannot write its directory
	// opens immutable. A reader still open keeps the checkpoint from
	// truncating; that is not a failure of the scan.
	w.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return prior
}

func (s Scope) String() string { return s.Provider + "/" + s.Tenant + "/" + s.Name }
