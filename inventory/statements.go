package inventory

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"

	"modernc.org/sqlite"
)

// openDB opens the database at dsn through a connector that counts every
// statement run on its connections: the one place all of a Store's SQL goes
// through, whether it is run directly, in a transaction or prepared.
func openDB(dsn string, log *statementLog) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(countingConnector{Connector: base, log: log}), nil
}

// Statements is how many SQL statements the store has run since it was
// opened, each query or exec counted once (a prepared statement once per
// execution; beginning and ending a transaction are not counted). Tests use
// it to check that reading the graph costs a number of statements that does
// not grow with the graph.
func (s *Store) Statements() int64 { return s.log.n.Load() }

// TraceStatements calls f with the text and arguments of every statement
// the store runs from now on, as it runs it; nil stops. f must be safe for
// concurrent use. Tests use it to read the query plan of what a command
// runs.
func (s *Store) TraceStatements(f func(query string, args []any)) {
	if f == nil {
		s.log.trace.Store(nil)
		return
	}
	s.log.trace.Store(&f)
}

// statementLog counts, and traces when asked, the statements of a Store.
type statementLog struct {
	n     atomic.Int64
	trace atomic.Pointer[func(query string, args []any)]
}

func (l *statementLog) ran(query string, args []driver.NamedValue) {
	l.n.Add(1)
	if f := l.trace.Load(); f != nil {
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = a.Value
		}
		(*f)(query, vals)
	}
}

// ranValues is ran for the deprecated driver calls, whose arguments have
// no names.
func (l *statementLog) ranValues(query string, args []driver.Value) {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	l.ran(query, named)
}

type countingConnector struct {
	driver.Connector
	log *statementLog
}

// sqliteConn is what every connection of the sqlite driver implements; the
// wrapper forwards all of it, so database/sql keeps using the context-aware
// methods.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks a context-aware method", conn)
	}
	return &countingConn{sqliteConn: sc, log: c.log}, nil
}

type countingConn struct {
	sqliteConn
	log *statementLog
}

// Unwrap returns the driver's own connection.
func (c *countingConn) Unwrap() driver.Conn { return c.sqliteConn }

// count counts one statement, unless the driver asked database/sql to run
// it another way (which then goes through a counted prepared statement).
func (c *countingConn) count(query string, args []driver.NamedValue, err error) {
	if !errors.Is(err, driver.ErrSkip) {
		c.log.ran(query, args)
	}
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.sqliteConn.ExecContext(ctx, query, args)
	c.count(query, args, err)
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.sqliteConn.QueryContext(ctx, query, args)
	c.count(query, args, err)
	return r, err
}

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	st, err := c.sqliteConn.Prepare(query)
	return c.wrapStmt(query, st, err)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.sqliteConn.PrepareContext(ctx, query)
	return c.wrapStmt(query, st, err)
}

func (c *countingConn) wrapStmt(query string, st driver.Stmt, err error) (driver.Stmt, error) {
	if err != nil {
		return nil, err
	}
	cs, ok := st.(sqliteStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("sqlite statement %T lacks a context-aware method", st)
	}
	return &countingStmt{sqliteStmt: cs, query: query, log: c.log}, nil
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type countingStmt struct {
	sqliteStmt
	query string
	log   *statementLog
}

// Exec and Query are the deprecated forms database/sql does not call when
// the context-aware ones exist; they are counted all the same.
func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.log.ranValues(s.query, args)
	return s.sqliteStmt.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.log.ranValues(s.query, args)
	return s.sqliteStmt.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.log.ran(s.query, args)
	return s.sqliteStmt.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.log.ran(s.query, args)
	return s.sqliteStmt.QueryContext(ctx, args)
}
