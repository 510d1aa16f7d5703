package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned when a node or scan does not exist.
var ErrNotFound = errors.New("not found")

// NodeRecord is a stored node with its history.
type NodeRecord struct {
	Node
	FirstSeen int64
	LastSeen  int64
	// GoneIn is the scan that found the node missing; 0 while current.
	GoneIn int64
}

// EdgeRecord is a stored edge, with the kind and name of the node at its
// other end when that node is known.
type EdgeRecord struct {
	Edge
	FirstSeen int64
	LastSeen  int64
	GoneIn    int64
	// Peer is the node at the other end (To for outgoing, From for incoming).
	PeerKind NodeKind
	PeerName string
}

// NodeFilter selects nodes; empty fields match everything.
type NodeFilter struct {
	Kind        NodeKind
	Provider    string
	Tenant      string
	IncludeGone bool
}

const nodeColumns = `id, kind, provider, tenant, name, created_at, last_used_at, expires_at, attrs, first_seen, last_seen, coalesce(gone_in, 0)`

// Nodes lists nodes matching f, ordered by kind, provider and id.
func (s *Store) Nodes(ctx context.Context, f NodeFilter) ([]NodeRecord, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Provider != "" {
		where, args = append(where, "provider = ?"), append(args, f.Provider)
	}
	if f.Tenant != "" {
		where, args = append(where, "tenant = ?"), append(args, f.Tenant)
	}
	if !f.IncludeGone {
		where = append(where, "gone_in IS NULL")
	}
	q := `SELECT ` + nodeColumns + ` FROM nodes`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY kind, provider, id"
	return s.queryNodes(ctx, "list nodes", q, args...)
}

// queryNodes runs a query selecting nodeColumns and reads its rows.
func (s *Store) queryNodes(ctx context.Context, what, q string, args ...any) ([]NodeRecord, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []NodeRecord
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NodeByID returns one node, current or gone, or ErrNotFound.
func (s *Store) NodeByID(ctx context.Context, id string) (NodeRecord, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+nodeColumns+` FROM nodes WHERE id = ?`, id)
	n, err := scanNode(row)
	if errors.Is(err, sql.ErrNoRows) {
		return NodeRecord{}, ErrNotFound
	}
	return n, err
}

type rowScanner interface{ Scan(dest ...any) error }

func scanNode(r rowScanner) (NodeRecord, error) {
	var nr nodeRow
	if err := r.Scan(nr.dest()...); err != nil {
		return NodeRecord{}, err
	}
	return nr.record()
}

// nodeRow holds the columns of nodeColumns while a row is read.
type nodeRow struct {
	n                          NodeRecord
	kind, attrs                string
	created, lastUsed, expires sql.NullString
}

func (nr *nodeRow) dest() []any {
	n := &nr.n
	return []any{&n.ID, &nr.kind, &n.Provider, &n.Tenant, &n.Name, &nr.created, &nr.lastUsed, &nr.expires, &nr.attrs, &n.FirstSeen, &n.LastSeen, &n.GoneIn}
}

func (nr *nodeRow) record() (NodeRecord, error) {
	n := nr.n
	n.Kind = NodeKind(nr.kind)
	n.Created, n.LastUsed, n.Expires = parseTime(nr.created), parseTime(nr.lastUsed), parseTime(nr.expires)
	if err := json.Unmarshal([]byte(nr.attrs), &n.Attrs); err != nil {
		return n, fmt.Errorf("node %s: bad attributes: %w", n.ID, err)
	}
	return n, nil
}

func parseTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return time.Time{}
	}
	return t
}

// EdgesOf returns the current edges leaving and entering node id.
func (s *Store) EdgesOf(ctx context.Context, id string) (out, in []EdgeRecord, err error) {
	out, err = s.edges(ctx, `e.from_id = ?`, `e.to_id`, id)
	if err != nil {
		return nil, nil, err
	}
	in, err = s.edges(ctx, `e.to_id = ?`, `e.from_id`, id)
	return out, in, err
}

