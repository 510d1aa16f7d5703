package aws

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// regionScan scans one agent service of one account in one region:
// Bedrock agents with their action groups, knowledge bases and Lambda
// executors; or AgentCore runtimes, gateways, workload identities and
// credential providers. It is one scope ("us-east-1/bedrock-agent"): its
// rows become current only if every call it made succeeded.
type regionScan struct {
	scanner *Scanner
	c       regionClients
	w       inventory.Writer
	account string
	region  string
	service string
	scope   inventory.Scope

	mu       sync.Mutex
	failures []inventory.ScanError
	// warnings are failures of calls that only enrich what the scope found
	// (a version's role, a provider's secret ARN): recorded, but the scope
	// still completes.
	warnings []inventory.ScanError
	// absent is set when the endpoint does not offer the service at all
	// (a region without AgentCore, an emulator without Bedrock): nothing to
	// scan, nothing to record, and the scope keeps its state.
	absent   bool
	lambdas  map[string]*lambdaOnce        // function ARN or name -> its one lookup
	kbs      map[string]*knowledgeBaseOnce // knowledge base id -> its one lookup
	gateways []gatewayRef                  // for linking runtimes to gateways
}

type gatewayRef struct{ arn, id, url string }

func newRegionScan(s *Scanner, c regionClients, w inventory.Writer, account, region, service string) *regionScan {
	return &regionScan{
		scanner: s, c: c, w: w, account: account, region: region, service: service,
		scope:   inventory.Scope{Provider: ProviderName, Tenant: account, Name: RegionScope(region, service)},
		lambdas: map[string]*lambdaOnce{},
	}
}

// RegionScope names the scope of one agent service in one region.
func RegionScope(region, service string) string { return region + "/" + service }

// fail records that op failed; the region's scope will not complete.
func (rs *regionScan) fail(op string, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Every call in flight fails the same way: one record says it.
		for _, f := range rs.failures {
			if f.Message == describe(err) {
				return
			}
		}
	}
	rs.failures = append(rs.failures, inventory.ScanError{
		Provider: ProviderName, Tenant: rs.account, Scope: rs.scope.Name, Operation: op, Message: describe(err),
	})
}

func (rs *regionScan) node(ctx context.Context, n inventory.Node) error {
	if n.ID == "" {
		// Bad data from the provider, not a store failure: the scope
		// cannot be trusted to be complete.
		rs.fail(rs.service, fmt.Errorf("the API returned a %v without an id or ARN", n.Attrs["type"]))
		return nil
	}
	if n.Provider == "" {
		n.Provider = ProviderName
	}
	if n.Tenant == "" {
		n.Tenant = rs.account
	}
	if err := rs.w.Node(ctx, rs.scope, n); err != nil {
		return storeError{err}
	}
	return nil
}

func (rs *regionScan) edge(ctx context.Context, from string, kind inventory.EdgeKind, to string, attrs map[string]any) error {
	if from == "" || to == "" {
		return nil // the node without an id was recorded as a failure
	}
	if err := rs.w.Edge(ctx, rs.scope, inventory.Edge{From: from, To: to, Kind: kind, Attrs: attrs}); err != nil {
		return storeError{err}
	}
	return nil
}

// roleRef writes a reference to an IAM role (the account's IAM scope
// describes it in full) and the runs_as edge to it.
func (rs *regionScan) runsAs(ctx context.Context, from, roleARN string, attrs map[string]any) error {
	if roleARN == "" {
		return nil
	}
	tenant := accountOf(roleARN)
	if err := rs.node(ctx, inventory.Node{ID: roleARN, Kind: inventory.KindIdentity, Tenant: tenant, Name: lastSegment(roleARN), Ref: true,
		Attrs: map[string]any{"type": "iam_role"}}); err != nil {
		return err
	}
	return rs.edge(ctx, from, inventory.EdgeRunsAs, roleARN, attrs)
}

