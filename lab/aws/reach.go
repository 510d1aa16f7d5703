package aws

import (
	"fmt"
	"slices"
	"strings"
)

// labRegion is the region the lab tells clients to use when an account
// lists none.
const labRegion = "us-east-1"

// Tenant is how a client reaches one account of the lab: the account's lab
// scanner credentials (never a user's access key secret) and the regions
// where the estate runs something.
type Tenant struct {
	ID, Label                    string
	AccessKeyID, SecretAccessKey string
	Regions                      []string
}

// Tenants lists how to reach each account, in estate order.
func (s *Server) Tenants() []Tenant {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	out := make([]Tenant, 0, len(s.state.accounts))
	for _, a := range s.state.accounts {
		out = append(out, tenantOf(a))
	}
	return out
}

func tenantOf(a *accountState) Tenant {
	t := Tenant{ID: a.ID, Label: a.ProfileName(), AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey}
	for _, r := range a.Regions {
		if !slices.Contains(t.Regions, r.Name) {
			t.Regions = append(t.Regions, r.Name)
		}
	}
	slices.Sort(t.Regions)
	return t
}

// Instructions are the lines that point an AWS SDK (and aam) at the lab as
// the scanner of tenant t, served at endpoint: a comment naming the
// account, then AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL,
// AWS_REGION (the tenant's first region) and, over TLS, AWS_CA_BUNDLE. The
// credentials are the account's lab scanner credentials; a user's access
// key secret is never part of them.
func Instructions(t Tenant, endpoint, caFile string) []string {
	region := labRegion
	if len(t.Regions) > 0 {
		region = t.Regions[0]
	}
	lines := []string{
		"# aws account " + t.ID + " (" + t.Label + ")",
		"export AWS_ACCESS_KEY_ID=" + t.AccessKeyID,
		"export AWS_SECRET_ACCESS_KEY=" + t.SecretAccessKey,
		"export AWS_ENDPOINT_URL=" + endpoint,
		"export AWS_REGION=" + region,
	}
	if caFile != "" {
		lines = append(lines, "export AWS_CA_BUNDLE="+caFile)
	}
	return lines
}

// AWSConfigFile returns the text of an AWS shared config file with one
// profile per account, named after its alias (or its id), holding the
// lab's endpoint_url, the account's first region, its lab scanner
// credentials and, when the lab serves TLS, the ca_bundle that trusts it.
func (s *Server) AWSConfigFile(caFile string) string {
	url := s.URL()
	var b strings.Builder
	b.WriteString("# AWS shared config for the aam lab: each profile reaches one lab account.\n")
	for i, t := range s.Tenants() {
		if i > 0 {
			b.WriteByte('\n')
		}
		region := labRegion
		if len(t.Regions) > 0 {
			region = t.Regions[0]
		}
		b.WriteString("[profile " + t.Label + "]\n")
		b.WriteString("# account " + t.ID + "\n")
		b.WriteString("region = " + region + "\n")
		b.WriteString("endpoint_url = " + url + "\n")
		if caFile != "" {
			b.WriteString("ca_bundle = " + caFile + "\n")
		}
		b.WriteString("aws_access_key_id = " + t.AccessKeyID + "\n")
		b.WriteString("aws_secret_access_key = " + t.SecretAccessKey + "\n")
	}
	return b.String()
}

// String names the tenant without its secret access key.
func (t Tenant) String() string {
	return fmt.Sprintf("aws account %s (%s), access key %s", t.ID, t.Label, t.AccessKeyID)
}

// GoString is String for %#v.
func (t Tenant) GoString() string { return t.String() }
