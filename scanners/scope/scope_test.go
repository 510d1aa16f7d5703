package scope

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/failure"
)

// recorder is an in-memory inventory.Writer that keeps what it was given,
// and fails like a store when told to.
type recorder struct {
	mu        sync.Mutex
	nodes     []inventory.Node
	edges     []inventory.Edge
	errs      []inventory.ScanError
	completed []inventory.Scope
	failWith  error // returned by Node and RecordError when set
	// recordedAfterCancel counts RecordError calls given a done context.
	recordedAfterCancel int
}

func (r *recorder) Node(_ context.Context, _ inventory.Scope, n inventory.Node) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failWith != nil {
		return r.failWith
	}
	r.nodes = append(r.nodes, n)
	return nil
}

func (r *recorder) Edge(_ context.Context, _ inventory.Scope, e inventory.Edge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edges = append(r.edges, e)
	return nil
}

func (r *recorder) CompleteScope(_ context.Context, s inventory.Scope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.completed = append(r.completed, s)
	return nil
}

func (r *recorder) RecordError(ctx context.Context, e inventory.ScanError) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Err() != nil {
		r.recordedAfterCancel++
	}
	if r.failWith != nil {
		return r.failWith
	}
	r.errs = append(r.errs, e)
	return nil
}

// The provider's errors of this test, and how its errors.go reads them.
var (
	errDenied = errors.New("AccessDenied")
	errGone   = errors.New("ResourceNotFound")
	errNoOp   = errors.New("UnknownOperation")
	errStore  = errors.New("disk full")
)

var explain = failure.Explainer{
	Describe: func(err error) string {
		if msg, ok := failure.Interrupted(err); ok {
			return msg
		}
		return err.Error() + " (a hint)"
	},
	Classify: func(err error) failure.Class {
		switch {
		case errors.Is(err, errDenied):
			return failure.Denied
		case errors.Is(err, errGone):
			return failure.NotFound
		case errors.Is(err, errNoOp):
			return failure.Absent
		}
		return failure.Other
	},
}

var testScope = inventory.Scope{Provider: "aws", Tenant: "111111111111", Name: "us-east-1/bedrock-agent"}

func node(id string) func(context.Context, *Writer) error {
	return func(ctx context.Context, sw *Writer) error {
		return sw.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindAgent, Attrs: map[string]any{"type": "bedrock_agent"}})
	}
}

