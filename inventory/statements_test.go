package inventory

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Every statement counts once, whether run directly, read row by row, in a
// transaction or prepared and run twice.
func TestStatementsCountsEachStatement(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	count := func(what string, want int64, f func() error) {
		t.Helper()
		before := s.Statements()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := s.Statements() - before; got != want {
			t.Errorf("%s ran %d statements, want %d", what, got, want)
		}
	}
	count("a query", 1, func() error {
		_, err := s.NodeByID(ctx, "missing")
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	count("two queries", 2, func() error {
		_, _, err := s.EdgesOf(ctx, "missing")
		return err
	})
	count("a transaction of two", 2, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('a', 'b')`); err != nil {
			return err
		}
		var n int
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM meta`).Scan(&n)
	})
	count("a prepared statement run twice", 2, func() error {
		st, err := s.db.PrepareContext(ctx, `SELECT count(*) FROM nodes WHERE kind = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		var n int
		for _, k := range []NodeKind{KindAgent, KindIdentity} {
			if err := st.QueryRowContext(ctx, k).Scan(&n); err != nil {
				return err
			}
		}
		return nil
	})
}

// A trace sees each statement with its arguments, and nothing once stopped.
func TestTraceStatements(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var got []string
	s.TraceStatements(func(q string, args []any) { got = append(got, fmt.Sprint(strings.Fields(q)[0], args)) })
	if _, err := s.NodeByID(ctx, "n1"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	s.TraceStatements(nil)
	if _, err := s.NodeByID(ctx, "n2"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if want := []string{"SELECT[n1]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("traced %q, want %q", got, want)
	}
}
