package kit

import (
	"maps"
	"sync"
)

// Outcome is how a call ended, for the counters.
type Outcome int

const (
	Answered  Outcome = iota // an answer of the API, error or not
	Rejected                 // refused: authentication, protocol or validation
	Denied                   // access denied
	Throttled                // throttled
)

// Stats is what the lab received.
type Stats struct {
	// Calls counts every call received per "provider/service:Operation",
	// such as "aws/iam:GetAccountAuthorizationDetails" or
	// "aws/lambda:GetFunctionConfiguration", throttled, denied and rejected
	// ones included.
	Calls map[string]int
	// Throttled counts throttling answers, Denied access-denied answers,
	// Rejected calls refused for their authentication, protocol or
	// parameters.
	Throttled, Denied, Rejected int
	// InFlight is the number of calls being served now; MaxInFlight the
	// most there ever were at once; both over all providers.
	InFlight, MaxInFlight int
	// InFlightBy and MaxInFlightBy are the same per provider.
	InFlightBy, MaxInFlightBy map[string]int
}

// Total is the number of calls counted.
func (s Stats) Total() int {
	n := 0
	for _, v := range s.Calls {
		n += v
	}
	return n
}

// Counters count calls per provider and operation, and calls in flight.
// They are safe for concurrent use; the zero value is not usable: call
// NewCounters.
type Counters struct {
	mu    sync.Mutex
	stats Stats
}

// NewCounters returns counters at zero.
func NewCounters() *Counters { return &Counters{stats: emptyStats()} }

func emptyStats() Stats {
	return Stats{Calls: map[string]int{}, InFlightBy: map[string]int{}, MaxInFlightBy: map[string]int{}}
}

// CallName is the counters' name of op ("service:Operation") of provider.
func CallName(provider, op string) string { return provider + "/" + op }

// Count counts one call of op ("service:Operation") of provider.
func (c *Counters) Count(provider, op string) {
	c.mu.Lock()
	c.stats.Calls[CallName(provider, op)]++
	c.mu.Unlock()
}

// Record counts how a call ended; Answered is not counted apart.
func (c *Counters) Record(o Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch o {
	case Throttled:
		c.stats.Throttled++
	case Denied:
		c.stats.Denied++
	case Rejected:
		c.stats.Rejected++
	}
}

// Enter counts a call to provider in flight until Leave.
func (c *Counters) Enter(provider string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &c.stats
	st.InFlight++
	st.MaxInFlight = max(st.MaxInFlight, st.InFlight)
	st.InFlightBy[provider]++
	st.MaxInFlightBy[provider] = max(st.MaxInFlightBy[provider], st.InFlightBy[provider])
}

// Leave ends a call Enter counted.
func (c *Counters) Leave(provider string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.InFlight--
	c.stats.InFlightBy[provider]--
}

// Stats returns a copy of the counts.
func (c *Counters) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Calls = maps.Clone(c.stats.Calls)
	st.InFlightBy = maps.Clone(c.stats.InFlightBy)
	st.MaxInFlightBy = maps.Clone(c.stats.MaxInFlightBy)
	return st
}

// Reset zeroes the counts, except InFlight, which counts calls still being
// served; MaxInFlight restarts from it.
func (c *Counters) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.stats
	c.stats = emptyStats()
	c.stats.InFlight, c.stats.MaxInFlight = old.InFlight, old.InFlight
	for p, n := range old.InFlightBy {
		c.stats.InFlightBy[p], c.stats.MaxInFlightBy[p] = n, n
	}
}
