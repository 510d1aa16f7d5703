package aws_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// The demo's escalation cases are written; when a region scope of the
// account fails, the escalation scope fails too, naming it, and the edges
// of the last complete scan stay current.
func TestDemoEscalationsAndAFailedRegion(t *testing.T) {
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	regions := e.AWS.RegionNames()
	store, err := inventory.Open(context.Background(), filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	scanInto(t, store, awsscan.Config{}, labOptions(startLab(t, e, lab.Options{}), testOptions(4), regions...))
	const (
		ops      = "arn:aws:iam::111111111111:role/bedrock-agent-ops"
		opsAdmin = "arn:aws:iam::111111111111:role/ops-admin"
		crmSync  = "arn:aws:iam::111111111111:role/bedrock-agent-crm-sync"
		crmKey   = "arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/apikeycredentialprovider/crm-api-key"
	)
	want := map[string]string{
		edgeKey(ops, inventory.EdgeCanEscalate, opsAdmin):   "sts:AssumeRole",
		edgeKey(crmSync, inventory.EdgeCanEscalate, crmKey): "secretsmanager:GetSecretValue",
	}
	check := func(when string) {
		g := readGraph(t, store)
		for k, method := range want {
			e, ok := g.edges[k]
			if !ok {
				t.Errorf("%s: edge %s missing", when, k)
				continue
			}
			if e.Attrs[inventory.AttrMethod] != method || e.Attrs[inventory.AttrConditional] != false {
				t.Errorf("%s: edge %s attrs %v, want method %s, unconditional", when, k, e.Attrs, method)
			}
		}
	}
	check("clean scan")

	// The AgentCore scope of us-east-1 fails: the escalation scope cannot
	// know the providers' secrets, fails, and keeps its last edges.
	failing := startLab(t, e, lab.Options{DenyOps: []string{"aws:bedrock-agentcore-control:ListApiKeyCredentialProviders"}})
	id := scanInto(t, store, awsscan.Config{}, labOptions(failing, testOptions(4), regions...))
	errs, err := store.ScanErrors(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(errs, func(se inventory.ScanError) bool {
		return se.Tenant == "111111111111" && se.Scope == awsscan.EscalationScope
	})
	if i < 0 || errs[i].Operation != "escalation" || !strings.Contains(errs[i].Message, awsscan.RegionScope("us-east-1", awsscan.ServiceAgentCore)) {
		t.Fatalf("scan errors %+v, want the escalation scope of 111111111111 failed naming us-east-1/agentcore", errs)
	}
	scopes, _ := store.CompletedScopes(context.Background(), id)
	if slices.ContainsFunc(scopes, func(s inventory.Scope) bool { return s.Tenant == "111111111111" && s.Name == awsscan.EscalationScope }) {
		t.Error("the escalation scope completed without the providers")
	}
	check("after the failed region")
}