// run scans the region. Provider failures are recorded; only a store
// failure is returned.
func (rs *regionScan) run(ctx context.Context) error {
	var steps []func(context.Context) error
	switch rs.service {
	case ServiceBedrockAgent:
		steps = []func(context.Context) error{rs.bedrockAgents}
	case ServiceAgentCore:
		// Gateways before runtimes: runtimes link to them through their environment.
		steps = []func(context.Context) error{rs.credentialProviders, rs.workloadIdentities, rs.gatewaysAndTargets, rs.runtimes}
	}
	for _, step := range steps {
		if err := safely(func() error { return step(ctx) }); err != nil {
			var se storeError
			if errors.As(err, &se) {
				return se.err
			}
			var pe panicError
			if !errors.As(err, &pe) {
				return err
			}
			rs.fail(rs.service, pe)
		}
		rs.mu.Lock()
		failed := len(rs.failures) > 0 || rs.absent
		rs.mu.Unlock()
		if failed || ctx.Err() != nil {
			// The scope cannot complete now: spare the service the rest.
			break
		}
	}
	rs.mu.Lock()
	failures := rs.failures
	warnings := rs.warnings
	absent := rs.absent
	rs.mu.Unlock()
	if absent && len(failures) == 0 {
		return nil
	}
	for _, wr := range warnings {
		if err := rs.w.RecordError(context.WithoutCancel(ctx), wr); err != nil {
			return err
		}
	}
	if ctx.Err() != nil && len(failures) == 0 {
		failures = append(failures, inventory.ScanError{Provider: ProviderName, Tenant: rs.account, Scope: rs.scope.Name, Operation: rs.service, Message: describe(ctx.Err())})
	}
	for _, f := range failures {
		if err := rs.w.RecordError(context.WithoutCancel(ctx), f); err != nil {
			return err
		}
	}
	if len(failures) > 0 {
		return nil
	}
	return rs.w.CompleteScope(ctx, rs.scope)
}

// forEach runs fn for each item, Concurrency at a time, and waits.
func forEach[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, max(limit, 1))
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := safely(func() error { return fn(ctx, it) }); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// optional handles the failure of a call that only enriches what the scope
// found: an operation the endpoint does not offer (or an item gone since it
// was listed) is passed over; anything else is recorded as a warning, and
// the scope still completes. It returns true when the caller should go on
// without the call's answer.
func (rs *regionScan) optional(op string, err error) bool {
	if notFound(err) || unsupported(err) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		rs.fail(op, err) // a timeout cuts the scope short
		return true
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.warnings = append(rs.warnings, inventory.ScanError{
		Provider: ProviderName, Tenant: rs.account, Scope: rs.scope.Name, Operation: op,
		Message: describe(err) + " (the rest of the scope was kept without it)",
	})
	return true
}

// serviceAbsent records that the service's first call found no such
// service at the endpoint; it reports whether that was the case.
func (rs *regionScan) serviceAbsent(err error) bool {
	var dns *net.DNSError
	var ae smithy.APIError
	var re *awshttp.ResponseError
	// A 4xx that is no error of this service's protocol: another service
	// (an IAM-only emulator) answered.
	foreign := !errors.As(err, &ae) && errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500
	if !unsupported(err) && !foreign && !(errors.As(err, &dns) && dns.IsNotFound) {
		return false
	}
	rs.mu.Lock()
	rs.absent = true
	rs.mu.Unlock()
	return true
}

// unsupported is true when the endpoint does not offer the operation: an
// HTTP 404/405/501 that is not an API error, or the services' own codes.
func unsupported(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "UnknownOperationException", "UnsupportedOperation", "UnsupportedOperationException", "NotImplemented":
			return true
		}
		return false
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case 404, 405, 501:
			return true
		}
	}
	return false
}

// panicError is a panic in a scanner goroutine, caught so that one bug
// fails one scope, not the process (and never leaves the scan "running").
type panicError struct{ value any }

func (e panicError) Error() string {
	return fmt.Sprintf("scanner bug: panic: %v (please report it; this scope keeps its last state)", e.value)
}

// safely runs fn, turning a panic into a panicError.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError{r}
		}
	}()
	return fn()
}

// notFound is true for an item deleted between its listing and its get.
func notFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ResourceNotFoundException" || ae.ErrorCode() == "NotFoundException")
}

// accessKeyPattern matches an AWS access key id: public, not secret, so it
// may be kept to link what holds it to the key.
var accessKeyPattern = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)

// secretSuffixes: a word of a variable name that is or ends with one of
// these says the variable holds a secret (DB_PASSWORD, clientSecret,
// SLACKTOKEN, OPENAI_API_KEY, PRIVATE_KEY_PEM).
var secretSuffixes = []string{"SECRET", "SECRETS", "TOKEN", "TOKENS", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY"}

// nameWords splits a variable name on _ - . and camelCase boundaries,
// upper-cased.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range name {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			if len(cur) > 0 {
				words = append(words, strings.ToUpper(string(cur)))
			}
			cur, prevLower = nil, false
			continue
		case r >= 'A' && r <= 'Z' && prevLower:
			words = append(words, strings.ToUpper(string(cur)))
			cur = nil
		}
		cur = append(cur, r)
		prevLower = r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
	}
	if len(cur) > 0 {
		words = append(words, strings.ToUpper(string(cur)))
	}
	return words
}

