package cli

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aam-dev/aam/internal/labscan"
	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/scanners"
	"go.yaml.in/yaml/v3"
)

// scanPlan is what a scan will run, resolved from flags, config and demo.
type scanPlan struct {
	scanners []scanners.Scanner
	lab      *lab.Lab
	tenants  int
}

func (o *ScanOptions) scannerOptions(transport http.RoundTripper) scanners.Options {
	return scanners.Options{
		Regions:        o.Regions,
		Concurrency:    o.Concurrency,
		Limiter:        scanners.NewLimiter(o.Concurrency),
		Transport:      transport,
		MaxBackoff:     o.MaxBackoff,
		Now:            o.Now,
		FingerprintKey: func() []byte { return o.fingerprintKey },
	}
}

func (o *ScanOptions) plan(ctx context.Context) (*scanPlan, error) {
	if o.Demo {
		return o.demoPlan(ctx)
	}
	reg, err := registry()
	if err != nil {
		return nil, err
	}
	sections := map[string]*yaml.Node{}
	providers := o.Providers
	if o.ConfigPath != "" {
		cfg, err := scanners.LoadConfig(o.ConfigPath, reg)
		if err != nil {
			return nil, err
		}
		sections = cfg.Sections
		if len(providers) == 0 {
			providers = cfg.Providers()
		}
	}
	// The SDK's own transport: it honours AWS_CA_BUNDLE and proxy settings.
	sopts := o.scannerOptions(nil)
	sopts.ConfigPath = o.ConfigPath
	p := &scanPlan{}
	for _, name := range providers {
		prov, err := reg.Lookup(name)
		if err != nil {
			return nil, usageError{err}
		}
		s, err := prov.New(ctx, sections[name], sopts)
		if err != nil {
			return nil, err
		}
		p.scanners = append(p.scanners, s)
	}
	return p, nil
}

// demoPlan starts the lab with the embedded estate and builds, through the
// registry like every other scan, a scanner for each provider it serves,
// pointed at the lab by the one hand-off (internal/labscan): the lab's
// tenants only, its CA, and a transport that can reach nothing but
// loopback; the user's profiles and environment are never read.
func (o *ScanOptions) demoPlan(ctx context.Context) (*scanPlan, error) {
	estate, err := lab.DemoEstate()
	if err != nil {
		return nil, fmt.Errorf("load the demo estate: %w", err)
	}
	l, err := lab.Start(estate, lab.Options{})
	if err != nil {
		return nil, fmt.Errorf("start the lab: %w", err)
	}
	reg, err := registry()
	if err != nil {
		l.Close()
		return nil, err
	}
	ss, err := labscan.Scanners(ctx, reg, l, o.scannerOptions(nil))
	if err != nil {
		l.Close()
		return nil, err
	}
	return &scanPlan{scanners: ss, lab: l, tenants: estate.Tenants()}, nil
}
