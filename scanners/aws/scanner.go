package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	"github.com/aam-dev/aam/scanners/fanout"
	"github.com/aam-dev/aam/scanners/scope"
	"github.com/aam-dev/aam/scanners/secrets"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"go.yaml.in/yaml/v3"
)

// ProviderName is the provider's name in the registry, the CLI and the graph.
const ProviderName = "aws"

// Provider is the registry entry of the AWS scanner.
func Provider() scanners.Provider {
	return scanners.Provider{
		Name:       ProviderName,
		TenantsKey: "accounts",
		New: func(ctx context.Context, section *yaml.Node, opts scanners.Options) (scanners.Scanner, error) {
			var cfg Config
			if err := scanners.DecodeSection(opts.ConfigPath, ProviderName, section, &cfg); err != nil {
				return nil, err
			}
			return New(cfg, opts)
		},
	}
}

// Scanner scans AWS accounts.
type Scanner struct {
	cfg  Config
	opts scanners.Options
}

// New returns a scanner for cfg. When opts has targets addressed to aws, it
// scans exactly those accounts instead of cfg's.
func New(cfg Config, opts scanners.Options) (*Scanner, error) {
	if ts := opts.TargetsFor(ProviderName); len(ts) > 0 {
		accounts, err := targetAccounts(ts)
		if err != nil {
			return nil, err
		}
		cfg.Accounts = accounts
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, r := range opts.Regions {
		if !regionPattern.MatchString(r) {
			return nil, fmt.Errorf("--region %q is not an AWS region name (like us-east-1)", r)
		}
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 8
	}
	if opts.Limiter == nil {
		opts.Limiter = scanners.NewLimiter(opts.Concurrency)
	}
	opts.FingerprintKey = secrets.KeyFunc(opts.FingerprintKey)
	if opts.MaxAttempts < 1 {
		opts.MaxAttempts = 8
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 20 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(cfg.Accounts) == 0 {
		cfg.Accounts = []AccountConfig{{}}
	}
	return &Scanner{cfg: cfg, opts: opts}, nil
}

// Name is "aws".
func (s *Scanner) Name() string { return ProviderName }

// String names the accounts s scans, never the credentials of its targets
// (which its options hold): %v, %+v and %#v print this.
func (s Scanner) String() string {
	labels := make([]string, 0, len(s.cfg.Accounts))
	for _, a := range s.cfg.Accounts {
		labels = append(labels, a.label())
	}
	return fmt.Sprintf("aws scanner of accounts %v", labels)
}

// GoString is String: the fields of s hold the targets' secrets.
func (s Scanner) GoString() string { return s.String() }

// Scan scans every configured account, several at a time. It first learns
// which account each one is (sts:GetCallerIdentity), then scans them: a
// role's trust policy is judged knowing every account this scan covers,
// since a principal of one of them is the owner's, not a third party's.
func (s *Scanner) Scan(ctx context.Context, w inventory.Writer) error {
	// Past the --timeout every account still starts, fails fast and is
	// recorded as not scanned; after an interrupt none starts.
	starting, stop := fanout.UntilInterrupted(ctx)
	defer stop()
	accounts := make([]*account, len(s.cfg.Accounts))
	for i, a := range s.cfg.Accounts {
		accounts[i] = &account{cfg: a}
	}
	err := fanout.ForEach(starting, s.opts.Concurrency, accounts, func(_ context.Context, a *account) error {
		return s.safely(ctx, w, a, func() error { return s.identify(ctx, w, a) })
	})
	if err != nil {
		return err
	}
	scanned := map[string]bool{}
	for _, a := range accounts {
		if a.id != "" {
			scanned[a.id] = true
		}
	}
	ours := func(id string) bool { return scanned[id] }
	return fanout.ForEach(starting, s.opts.Concurrency, accounts, func(_ context.Context, a *account) error {
		if a.id == "" {
			return nil // not identified: recorded by identify
		}
		return s.safely(ctx, w, a, func() error { return s.scanAccount(ctx, w, a, ours) })
	})
}

// account is one configured account and, once identify succeeded, who it
// is and the clients that reach it.
type account struct {
	cfg     AccountConfig
	regions []string
	sdk     awssdk.Config
	id      string // the account id; empty until identified
	caller  string // the ARN the scan acts as
}

// safely runs fn, recording a panic in it as the account's failure.
func (s *Scanner) safely(ctx context.Context, w inventory.Writer, a *account, fn func() error) error {
	err := fanout.Safely(fn)
	var pe fanout.PanicError
	if errors.As(err, &pe) {
		return w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: ProviderName, Tenant: a.cfg.label(), Operation: "scan account", Message: pe.Error()})
	}
	return err
}

// label names an account before its id is known.
func (a AccountConfig) label() string {
	switch {
	case a.RoleARN != "":
		return accountOf(a.RoleARN)
	case a.target != nil && targetLabel(*a.target) != "":
		return targetLabel(*a.target)
	case a.Profile != "":
		return "profile:" + a.Profile
	}
	return "default"
}

func (s *Scanner) regions(a AccountConfig) []string {
	switch {
	case len(s.opts.Regions) > 0:
		return s.opts.Regions
	case len(a.Regions) > 0:
		return a.Regions
	}
	return s.cfg.Regions
}

// record records a failure of the account before its scopes start.
// Recorded even when ctx is done: a timeout is worth recording. An
// interrupt is recorded once, for the whole scan.
func (s *Scanner) record(ctx context.Context, w inventory.Writer, a *account, op string, err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: ProviderName, Tenant: a.cfg.label(), Operation: op, Message: describe(err)})
}

