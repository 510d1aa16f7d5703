// Package scanners defines what a provider scanner is, the explicit registry
// of the providers aam knows, the aam.yaml configuration file, and the HTTP
// transport every scanner's SDK clients share (bounded concurrency, the
// certificate authorities to trust, and in demo mode a guard that refuses
// anything but loopback).
//
// The machinery every provider shares lives in packages below it: scope
// (writing one scope and deciding whether it completes), fanout (bounded
// concurrency that survives a panic), failure (the classes of provider
// errors) and secrets (inline-secret detection and fingerprints). Each
// provider has its own folder (aws, ...) with the same file names for the
// same jobs: scanner.go, config.go, clients.go, errors.go, and one file per
// API it calls.
package scanners

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"go.yaml.in/yaml/v3"
)

// Scanner finds one provider's agents, identities and credentials and writes
// them to w. It only reads from the provider. A tenant, scope or operation
// that fails is recorded with w.RecordError and the scan goes on; Scan
// returns an error only when it could not run at all or the store failed.
type Scanner interface {
	Name() string
	Scan(ctx context.Context, w inventory.Writer) error
}

// Options are the settings every scanner shares, from the command line.
type Options struct {
	// Regions given with --region; they replace the regions of the config file.
	Regions []string
	// Concurrency bounds the work a scanner fans out (tenants, users...);
	// the number of API calls in flight is bounded by Limiter.
	Concurrency int
	// Limiter bounds the API calls in flight across the whole scan.
	Limiter *Limiter
	// Transport, when set, is the base transport of every SDK client (the
	// demo's loopback-only one, built with NewTransport); otherwise each
	// client uses the SDK's own, which honours AWS_CA_BUNDLE and the proxy
	// variables.
	Transport http.RoundTripper
	// RootCAs, when set, are the certificate authorities the transports a
	// scanner builds itself trust (the lab's throwaway CA): Go reads
	// SSL_CERT_FILE only once per process, so they are passed explicitly. A
	// Transport given above is used as it is: build it with
	// NewTransport(loopbackOnly, RootCAs).
	RootCAs *x509.CertPool
	// Targets are tenants reached at fixed endpoints with static
	// credentials (the lab), directly or through a role they assume. A
	// provider that has targets addressed to it scans exactly those, and
	// ignores its aam.yaml tenants, the user's profiles and the provider's
	// environment variables.
	Targets []Target
	// MaxAttempts and MaxBackoff configure the SDKs' own retryers.
	MaxAttempts int
	MaxBackoff  time.Duration
	// Now is the clock used for ages.
	Now func() time.Time
	// ConfigPath names the config file in errors about its sections.
	ConfigPath string
	// FingerprintKey returns the key of the HMAC that fingerprints secrets
	// seen inline (inventory.Store.FingerprintKey); it is called once a scan
	// runs. Nil, or an empty key, means a key for this run only.
	FingerprintKey func() []byte
}

// Target is one tenant reached at a fixed endpoint with static credentials,
// ignoring the user's own profiles and environment (the lab), directly or
// through a role those credentials assume.
//
// Its credentials are secrets: String, GoString and LogValue print every
// field but their values (the credentials' names only), so a target, or a
// slice of them, can be printed or logged.
type Target struct {
	Provider string // "aws"
	Tenant   string // e.g. the AWS account id, as the provider names it
	// Label names the tenant in errors before its id is known (e.g. the
	// account alias); Tenant when empty.
	Label string
	// Endpoint is the base URL of every API of that provider (http:// or
	// https://).
	Endpoint string
	// Credentials are provider-specific: for aws "access_key_id" and
	// "secret_access_key". A provider refuses a target that lacks a key it
	// needs, or has one it does not know.
	Credentials map[string]string
	// RoleARN, when set, is a role the credentials assume to reach the
	// tenant, which is then the role's: for aws an IAM role ARN
	// (arn:aws:iam::123456789012:role/aam-read), assumed with
	// sts:AssumeRole as aam.yaml's role_arn is. A provider without roles
	// refuses a target that has one.
	RoleARN string
	// ExternalID is given when assuming RoleARN, where the role's trust
	// policy asks for one; only used with RoleARN.
	ExternalID string
	// Regions are the regions to scan, where the provider has any; the
	// command line's (Options.Regions) replace them, and without any the
	// provider scans its configured or default regions.
	Regions []string
}

