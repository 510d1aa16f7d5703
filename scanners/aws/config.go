// Package aws scans AWS accounts: IAM roles, users and access keys with
// their trust and access edges (and, later, Bedrock agents), through
// aws-sdk-go-v2 and the standard credential chain. It only reads.
package aws

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
)

// Config is the aws section of aam.yaml.
//
//	aws:
//	  regions: [us-east-1]          # default regions of every account
//	  endpoint_url: http://127.0.0.1:4566  # optional: every service at this URL (as AWS_ENDPOINT_URL)
//	  accounts:
//	    - profile: prod              # a profile of ~/.aws/config or ~/.aws/credentials
//	      regions: [eu-west-1]       # optional: this account's regions
//	    - profile: dev
//
// With no accounts, the account of the default credential chain is scanned.
type Config struct {
	Regions     []string        `yaml:"regions"`
	EndpointURL string          `yaml:"endpoint_url"`
	Accounts    []AccountConfig `yaml:"accounts"`
}

// AccountConfig is one account to scan.
type AccountConfig struct {
	// Profile names a profile of the shared config and credentials files;
	// empty means the default credential chain.
	Profile string   `yaml:"profile"`
	Regions []string `yaml:"regions"`

	// isolated, set only by code (the demo and tests), replaces the whole
	// credential chain: no file, profile or environment variable is read.
	isolated *Isolated
}

// Isolated is an account reached with static credentials at a fixed
// endpoint, ignoring the user's profiles and environment: the lab.
type Isolated struct {
	Label           string
	AccessKeyID     string
	SecretAccessKey string
	Endpoint        string
}

// IsolatedAccount returns an account that is reached only through iso.
func IsolatedAccount(iso Isolated, regions ...string) AccountConfig {
	return AccountConfig{Regions: regions, isolated: &iso}
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
	if c.EndpointURL != "" {
		if u, err := url.Parse(c.EndpointURL); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("aws.endpoint_url: %q is not an absolute URL (like https://iam.example.com)", c.EndpointURL))
		}
	}
	seen := map[string]bool{}
	for i, a := range c.Accounts {
		where := fmt.Sprintf("aws.accounts[%d]", i)
		if a.isolated == nil {
			key := "profile:" + a.Profile
			if seen[key] {
				errs = append(errs, fmt.Errorf("%s: profile %q is listed twice", where, a.Profile))
			}
			seen[key] = true
		}
		checkRegions(where+".regions", a.Regions)
	}
	return errors.Join(errs...)
}
