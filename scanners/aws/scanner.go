package aws

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"go.yaml.in/yaml/v3"
)

// ProviderName is the provider's name in the registry, the CLI and the graph.
const ProviderName = "aws"

// Provider is the registry entry of the AWS scanner.
func Provider() scanners.Provider {
	return scanners.Provider{
		Name: ProviderName,
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

// New returns a scanner for cfg.
func New(cfg Config, opts scanners.Options) (*Scanner, error) {
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
	runKey := make([]byte, 32)
	if _, err := rand.Read(runKey); err != nil {
		return nil, err
	}
	given := opts.FingerprintKey
	opts.FingerprintKey = func() []byte {
		if given != nil {
			if k := given(); len(k) > 0 {
				return k
			}
		}
		return runKey
	}
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

// Scan scans every configured account, several at a time.
func (s *Scanner) Scan(ctx context.Context, w inventory.Writer) error {
	// No early stop on ctx: once it is done every account fails fast, and
	// each is recorded as not scanned.
	return forEach(context.WithoutCancel(ctx), s.opts.Concurrency, s.cfg.Accounts, func(_ context.Context, a AccountConfig) error {
		err := safely(func() error { return s.scanAccount(ctx, w, a) })
		var pe panicError
		if errors.As(err, &pe) {
			return w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: ProviderName, Tenant: a.label(), Operation: "scan account", Message: pe.Error()})
		}
		return err
	})
}

// label names an account before its id is known.
func (a AccountConfig) label() string {
	switch {
	case a.RoleARN != "":
		return accountOf(a.RoleARN)
	case a.isolated != nil && a.isolated.Label != "":
		return a.isolated.Label
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

// scanAccount scans one account. Provider failures are recorded and return
// nil; only a store failure is returned.
func (s *Scanner) scanAccount(ctx context.Context, w inventory.Writer, a AccountConfig) error {
	regions := s.regions(a)
	region := ""
	if len(regions) > 0 {
		region = regions[0]
	}
	record := func(tenant, scope, op string, err error) error {
		// Recorded even when ctx is done: a timeout is worth recording.
		return w.RecordError(context.WithoutCancel(ctx), inventory.ScanError{Provider: ProviderName, Tenant: tenant, Scope: scope, Operation: op, Message: describe(err)})
	}
	cfg, err := s.loadConfig(ctx, a, region)
	if err != nil {
		return record(a.label(), "", "config", err)
	}
	c := newClients(cfg)
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return record(a.label(), "", "sts:GetCallerIdentity", err)
	}
	account := deref(id.Account)
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		storeErr error
	)
	keep := func(err error) {
		if err != nil {
			mu.Lock()
			storeErr = errors.Join(storeErr, err)
			mu.Unlock()
		}
	}
	// IAM (account-global) and each region's agent services are separate
	// scopes, scanned side by side; one failing never stops the others.
	if s.cfg.scans(ServiceIAM) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is := &iamScan{scanner: s, c: c, w: w, account: account, caller: deref(id.Arn)}
			if err := safely(func() error { return is.run(ctx) }); err != nil {
				var se storeError
				if errors.As(err, &se) {
					keep(se.err)
					return
				}
				keep(record(account, inventory.GlobalScope, is.op, err))
			}
		}()
	}
	for _, region := range dedupe(regions) {
		rc := newRegionClients(cfg, region)
		for _, svc := range []string{ServiceBedrockAgent, ServiceAgentCore} {
			if !s.cfg.scans(svc) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				keep(newRegionScan(s, rc, w, account, region, svc).run(ctx))
			}()
		}
	}
	wg.Wait()
	return storeErr
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

// storeError marks a failure of the inventory writer, which stops the scan,
// as opposed to a provider failure, which is recorded.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// describe turns an SDK error into a message for scan_errors and people:
// the service's code and message and, where we know one, what to do. The SDK
// error text carries no credentials.
func describe(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorCode() + ": " + ae.ErrorMessage()
		if assumingRole(err) {
			return "assuming the account's role failed: " + msg + " (the role's trust policy must allow the scanning principal, with the external_id it asks for)"
		}
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
			msg += " (grant the scanning principal read access, e.g. the AWS-managed SecurityAudit policy)"
		case "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException":
			msg += " (the credentials were refused: refresh them, e.g. aws sso login, or check the profile)"
		case "Throttling", "ThrottlingException", "TooManyRequestsException":
			msg += " (still throttled after retries: lower --concurrency)"
		}
		return msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out (--timeout reached)"
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		if re.HTTPStatusCode() < 300 {
			// A success the SDK could not read: an API newer than this
			// build's SDK, or an endpoint that only looks like AWS.
			return fmt.Sprintf("could not read the answer (%v): upgrade aam, or check endpoint_url / AWS_ENDPOINT_URL", re.Err)
		}
		return fmt.Sprintf("HTTP %d that is not an AWS API error (%v): check endpoint_url or AWS_ENDPOINT_URL", re.HTTPStatusCode(), re.Err)
	}
	msg := strings.TrimSpace(err.Error())
	var oe *smithy.OperationError
	if errors.As(err, &oe) && oe.Err != nil {
		msg = strings.TrimSpace(oe.Err.Error())
	}
	switch {
	case strings.Contains(msg, "get credentials") || strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found"):
		return "no usable AWS credentials (" + msg + "): run aws sso login or aws configure, set AWS_PROFILE, or name a profile in aam.yaml"
	case strings.Contains(msg, "no such host") || strings.Contains(msg, "dial tcp") || strings.Contains(msg, "connection refused") || strings.Contains(msg, "i/o timeout"):
		return "could not reach the AWS endpoint (" + msg + "): check the network and proxy, the region name, or leave out a region where this service is not offered (--region, aws.regions, aws.services)"
	}
	return msg
}

// assumingRole is true when err came from the STS AssumeRole call that
// gets an account's credentials.
func assumingRole(err error) bool {
	for e := err; e != nil; {
		var oe *smithy.OperationError
		if !errors.As(e, &oe) {
			return false
		}
		if oe.Operation() == "AssumeRole" {
			return true
		}
		e = oe.Err
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
