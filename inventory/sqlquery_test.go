package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckReadOnlySQL(t *testing.T) {
	tests := []struct {
		q       string
		wantErr string // empty: accepted
	}{
		{"SELECT * FROM nodes", ""},
		{"  select kind, count(*) from nodes group by kind;  ", ""},
		{"WITH x AS (SELECT 1) SELECT * FROM x", ""},
		{"SELECT 'DROP TABLE nodes; DELETE' AS s", ""},
		{`SELECT "update" FROM (SELECT 1 AS "update")`, ""},
		{"SELECT 1 -- ; DELETE FROM nodes", ""},
		{"SELECT 1 /* ; DROP */", ""},
		{"SELECT * FROM pragma_table_info('nodes')", ""},
		{"EXPLAIN QUERY PLAN SELECT * FROM nodes", ""},
		{"SELECT replace(name, '-', '_') FROM nodes", ""},
		{"SELECT REPLACE (name, 'a', 'b') FROM nodes", ""},
		{"REPLACE INTO nodes (id) VALUES ('x')", "writes refused"},
		{"INSERT OR REPLACE INTO nodes (id) VALUES ('x')", "writes refused"},
		{"DELETE FROM nodes", "writes refused"},
		{"insert into nodes values (1)", "writes refused"},
		{"WITH x AS (SELECT 1) UPDATE nodes SET name = 'x'", "writes refused"},
		{"ATTACH DATABASE 'x.db' AS x", "attaching another database refused"},
		{"PRAGMA journal_mode = DELETE", "PRAGMA statements refused"},
		{"SELECT 1; SELECT 2", "multiple statements refused"},
		{"SELECT 1;; ", "multiple statements refused"},
		{"", "empty query"},
		{"-- only a comment", "empty query"},
		{"SELECT 'unterminated", "unterminated"},
		{"SELECT 1 /* open", "unterminated"},
		{"VACUUM", "VACUUM refused"},
		{"CREATE TABLE x (y)", "schema changes refused"},
		{"foo bar", "refused"},
	}
	for _, tt := range tests {
		err := CheckReadOnlySQL(tt.q)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckReadOnlySQL(%q) = %v, want accepted", tt.q, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CheckReadOnlySQL(%q) = %v, want error containing %q", tt.q, err, tt.wantErr)
		}
	}
}

