package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// EachRow runs one read-only statement, behind the same guard as
// QueryLimited, with named arguments (sql.Named), and calls each with every
// row as it is read, so that a reader of a large result holds one row at a
// time. The values are int64, float64, string or nil; row is reused between
// calls. The statement stops when ctx ends or each returns an error, which
// EachRow returns as it is.
func (s *Store) EachRow(ctx context.Context, q string, args []any, each func(cols []string, row []any) error) error {
	if err := CheckReadOnlySQL(q); err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return queryFailed(ctx, err)
	}
	defer conn.Close()
	stop, err := interruptOnDone(ctx, conn)
	if err != nil {
		return err
	}
	defer stop()
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return queryFailed(ctx, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := each(cols, vals); err != nil {
			return &stopped{err}
		}
	}
	if err := rows.Err(); err != nil {
		return queryFailed(ctx, err)
	}
	return nil
}

// stopped carries the error of an EachRow callback through unchanged.
type stopped struct{ err error }

func (e *stopped) Error() string { return e.err.Error() }
func (e *stopped) Unwrap() error { return e.err }

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// WriteTx runs f in one transaction that takes SQLite's write lock before
// anything else (BEGIN IMMEDIATE), for the tables a package other than the
// scanners owns (posture's findings): it commits when f returns nil and
// rolls back otherwise, so a failure leaves nothing half-written. f must
// not begin or end transactions on conn.
func (s *Store) WriteTx(ctx context.Context, f func(conn *sql.Conn) error) (err error) {
	if s.readOnly {
		return errors.New("store is open read-only: open it with inventory.Open to write")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, explainSQLite(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("write to %s: %w", s.path, explainSQLite(err))
	}
	if err := f(conn); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		return err
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		return fmt.Errorf("write to %s: %w", s.path, explainSQLite(err))
	}
	return nil
}
