package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/scanners"
	"github.com/aam-dev/aam/scanners/aws"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
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
	return cmd
}

// scanPlan is what a scan will run, resolved from flags, config and demo.
type scanPlan struct {
	scanners []scanners.Scanner
	lab      *lab.Lab
	tenants  int
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
		return o.demoPlan()
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

// demoPlan starts the lab with the embedded estate and points an AWS
// scanner at it, isolated from the user's profiles and environment, over a
// transport that can reach nothing but loopback.
func (o *ScanOptions) demoPlan() (*scanPlan, error) {
	estate, err := lab.DemoEstate()
	if err != nil {
		return nil, fmt.Errorf("load the demo estate: %w", err)
	}
	l, err := lab.Start(estate, lab.Options{})
	if err != nil {
		return nil, fmt.Errorf("start the lab: %w", err)
	}
	cfg := aws.Config{}
	regions := map[string]bool{}
	for _, t := range l.Targets() {
		cfg.Accounts = append(cfg.Accounts, aws.IsolatedAccount(aws.Isolated{
			Label: t.Label, AccessKeyID: t.Credentials["access_key_id"], SecretAccessKey: t.Credentials["secret_access_key"], Endpoint: t.Endpoint,
		}))
		for _, r := range t.Regions {
			regions[r] = true
		}
	}
	// Every region the estate has, unless --region narrows it.
	sopts := o.scannerOptions(scanners.NewTransport(true, nil))
	if len(sopts.Regions) == 0 {
		sopts.Regions = slices.Sorted(maps.Keys(regions))
	}
	s, err := aws.New(cfg, sopts)
	if err != nil {
		l.Close()
		return nil, err
	}
	return &scanPlan{scanners: []scanners.Scanner{s}, lab: l, tenants: estate.Tenants()}, nil
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
	store, err := inventory.Open(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	key, keyID, keyPath, err := fingerprintKey()
	if err != nil {
		// Fingerprints of this run only: the scan is still worth running.
		fmt.Fprintf(o.IO.ErrOut, "aam: warning: %v; fingerprints of inline secrets in this scan compare with no other scan\n", err)
		key, keyID = nil, "per-run"
	}
	o.fingerprintKey = key
	if key != nil {
		prev, err := store.NoteFingerprintKey(ctx, keyID)
		if err != nil {
			return err
		}
		if prev != "" {
			fmt.Fprintf(o.IO.ErrOut, "aam: note: %s's secret fingerprints were made with another key (id %s; now %s from %s): fingerprints from before and after this scan do not compare\n", o.DB, prev, keyID, keyPath)
		}
	}
	var names []string
	for _, s := range plan.scanners {
		names = append(names, s.Name())
	}
	started := o.Now()
	scan, err := store.BeginScan(ctx, inventory.ScanInfo{Providers: names, AAMVersion: Version, Now: o.Now})
	if err != nil {
		return err
	}

	// Whatever goes wrong below, the scan row ends finished (failed),
	// never left "running".
	finished := false
	defer func() {
		if !finished {
			_ = scan.Finish(context.WithoutCancel(ctx), inventory.ScanFailed)
		}
	}()
	scanCtx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		scanCtx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		storeErr error
	)
	for _, s := range plan.scanners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runScanner(scanCtx, s, scan); err != nil {
				mu.Lock()
				storeErr = errors.Join(storeErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	timedOut := errors.Is(scanCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	interrupted := ctx.Err() != nil

	// Finishing must happen even when the scan's context is done.
	finishCtx := context.WithoutCancel(ctx)
	scanErrs, err := store.ScanErrors(finishCtx, scan.ID())
	if err != nil {
		return err
	}
	// The note only when the deadline cut something short.
	if timedOut && len(scanErrs) > 0 {
		note := inventory.ScanError{Provider: strings.Join(names, ","), Operation: "scan", Message: fmt.Sprintf("--timeout %s reached: scopes not finished by then keep their previous state", o.Timeout)}
		if err := scan.RecordError(finishCtx, note); err != nil {
			return err
		}
		scanErrs = append(scanErrs, note)
	}
	scopes, err := store.CompletedScopes(finishCtx, scan.ID())
	if err != nil {
		return err
	}
	status := inventory.ScanOK
	switch {
	case storeErr != nil:
		status = inventory.ScanFailed
	case interrupted:
		status = inventory.ScanInterrupted
	case len(scanErrs) > 0 && len(scopes) == 0:
		status = inventory.ScanFailed
	case len(scanErrs) > 0:
		status = inventory.ScanPartial
	}
	finished = true
	if err := scan.Finish(finishCtx, status); err != nil {
		return err
	}
	sum := scanSummary{
		ScanID: scan.ID(), Status: status, Elapsed: o.Now().Sub(started), Scopes: scopes, Errors: scanErrs, DB: o.DB,
	}
	if plan.lab != nil {
		st := plan.lab.Stats()
		sum.LabCalls = st.Calls
		sum.LabURL = plan.lab.URL("aws")
		sum.LabAccounts = plan.tenants
	}
	if sum.Nodes, err = store.NodeCounts(finishCtx); err != nil {
		return err
	}
	if sum.Edges, err = store.EdgeCounts(finishCtx); err != nil {
		return err
	}
	if sum.Agents, err = agentRows(finishCtx, store); err != nil {
		return err
	}
	if err := sum.write(o.IO); err != nil {
		return err
	}
	switch {
	case storeErr != nil:
		return fmt.Errorf("writing the inventory failed: %w: check that %s is writable and the disk has room", storeErr, o.DB)
	case interrupted:
		return partialError{"interrupted: scopes finished before the interrupt were kept"}
	case timedOut && len(scopes) == 0:
		return fmt.Errorf("--timeout %s reached before any scope finished: raise --timeout", o.Timeout)
	case status == inventory.ScanFailed:
		return errors.New("every tenant failed: see the errors above")
	case status == inventory.ScanPartial:
		return partialError{fmt.Sprintf("scan %d is partial: %d error(s), %d scope(s) complete", scan.ID(), len(scanErrs), len(scopes))}
	}
	return nil
}

// runScanner runs one scanner, turning a panic into a recorded error so one
// provider cannot take the others down.
func runScanner(ctx context.Context, s scanners.Scanner, w inventory.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: s.Name(), Operation: "scan", Message: fmt.Sprintf("scanner panicked: %v (please report this bug)", r)})
		}
	}()
	return s.Scan(ctx, w)
}