// identify resolves the account's configuration and asks who it is. A
// failure is recorded and leaves a.id empty; only a store failure is
// returned.
func (s *Scanner) identify(ctx context.Context, w inventory.Writer, a *account) error {
	a.regions = s.regions(a.cfg)
	region := ""
	if len(a.regions) > 0 {
		region = a.regions[0]
	}
	cfg, err := s.loadConfig(ctx, a.cfg, region)
	if err != nil {
		return s.record(ctx, w, a, "config", err)
	}
	id, caller, err := callerIdentity(ctx, newClients(cfg).sts)
	if err != nil {
		return s.record(ctx, w, a, "sts:GetCallerIdentity", err)
	}
	if len(a.regions) == 0 {
		a.regions = []string{cfg.Region}
	}
	a.sdk, a.id, a.caller = cfg, id, caller
	return nil
}

// scanAccount scans one identified account: IAM (account-global) and each
// region's agent services are separate scopes, scanned side by side; one
// failing never stops the others. ours reports whether an account is one
// this scan covers. Provider failures are recorded and return nil; only a
// store failure is returned.
func (s *Scanner) scanAccount(ctx context.Context, w inventory.Writer, a *account, ours func(string) bool) error {
	c := newClients(a.sdk)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		storeErr error
	)
	run := func(scan func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := scan(ctx); err != nil {
				mu.Lock()
				storeErr = errors.Join(storeErr, err)
				mu.Unlock()
			}
		}()
	}
	// The escalation analysis needs the account's IAM; it runs once every
	// other scope of the account has finished.
	var esc *escalationInputs
	if s.cfg.scans(ServiceIAM) {
		esc = &escalationInputs{}
		is := newIAMScan(s, c, w, a.id, a.caller, ours)
		is.esc = esc
		run(is.run)
	}
	for _, region := range dedupe(a.regions) {
		rc := newRegionClients(a.sdk, region)
		for _, svc := range []string{ServiceBedrockAgent, ServiceAgentCore} {
			if s.cfg.scans(svc) {
				rs := newRegionScan(s, rc, w, a.id, region, svc)
				rs.esc = esc
				run(func(ctx context.Context) error {
					err := rs.run(ctx)
					esc.regionDone(rs.scope.Scope().Name, !rs.scope.Failed() && ctx.Err() == nil)
					return err
				})
			}
		}
	}
	wg.Wait()
	if storeErr != nil || esc == nil {
		return storeErr
	}
	return s.escalate(ctx, w, a.id, esc)
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// RegionScope names the scope of one agent service in one region.
func RegionScope(region, service string) string { return region + "/" + service }

// regionScan scans one agent service of one account in one region:
// Bedrock agents with their action groups, knowledge bases and Lambda
// executors (bedrock.go, lambda.go); or AgentCore runtimes, gateways,
// workload identities and credential providers (agentcore.go). It is one
// scope ("us-east-1/bedrock-agent"): its rows become current only if every
// listing call it made succeeded.
type regionScan struct {
	scanner *Scanner
	c       regionClients
	scope   *scope.Writer
	account string
	region  string
	service string

	mu       sync.Mutex
	lambdas  map[string]*lambdaOnce        // function ARN or name -> its one lookup
	kbs      map[string]*knowledgeBaseOnce // knowledge base id -> its one lookup
	gateways []gatewayRef                  // for linking runtimes to gateways

	// policy is the scope of the region's AgentCore Policy engines, and
	// engines what it found (agentcore_policy.go).
	policy  *scope.Writer
	engines policyEngines

	// esc collects what the account's escalation analysis needs.
	esc *escalationInputs
}

type gatewayRef struct{ arn, id, url string }

func newRegionScan(s *Scanner, c regionClients, w inventory.Writer, account, region, service string) *regionScan {
	sc := inventory.Scope{Provider: ProviderName, Tenant: account, Name: RegionScope(region, service)}
	rs := &regionScan{
		scanner: s, c: c, account: account, region: region, service: service,
		scope:   scope.New(w, sc, explainer(), service),
		lambdas: map[string]*lambdaOnce{},
		kbs:     map[string]*knowledgeBaseOnce{},
	}
	if service == ServiceAgentCore {
		policy := inventory.Scope{Provider: ProviderName, Tenant: account, Name: AgentCorePolicyScope(region)}
		rs.policy = scope.New(w, policy, explainer(), service)
	}
	return rs
}

// run scans the region. Provider failures are recorded; only a store
// failure is returned.
func (rs *regionScan) run(ctx context.Context) error {
	switch rs.service {
	case ServiceBedrockAgent:
		return rs.scope.Run(ctx, rs.bedrockAgents)
	case ServiceAgentCore:
		// Policy engines first: gateways say which they use, and how.
		if err := rs.policy.Run(ctx, rs.listPolicyEngines); err != nil {
			return err
		}
		// Gateways before runtimes: runtimes link to them through their environment.
		return rs.scope.Run(ctx, rs.credentialProviders, rs.workloadIdentities, rs.gatewaysAndTargets, rs.runtimes)
	}
	return nil
}

// runsAs writes a reference to an IAM role (the account's IAM scope
// describes it in full) and the runs_as edge to it.
func (rs *regionScan) runsAs(ctx context.Context, from, roleARN string, attrs map[string]any) error {
	if roleARN == "" {
		return nil
	}
	tenant := accountOf(roleARN)
	if err := rs.scope.Node(ctx, inventory.Node{ID: roleARN, Kind: inventory.KindIdentity, Tenant: tenant, Name: lastSegment(roleARN), Ref: true,
		Attrs: map[string]any{inventory.AttrType: "iam_role"}}); err != nil {
		return err
	}
	return rs.scope.Edge(ctx, from, inventory.EdgeRunsAs, roleARN, attrs)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
