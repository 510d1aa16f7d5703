package lab

import (
	"fmt"
	"strings"
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
		fmt.Fprintf(&b, "TLS under a throwaway CA, trusted through %s while the lab runs\n", caFile)
	}
	for _, em := range l.served {
		for _, t := range em.targets(l.urls[em.name]) {
			b.WriteString("\n")
			for _, line := range em.instructions(t, caFile) {
				b.WriteString(line + "\n")
			}
		}
	}
	return b.String()
}