// scanSummary is what aam scan prints.
type scanSummary struct {
	ScanID      int64
	Status      inventory.ScanStatus
	Elapsed     time.Duration
	DB          string
	Scopes      []inventory.Scope
	Errors      []inventory.ScanError
	Nodes       []inventory.Count
	Edges       []inventory.Count
	LabURL      string
	LabAccounts int
	LabCalls    map[string]int
	Agents      []agentRow
}

// agentRow is one agent in the summary: what it runs as, the highest
// access that grants, and how many standing secrets it can reach.
type agentRow struct {
	Name, Type, Tenant string
	RunsAs             []string
	Access             string
	Secrets            int
}

func agentRows(ctx context.Context, store *inventory.Store) ([]agentRow, error) {
	agents, err := store.Nodes(ctx, inventory.NodeFilter{Kind: inventory.KindAgent})
	if err != nil {
		return nil, err
	}
	var rows []agentRow
	for _, a := range agents {
		reach, err := reachable(ctx, store, a.ID)
		if err != nil {
			return nil, err
		}
		typ, _ := a.Attrs["type"].(string)
		row := agentRow{Name: a.Name, Type: typ, Tenant: a.Tenant}
		out, _, err := store.EdgesOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range out {
			if e.Kind == inventory.EdgeRunsAs {
				row.RunsAs = append(row.RunsAs, nameOr(e.PeerName, e.To))
			}
		}
		for _, r := range reach {
			if r.Kind == string(inventory.KindIdentity) {
				if l := strings.TrimPrefix(r.Detail, "access="); inventory.AccessLevelRank(l) > inventory.AccessLevelRank(row.Access) {
					row.Access = l
				}
			}
			if r.Kind == string(inventory.KindCredential) && strings.Contains(r.Detail, "standing") {
				row.Secrets++
			}
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Tenant != rows[j].Tenant {
			return rows[i].Tenant < rows[j].Tenant
		}
		return rows[i].Name < rows[j].Name
	})
	return rows, nil
}

func (s scanSummary) write(io *IOStreams) error {
	w := io.Out
	fmt.Fprintf(w, "Scan %d: %s in %s, written to %s\n", s.ScanID, s.Status, s.Elapsed.Round(time.Millisecond), s.DB)
	if s.LabURL != "" {
		fmt.Fprintf(w, "Demo: the built-in estate (%d accounts) served by the lab at %s; nothing outside this machine was reached.\n", s.LabAccounts, s.LabURL)
	}
	fmt.Fprintln(w)
	t := newSummaryTable(io, "PROVIDER", "NODE KIND", "COUNT")
	for _, c := range s.Nodes {
		t.row(c.Provider, c.Kind, fmt.Sprint(c.N))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newSummaryTable(io, "PROVIDER", "EDGE KIND", "COUNT")
	for _, c := range s.Edges {
		t.row(c.Provider, c.Kind, fmt.Sprint(c.N))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(s.Agents) > 0 {
		fmt.Fprintln(w)
		t = newSummaryTable(io, "AGENT", "TYPE", "TENANT", "RUNS AS", "REACHES ACCESS", "STANDING SECRETS")
		for _, a := range s.Agents {
			access := a.Access
			if access == "" {
				access = "-"
			}
			t.row(a.Name, a.Type, a.Tenant, strings.Join(a.RunsAs, ", "), access, fmt.Sprint(a.Secrets))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nScopes complete: %d\n", len(s.Scopes))
	for _, sc := range s.Scopes {
		fmt.Fprintf(w, "  %s\n", sc)
	}
	if len(s.Errors) == 0 {
		fmt.Fprintln(w, "Partial failures: none")
	} else {
		fmt.Fprintf(w, "Partial failures: %d\n", len(s.Errors))
		for _, e := range s.Errors {
			where := strings.Trim(strings.Join([]string{e.Provider, e.Tenant, e.Scope}, "/"), "/")
			fmt.Fprintf(w, "  %s %s: %s\n", where, e.Operation, e.Message)
		}
	}
	if len(s.LabCalls) > 0 {
		ops := make([]string, 0, len(s.LabCalls))
		total := 0
		for op, n := range s.LabCalls {
			ops = append(ops, op)
			total += n
		}
		sort.Strings(ops)
		fmt.Fprintf(w, "\nLab calls: %d\n", total)
		t = newSummaryTable(io, "OPERATION", "CALLS")
		for _, op := range ops {
			t.row(op, fmt.Sprint(s.LabCalls[op]))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nNext: aam inventory list --kind agent --db %s, then aam inventory show <agent id>\n", s.DB)
	return nil
}