// secretName reports whether a variable's name says it holds a secret.
func secretName(name string) bool {
	words := nameWords(name)
	for i, w := range words {
		for _, suf := range secretSuffixes {
			if strings.HasSuffix(w, suf) {
				return true
			}
		}
		// AUTH alone (BASIC_AUTH), and KEY after the first word (STRIPE_KEY,
		// API_KEY_V2) but not a key's id or name (KMS_KEY_ID, KEY_NAME).
		if w == "AUTH" || (w == "KEY" && i > 0 && (i == len(words)-1 || !keyQualifier[words[i+1]])) {
			return true
		}
	}
	return false
}

// keyQualifier: KEY followed by one of these names a key, not its value.
var keyQualifier = map[string]bool{"ID": true, "IDS": true, "ARN": true, "NAME": true, "ALIAS": true, "REF": true, "PATH": true, "FILE": true, "URL": true, "TYPE": true, "HEADER": true}

// secretReference matches values that point at a secret store instead of
// holding the secret.
var secretReference = regexp.MustCompile(`^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|\{\{resolve:|\$\{)`)

// inlineSecrets returns the variables of env that hold a secret value
// inline: a secret-looking name, a value that is not a reference to a
// secret store, and not an access key's own pair (which links to the key).
func inlineSecrets(env map[string]string, keys map[string]string) []string {
	var out []string
	for k, v := range env {
		v = strings.TrimSpace(v)
		if v == "" || !secretName(k) || secretReference.MatchString(v) || keys[k] != "" {
			continue
		}
		if len(keys) > 0 && (strings.EqualFold(k, "AWS_SECRET_ACCESS_KEY") || strings.EqualFold(k, "AWS_SESSION_TOKEN")) {
			continue // the key's secret: the key node stands for it
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fingerprint is a keyed hash of a secret (HMAC-SHA-256 under the
// database's key, first 12 bytes): two places holding the same secret get
// the same fingerprint, and without the key nobody can test a guess.
func fingerprint(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil)[:12])
}

// holdsSecrets writes a credential node for each secret held inline in
// from's environment (its value never kept) and the holds_secret edge.
func (rs *regionScan) holdsSecrets(ctx context.Context, from string, env map[string]string, keys map[string]string) error {
	for _, k := range inlineSecrets(env, keys) {
		id := from + "#env/" + k
		attrs := map[string]any{"type": "inline_secret", "standing": true, "found_in": "environment", "env_var": k, "fingerprint": fingerprint(rs.scanner.opts.FingerprintKey(), env[k])}
		if err := rs.node(ctx, inventory.Node{ID: id, Kind: inventory.KindCredential, Name: k, Attrs: attrs}); err != nil {
			return err
		}
		if err := rs.edge(ctx, from, inventory.EdgeHoldsSecret, id, map[string]any{"env_var": k}); err != nil {
			return err
		}
	}
	return nil
}

// environment reads an environment's variable names (values are never
// kept) and returns the access key ids among its values, by variable.
func environment(vars map[string]string) (names []string, keys map[string]string) {
	for k, v := range vars {
		names = append(names, k)
		if v = strings.TrimSpace(v); accessKeyPattern.MatchString(v) {
			if keys == nil {
				keys = map[string]string{}
			}
			keys[k] = v
		}
	}
	sort.Strings(names)
	return names, keys
}

// usesKeys links from to every access key id found in its environment.
func (rs *regionScan) usesKeys(ctx context.Context, from string, keys map[string]string) error {
	vars := slices.Sorted(maps.Keys(keys))
	for _, v := range vars {
		keyID := keys[v]
		id := AccessKeyID(keyID)
		attrs := map[string]any{"type": "iam_access_key", "fingerprint": keyID, "standing": strings.HasPrefix(keyID, "AKIA")}
		// Which account the key belongs to is known only to that account's IAM scope.
		if err := rs.node(ctx, inventory.Node{ID: id, Kind: inventory.KindCredential, Name: keyID, Tenant: "unknown", Ref: true, Attrs: attrs}); err != nil {
			return err
		}
		if err := rs.edge(ctx, from, inventory.EdgeUsesCredential, id, map[string]any{"env_var": v, "found_in": "environment"}); err != nil {
			return err
		}
	}
	return nil
}

func ageDays(now time.Time, t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) }
