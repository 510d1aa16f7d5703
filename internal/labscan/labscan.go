// Package labscan is the one hand-off from the lab to the scanners: a
// running lab's targets become the scanners' targets (endpoint and lab
// credentials per tenant), its throwaway CA their root pool, and their
// transport the loopback-only one, so nothing outside the machine can be
// reached. The demo, the CLI tests and the scanner tests all reach the lab
// through it; neither the lab nor the scanners import the other.
package labscan

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/scanners"
)

// Options returns base pointed at every tenant of l and at nothing else:
// base's targets replaced by l's, l's CA as the root pool, and a
// loopback-only transport that trusts it. Unless base.Regions narrows them,
// every tenant is scanned in every region where the estate has something
// (a region where a tenant has nothing is scanned empty, as a real scan of
// a configured region list would).
func Options(l *lab.Lab, base scanners.Options) scanners.Options {
	opts := base
	opts.RootCAs = l.RootCAs()
	opts.Transport = scanners.NewTransport(true, opts.RootCAs)
	opts.Targets = nil
	regions := map[string]bool{}
	for _, t := range l.Targets() {
		opts.Targets = append(opts.Targets, scanners.Target{
			Provider: t.Provider, Tenant: t.Tenant, Label: t.Label, Endpoint: t.Endpoint,
			Credentials: maps.Clone(t.Credentials), Regions: slices.Clone(t.Regions),
		})
		for _, r := range t.Regions {
			regions[r] = true
		}
	}
	if len(opts.Regions) == 0 {
		opts.Regions = slices.Sorted(maps.Keys(regions))
	}
	return opts
}

// Scanners builds, through the registry like every other scan, a scanner
// for each provider the lab serves, pointed at the lab (see Options).
func Scanners(ctx context.Context, reg *scanners.Registry, l *lab.Lab, base scanners.Options) ([]scanners.Scanner, error) {
	opts := Options(l, base)
	var out []scanners.Scanner
	for _, name := range l.Providers() {
		p, err := reg.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("the lab serves %s, which this build cannot scan: %w", name, err)
		}
		s, err := p.New(ctx, nil, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
