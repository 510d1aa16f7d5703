package aws_test

import (
	"context"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// A principal of an account the same scan covers is the owner's; scanned
// alone, the same account's role trusts a third party. The demo's
// dev-deployer (acme-prod) trusts acme-dev's ci-deployer without an
// external id.
func TestTrustKnowsTheAccountsOfTheScan(t *testing.T) {
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	const (
		prod = "111111111111"
		dev  = "222222222222"
	)
	edge := edgeKey("arn:aws:iam::"+dev+":role/ci-deployer", inventory.EdgeCanAssume, "arn:aws:iam::"+prod+":role/dev-deployer")
	for _, tt := range []struct {
		name     string
		accounts []string
		want     string
	}{
		{"both accounts", []string{prod, dev}, inventory.TrustConstrained},
		{"production alone", []string{prod}, inventory.TrustOpen},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startLab(t, e, lab.Options{PageSize: 3})
			opts := labOptions(srv, testOptions(4))
			var targets []scanners.Target
			for _, tg := range opts.Targets {
				for _, a := range tt.accounts {
					if tg.Tenant == a {
						targets = append(targets, tg)
					}
				}
			}
			if len(targets) != len(tt.accounts) {
				t.Fatalf("targets %v, want the accounts %v", targets, tt.accounts)
			}
			opts.Targets = targets
			res := scan(t, context.Background(), awsscan.Config{}, opts)
			if res.err != nil {
				t.Fatal(res.err)
			}
			g := readGraph(t, res.store)
			got, ok := g.edges[edge]
			if !ok {
				t.Fatalf("no edge %s", edge)
			}
			if got.Attrs[inventory.AttrTrust] != tt.want {
				t.Errorf("trust = %v (%v), want %s", got.Attrs[inventory.AttrTrust], got.Attrs[inventory.AttrTrustReason], tt.want)
			}
			if got.Attrs["cross_account"] != true {
				t.Errorf("attrs %v: want cross_account", got.Attrs)
			}
		})
	}
}
