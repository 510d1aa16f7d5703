package lab

import (
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/lab/internal/kit"
)

// Options tune a Lab. The zero value serves plain HTTP on free loopback
// ports, 100 items a page, without faults.
type Options struct {
	// Addr is the loopback host:port of the first provider's listener
	// ("127.0.0.1:0", a free port, when empty); the others take free ports.
	Addr string
	// TLS serves every provider over https under the lab's throwaway CA
	// (RootCAs, CAPEM). Providers whose SDKs insist on https (Azure,
	// Google) are always served over TLS.
	TLS bool
	// PageSize is the most items any list answers at once (default 100).
	PageSize int
	// Latency is added to every call; ThrottleEvery throttles every Nth
	// call of each provider (0: never).
	Latency       time.Duration
	ThrottleEvery int
	// Deny are tenants whose calls answer access denied, as
	// "provider:tenant" ("aws:111111111111"); a bare account id means AWS.
	Deny []string
	// DenyOps are operations that answer access denied for every tenant,
	// as "provider:service:Operation" ("aws:lambda:GetFunctionConfiguration").
	DenyOps []string
	// Now is the clock of issued session credentials (default time.Now).
	Now func() time.Time
}

// Target is how a client reaches one tenant of the lab: the provider, the
// tenant's id and label, the endpoint of every API of that provider, the
// lab credentials to present (never a secret of the estate's own
// identities), and the regions where the estate has something.
type Target struct {
	Provider    string
	Tenant      string
	Label       string
	Endpoint    string
	Credentials map[string]string
	Regions     []string
}

// Stats is what the lab received, over all providers; calls are keyed
// "provider/service:Operation".
type Stats = kit.Stats

// Lab serves an estate: one loopback listener per provider of the estate,
// sharing one CA, one set of counters and per-provider fault switches.
type Lab struct {
	estate   *Estate
	ca       *kit.CA
	counters *kit.Counters
	served   []namedEmulation
	urls     map[string]string // provider -> base URL
}

// Start serves e on loopback. It refuses a fault switch that names a
// provider the estate does not have, a tenant or an operation its provider
// does not have.
func Start(e *Estate, opts Options) (*Lab, error) {
	if e == nil || len(e.Providers()) == 0 {
		return nil, errors.New("the estate has no provider section: nothing to serve")
	}
	deny, err := parseDeny(opts.Deny)
	if err != nil {
		return nil, err
	}
	denyOps, err := parseDenyOps(opts.DenyOps)
	if err != nil {
		return nil, err
	}
	for _, p := range slices.Concat(slices.Collect(maps.Keys(deny)), slices.Collect(maps.Keys(denyOps))) {
		if !slices.Contains(e.Providers(), p) {
			return nil, fmt.Errorf("a fault switch names %s, which the estate has no section for: drop it, or serve an estate with a %s: section", p, p)
		}
	}
	ca, err := kit.NewCA()
	if err != nil {
		return nil, err
	}
	l := &Lab{estate: e, ca: ca, counters: kit.NewCounters(), urls: map[string]string{}}
	var tlsCA *kit.CA
	if opts.TLS {
		tlsCA = ca
	}
	l.served = emulations(e, func(provider string) emulationOptions {
		return emulationOptions{
			PageSize: opts.PageSize, Latency: opts.Latency, ThrottleEvery: opts.ThrottleEvery,
			DenyTenants: deny[provider], DenyOps: denyOps[provider], Now: opts.Now, Counters: l.counters,
		}
	})
	for _, em := range l.served {
		for _, t := range deny[em.name] {
			if !slices.Contains(em.tenants(), t) {
				return nil, fmt.Errorf("--deny %s:%s: the estate has no such tenant: use one of %s", em.name, t, strings.Join(em.tenants(), ", "))
			}
		}
		for _, op := range denyOps[em.name] {
			if !slices.Contains(em.operations(), op) {
				return nil, fmt.Errorf("--deny-op %s:%s: the lab's %s answers no such operation: use one of %s", em.name, op, em.name, strings.Join(em.operations(), ", "))
			}
		}
	}
	addr := opts.Addr
	for _, em := range l.served {
		url, err := em.start(addr, tlsCA)
		if err != nil {
			l.Close()
			return nil, err
		}
		l.urls[em.name] = url
		addr = "" // the first provider takes Addr, the others free ports
	}
	return l, nil
}

// Close stops every listener.
func (l *Lab) Close() error {
	var errs []error
	for _, em := range l.served {
		errs = append(errs, em.close())
	}
	return errors.Join(errs...)
}

// URL is the base URL of provider's listener, or "" when the lab does not
// serve it.
func (l *Lab) URL(provider string) string { return l.urls[provider] }

// Providers lists the providers served, in order.
func (l *Lab) Providers() []string { return l.estate.Providers() }

// Estate is the estate served.
func (l *Lab) Estate() *Estate { return l.estate }

// AWS is the AWS emulation, nil when the estate has no aws section.
func (l *Lab) AWS() *aws.Server {
	for _, em := range l.served {
		if a, ok := em.emulation.(awsEmulation); ok {
			return a.srv
		}
	}
	return nil
}

// RootCAs is a pool holding the lab's CA: give it to clients' TLS
// configurations (Go reads SSL_CERT_FILE only once per process).
func (l *Lab) RootCAs() *x509.CertPool { return l.ca.Pool() }

// CAPEM is the lab's CA certificate, PEM-encoded, for clients in other
// processes (AWS_CA_BUNDLE, SSL_CERT_FILE).
func (l *Lab) CAPEM() []byte { return l.ca.PEM() }

// Stats returns a copy of the counters of every provider.
func (l *Lab) Stats() Stats { return l.counters.Stats() }

// ResetStats zeroes the counters, except calls in flight.
func (l *Lab) ResetStats() { l.counters.Reset() }

// Faults returns the fault switches of provider, nil when the lab does not
// serve it.
func (l *Lab) Faults(provider string) *kit.Faults {
	for _, em := range l.served {
		if em.name == provider {
			return em.faults()
		}
	}
	return nil
}

// Targets lists how to reach every tenant the lab serves, provider by
// provider in estate order.
func (l *Lab) Targets() []Target {
	var out []Target
	for _, em := range l.served {
		out = append(out, em.targets(l.urls[em.name])...)
	}
	return out
}

// String names the target and its credentials' names, never their values.
func (t Target) String() string {
	names := slices.Sorted(maps.Keys(t.Credentials))
	return fmt.Sprintf("%s tenant %s (%s) at %s, credentials %s, regions %s", t.Provider, t.Tenant, t.Label, t.Endpoint, strings.Join(names, ","), strings.Join(t.Regions, ","))
}

// GoString is String for %#v.
func (t Target) GoString() string { return t.String() }
