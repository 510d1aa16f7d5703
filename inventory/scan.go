package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ScanStatus is how a scan ended.
type ScanStatus string

const (
	ScanRunning     ScanStatus = "running"
	ScanOK          ScanStatus = "ok"
	ScanPartial     ScanStatus = "partial"
	ScanFailed      ScanStatus = "failed"
	ScanInterrupted ScanStatus = "interrupted"
)

// ScanInfo describes a scan when it begins.
type ScanInfo struct {
	Providers  []string
	AAMVersion string
	Now        func() time.Time
}

// batchRows is how many staged rows one write transaction holds at most.
const batchRows = 8192

// Scan is a running scan: the batched writer of its rows. It implements Writer.
// All writes go through one goroutine, which stages rows in transactions of up
// to batchRows and runs each scope's finishing transaction.
type Scan struct {
	store *Store
	lock  *scanLock
	conn  *sql.Conn // dedicated: it owns the TEMP staging tables
	id    int64
	now   func() time.Time

	ops  chan scanOp
	quit chan struct{}
	done chan struct{}

	mu     sync.Mutex
	err    error // the first store failure; every later write returns it
	closed bool
}

type stagedRow struct {
	scope Scope
	node  *Node
	edge  *Edge
	attrs string
}

type scanOp struct {
	row      *stagedRow
	complete *Scope
	scanErr  *ScanError
	finish   *ScanStatus
	reply    chan error
}

// ID is the scan's row id in the scans table.
func (sc *Scan) ID() int64 { return sc.id }

