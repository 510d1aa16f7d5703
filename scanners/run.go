package scanners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// RunOptions tune Run.
type RunOptions struct {
	// Timeout stops scanning after this long and keeps what finished; 0
	// means no limit.
	Timeout time.Duration
	// AAMVersion is recorded with the scan.
	AAMVersion string
	// Now is the clock of the scan row (default time.Now).
	Now func() time.Time
}

// Result is how a scan ended.
type Result struct {
	ScanID  int64
	Status  inventory.ScanStatus
	Elapsed time.Duration
	// Scopes are the scopes that became current; Errors every failure and
	// warning recorded (the timeout note included).
	Scopes []inventory.Scope
	Errors []inventory.ScanError
	// TimedOut is set when the Timeout cut the scan short, Interrupted
	// when ctx ended first.
	TimedOut, Interrupted bool
	// StoreErr is a failure of the inventory: the scan could not be
	// written, whatever the providers answered.
	StoreErr error
}

// Run runs every scanner side by side into one scan of store and finishes
// it: ok, partial (some failure recorded, some scope complete), failed
// (nothing complete, or the store failed) or interrupted. Whatever happens,
// the scan row ends finished, never left running, and scopes that did not
// complete keep their last state. A scanner's panic is recorded as its
// failure and the others go on. The error is returned only when the scan
// could not begin or be finished; a failed scan is a Result.
func Run(ctx context.Context, store *inventory.Store, ss []Scanner, opts RunOptions) (*Result, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	names := make([]string, 0, len(ss))
	for _, s := range ss {
		names = append(names, s.Name())
	}
	started := now()
	scan, err := store.BeginScan(ctx, inventory.ScanInfo{Providers: names, AAMVersion: opts.AAMVersion, Now: now})
	if err != nil {
		return nil, err
	}
	finished := false
	defer func() {
		if !finished {
			_ = scan.Finish(context.WithoutCancel(ctx), inventory.ScanFailed)
		}
	}()
	scanCtx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		scanCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		storeErr error
	)
	for _, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runOne(scanCtx, s, scan); err != nil {
				mu.Lock()
				storeErr = errors.Join(storeErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res := &Result{
		ScanID:      scan.ID(),
		TimedOut:    errors.Is(scanCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil,
		Interrupted: ctx.Err() != nil,
		StoreErr:    storeErr,
	}

	// Finishing must happen even when the scan's context is done.
	finishCtx := context.WithoutCancel(ctx)
	if res.Errors, err = store.ScanErrors(finishCtx, scan.ID()); err != nil {
		return nil, err
	}
	// The note only when the deadline cut something short.
	if res.TimedOut && len(res.Errors) > 0 {
		note := inventory.ScanError{Provider: strings.Join(names, ","), Operation: "scan", Message: fmt.Sprintf("--timeout %s reached: scopes not finished by then keep their previous state", opts.Timeout)}
		if err := scan.RecordError(finishCtx, note); err != nil {
			return nil, err
		}
		res.Errors = append(res.Errors, note)
	}
	if res.Scopes, err = store.CompletedScopes(finishCtx, scan.ID()); err != nil {
		return nil, err
	}
	// An interrupt is one record for the scan, whatever was in flight.
	if res.Interrupted {
		why := "interrupted"
		if c := context.Cause(ctx); c != nil && c != context.Canceled {
			why += " (" + c.Error() + ")"
		}
		note := inventory.ScanError{Provider: strings.Join(names, ","), Operation: "scan", Class: "interrupted",
			Message: fmt.Sprintf("%s after %d scope(s) finished: those were kept; scopes not finished keep their previous state: scan again to finish them", why, len(res.Scopes))}
		if err := scan.RecordError(finishCtx, note); err != nil {
			return nil, err
		}
		res.Errors = append(res.Errors, note)
	}
	res.Status = inventory.ScanOK
	switch {
	case storeErr != nil:
		res.Status = inventory.ScanFailed
	case res.Interrupted:
		res.Status = inventory.ScanInterrupted
	case len(res.Errors) > 0 && len(res.Scopes) == 0:
		res.Status = inventory.ScanFailed
	case len(res.Errors) > 0:
		res.Status = inventory.ScanPartial
	}
	finished = true
	if err := scan.Finish(finishCtx, res.Status); err != nil {
		// The store failed (a full disk): what completed before is kept,
		// and the result says so rather than nothing at all.
		if res.StoreErr == nil {
			res.StoreErr = err
		}
		res.Status = inventory.ScanFailed
	}
	res.Elapsed = now().Sub(started)
	return res, nil
}

// runOne runs one scanner, turning a panic into a recorded error so one
// provider cannot take the others down.
func runOne(ctx context.Context, s Scanner, w inventory.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: s.Name(), Operation: "scan", Message: fmt.Sprintf("scanner panicked: %v (please report this bug)", r)})
		}
	}()
	return s.Scan(ctx, w)
}
