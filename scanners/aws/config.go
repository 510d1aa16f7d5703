// Package aws scans AWS accounts, through aws-sdk-go-v2 and the standard
// credential chain: IAM roles, users and access keys with their trust and
// access edges (iam.go); and in each region Bedrock agents with their action
// groups and knowledge bases (bedrock.go), AgentCore runtimes, gateways,
// workload identities and credential providers (agentcore.go), and the
// Lambda functions they run (lambda.go), with the secrets held inline in
// their environments, fingerprinted and never kept. It only reads.
package aws

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/aam-dev/aam/scanners"
)

// Config is the aws section of aam.yaml.
//
//	aws:
//	  regions: [us-east-1]          # default regions of every account
//	  services: [iam, bedrock-agent, agentcore]  # optional: default all
//	  endpoint_url: http://127.0.0.1:4566  # optional: every service at this URL (as AWS_ENDPOINT_URL)
//	  accounts:
//	    - profile: prod              # a profile of ~/.aws/config or ~/.aws/credentials
//	      regions: [eu-west-1]       # optional: this account's regions
//	    - role_arn: arn:aws:iam::222222222222:role/aam-read   # assumed with the default chain
//	      external_id: aam           # optional, when the role's trust policy asks for one
//	    - profile: hub               # the profile's credentials assume the role
//	      role_arn: arn:aws:iam::333333333333:role/aam-read
//
// With no accounts, the account of the default credential chain is scanned.
// Every region listed is scanned for agents (Bedrock, AgentCore); IAM is
// account-global and scanned once per account.
type Config struct {
	Regions     []string        `yaml:"regions"`
	EndpointURL string          `yaml:"endpoint_url"`
	Accounts    []AccountConfig `yaml:"accounts"`
	// Services limits what is scanned: iam, bedrock-agent, agentcore
	// (default: all). Unscanned services' state is kept, never marked gone.
	Services []string `yaml:"services"`
}

// The services the scanner knows.
const (
	ServiceIAM          = "iam"
	ServiceBedrockAgent = "bedrock-agent"
	ServiceAgentCore    = "agentcore"
)

var allServices = []string{ServiceIAM, ServiceBedrockAgent, ServiceAgentCore}

// scans reports whether service is to be scanned.
func (c Config) scans(service string) bool {
	if len(c.Services) == 0 {
		return true
	}
	for _, s := range c.Services {
		if s == service {
			return true
		}
	}
	return false
}

// AccountConfig is one account to scan.
type AccountConfig struct {
	// Profile names a profile of the shared config and credentials files;
	// empty means the default credential chain.
	Profile string   `yaml:"profile"`
	Regions []string `yaml:"regions"`
	// RoleARN is a role to assume (with the profile's credentials, or the
	// default chain's) to reach the account.
	RoleARN    string `yaml:"role_arn"`
	ExternalID string `yaml:"external_id"`

	// target, set only from a scanners.Target (the lab, tests), replaces
	// the whole credential chain: no file, profile or environment variable
	// is read. Its RoleARN and ExternalID are copied above.
	target *scanners.Target
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// Validate checks the section and says what to fix.
func (c Config) Validate() error {
	var errs []error
	checkRegions := func(where string, rs []string) {
		for _, r := range rs {
			if !regionPattern.MatchString(r) {
				errs = append(errs, fmt.Errorf("%s: %q is not an AWS region name (like us-east-1)", where, r))
			}
		}
	}
	checkRegions("aws.regions", c.Regions)
	for _, svc := range c.Services {
		known := false
		for _, k := range allServices {
			known = known || k == svc
		}
		if !known {
			errs = append(errs, fmt.Errorf("aws.services: unknown service %q: use %s", svc, strings.Join(allServices, ", ")))
		}
	}
	if c.EndpointURL != "" {
		if u, err := url.Parse(c.EndpointURL); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("aws.endpoint_url: %q is not an absolute URL (like https://iam.example.com)", c.EndpointURL))
		}
	}
	seen := map[string]bool{}
	for i, a := range c.Accounts {
		where := fmt.Sprintf("aws.accounts[%d]", i)
		role, external := roleProblems(a.RoleARN, a.ExternalID)
		if role != "" {
			errs = append(errs, fmt.Errorf("%s.role_arn: %s", where, role))
		}
		if external != "" {
			errs = append(errs, fmt.Errorf("%s.external_id: %s", where, external))
		}
		if a.target == nil {
			key := "profile:" + a.Profile + " role:" + a.RoleARN
			if seen[key] {
				errs = append(errs, fmt.Errorf("%s: the same profile and role are listed twice", where))
			}
			seen[key] = true
		}
		checkRegions(where+".regions", a.Regions)
	}
	return errors.Join(errs...)
}

