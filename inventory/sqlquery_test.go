package inventory

import (
	"context"
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
