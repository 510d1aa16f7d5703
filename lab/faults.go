package lab

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aam-dev/aam/lab/aws"
)

// Fault switches name their provider: "aws:111111111111" denies an AWS
// account, "aws:lambda:GetFunctionConfiguration" one AWS operation. A bare
// 12-digit account id keeps meaning AWS.

var bareAccount = regexp.MustCompile(`^[0-9]{12}$`)

// parseDeny groups "provider:tenant" specs by provider.
func parseDeny(specs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, spec := range specs {
		provider, tenant, ok := strings.Cut(spec, ":")
		if !ok {
			if !bareAccount.MatchString(spec) {
				return nil, fmt.Errorf("--deny %q: name the provider and tenant, like aws:111111111111 (a bare 12-digit AWS account id also works)", spec)
			}
			provider, tenant = aws.Provider, spec
		}
		if err := knownProvider("--deny", spec, provider); err != nil {
			return nil, err
		}
		if tenant == "" {
			return nil, fmt.Errorf("--deny %q: no tenant after %s: like %s:111111111111", spec, provider, provider)
		}
		out[provider] = append(out[provider], tenant)
	}
	return out, nil
}

// parseDenyOps groups "provider:service:Operation" specs by provider.
func parseDenyOps(specs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, spec := range specs {
		provider, op, ok := strings.Cut(spec, ":")
		service, name, ok2 := strings.Cut(op, ":")
		if !ok || !ok2 || service == "" || name == "" {
			return nil, fmt.Errorf("--deny-op %q: write provider:service:Operation, like aws:lambda:GetFunctionConfiguration", spec)
		}
		if err := knownProvider("--deny-op", spec, provider); err != nil {
			return nil, err
		}
		out[provider] = append(out[provider], op)
	}
	return out, nil
}

func knownProvider(flag, spec, provider string) error {
	if !slices.Contains(providers, provider) {
		return fmt.Errorf("%s %q: the lab emulates no provider %q: use one of %s", flag, spec, provider, strings.Join(providers, ", "))
	}
	return nil
}
