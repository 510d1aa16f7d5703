package aws

import (
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

// Env returns KEY=VALUE lines that point an AWS SDK at the lab as the
// scanner of accountID: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_ENDPOINT_URL and AWS_REGION. The credentials are the account's lab
// scanner credentials; user access key secrets are never part of it. It is
// nil for an account the estate does not have, and AWS_ENDPOINT_URL is empty
// until the server is started.
func (s *Server) Env(accountID string) []string {
	s.state.mu.RLock()
	a := s.state.account(accountID)
	var keyID, secret string
	if a != nil {
		keyID, secret = a.AccessKeyID, a.SecretAccessKey
	}
	s.state.mu.RUnlock()
	if a == nil {
		return nil
	}
	return []string{
		"AWS_ACCESS_KEY_ID=" + keyID,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_ENDPOINT_URL=" + s.URL(),
		"AWS_REGION=" + labRegion,
	}
}

// AWSConfigFile returns the text of an AWS shared config file with one
// profile per account, named after its alias (or its id), holding the
// lab's endpoint_url, the region and the account's lab scanner credentials.
func (s *Server) AWSConfigFile() string {
	url := s.URL()
	var b strings.Builder
	b.WriteString("# AWS shared config for the aam lab: each profile reaches one lab account.\n")
	for i, t := range s.Tenants() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("[profile " + t.Label + "]\n")
		b.WriteString("# account " + t.ID + "\n")
		b.WriteString("region = " + labRegion + "\n")
		b.WriteString("endpoint_url = " + url + "\n")
		b.WriteString("aws_access_key_id = " + t.AccessKeyID + "\n")
		b.WriteString("aws_secret_access_key = " + t.SecretAccessKey + "\n")
	}
	return b.String()
}