// BeginScan records a new scan and starts its writer. Scans left running by
// a process that died are marked interrupted and their staged rows dropped:
// their scopes keep the state of the last scan that finished them.
func (s *Store) BeginScan(ctx context.Context, info ScanInfo) (*Scan, error) {
	if s.readOnly {
		return nil, errors.New("store is read-only")
	}
	now := info.Now
	if now == nil {
		now = time.Now
	}
	// A store opened for scanning holds the lock already; another takes it
	// for the scan.
	var lock *scanLock
	if s.lock == nil {
		var err error
		if lock, err = lockScan(s.path); err != nil {
			return nil, err
		}
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	if err := dropStagingTables(ctx, conn); err != nil {
		conn.Close()
		lock.release()
		return nil, fmt.Errorf("begin scan: drop old staging tables: %w", err)
	}
	// Staged rows stay in memory up to 128 MiB, then spill to a temporary
	// file, so a huge scope costs disk, not unbounded memory.
	if _, err := conn.ExecContext(ctx, `PRAGMA temp.cache_size = -131072`); err != nil {
		conn.Close()
		lock.release()
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		lock.release()
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE scans SET status = 'interrupted' WHERE status = 'running'`); err != nil {
		conn.Close()
		lock.release()
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	providers, _ := json.Marshal(info.Providers)
	res, err := tx.ExecContext(ctx, `INSERT INTO scans (started_at, status, providers, aam_version) VALUES (?, 'running', ?, ?)`,
		formatTime(now()), string(providers), info.AAMVersion)
	if err != nil {
		conn.Close()
		lock.release()
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		conn.Close()
		lock.release()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		conn.Close()
		lock.release()
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	sc := &Scan{
		store: s, lock: lock, conn: conn, id: id, now: now,
		ops:  make(chan scanOp, batchRows),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go sc.run()
	return sc, nil
}

// Node stages a node for scope s.
func (sc *Scan) Node(ctx context.Context, s Scope, n Node) error {
	if n.ID == "" || n.Kind == "" {
		return fmt.Errorf("node %q of kind %q: id and kind are required", n.ID, n.Kind)
	}
	attrs, err := encodeAttrs(n.Attrs)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.ID, err)
	}
	return sc.send(ctx, scanOp{row: &stagedRow{scope: s, node: &n, attrs: attrs}})
}

// Edge stages an edge for scope s.
func (sc *Scan) Edge(ctx context.Context, s Scope, e Edge) error {
	if e.From == "" || e.To == "" || e.Kind == "" {
		return fmt.Errorf("edge %s -%s-> %s: from, kind and to are required", e.From, e.Kind, e.To)
	}
	attrs, err := encodeAttrs(e.Attrs)
	if err != nil {
		return fmt.Errorf("edge %s -%s-> %s: %w", e.From, e.Kind, e.To, err)
	}
	return sc.send(ctx, scanOp{row: &stagedRow{scope: s, edge: &e, attrs: attrs}})
}

// CompleteScope makes what this scan staged for s the current state of s, and
// marks every node and edge s had before but not now as gone, in one
// transaction. It returns once that transaction has committed.
func (sc *Scan) CompleteScope(ctx context.Context, s Scope) error {
	return sc.call(ctx, scanOp{complete: &s})
}

// RecordError records a provider failure in scan_errors.
func (sc *Scan) RecordError(ctx context.Context, e ScanError) error {
	return sc.call(ctx, scanOp{scanErr: &e})
}

// Finish writes what is still pending, drops the staged rows of scopes that
// were never completed (they keep their last finished state), records the
// scan's status and stops the writer. The Scan cannot be used afterwards.
func (sc *Scan) Finish(ctx context.Context, status ScanStatus) error {
	err := sc.call(ctx, scanOp{finish: &status})
	sc.mu.Lock()
	sc.closed = true
	sc.mu.Unlock()
	close(sc.quit)
	<-sc.done
	return err
}

// Abandon stops the writer without finishing the scan, as a killed process
// would: nothing staged becomes current. Tests use it to simulate a crash.
func (sc *Scan) Abandon() {
	sc.mu.Lock()
	if sc.closed {
		sc.mu.Unlock()
		return
	}
	sc.closed = true
	sc.mu.Unlock()
	close(sc.quit)
	<-sc.done
}

func (sc *Scan) failed() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.err != nil {
		return sc.err
	}
	if sc.closed {
		return errors.New("scan already finished")
	}
	return nil
}

// send hands op to the writer. It does not give up when the caller's
// context ends: the writer always drains, and a row or error a scanner found
// before a timeout is still written (an error here means the store failed).
func (sc *Scan) send(_ context.Context, op scanOp) error {
	if err := sc.failed(); err != nil && op.finish == nil {
		return err
	}
	sc.mu.Lock()
	closed := sc.closed
	sc.mu.Unlock()
	if closed {
		return errors.New("scan already finished")
	}
	select {
	case sc.ops <- op:
		return nil
	case <-sc.done:
		return sc.failedOr(errors.New("scan writer stopped"))
	}
}

func (sc *Scan) failedOr(def error) error {
	if err := sc.failed(); err != nil {
		return err
	}
	return def
}

func (sc *Scan) call(ctx context.Context, op scanOp) error {
	op.reply = make(chan error, 1)
	if err := sc.send(ctx, op); err != nil {
		return err
	}
	select {
	case err := <-op.reply:
		return err
	case <-sc.done:
		return sc.failedOr(errors.New("scan writer stopped"))
	}
}

func (sc *Scan) setErr(err error) {
	sc.mu.Lock()
	if sc.err == nil {
		sc.err = err
	}
	sc.mu.Unlock()
}

// run is the single writer goroutine. It uses a background context on
// purpose: once a row is accepted it is written (or the scan fails), even if
// the caller's context is cancelled, so no transaction is half-done.
func (sc *Scan) run() {
	defer close(sc.done)
	defer sc.lock.release()
	defer sc.conn.Close()
	w := newStageWriter(sc)
	ctx := context.Background()
	for {
		var op scanOp
		select {
		case op = <-sc.ops:
		default:
			// Idle: write what is pending before blocking.
			if err := w.flush(ctx); err != nil {
				sc.setErr(err)
			}
			select {
			case op = <-sc.ops:
			case <-sc.quit:
				return
			}
		}
		if op.row != nil {
			if sc.failed() != nil {
				continue
			}
			w.add(op.row)
			if len(w.pending) >= batchRows {
				if err := w.flush(ctx); err != nil {
					sc.setErr(err)
				}
			}
			continue
		}
		err := w.flush(ctx)
		if err != nil {
			sc.setErr(err)
		}
		// Once a write failed, rows were lost: no scope may complete (it
		// would mark them gone). The scan can still record its status.
		if failed := sc.failed(); failed != nil && op.finish == nil {
			err = failed
		} else if op.finish != nil {
			err = w.finish(ctx, *op.finish, sc.failed())
		} else {
			switch {
			case op.complete != nil:
				err = w.complete(ctx, *op.complete)
			case op.scanErr != nil:
				err = w.recordError(ctx, *op.scanErr)
			}
		}
		if err != nil && op.scanErr == nil && op.finish == nil {
			sc.setErr(err)
		}
		if op.reply != nil {
			op.reply <- err
		}
	}
}

func encodeAttrs(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode attributes: %w", err)
	}
	return string(b), nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: t.UTC().Format(time.RFC3339), Valid: true}
}
