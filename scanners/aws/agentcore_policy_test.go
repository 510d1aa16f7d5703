package aws_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

const policyAccount = "777777777777"

// gatewayFacts are the policy and inbound facts of each gateway of the
// policy estate, as the scan writes them.
func gatewayFacts(t *testing.T, g graph) map[string]string {
	t.Helper()
	e := loadEstate(t, "agentcore-policy.yaml")
	a, _ := e.AWS.Account(policyAccount)
	r, _ := a.Region("us-east-1")
	out := map[string]string{}
	for _, gw := range r.AgentCore.Gateways {
		n, ok := g.nodes[labaws.GatewayARN("us-east-1", policyAccount, gw.ID)]
		if !ok {
			t.Fatalf("gateway %s missing", gw.Name)
		}
		facts := map[string]any{}
		for _, k := range []string{"inbound_auth", "policy_enforcement", "policy_engine", "policy_engine_name", "policy_engine_status", inventory.AttrUnknown} {
			if v, ok := n.Attrs[k]; ok {
				facts[k] = v
			}
		}
		b, _ := json.Marshal(facts)
		out[gw.Name] = string(b)
	}
	return out
}

// TestPolicyEnginesAndGatewayEnforcement: the region's policy engines are
// listed page by page through the real SDK client, and each gateway says
// who may call it and whether its tool calls are checked, by which engine.
func TestPolicyEnginesAndGatewayEnforcement(t *testing.T) {
	e := loadEstate(t, "agentcore-policy.yaml")
	const pageSize = 1
	l := startLab(t, e, lab.Options{PageSize: pageSize})
	res, scopes := cleanScan(t, awsscan.Config{Services: []string{awsscan.ServiceAgentCore}}, labOptions(l, testOptions(4)))
	if !slices.ContainsFunc(scopes, func(s inventory.Scope) bool { return s.Name == awsscan.AgentCorePolicyScope("us-east-1") }) {
		t.Errorf("completed scopes %v lack the policy engines'", scopes)
	}
	g := readGraph(t, res.store)
	a, _ := e.AWS.Account(policyAccount)
	r, _ := a.Region("us-east-1")
	engine := func(name string) string {
		p, _ := r.PolicyEngine(name)
		return labaws.PolicyEngineARN("us-east-1", policyAccount, p.ID)
	}
	for _, p := range r.AgentCore.PolicyEngines {
		n, ok := g.nodes[engine(p.Name)]
		if !ok || n.Kind != inventory.KindResource || n.Name != p.Name || n.Attrs["type"] != "agentcore_policy_engine" || n.Attrs["status"] != p.Status ||
			n.Attrs["policy_engine_id"] != p.ID || !n.Created.Equal(p.Created) || (n.Attrs["encryption_key_arn"] != nil) != (p.EncryptionKeyARN != "") {
			t.Errorf("policy engine %s = %+v", p.Name, n)
		}
	}
	if got := l.Stats().Calls["aws/bedrock-agentcore-control:ListPolicyEngineSummaries"]; got != pages(len(r.AgentCore.PolicyEngines), pageSize) || got < 2 {
		t.Errorf("ListPolicyEngineSummaries calls = %d, want one per page, several", got)
	}
	want := map[string]string{
		"payments-gw": `{"inbound_auth":"jwt","policy_enforcement":"enforce","policy_engine":"` + engine("payments_policy") + `","policy_engine_name":"payments_policy","policy_engine_status":"ACTIVE"}`,
		"support-gw":  `{"inbound_auth":"iam","policy_enforcement":"log_only","policy_engine":"` + engine("support_policy") + `","policy_engine_name":"support_policy","policy_engine_status":"ACTIVE"}`,
		"open-gw":     `{"inbound_auth":"none","policy_enforcement":"none"}`,
		// Another account's engine: its name and state are not known here.
		"borrowed-gw": `{"inbound_auth":"iam","policy_enforcement":"enforce","policy_engine":"arn:aws:bedrock-agentcore:us-east-1:888888888888:policy-engine/shared_policy-a1b2c3d4e5",` +
			`"unknown":{"policy_engine_name":"not_found: bedrock-agentcore-control:ListPolicyEngineSummaries","policy_engine_status":"not_found: bedrock-agentcore-control:ListPolicyEngineSummaries"}}`,
	}
	for name, facts := range gatewayFacts(t, g) {
		if facts != want[name] {
			t.Errorf("gateway %s:\n got %s\nwant %s", name, facts, want[name])
		}
	}

	// Runtimes: who may call them, and whether the user's identity reaches
	// their code.
	for name, wantFacts := range map[string][3]string{
		"forwards_user": {"jwt", "forwarded", "authorization,X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"},
		"verifies_user": {"jwt", "verified", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"},
		"sigv4_only":    {"iam", "not_verified", ""},
	} {
		rt, _ := r.Runtime(name)
		n := g.nodes[labaws.RuntimeARN("us-east-1", policyAccount, rt.ID)]
		got := [3]string{str(n.Attrs["inbound_auth"]), str(n.Attrs["user_identity"]), strings.Join(attrStrings(n.Attrs["request_header_allowlist"]), ",")}
		if got != wantFacts {
			t.Errorf("runtime %s: inbound_auth, user_identity, headers = %q, want %q", name, got, wantFacts)
		}
	}
}

// TestPolicyEnginesDeniedKeepTheGateways: a principal not allowed to list
// the policy engines fails only their scope; the gateways are written with
// what GetGateway says (the engine and its mode), and the engine's name
// and status marked unknown, never guessed.
func TestPolicyEnginesDeniedKeepTheGateways(t *testing.T) {
	e := loadEstate(t, "agentcore-policy.yaml")
	l := startLab(t, e, lab.Options{DenyOps: []string{"aws:bedrock-agentcore-control:ListPolicyEngineSummaries"}})
	res := scan(t, context.Background(), awsscan.Config{Services: []string{awsscan.ServiceAgentCore}}, labOptions(l, testOptions(4)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	ctx := context.Background()
	errs, _ := res.store.ScanErrors(ctx, res.scanID)
	if len(errs) != 1 || errs[0].Scope != awsscan.AgentCorePolicyScope("us-east-1") || errs[0].Operation != "bedrock-agentcore-control:ListPolicyEngineSummaries" || errs[0].Class != "denied" {
		t.Fatalf("scan errors = %+v, want one denial of the policy engines' scope", errs)
	}
	scopes, _ := res.store.CompletedScopes(ctx, res.scanID)
	if len(scopes) != 1 || scopes[0].Name != awsscan.RegionScope("us-east-1", awsscan.ServiceAgentCore) {
		t.Errorf("completed scopes = %v, want the agentcore scope alone", scopes)
	}
	const reason = "denied: bedrock-agentcore-control:ListPolicyEngineSummaries"
	unknown := `"unknown":{"policy_engine_name":"` + reason + `","policy_engine_status":"` + reason + `"}`
	a, _ := e.AWS.Account(policyAccount)
	r, _ := a.Region("us-east-1")
	payments, _ := r.PolicyEngine("payments_policy")
	want := map[string]string{
		"payments-gw": `{"inbound_auth":"jwt","policy_enforcement":"enforce","policy_engine":"` + labaws.PolicyEngineARN("us-east-1", policyAccount, payments.ID) + `",` + unknown + `}`,
		"open-gw":     `{"inbound_auth":"none","policy_enforcement":"none"}`,
	}
	got := gatewayFacts(t, readGraph(t, res.store))
	for name, facts := range want {
		if got[name] != facts {
			t.Errorf("gateway %s:\n got %s\nwant %s", name, got[name], facts)
		}
	}
	if len(got) != len(r.AgentCore.Gateways) {
		t.Errorf("%d gateways written, want every one of the estate's %d", len(got), len(r.AgentCore.Gateways))
	}
}

func str(v any) string { s, _ := v.(string); return s }