func (s *Store) edges(ctx context.Context, cond, peer, id string) ([]EdgeRecord, error) {
	q := `SELECT ` + edgeColumns + `
FROM edges e LEFT JOIN nodes n ON n.id = ` + peer + `
WHERE ` + cond + ` AND e.gone_in IS NULL ORDER BY e.kind, ` + peer
	rows, err := s.db.QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("list edges of %s: %w", id, err)
	}
	defer rows.Close()
	var res []EdgeRecord
	for rows.Next() {
		e, err := scanEdge(rows)
		if err != nil {
			return nil, err
		}
		res = append(res, e)
	}
	return res, rows.Err()
}

// edgeColumns selects an edge e and the kind and name of the node n at its
// other end; scanEdge reads them.
const edgeColumns = `e.from_id, e.kind, e.to_id, e.attrs, e.first_seen, e.last_seen, coalesce(e.gone_in, 0), coalesce(n.kind, ''), coalesce(n.name, '')`

func scanEdge(r rowScanner) (EdgeRecord, error) {
	var er edgeRow
	if err := r.Scan(er.dest()...); err != nil {
		return EdgeRecord{}, err
	}
	return er.record()
}

// edgeRow holds the columns of edgeColumns while a row is read.
type edgeRow struct {
	e                     EdgeRecord
	kind, attrs, peerKind string
}

func (er *edgeRow) dest() []any {
	e := &er.e
	return []any{&e.From, &er.kind, &e.To, &er.attrs, &e.FirstSeen, &e.LastSeen, &e.GoneIn, &er.peerKind, &e.PeerName}
}

func (er *edgeRow) record() (EdgeRecord, error) {
	e := er.e
	e.Kind, e.PeerKind = EdgeKind(er.kind), NodeKind(er.peerKind)
	if err := json.Unmarshal([]byte(er.attrs), &e.Attrs); err != nil {
		return e, fmt.Errorf("edge %s -%s-> %s: bad attributes: %w", e.From, e.Kind, e.To, err)
	}
	return e, nil
}

// EdgesFrom returns the current edges of the given kinds (of every kind
// when none is given) leaving each node of from, by node, each node's
// ordered by kind then target id. It runs one statement, however many
// nodes from holds.
func (s *Store) EdgesFrom(ctx context.Context, from []string, kinds ...EdgeKind) (map[string][]EdgeRecord, error) {
	out := map[string][]EdgeRecord{}
	if len(from) == 0 {
		return out, nil
	}
	fromJSON, err := json.Marshal(from)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + edgeColumns + `
FROM (SELECT DISTINCT value AS id FROM json_each(?1)) f
JOIN edges e ON e.from_id = f.id
LEFT JOIN nodes n ON n.id = e.to_id
WHERE e.gone_in IS NULL`
	args := []any{string(fromJSON)}
	if len(kinds) > 0 {
		kindsJSON, err := json.Marshal(kinds)
		if err != nil {
			return nil, err
		}
		q += ` AND e.kind IN (SELECT value FROM json_each(?2))`
		args = append(args, string(kindsJSON))
	}
	q += ` ORDER BY e.from_id, e.kind, e.to_id`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list edges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEdge(rows)
		if err != nil {
			return nil, err
		}
		out[e.From] = append(out[e.From], e)
	}
	return out, rows.Err()
}

// Count is the number of current nodes of one kind for one provider, or of
// current edges of one kind.
type Count struct {
	Provider string
	Kind     string
	N        int
}

// NodeCounts counts current nodes per provider and kind, from the counts
// each scope's completion keeps (migration 0005): it reads a row per scope
// and kind, never the nodes.
func (s *Store) NodeCounts(ctx context.Context) ([]Count, error) {
	return s.counts(ctx, `SELECT provider, kind, sum(n) FROM node_counts GROUP BY provider, kind HAVING sum(n) > 0 ORDER BY provider, kind`)
}

