package lab

import (
	"context"
	"crypto/sha256"
	"time"
)

// Faults the lab can inject: latency, throttling and denied accounts. Each
// can be changed while the server runs.

// maxPendingRetries bounds the throttled requests remembered until their
// retry arrives; clients that never retry cannot grow it without end.
const maxPendingRetries = 4096

// SetLatency changes the delay added to every request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = max(d, 0)
	s.mu.Unlock()
}

// SetThrottleEvery makes every nth request answer Throttling; 0 stops
// throttling. The request count starts again from zero.
func (s *Server) SetThrottleEvery(n int) {
	s.mu.Lock()
	s.throttleEvery = max(n, 0)
	s.throttleCount = 0
	clear(s.retryPending)
	s.mu.Unlock()
}

// SetDenied makes the calls of account answer AccessDenied (IAM, STS
// AssumeRole) or AccessDeniedException (Bedrock, AgentCore, Lambda), or
// serves them again. STS GetCallerIdentity always works.
func (s *Server) SetDenied(account string, denied bool) {
	s.mu.Lock()
	if denied {
		s.denied[account] = true
	} else {
		delete(s.denied, account)
	}
	s.mu.Unlock()
}

func (s *Server) isDenied(account string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied[account]
}

// wait sleeps for the configured latency; it reports false when ctx ends
// first.
func (s *Server) wait(ctx context.Context) bool {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
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

// throttle counts a request and reports whether it is to be throttled:
// every throttleEvery-th one is, except the retry of a request that was
// itself throttled (same account, same body), which always passes.
func (s *Server) throttle(account string, body []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttleEvery <= 0 {
		return false
	}
	key := sha256.Sum256(append([]byte(account+"\x00"), body...))
	s.throttleCount++
	if _, retry := s.retryPending[key]; retry {
		delete(s.retryPending, key)
		return false
	}
	if s.throttleCount%s.throttleEvery != 0 {
		return false
	}
	if len(s.retryPending) >= maxPendingRetries {
		clear(s.retryPending)
	}
	s.retryPending[key] = struct{}{}
	return true
}
