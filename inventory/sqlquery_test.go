package inventory

import (
	"context"
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

// FuzzCheckReadOnlySQL runs every statement the check accepts against a
// real read-only store, and checks the database did not change.
func FuzzCheckReadOnlySQL(f *testing.F) {
	for _, s := range []string{"SELECT 1", "SELECT 'a''b'", "SELECT [x] FROM y; -- c", "/* */ WITH a AS (SELECT 1) SELECT * FROM a",
		"DELETE FROM nodes", "SELECT replace(id, 'a', 'b') FROM nodes", "WITH x AS (SELECT 1) DELETE FROM nodes"} {
		f.Add(s)
	}
	rw, p := openTemp(f)
	sc, err := rw.BeginScan(context.Background(), ScanInfo{})
	if err != nil {
		f.Fatal(err)
	}
	if err := sc.Node(context.Background(), iamA, Node{ID: "a1", Kind: KindIdentity}); err != nil {
		f.Fatal(err)
	}
	if err := sc.CompleteScope(context.Background(), iamA); err != nil {
		f.Fatal(err)
	}
	if err := sc.Finish(context.Background(), ScanOK); err != nil {
		f.Fatal(err)
	}
	ro, err := OpenReadOnly(context.Background(), p)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ro.Close() })
	state := func() string {
		var n, tables int
		var schema string
		rw.db.QueryRow(`SELECT count(*) FROM nodes`).Scan(&n)
		rw.db.QueryRow(`SELECT count(*), group_concat(sql) FROM sqlite_master`).Scan(&tables, &schema)
		return fmt.Sprint(n, tables, schema)
	}
	before := state()
	f.Fuzz(func(t *testing.T, q string) {
		if CheckReadOnlySQL(q) != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		ro.Query(ctx, q) // may fail: it must not write
		if after := state(); after != before {
			t.Fatalf("accepted %q changed the database", q)
		}
	})
}