// EdgeCounts counts current edges per the provider of the scope that wrote
// them and kind, from the counts each scope's completion keeps.
func (s *Store) EdgeCounts(ctx context.Context) ([]Count, error) {
	return s.counts(ctx, `SELECT sc.provider, c.kind, sum(c.n) FROM edge_counts c JOIN scopes sc ON sc.id = c.scope_id GROUP BY sc.provider, c.kind HAVING sum(c.n) > 0 ORDER BY 1, 2`)
}

func (s *Store) counts(ctx context.Context, q string) ([]Count, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count inventory: %w", err)
	}
	defer rows.Close()
	var res []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Provider, &c.Kind, &c.N); err != nil {
			return nil, err
		}
		res = append(res, c)
	}
	return res, rows.Err()
}

// ScanRecord is one row of the scans table.
type ScanRecord struct {
	ID       int64
	Started  time.Time
	Finished time.Time
	Status   ScanStatus
}

// ScanByID returns one scan or ErrNotFound. A scan that died while running
// reads as interrupted.
func (s *Store) ScanByID(ctx context.Context, id int64) (ScanRecord, error) {
	var r ScanRecord
	var started string
	var finished sql.NullString
	var status string
	err := s.db.QueryRowContext(ctx, `SELECT id, started_at, finished_at, status FROM scans WHERE id = ?`, id).Scan(&r.ID, &started, &finished, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Status = s.liveStatus(ScanStatus(status))
	r.Started, _ = time.Parse(time.RFC3339Nano, started)
	if finished.Valid {
		r.Finished, _ = time.Parse(time.RFC3339Nano, finished.String)
	}
	return r, nil
}

// ScanErrors lists the errors recorded by one scan, in order.
func (s *Store) ScanErrors(ctx context.Context, scanID int64) ([]ScanError, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, tenant, scope, operation, message, class, warning FROM scan_errors WHERE scan_id = ? ORDER BY id`, scanID)
	if err != nil {
		return nil, fmt.Errorf("list scan errors: %w", err)
	}
	defer rows.Close()
	var res []ScanError
	for rows.Next() {
		var e ScanError
		if err := rows.Scan(&e.Provider, &e.Tenant, &e.Scope, &e.Operation, &e.Message, &e.Class, &e.Warning); err != nil {
			return nil, err
		}
		res = append(res, e)
	}
	return res, rows.Err()
}

// CompletedScopes lists the scopes a scan completed.
func (s *Store) CompletedScopes(ctx context.Context, scanID int64) ([]Scope, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sc.provider, sc.tenant, sc.name FROM scan_scopes ss JOIN scopes sc ON sc.id = ss.scope_id WHERE ss.scan_id = ? ORDER BY 1, 2, 3`, scanID)
	if err != nil {
		return nil, fmt.Errorf("list completed scopes: %w", err)
	}
	defer rows.Close()
	var res []Scope
	for rows.Next() {
		var sc Scope
		if err := rows.Scan(&sc.Provider, &sc.Tenant, &sc.Name); err != nil {
			return nil, err
		}
		res = append(res, sc)
	}
	return res, rows.Err()
}

// FindNodes returns up to limit current nodes whose name is term or whose
// id ends with term (what a person types for "show": a key id, a role
// name), ordered by id, and how many there are in all (0 when limit is).
// It reads the current nodes once, the one read of inventory show that
// does: an index on name would cost every re-scan about 13% of its write
// speed (BenchmarkWriter, 1M nodes), and showing by id searches an index.
func (s *Store) FindNodes(ctx context.Context, term string, limit int) (nodes []NodeRecord, total int, err error) {
	// The count is over every match, before the LIMIT: one statement.
	rows, err := s.db.QueryContext(ctx, `SELECT `+nodeColumns+`, count(*) OVER () FROM nodes
WHERE gone_in IS NULL AND (name = ?1 OR substr(id, -length(?1)) = ?1) ORDER BY id LIMIT ?2`, term, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("find nodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var nr nodeRow
		if err := rows.Scan(append(nr.dest(), &total)...); err != nil {
			return nil, 0, err
		}
		n, err := nr.record()
		if err != nil {
			return nil, 0, err
		}
		nodes = append(nodes, n)
	}
	return nodes, total, rows.Err()
}
