// Package scope writes what a scanner finds in one scope (an account's IAM,
// one agent service in one region, a subscription's Foundry projects) and
// decides, from what failed, whether the scope completes: its rows become
// the tenant's current state only if every listing call succeeded
// (DESIGN.md section 3). It knows no provider: each provider builds a
// Writer with a failure.Explainer that reads its SDK's errors.
package scope

import (
	"context"
	"errors"
	"sync"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/failure"
	"github.com/aam-dev/aam/scanners/fanout"
)

// StoreError is a failure of the inventory writer, which stops the scan, as
// opposed to a provider failure, which is recorded and the scan goes on.
// Node and Edge return their store failures as a *StoreError.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

// Writer writes one scope and records its failures. Its methods are safe
// for concurrent use.
type Writer struct {
	w       inventory.Writer
	scope   inventory.Scope
	explain failure.Explainer
	op      string

	mu       sync.Mutex
	failures []inventory.ScanError
	// warnings are failures of calls that only enrich what the scope found
	// (a version's role, a provider's secret ARN), or parts the scanner
	// could not read but kept as unknown: recorded, and the scope still
	// completes.
	warnings []inventory.ScanError
	// absent is set when the endpoint does not offer the scope's service at
	// all: nothing to scan, nothing to record, and the scope keeps its state.
	absent bool
	// interrupted is set when a call was cut short by an interrupt (Ctrl-C,
	// SIGTERM): the scope does not complete, and the interruption is
	// recorded once for the whole scan, not here.
	interrupted bool
}

// New returns the writer of scope s through w. explain turns the
// provider's errors into messages and classes; op names the operation of a
// failure of the scope as a whole (a panic, a timeout, an item without an
// id), such as the service's name.
func New(w inventory.Writer, s inventory.Scope, explain failure.Explainer, op string) *Writer {
	return &Writer{w: w, scope: s, explain: explain, op: op}
}

// Scope is the scope written.
func (sw *Writer) Scope() inventory.Scope { return sw.scope }

// Node stages n in the scope, with the scope's provider and tenant unless
// n names its own. A node without an id is bad data from the provider: it
// is recorded as a failure (the scope cannot be trusted to be complete) and
// Node returns nil. Only a store failure is returned, as a *StoreError.
func (sw *Writer) Node(ctx context.Context, n inventory.Node) error {
	if n.ID == "" {
		sw.Fail(sw.op, failure.Errorf(failure.Malformed, "the API returned a %v without an id", n.Attrs["type"]))
		return nil
	}
	if n.Provider == "" {
		n.Provider = sw.scope.Provider
	}
	if n.Tenant == "" {
		n.Tenant = sw.scope.Tenant
	}
	if err := sw.w.Node(ctx, sw.scope, n); err != nil {
		return &StoreError{err}
	}
	return nil
}

// Edge stages an edge in the scope. An edge with an end without an id is
// left out (that node's failure is recorded already). Only a store failure
// is returned, as a *StoreError.
func (sw *Writer) Edge(ctx context.Context, from string, kind inventory.EdgeKind, to string, attrs map[string]any) error {
	if from == "" || to == "" {
		return nil
	}
	if err := sw.w.Edge(ctx, sw.scope, inventory.Edge{From: from, To: to, Kind: kind, Attrs: attrs}); err != nil {
		return &StoreError{err}
	}
	return nil
}

// Fail records that op failed: a listing call, whose scope then does not
// complete and keeps its last state. Of the failures that say the --timeout
// was reached, one is recorded: every call in flight fails the same way. A
// call cut short by an interrupt is not recorded at all: the scan records
// the interrupt once.
func (sw *Writer) Fail(op string, err error) {
	msg := sw.explain.Message(err)
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if errors.Is(err, context.Canceled) {
		sw.interrupted = true
		return
	}
	if _, interrupted := failure.Interrupted(err); interrupted {
		for _, f := range sw.failures {
			if f.Message == msg {
				return
			}
		}
	}
	sw.failures = append(sw.failures, sw.scanError(op, msg, sw.explain.Class(err), false))
}

