package lab

import (
	"github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/lab/internal/kit"
)

// awsEmulation plugs lab/aws into the lab.
type awsEmulation struct{ srv *aws.Server }

func newAWSEmulation(e *aws.Estate, opts emulationOptions) awsEmulation {
	return awsEmulation{aws.NewServer(e, aws.Options{
		PageSize: opts.PageSize, Latency: opts.Latency, ThrottleEvery: opts.ThrottleEvery,
		DenyAccounts: opts.DenyTenants, DenyOps: opts.DenyOps, Now: opts.Now, Counters: opts.Counters,
	})}
}

func (a awsEmulation) start(addr string, ca *kit.CA) (string, error) { return a.srv.Start(addr, ca) }
func (a awsEmulation) close() error                                  { return a.srv.Close() }
func (a awsEmulation) operations() []string                          { return a.srv.Operations() }
func (a awsEmulation) faults() *kit.Faults                           { return a.srv.Faults() }

func (a awsEmulation) tenants() []string {
	var ids []string
	for _, t := range a.srv.Tenants() {
		ids = append(ids, t.ID)
	}
	return ids
}

func (a awsEmulation) targets(endpoint string) []Target {
	var out []Target
	for _, t := range a.srv.Tenants() {
		out = append(out, Target{
			Provider: aws.Provider, Tenant: t.ID, Label: t.Label, Endpoint: endpoint,
			Credentials: map[string]string{"access_key_id": t.AccessKeyID, "secret_access_key": t.SecretAccessKey},
			Regions:     t.Regions,
		})
	}
	return out
}

func (a awsEmulation) instructions(t Target, caFile string) []string {
	return aws.Instructions(aws.Tenant{ID: t.Tenant, Label: t.Label, AccessKeyID: t.Credentials["access_key_id"],
		SecretAccessKey: t.Credentials["secret_access_key"], Regions: t.Regions}, t.Endpoint, caFile)
}
