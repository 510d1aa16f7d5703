package kit

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Faults are the switches one provider's emulation consults on every call:
// latency, throttling every Nth call, denied tenants and denied operations.
// Each can be changed while the lab serves; a Faults is safe for concurrent
// use. The zero value is not usable: call NewFaults.
type Faults struct {
	mu            sync.Mutex
	latency       time.Duration
	throttleEvery int
	throttleCount int
	retryPending  map[[32]byte]struct{} // throttled requests whose retry must pass
	tenants       map[string]bool       // denied tenant ids
	ops           map[string]bool       // denied operations, such as lambda:GetFunctionConfiguration
}

// maxPendingRetries bounds the throttled requests remembered until their
// retry arrives; clients that never retry cannot grow it without end.
const maxPendingRetries = 4096

// NewFaults returns switches that inject nothing.
func NewFaults() *Faults {
	return &Faults{retryPending: map[[32]byte]struct{}{}, tenants: map[string]bool{}, ops: map[string]bool{}}
}

// SetLatency changes the delay added to every call.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	f.latency = max(d, 0)
	f.mu.Unlock()
}

// SetThrottleEvery makes every nth call answer the service's throttling
// error; 0 stops throttling. The call count starts again from zero.
func (f *Faults) SetThrottleEvery(n int) {
	f.mu.Lock()
	f.throttleEvery = max(n, 0)
	f.throttleCount = 0
	clear(f.retryPending)
	f.mu.Unlock()
}

// SetTenantDenied makes every call of tenant (an AWS account id, ...)
// answer the service's access-denied error, or serves it again.
func (f *Faults) SetTenantDenied(tenant string, denied bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if denied {
		f.tenants[tenant] = true
	} else {
		delete(f.tenants, tenant)
	}
}

// SetOpDenied makes one operation ("service:Operation" as the counters name
// it, such as lambda:GetFunctionConfiguration) answer access denied for
// every tenant, or serves it again.
func (f *Faults) SetOpDenied(op string, denied bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if denied {
		f.ops[op] = true
	} else {
		delete(f.ops, op)
	}
}

// TenantDenied reports whether tenant's calls are denied.
func (f *Faults) TenantDenied(tenant string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tenants[tenant]
}

// OpDenied reports whether the operation is denied.
func (f *Faults) OpDenied(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops[op]
}

// Wait sleeps for the configured latency; it reports false when ctx ends
// first.
func (f *Faults) Wait(ctx context.Context) bool {
	f.mu.Lock()
	d := f.latency
	f.mu.Unlock()
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Throttle counts a call and reports whether to throttle it: every
// throttleEvery-th one is, except the retry of a call that was itself
// throttled (same tenant, same request), which always passes, so that a
// client's retry goes through.
func (f *Faults) Throttle(tenant string, request []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.throttleEvery <= 0 {
		return false
	}
	h := sha256.New()
	h.Write([]byte(tenant + "\x00"))
	h.Write(request)
	var key [32]byte
	h.Sum(key[:0])
	f.throttleCount++
	if _, retry := f.retryPending[key]; retry {
		delete(f.retryPending, key)
		return false
	}
	if f.throttleCount%f.throttleEvery != 0 {
		return false
	}
	if len(f.retryPending) >= maxPendingRetries {
		clear(f.retryPending)
	}
	f.retryPending[key] = struct{}{}
	return true
}