// Enrichment handles the failure of op, a call that only adds detail to an
// item already found, and returns why that detail is unknown ("denied:
// lambda:GetFunctionConfiguration"): the caller writes the item with what
// it knows and marks what only op gives unknown with that reason
// (inventory.AttrUnknown), never guessing it. The failure is recorded as
// a warning with its class and the scope still completes (the scan ends
// partial); an operation the endpoint does not offer at all is not
// recorded; the end of the scan's context fails the scope.
func (sw *Writer) Enrichment(op string, err error) string {
	class := sw.explain.Class(err)
	reason := class.String() + ": " + op
	if _, interrupted := failure.Interrupted(err); interrupted {
		sw.Fail(op, err)
		return reason
	}
	if class == failure.Absent {
		return reason
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.warnings = append(sw.warnings, sw.scanError(op, sw.explain.Message(err)+" (the item was kept; what only this call gives is marked unknown)", class, true))
	return reason
}

// Warn records a warning about op: something the scanner could not read and
// kept in the graph as unknown. The scope still completes; the scan ends
// partial. err's message is recorded as the explainer gives it.
func (sw *Writer) Warn(op string, err error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.warnings = append(sw.warnings, sw.scanError(op, sw.explain.Message(err), sw.explain.Class(err), true))
}

// Absent records that the endpoint does not offer the scope's service at
// all (what its first listing call answered says so): the scope records
// nothing, does not complete, and keeps its last state.
func (sw *Writer) Absent() {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.absent = true
}

// Stopped reports whether the scope can no longer complete (a failure was
// recorded) or has nothing to scan (its service is absent): the caller may
// spare the provider the rest of its calls.
func (sw *Writer) Stopped() bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return len(sw.failures) > 0 || sw.absent || sw.interrupted
}

// Failed reports whether the scope cannot complete: a failure was
// recorded, or the scan was interrupted. Unlike Stopped, an absent
// service is not a failure: there was nothing to read.
func (sw *Writer) Failed() bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return len(sw.failures) > 0 || sw.interrupted
}

func (sw *Writer) scanError(op, msg string, class failure.Class, warning bool) inventory.ScanError {
	return inventory.ScanError{Provider: sw.scope.Provider, Tenant: sw.scope.Tenant, Scope: sw.scope.Name, Operation: op, Message: msg,
		Class: class.String(), Warning: warning}
}

// Run runs the scope's steps in order, then records its warnings and
// failures and completes it if nothing failed. A step records provider
// failures itself (Fail, Enrichment, Warn, Absent) and returns only what
// Node and Edge returned; a panic in a step, or any other error it returns,
// is recorded as a failure of the scope. Steps stop at the first that
// leaves the scope stopped, or once ctx is done. Failures are recorded even
// when ctx is done (a timeout is worth recording); Run returns only a store
// failure.
func (sw *Writer) Run(ctx context.Context, steps ...func(context.Context) error) error {
	for _, step := range steps {
		if err := fanout.Safely(func() error { return step(ctx) }); err != nil {
			var se *StoreError
			if errors.As(err, &se) {
				return se.Err
			}
			var pe fanout.PanicError
			if errors.As(err, &pe) {
				// Its message is final: it says what happened and what to do.
				err = &failure.Error{Class: failure.Other, Msg: pe.Error(), Err: pe}
			}
			sw.Fail(sw.op, err)
		}
		if sw.Stopped() || ctx.Err() != nil {
			break
		}
	}
	return sw.finish(ctx)
}

// finish records the scope's warnings and failures and completes it if
// nothing failed and its service was there.
func (sw *Writer) finish(ctx context.Context) error {
	sw.mu.Lock()
	failures, warnings, absent, interrupted := sw.failures, sw.warnings, sw.absent, sw.interrupted
	sw.mu.Unlock()
	if absent && len(failures) == 0 {
		return nil
	}
	interrupted = interrupted || errors.Is(ctx.Err(), context.Canceled)
	record := context.WithoutCancel(ctx)
	for _, w := range warnings {
		if err := sw.w.RecordError(record, w); err != nil {
			return err
		}
	}
	if ctx.Err() != nil && len(failures) == 0 && !interrupted {
		// Cut short by the --timeout between calls: the scope is not known
		// to be complete.
		failures = append(failures, sw.scanError(sw.op, sw.explain.Message(ctx.Err()), sw.explain.Class(ctx.Err()), false))
	}
	for _, f := range failures {
		if err := sw.w.RecordError(record, f); err != nil {
			return err
		}
	}
	if len(failures) > 0 || interrupted {
		return nil
	}
	return sw.w.CompleteScope(ctx, sw.scope)
}