// FuzzCheckReadOnlySQL: whatever the check accepts starts with a read-only
// keyword and, run on a writable connection inside a transaction, changes
// no row (total_changes() is unchanged) before it is rolled back.
func FuzzCheckReadOnlySQL(f *testing.F) {
	for _, s := range []string{"SELECT 1", "SELECT 'a''b'", "SELECT [x] FROM y; -- c", "/* */ WITH a AS (SELECT 1) SELECT * FROM a",
		"DELETE FROM nodes", "SELECT replace(id, 'a', 'b') FROM nodes", "WITH x AS (SELECT 1) DELETE FROM nodes", "VALUES (1)"} {
		f.Add(s)
	}
	rw, _ := openTemp(f)
	runScan0(f, rw)
	f.Fuzz(func(t *testing.T, q string) {
		if CheckReadOnlySQL(q) != nil {
			return
		}
		toks, _ := sqlTokens(q)
		switch toks[0] {
		case "SELECT", "WITH", "VALUES", "EXPLAIN":
		default:
			t.Fatalf("accepted %q starting with %q", q, toks[0])
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		tx, err := rw.db.BeginTx(ctx, nil)
		if err != nil {
			t.Skip(err)
		}
		defer tx.Rollback()
		var before, after int64
		if err := tx.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if rows, err := tx.QueryContext(ctx, q); err == nil {
			for rows.Next() {
			}
			rows.Close()
		}
		if err := tx.QueryRow(`SELECT total_changes()`).Scan(&after); err != nil {
			t.Skip(err) // the statement broke the transaction: nothing was kept
		}
		if after != before {
			t.Fatalf("accepted %q changed %d rows", q, after-before)
		}
	})
}

// runScan0 writes one finished scan with one node.
func runScan0(tb testing.TB, s *Store) {
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := sc.Node(ctx, iamA, Node{ID: "a1", Kind: KindIdentity}); err != nil {
		tb.Fatal(err)
	}
	if err := sc.CompleteScope(ctx, iamA); err != nil {
		tb.Fatal(err)
	}
	if err := sc.Finish(ctx, ScanOK); err != nil {
		tb.Fatal(err)
	}
}

// endless is a recursive table without end.
const endless = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) `

// A query stops when its context ends: while it computes its first row
// (which the driver watches), after its first row (which only the store's
// own interrupt stops), and between rows; the error says which end it was.
func TestQueryStopsWhenItsContextEnds(t *testing.T) {
	ro := readOnlyTemp(t)
	lim := QueryLimits{Rows: DefaultMaxQueryRows, Bytes: DefaultMaxQueryBytes}
	tests := []struct {
		name, q string
		cancel  bool // canceled rather than timed out
	}{
		{"before the first row", endless + `SELECT count(*) FROM c`, false},
		{"after the first row", endless + `SELECT 1 UNION ALL SELECT count(*) FROM c`, false},
		{"between rows", endless + `SELECT x FROM c WHERE x % 5000000 = 0`, false},
		{"canceled after the first row", endless + `SELECT 1 UNION ALL SELECT count(*) FROM c`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				ctx    context.Context
				cancel context.CancelFunc
				want   = context.DeadlineExceeded
			)
			if tt.cancel {
				ctx, cancel = context.WithCancel(context.Background())
				time.AfterFunc(200*time.Millisecond, cancel)
				want = context.Canceled
			} else {
				ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
			}
			defer cancel()
			err := queryOrHang(t, func() error { _, err := ro.QueryLimited(ctx, tt.q, lim); return err })
			if !errors.Is(err, want) {
				t.Errorf("err = %v, want %v", err, want)
			}
			// The store is still usable.
			if res, err := ro.Query(context.Background(), "SELECT count(*) FROM nodes"); err != nil || len(res.Rows) != 1 {
				t.Errorf("after the interrupted query: %v", err)
			}
		})
	}
}

// queryOrHang runs query and returns its error, or fails the test when it
// has not returned after a minute: a query that ignores its deadline runs
// forever, and this turns that into a failure rather than a hung test
// binary. It measures nothing.
func queryOrHang(t *testing.T, query func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- query() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("the query did not stop when its context ended")
		return nil
	}
}

// A result over its limits is refused with a LimitError naming the limit
// and saying how to narrow the query; a result at the limits is read.
func TestQueryLimits(t *testing.T) {
	ro := readOnlyTemp(t)
	ctx := context.Background()
	rows := func(n int, cell string) string {
		return fmt.Sprintf(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT %d) SELECT %s FROM c`, n, cell)
	}
	tests := []struct {
		name    string
		q       string
		lim     QueryLimits
		want    *LimitError // nil: read
		wantMsg string
	}{
		{"rows at the limit", rows(10, "x"), QueryLimits{Rows: 10, Bytes: 1 << 20}, nil, ""},
		{"rows over the limit", rows(11, "x"), QueryLimits{Rows: 10, Bytes: 1 << 20}, &LimitError{Rows: 10}, "result exceeds 10 rows: add LIMIT or a WHERE clause"},
		{"bytes at the limit", rows(100, "printf('%.1000c', 'x')"), QueryLimits{Rows: 1000, Bytes: 100000}, nil, ""},
		{"bytes over the limit", rows(101, "printf('%.1000c', 'x')"), QueryLimits{Rows: 1000, Bytes: 100000}, &LimitError{Bytes: 100000}, "result exceeds 100000 bytes of cell data: select fewer or shorter columns"},
		{"numbers count 8 bytes", rows(10, "x, 1.5"), QueryLimits{Rows: 1000, Bytes: 159}, &LimitError{Bytes: 159}, "exceeds 159 bytes"},
		{"bytes in MiB", rows(20, "zeroblob(1 << 20)"), QueryLimits{Rows: 1000, Bytes: 16 << 20}, &LimitError{Bytes: 16 << 20}, "result exceeds 16 MiB of cell data"},
		{"one value over the limit", `SELECT length(zeroblob(2000))`, QueryLimits{Rows: 10, Bytes: 1000}, &LimitError{Bytes: 1000, Value: true}, "a value the query computes exceeds 1000 bytes"},
		{"one value at the limit", `SELECT zeroblob(1000)`, QueryLimits{Rows: 10, Bytes: 1000}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ro.QueryLimited(ctx, tt.q, tt.lim)
			if tt.want == nil {
				if err != nil || len(res.Rows) == 0 {
					t.Fatalf("err = %v, want the rows", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || *le != *tt.want {
				t.Fatalf("err = %#v, want %#v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
	// The length limit was the query's own: the connection is back to
	// SQLite's.
	for range 4 {
		if _, err := ro.Query(ctx, `SELECT zeroblob(5000)`); err != nil {
			t.Fatalf("a 5000-byte value after the queries: %v", err)
		}
	}
}

// readOnlyTemp is a read-only store on a database of one finished scan.
func readOnlyTemp(t *testing.T) *Store {
	t.Helper()
	rw, p := openTemp(t)
	runScan0(t, rw)
	ro, err := OpenReadOnly(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}