// roleProblems says what is wrong with a role to assume (role) and with its
// external id (external), empty when nothing is: the one check of
// aam.yaml's accounts and of targets, which name the fields. The external
// id's value is never printed.
func roleProblems(roleARN, externalID string) (role, external string) {
	if roleARN != "" && (accountOf(roleARN) == "" || !strings.Contains(roleARN, ":role/")) {
		role = fmt.Sprintf("%q is not an IAM role ARN (like arn:aws:iam::123456789012:role/aam-read)", roleARN)
	}
	if externalID != "" && roleARN == "" {
		external = "only used with role_arn: add the role to assume"
	}
	return role, external
}

// The keys of a target's credentials.
const (
	credAccessKeyID     = "access_key_id"
	credSecretAccessKey = "secret_access_key"
)

// targetAccounts turns the targets addressed to aws into the accounts they
// stand for, each reached only through its endpoint and credentials, and
// through its role when it has one. The errors name credential keys, never
// their values.
func targetAccounts(ts []scanners.Target) ([]AccountConfig, error) {
	var (
		accounts []AccountConfig
		errs     []error
	)
	for i, t := range ts {
		where := fmt.Sprintf("aws target %d", i)
		if l := targetLabel(t); l != "" {
			where = fmt.Sprintf("aws target %q", l)
		}
		for _, k := range []string{credAccessKeyID, credSecretAccessKey} {
			if t.Credentials[k] == "" {
				errs = append(errs, fmt.Errorf("%s: its credentials lack %q: give the account's access key id (%s) and secret access key (%s)", where, k, credAccessKeyID, credSecretAccessKey))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(t.Credentials)) {
			if k != credAccessKeyID && k != credSecretAccessKey {
				errs = append(errs, fmt.Errorf("%s: unknown credential %q: aws takes %s and %s", where, k, credAccessKeyID, credSecretAccessKey))
			}
		}
		if u, err := url.Parse(t.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: endpoint %q is not an http:// or https:// URL: give the base URL of the account's APIs", where, t.Endpoint))
		}
		role, external := roleProblems(t.RoleARN, t.ExternalID)
		if role != "" {
			errs = append(errs, fmt.Errorf("%s: role_arn %s", where, role))
		}
		if external != "" {
			errs = append(errs, fmt.Errorf("%s: external_id %s", where, external))
		}
		for _, r := range t.Regions {
			if !regionPattern.MatchString(r) {
				errs = append(errs, fmt.Errorf("%s: %q is not an AWS region name (like us-east-1)", where, r))
			}
		}
		t.Credentials = maps.Clone(t.Credentials)
		t.Regions = slices.Clone(t.Regions)
		accounts = append(accounts, AccountConfig{Regions: t.Regions, RoleARN: t.RoleARN, ExternalID: t.ExternalID, target: &t})
	}
	return accounts, errors.Join(errs...)
}

// targetLabel names a target before its account is known: its label, or
// its tenant.
func targetLabel(t scanners.Target) string {
	if t.Label != "" {
		return t.Label
	}
	return t.Tenant
}
