package lab

import (
	"time"

	"github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/lab/internal/kit"
)

// emulation is one provider's emulation as the lab composes it: a provider
// folder (lab/aws, ...) plugs in through one adapter of this shape, in a
// file of its own, and one entry in emulations.
type emulation interface {
	// start serves on a loopback addr ("" for any free port), over TLS
	// when ca is set, and returns the base URL.
	start(addr string, ca *kit.CA) (string, error)
	close() error
	// tenants are the tenant ids the estate section has; operations what
	// --deny-op may name ("lambda:GetFunctionConfiguration").
	tenants() []string
	operations() []string
	faults() *kit.Faults
	// targets say how to reach each tenant at the endpoint.
	targets(endpoint string) []Target
	// instructions are the lines aam lab serve prints for one target:
	// the environment that points the provider's SDKs at it.
	instructions(t Target, caFile string) []string
}

// emulationOptions are what every provider's emulation is built with.
type emulationOptions struct {
	PageSize             int
	Latency              time.Duration
	ThrottleEvery        int
	DenyTenants, DenyOps []string // of this provider, without its prefix
	Now                  func() time.Time
	Counters             *kit.Counters
}

// emulations builds the emulation of each provider e has a section for,
// in serving order, each with its own options.
func emulations(e *Estate, opts func(provider string) emulationOptions) []namedEmulation {
	var out []namedEmulation
	if e.AWS != nil {
		out = append(out, namedEmulation{aws.Provider, newAWSEmulation(e.AWS, opts(aws.Provider))})
	}
	return out
}

type namedEmulation struct {
	name string
	emulation
}
