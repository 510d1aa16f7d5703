package inventory

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// interruptOnDone interrupts the statement running on conn once ctx ends,
// until stop is called; stop returns once no interrupt can follow.
//
// The driver interrupts a statement whose context ends while QueryContext
// computes its first row, but not while Rows.Next computes a later one:
// database/sql only closes the rows between two calls of Next, so a query
// that returns a row and then runs forever (SELECT 1 UNION ALL SELECT
// count(*) FROM an endless recursive table) would never see its deadline.
// This calls sqlite3_interrupt as the driver itself does, on a TLS of its
// own, on the connection's handle, which the driver does not export.
func interruptOnDone(ctx context.Context, conn *sql.Conn) (stop func(), err error) {
	var handle uintptr
	if err := conn.Raw(func(dc any) error {
		var herr error
		handle, herr = sqliteHandle(dc)
		return herr
	}); err != nil {
		return nil, err
	}
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			tls := libc.NewTLS()
			sqlite3.Xsqlite3_interrupt(tls, handle)
			tls.Close()
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-exited
	}, nil
}

// sqliteHandle is the sqlite3* of a connection of the modernc.org/sqlite
// driver, seen through wrappers that have an Unwrap method (the store's
// statement counter).
func sqliteHandle(dc any) (uintptr, error) {
	for {
		u, ok := dc.(interface{ Unwrap() driver.Conn })
		if !ok {
			break
		}
		dc = u.Unwrap()
	}
	v := reflect.ValueOf(dc)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct && v.Elem().Type().PkgPath() == "modernc.org/sqlite" {
		if f := v.Elem().FieldByName("db"); f.IsValid() && f.Kind() == reflect.Uintptr && f.Uint() != 0 {
			return uintptr(f.Uint()), nil
		}
	}
	return 0, fmt.Errorf("sqlite connection %T has no handle to interrupt, so a query could outlive its deadline: this build of aam is broken, please report it", dc)
}

// limitValueLength makes SQLite refuse, on conn, any string or blob longer
// than n bytes; restore puts back the connection's previous limit.
func limitValueLength(conn *sql.Conn, n int64) (restore func(), err error) {
	n = min(n, math.MaxInt32)
	prev, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, int(n))
	if err != nil {
		return nil, fmt.Errorf("bound the length of the query's values: %w", err)
	}
	return func() { sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, prev) }, nil
}