// redacted stands for a value that is never printed.
const redacted = "[redacted]"

// credentialNames are the names of t's credentials, sorted.
func (t Target) credentialNames() []string {
	return slices.Sorted(maps.Keys(t.Credentials))
}

// String prints t without its secrets: the credentials' names, never their
// values, nor the external id's. %v and %+v print it too.
func (t Target) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "{provider=%s tenant=%s label=%s endpoint=%s", t.Provider, t.Tenant, t.Label, t.Endpoint)
	if t.RoleARN != "" {
		fmt.Fprintf(&b, " role_arn=%s", t.RoleARN)
	}
	if t.ExternalID != "" {
		b.WriteString(" external_id=" + redacted)
	}
	fmt.Fprintf(&b, " regions=%v credentials=%v}", t.Regions, t.credentialNames())
	return b.String()
}

// GoString is what %#v prints: t in Go syntax, each secret replaced by
// "[redacted]".
func (t Target) GoString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scanners.Target{Provider:%q, Tenant:%q, Label:%q, Endpoint:%q, Credentials:", t.Provider, t.Tenant, t.Label, t.Endpoint)
	if t.Credentials == nil {
		b.WriteString("map[string]string(nil)")
	} else {
		b.WriteString("map[string]string{")
		for i, k := range t.credentialNames() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q:%q", k, redacted)
		}
		b.WriteString("}")
	}
	externalID := ""
	if t.ExternalID != "" {
		externalID = redacted
	}
	fmt.Fprintf(&b, ", RoleARN:%q, ExternalID:%q, Regions:%#v}", t.RoleARN, externalID, t.Regions)
	return b.String()
}

// LogValue is how log/slog logs t: without its secrets, as String.
func (t Target) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("provider", t.Provider), slog.String("tenant", t.Tenant), slog.String("label", t.Label),
		slog.String("endpoint", t.Endpoint),
	}
	if t.RoleARN != "" {
		attrs = append(attrs, slog.String("role_arn", t.RoleARN))
	}
	if t.ExternalID != "" {
		attrs = append(attrs, slog.String("external_id", redacted))
	}
	attrs = append(attrs, slog.Any("regions", t.Regions), slog.Any("credentials", t.credentialNames()))
	return slog.GroupValue(attrs...)
}

// TargetsFor returns the targets addressed to provider.
func (o Options) TargetsFor(provider string) []Target {
	var out []Target
	for _, t := range o.Targets {
		if t.Provider == provider {
			out = append(out, t)
		}
	}
	return out
}

// Provider is one entry of the registry.
type Provider struct {
	Name string
	// TenantsKey is the key of the provider's aam.yaml section that lists
	// its tenants (aws: "accounts"): ParseConfig counts them against
	// MaxTenants. Empty when the section lists none.
	TenantsKey string
	// New builds the provider's scanner from its section of aam.yaml (nil
	// when the file has none) and the shared options.
	New func(ctx context.Context, section *yaml.Node, opts Options) (Scanner, error)
}

// Registry is the explicit list of providers aam can scan.
type Registry struct {
	providers map[string]Provider
}

// NewRegistry returns a registry of the given providers. Two providers of
// one name are refused: one would silently replace the other.
func NewRegistry(ps ...Provider) (*Registry, error) {
	r := &Registry{providers: map[string]Provider{}}
	for _, p := range ps {
		if p.Name == "" || p.New == nil {
			return nil, fmt.Errorf("a provider of the registry has no name or no New (%q): this build of aam is broken, please report it", p.Name)
		}
		if _, dup := r.providers[p.Name]; dup {
			return nil, fmt.Errorf("provider %q is registered twice: this build of aam is broken, please report it", p.Name)
		}
		r.providers[p.Name] = p
	}
	return r, nil
}

// Names lists the registered providers, sorted.
func (r *Registry) Names() []string {
	var names []string
	for n := range r.providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the provider called name.
func (r *Registry) Lookup(name string) (Provider, error) {
	p, ok := r.providers[name]
	if !ok {
		return Provider{}, fmt.Errorf("unknown provider %q: aam scans %s", name, strings.Join(r.Names(), ", "))
	}
	return p, nil
}
