package fanout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForEachBoundsWhatRuns(t *testing.T) {
	for _, limit := range []int{0, 1, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			items := make([]int, 12)
			for i := range items {
				items[i] = i
			}
			var running, most atomic.Int32
			var mu sync.Mutex
			seen := map[int]bool{}
			err := ForEach(context.Background(), limit, items, func(_ context.Context, i int) error {
				n := running.Add(1)
				defer running.Add(-1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				seen[i] = true
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != len(items) {
				t.Errorf("%d items ran, want %d", len(seen), len(items))
			}
			want := int32(max(limit, 1))
			if most.Load() != want {
				t.Errorf("at most %d ran at once, want %d", most.Load(), want)
			}
		})
	}
}

func TestForEachJoinsErrorsAndCatchesPanics(t *testing.T) {
	errOdd := errors.New("odd")
	err := ForEach(context.Background(), 2, []int{1, 2, 3, 4}, func(_ context.Context, i int) error {
		switch {
		case i == 4:
			panic("four")
		case i%2 == 1:
			return fmt.Errorf("item %d: %w", i, errOdd)
		}
		return nil
	})
	if !errors.Is(err, errOdd) || !strings.Contains(err.Error(), "item 1") || !strings.Contains(err.Error(), "item 3") {
		t.Errorf("err = %v, want both odd items' errors", err)
	}
	var pe PanicError
	if !errors.As(err, &pe) || pe.Value != "four" || !strings.Contains(pe.Error(), "scanner bug: panic: four") {
		t.Errorf("err = %v, want the panic as a PanicError", err)
	}
}

// Once ctx is done no more items start; those running finish.
func TestForEachStopsStartingOnceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started atomic.Int32
	err := ForEach(ctx, 1, make([]struct{}, 50), func(ctx context.Context, _ struct{}) error {
		if started.Add(1) == 3 {
			cancel()
		}
		return ctx.Err()
	})
	if n := started.Load(); n != 3 {
		t.Errorf("%d items started, want 3: the third cancelled", n)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the cancelled item's", err)
	}
}

func TestSafely(t *testing.T) {
	errFn := errors.New("fn failed")
	if err := Safely(func() error { return errFn }); err != errFn {
		t.Errorf("Safely = %v, want fn's error", err)
	}
	if err := Safely(func() error { return nil }); err != nil {
		t.Errorf("Safely = %v, want nil", err)
	}
	err := Safely(func() error {
		var m map[string]int
		m["x"] = 1 // a runtime panic, as a scanner bug would be
		return nil
	})
	var pe PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "assignment to entry in nil map") || !strings.Contains(err.Error(), "keeps its last state") {
		t.Errorf("Safely = %v, want the panic with a hint", err)
	}
}