func TestRun(t *testing.T) {
	type step = func(context.Context, *Writer) error
	tests := []struct {
		name      string
		steps     []step
		failStore bool
		cancel    bool // ctx is done before Run
		deadline  bool // ctx is past its deadline before Run
		wantErr   error
		wantNodes int
		// wantRecords are "operation: message" of what was recorded, in order.
		wantRecords []string
		wantDone    bool
	}{
		{name: "clean", steps: []step{node("a"), node("b")}, wantNodes: 2, wantDone: true},
		{name: "a node without an id fails the scope, not the scan",
			steps:     []step{node("a"), node(""), node("b")},
			wantNodes: 1, wantRecords: []string{"bedrock-agent: the API returned a bedrock_agent without an id"}},
		{name: "a failed listing stops the scope",
			steps: []step{node("a"), func(_ context.Context, sw *Writer) error {
				sw.Fail("bedrock-agent:ListAgents", fmt.Errorf("list: %w", errDenied))
				return nil
			}, node("never")},
			wantNodes: 1, wantRecords: []string{"bedrock-agent:ListAgents: list: AccessDenied (a hint)"}},
		{name: "an enrichment gone since its listing is a warning; one not offered is passed over",
			steps: []step{func(_ context.Context, sw *Writer) error {
				if r := sw.Enrichment("bedrock-agent:GetAgentVersion", errGone); r != "not_found: bedrock-agent:GetAgentVersion" {
					return fmt.Errorf("reason %q", r)
				}
				if r := sw.Enrichment("bedrock-agent:GetAgentVersion", errNoOp); r != "absent: bedrock-agent:GetAgentVersion" {
					return fmt.Errorf("reason %q", r)
				}
				return nil
			}, node("a")},
			wantNodes: 1, wantDone: true, wantRecords: []string{"bedrock-agent:GetAgentVersion: ResourceNotFound (a hint) (the item was kept; what only this call gives is marked unknown)"}},
		{name: "other enrichment failures are warnings and the scope completes",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Enrichment("bedrock-agent:GetAgentVersion", errDenied)
				sw.Enrichment("bedrock-agent:GetAgentVersion", errors.New("HTTP 500"))
				return nil
			}, node("a")},
			wantNodes: 1, wantDone: true,
			wantRecords: []string{
				"bedrock-agent:GetAgentVersion: AccessDenied (a hint) (the item was kept; what only this call gives is marked unknown)",
				"bedrock-agent:GetAgentVersion: HTTP 500 (a hint) (the item was kept; what only this call gives is marked unknown)",
			}},
		{name: "an enrichment cut short by the timeout fails the scope",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Enrichment("bedrock-agent:GetAgentVersion", fmt.Errorf("get: %w", context.DeadlineExceeded))
				return nil
			}, node("never")},
			wantRecords: []string{"bedrock-agent:GetAgentVersion: timed out (--timeout reached)"}},
		{name: "a warning is recorded as said and the scope completes",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Warn("decode policy", failure.Errorf(failure.Malformed, "policy p: %w (kept as unknown)", errors.New("bad JSON")))
				return nil
			}},
			wantDone: true, wantRecords: []string{"decode policy: policy p: bad JSON (kept as unknown)"}},
		{name: "warnings are recorded before failures, both kept",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Fail("bedrock-agent:ListAgentAliases", errDenied)
				sw.Enrichment("bedrock-agent:GetAgentVersion", errDenied)
				return nil
			}},
			wantRecords: []string{
				"bedrock-agent:GetAgentVersion: AccessDenied (a hint) (the item was kept; what only this call gives is marked unknown)",
				"bedrock-agent:ListAgentAliases: AccessDenied (a hint)",
			}},
		{name: "an absent service records nothing and keeps its state",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Absent()
				return nil
			}, node("never")}},
		{name: "a failure besides an absent service is recorded",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Absent()
				sw.Fail("bedrock-agent:ListAgents", errDenied)
				return nil
			}},
			wantRecords: []string{"bedrock-agent:ListAgents: AccessDenied (a hint)"}},
		{name: "a panic fails the scope",
			steps:     []step{node("a"), func(context.Context, *Writer) error { panic("bug") }, node("never")},
			wantNodes: 1, wantRecords: []string{"bedrock-agent: scanner bug: panic: bug (please report it; this scope keeps its last state)"}},
		{name: "a store failure is returned, nothing recorded",
			steps: []step{node("a"), node("never")}, failStore: true, wantErr: errStore},
		{name: "a store failure inside a step's own error",
			steps: []step{func(ctx context.Context, sw *Writer) error {
				return errors.Join(errors.New("another item"), fmt.Errorf("item: %w", sw.Node(ctx, inventory.Node{ID: "a"})))
			}},
			failStore: true, wantErr: errStore},
		{name: "an interrupted scope records nothing (the scan records the interrupt once) and does not complete",
			steps: []step{node("a"), node("never")}, cancel: true,
			wantNodes: 1},
		{name: "an interrupted call records nothing and stops the scope",
			steps: []step{func(_ context.Context, sw *Writer) error {
				sw.Fail("bedrock-agent:ListAgents", fmt.Errorf("list: %w", context.Canceled))
				return nil
			}, node("never")}},
		{name: "a scope cut short by the timeout between calls says so once",
			steps: []step{node("a"), node("never")}, deadline: true,
			wantNodes: 1, wantRecords: []string{"bedrock-agent: timed out (--timeout reached)"}},
		{name: "one record for every call the timeout cut short",
			steps: []step{func(_ context.Context, sw *Writer) error {
				for range 3 {
					sw.Fail("bedrock-agent:GetAgent", fmt.Errorf("get: %w", context.DeadlineExceeded))
				}
				sw.Fail("bedrock-agent:GetAgent", errDenied)
				return nil
			}},
			wantRecords: []string{"bedrock-agent:GetAgent: timed out (--timeout reached)", "bedrock-agent:GetAgent: AccessDenied (a hint)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			if tt.failStore {
				rec.failWith = errStore
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			if tt.deadline {
				var stop context.CancelFunc
				ctx, stop = context.WithDeadline(ctx, time.Unix(0, 0))
				defer stop()
			}
			sw := New(rec, testScope, explain, "bedrock-agent")
			var steps []func(context.Context) error
			for _, s := range tt.steps {
				steps = append(steps, func(ctx context.Context) error { return s(ctx, sw) })
			}
			err := sw.Run(ctx, steps...)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Run = %v, want %v", err, tt.wantErr)
			}
			var se *StoreError
			if errors.As(err, &se) {
				t.Error("Run returned the store error still wrapped")
			}
			for _, n := range rec.nodes {
				if n.ID == "never" {
					t.Error("a step ran after the scope stopped")
				}
			}
			if len(rec.nodes) != tt.wantNodes {
				t.Errorf("%d nodes written, want %d", len(rec.nodes), tt.wantNodes)
			}
			var got []string
			for _, e := range rec.errs {
				if e.Provider != testScope.Provider || e.Tenant != testScope.Tenant || e.Scope != testScope.Name {
					t.Errorf("record %+v is not the scope's", e)
				}
				got = append(got, e.Operation+": "+e.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.wantRecords, "\n") {
				t.Errorf("recorded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantRecords, "\n"))
			}
			if rec.recordedAfterCancel > 0 {
				t.Errorf("%d records were given a done context: they would be lost", rec.recordedAfterCancel)
			}
			if done := len(rec.completed) == 1 && rec.completed[0] == testScope; done != tt.wantDone || len(rec.completed) > 1 {
				t.Errorf("completed %v, want completed = %v", rec.completed, tt.wantDone)
			}
		})
	}
}

