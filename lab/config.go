package lab

import "strings"

// labRegion is the region the lab tells clients to use.
const labRegion = "us-east-1"

// Env returns KEY=VALUE lines that point an AWS SDK at the lab as the
// scanner of accountID: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_ENDPOINT_URL and AWS_REGION. The credentials are the account's lab
// scanner credentials; user access key secrets are never part of it. It is
// nil for an account the estate does not have, and AWS_ENDPOINT_URL is empty
// until the server is started.
func (s *Server) Env(accountID string) []string {
	a := s.model.account(accountID)
	if a == nil {
		return nil
	}
	return []string{
		"AWS_ACCESS_KEY_ID=" + a.keyID,
		"AWS_SECRET_ACCESS_KEY=" + a.secret,
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
	for i, a := range s.model.accounts {
		if i > 0 {
			b.WriteByte('\n')
		}
		name := a.alias
		if name == "" {
			name = a.id
		}
		b.WriteString("[profile " + name + "]\n")
		b.WriteString("# account " + a.id + "\n")
		b.WriteString("region = " + labRegion + "\n")
		b.WriteString("endpoint_url = " + url + "\n")
		b.WriteString("aws_access_key_id = " + a.keyID + "\n")
		b.WriteString("aws_secret_access_key = " + a.secret + "\n")
	}
	return b.String()
}
