package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	"github.com/spf13/cobra"
)

// ScanOptions are the flags of aam scan.
type ScanOptions struct {
	*globalOptions
	Providers   []string
	Regions     []string
	ConfigPath  string
	Concurrency int
	Timeout     time.Duration
	Demo        bool
	// MaxBackoff caps the SDK retryers' backoff (hidden; tests shorten it).
	MaxBackoff time.Duration
	// MaxDBPages caps the database's size in pages, as a full disk would
	// (hidden; tests use it to fill the disk).
	MaxDBPages int

	fingerprintKey []byte
}

func newScanCmd(g *globalOptions, runF func(context.Context, *ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan providers for agents, identities and credentials",
		Long: `Scan providers and write what they have to the inventory database.

With --demo, aam starts its lab (a loopback emulation of the provider APIs)
with a built-in estate and scans it through the real SDK clients; nothing
outside this machine is reached. Otherwise it scans the tenants of the
config file (--config), or with --provider aws the account of the default
credential chain (profiles, SSO, AWS_* variables, AWS_ENDPOINT_URL).

Exit codes: 0 ok, 1 error (every tenant failed, bad input), 2 usage,
4 partial (some tenant or operation failed, or --timeout hit with results written).`,
		Example: `  aam scan --demo
  aam scan --provider aws --region us-east-1
  aam scan --config aam.yaml --concurrency 32 --timeout 10m`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runScan(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	var providers []string
	if reg, err := registry(); err == nil { // else the command reports it when run
		providers = reg.Names()
	}
	f.StringSliceVar(&opts.Providers, "provider", nil, "provider to scan (repeatable): "+strings.Join(providers, ", "))
	f.StringArrayVar(&opts.Regions, "region", nil, "region to scan (repeatable); replaces the config file's regions")
	f.StringVar(&opts.ConfigPath, "config", "", "config file listing tenants and regions (aam.yaml)")
	f.IntVar(&opts.Concurrency, "concurrency", 16, "API calls in flight at most")
	f.DurationVar(&opts.Timeout, "timeout", 0, "stop scanning after this long and keep what finished (0: no limit)")
	f.BoolVar(&opts.Demo, "demo", false, "scan the built-in lab estate on loopback; reaches nothing outside this machine")
	f.DurationVar(&opts.MaxBackoff, "max-backoff", 20*time.Second, "longest wait between retries of a throttled call")
	_ = f.MarkHidden("max-backoff")
	f.IntVar(&opts.MaxDBPages, "max-db-pages", 0, "fail writes past this many database pages, as a full disk would (0: no limit)")
	_ = f.MarkHidden("max-db-pages")
	return cmd
}

func (o *ScanOptions) validate() error {
	if o.Concurrency < 1 {
		return usagef("--concurrency must be at least 1 (got %d)", o.Concurrency)
	}
	if o.Timeout < 0 {
		return usagef("--timeout must not be negative (got %s)", o.Timeout)
	}
	if o.Demo && (o.ConfigPath != "" || len(o.Providers) > 0) {
		return usagef("--demo scans the built-in lab estate: drop --config and --provider, or drop --demo")
	}
	if !o.Demo && o.ConfigPath == "" && len(o.Providers) == 0 {
		return usagef("nothing to scan: pass --demo, --provider aws, or --config aam.yaml")
	}
	reg, err := registry()
	if err != nil {
		return err
	}
	for _, p := range o.Providers {
		if _, err := reg.Lookup(p); err != nil {
			return usageError{err}
		}
	}
	return nil
}

func runScan(ctx context.Context, o *ScanOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	// Everything the user gave is checked before the database is touched.
	plan, err := o.plan(ctx)
	if err != nil {
		return err
	}
	if plan.lab != nil {
		defer plan.lab.Close()
	}
	store, err := inventory.OpenForScan(ctx, o.DB, inventory.Options{MaxPages: o.MaxDBPages})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := o.useFingerprintKey(ctx, store); err != nil {
		return err
	}
	res, err := scanners.Run(ctx, store, plan.scanners, scanners.RunOptions{Timeout: o.Timeout, AAMVersion: Version, Now: o.Now})
	if err != nil {
		return err
	}
	sum, err := newScanSummary(ctx, store, res, o.DB, plan)
	if err != nil {
		return err
	}
	if err := sum.write(o.IO); err != nil {
		return err
	}
	switch {
	case res.StoreErr != nil && inventory.IsDiskFull(res.StoreErr):
		return fmt.Errorf("the disk holding %s is full: free space and scan again; the %d scope(s) listed above as complete were kept, the rest keep their previous state", o.DB, len(res.Scopes))
	case res.StoreErr != nil:
		return fmt.Errorf("writing the inventory failed: %w: check that %s is writable and the disk has room", res.StoreErr, o.DB)
	case res.Interrupted:
		return partialError{"interrupted: scopes finished before the interrupt were kept"}
	case res.TimedOut && len(res.Scopes) == 0:
		return fmt.Errorf("--timeout %s reached before any scope finished: raise --timeout", o.Timeout)
	case res.Status == inventory.ScanFailed:
		return errors.New("every tenant failed: see the errors above")
	case res.Status == inventory.ScanPartial:
		return partialError{fmt.Sprintf("scan %d is partial: %d error(s), %d scope(s) complete", res.ScanID, len(res.Errors), len(res.Scopes))}
	}
	return nil
}

// useFingerprintKey loads the key that fingerprints inline secrets and
// notes it in the database; without one, this run's fingerprints compare
// with no other scan, and the scan still runs.
func (o *ScanOptions) useFingerprintKey(ctx context.Context, store *inventory.Store) error {
	key, keyID, keyPath, err := fingerprintKey()
	if err != nil {
		fmt.Fprintf(o.IO.ErrOut, "aam: warning: %v; fingerprints of inline secrets in this scan compare with no other scan\n", err)
		return nil
	}
	o.fingerprintKey = key
	prev, err := store.NoteFingerprintKey(ctx, keyID)
	if err != nil {
		return err
	}
	if prev != "" {
		fmt.Fprintf(o.IO.ErrOut, "aam: note: %s's secret fingerprints were made with another key (id %s; now %s from %s): fingerprints from before and after this scan do not compare\n", o.DB, prev, keyID, keyPath)
	}
	return nil
}