func TestNodeAndEdge(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	sw := New(rec, testScope, explain, "bedrock-agent")
	if sw.Scope() != testScope {
		t.Errorf("Scope() = %v", sw.Scope())
	}
	for _, n := range []inventory.Node{{ID: "own"}, {ID: "elsewhere", Provider: "aws", Tenant: "222222222222"}} {
		if err := sw.Node(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if rec.nodes[0].Provider != "aws" || rec.nodes[0].Tenant != "111111111111" || rec.nodes[1].Tenant != "222222222222" {
		t.Errorf("nodes %+v, want the scope's tenant unless the node names its own", rec.nodes)
	}
	for _, e := range [][2]string{{"own", "elsewhere"}, {"", "own"}, {"own", ""}} {
		if err := sw.Edge(ctx, e[0], inventory.EdgeRunsAs, e[1], map[string]any{"via": "roleArn"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.edges) != 1 || rec.edges[0].From != "own" || rec.edges[0].To != "elsewhere" || rec.edges[0].Attrs["via"] != "roleArn" {
		t.Errorf("edges %+v, want the one with both ends", rec.edges)
	}
	if sw.Stopped() {
		t.Error("stopped without a failure")
	}
	rec.failWith = errStore
	err := sw.Node(ctx, inventory.Node{ID: "x"})
	var se *StoreError
	if !errors.As(err, &se) || !errors.Is(err, errStore) {
		t.Errorf("Node = %v, want a *StoreError around the store's error", err)
	}
}

// Against the real store: a scope that completes becomes current, and one
// that failed keeps nothing of this scan and records why.
func TestRunOnTheStore(t *testing.T) {
	ctx := context.Background()
	store, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sc, err := store.BeginScan(ctx, inventory.ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	good := New(sc, testScope, explain, "bedrock-agent")
	bad := New(sc, inventory.Scope{Provider: "aws", Tenant: "111111111111", Name: "us-west-2/bedrock-agent"}, explain, "bedrock-agent")
	if err := good.Run(ctx, func(ctx context.Context) error { return node("agent-1")(ctx, good) }); err != nil {
		t.Fatal(err)
	}
	if err := bad.Run(ctx, func(ctx context.Context) error {
		if err := node("agent-2")(ctx, bad); err != nil {
			return err
		}
		bad.Fail("bedrock-agent:ListAgentAliases", errDenied)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanPartial); err != nil {
		t.Fatal(err)
	}
	scopes, err := store.CompletedScopes(ctx, sc.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(scopes) != 1 || scopes[0] != testScope {
		t.Errorf("completed scopes %v, want %v only", scopes, testScope)
	}
	errs, err := store.ScanErrors(ctx, sc.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Scope != "us-west-2/bedrock-agent" || errs[0].Operation != "bedrock-agent:ListAgentAliases" {
		t.Errorf("scan errors %+v, want the failed listing", errs)
	}
}

// Failed is Stopped without the absent service: an absent service has
// nothing to read, a failed scope did not read everything.
func TestFailed(t *testing.T) {
	tests := []struct {
		name            string
		do              func(sw *Writer)
		failed, stopped bool
	}{
		{"nothing happened", func(*Writer) {}, false, false},
		{"absent service", func(sw *Writer) { sw.Absent() }, false, true},
		{"a listing failed", func(sw *Writer) { sw.Fail("list", errDenied) }, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := New(&recorder{}, testScope, explain, "op")
			tc.do(sw)
			if sw.Failed() != tc.failed || sw.Stopped() != tc.stopped {
				t.Errorf("Failed() = %v, Stopped() = %v; want %v, %v", sw.Failed(), sw.Stopped(), tc.failed, tc.stopped)
			}
		})
	}
}
