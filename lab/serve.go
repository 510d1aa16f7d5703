package lab

import (
	"fmt"
	"strings"

	"github.com/aam-dev/aam/lab/aws"
)

// Instructions is what aam lab serve prints: where the lab listens and, for
// each tenant, the environment that points that provider's SDK (and aam) at
// it. caFile, when the lab serves TLS, is where its CA certificate was
// written for clients in other processes. It holds the lab's scanner
// credentials (canaries), never a secret of the estate's own identities.
func (l *Lab) Instructions(caFile string) string {
	var b strings.Builder
	for _, p := range l.Providers() {
		fmt.Fprintf(&b, "lab serving %s at %s\n", p, l.URL(p))
	}
	if caFile != "" {
		fmt.Fprintf(&b, "TLS under a throwaway CA: %s\n", caFile)
	}
	for _, t := range l.Targets() {
		switch t.Provider {
		case aws.Provider:
			fmt.Fprintf(&b, "\n# aws account %s (%s)\n", t.Tenant, t.Label)
			region := "us-east-1"
			if len(t.Regions) > 0 {
				region = t.Regions[0]
			}
			for _, kv := range []string{
				"AWS_ACCESS_KEY_ID=" + t.Credentials["access_key_id"],
				"AWS_SECRET_ACCESS_KEY=" + t.Credentials["secret_access_key"],
				"AWS_ENDPOINT_URL=" + t.Endpoint,
				"AWS_REGION=" + region,
			} {
				fmt.Fprintf(&b, "export %s\n", kv)
			}
			if caFile != "" {
				fmt.Fprintf(&b, "export AWS_CA_BUNDLE=%s\n", caFile)
			}
		}
	}
	return b.String()
}
