// Package fanout runs a scanner's work several items at a time, with a bound
// on how many run at once, and turns a panic in any of them into an error:
// one bug fails the item it hit, never the process.
package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ForEach runs fn for each item, at most limit (at least one) at a time,
// and waits for those it started. Once ctx is done it starts no more. A
// panic in fn is returned as a PanicError; the errors of every item are
// joined.
func ForEach[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, max(limit, 1))
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := Safely(func() error { return fn(ctx, it) }); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// UntilInterrupted returns a context that ends when ctx is cancelled (an
// interrupt: Ctrl-C, SIGTERM) but not when ctx's deadline passes. Fanning
// out over tenants with it starts no more tenants once the user stopped
// the scan, while under a --timeout every tenant still fails fast and is
// recorded as not scanned.
func UntilInterrupted(ctx context.Context) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	return out, func() {
		stop()
		cancel()
	}
}

// PanicError is a panic in scanner code, caught so that one bug fails one
// scope, not the process (and never leaves a scan "running").
type PanicError struct {
	Value any
}

func (e PanicError) Error() string {
	return fmt.Sprintf("scanner bug: panic: %v (please report it; this scope keeps its last state)", e.Value)
}

// Safely runs fn and returns its error, or a PanicError if it panicked.
func Safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = PanicError{Value: r}
		}
	}()
	return fn()
}
