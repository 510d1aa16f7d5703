package scanners_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
)

// fakeScanner writes one node in its scope and completes it, or panics, or
// waits for the end of its context and records that.
type fakeScanner struct {
	name string
	do   string // "ok", "panic", "wait"
}

func (f fakeScanner) Name() string { return f.name }

func (f fakeScanner) Scan(ctx context.Context, w inventory.Writer) error {
	scope := inventory.Scope{Provider: f.name, Tenant: "t1", Name: inventory.GlobalScope}
	switch f.do {
	case "panic":
		panic("a bug in " + f.name)
	case "wait":
		<-ctx.Done()
		return w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: f.name, Tenant: "t1", Scope: scope.Name, Operation: "list", Message: "timed out"})
	}
	if err := w.Node(ctx, scope, inventory.Node{ID: f.name + ":agent:1", Kind: inventory.KindAgent, Provider: f.name, Tenant: "t1", Name: "a1"}); err != nil {
		return err
	}
	return w.CompleteScope(ctx, scope)
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		scanners  []scanners.Scanner
		timeout   time.Duration
		status    inventory.ScanStatus
		scopes    int
		errs      []string // substrings of the recorded errors, in order
		timedOut  bool
		wantNodes int
	}{
		{"every scanner completes", []scanners.Scanner{fakeScanner{"a", "ok"}, fakeScanner{"b", "ok"}}, 0, inventory.ScanOK, 2, nil, false, 2},
		{"a panic fails its scanner alone", []scanners.Scanner{fakeScanner{"a", "ok"}, fakeScanner{"b", "panic"}}, 0, inventory.ScanPartial, 1, []string{"scanner panicked: a bug in b"}, false, 1},
		{"nothing completes", []scanners.Scanner{fakeScanner{"b", "panic"}}, 0, inventory.ScanFailed, 0, []string{"scanner panicked"}, false, 0},
		{"the timeout keeps what finished", []scanners.Scanner{fakeScanner{"a", "ok"}, fakeScanner{"c", "wait"}}, 50 * time.Millisecond, inventory.ScanPartial, 1, []string{"timed out", "--timeout 50ms reached"}, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "aam.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			res, err := scanners.Run(ctx, store, tc.scanners, scanners.RunOptions{Timeout: tc.timeout, AAMVersion: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || len(res.Scopes) != tc.scopes || res.TimedOut != tc.timedOut || res.Interrupted || res.StoreErr != nil {
				t.Errorf("result %+v, want status %s, %d scopes, timed out %v", res, tc.status, tc.scopes, tc.timedOut)
			}
			if len(res.Errors) != len(tc.errs) {
				t.Fatalf("errors %+v, want %d", res.Errors, len(tc.errs))
			}
			for i, want := range tc.errs {
				if !strings.Contains(res.Errors[i].Message, want) {
					t.Errorf("error %d = %q, want %q", i, res.Errors[i].Message, want)
				}
			}
			rec, err := store.ScanByID(ctx, res.ScanID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != tc.status {
				t.Errorf("the scan row ended %q, want %q", rec.Status, tc.status)
			}
			nodes, err := store.Nodes(ctx, inventory.NodeFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != tc.wantNodes {
				t.Errorf("%d current nodes, want %d (only completed scopes become current)", len(nodes), tc.wantNodes)
			}
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store, err := inventory.Open(context.Background(), filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	time.AfterFunc(20*time.Millisecond, cancel)
	res, err := scanners.Run(ctx, store, []scanners.Scanner{fakeScanner{"c", "wait"}}, scanners.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.TimedOut || res.Status != inventory.ScanInterrupted {
		t.Errorf("result %+v, want interrupted", res)
	}
	rec, err := store.ScanByID(context.Background(), res.ScanID)
	if err != nil || rec.Status != inventory.ScanInterrupted {
		t.Errorf("the scan row: %+v, %v; want it finished interrupted", rec, err)
	}
}
