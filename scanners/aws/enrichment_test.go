package aws_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// enrichmentScan scans the demo estate with one operation denied, and
// cleanly; it checks the denied scan kept every scope and recorded only
// warnings of class denied for that operation.
func enrichmentScan(t *testing.T, op string) (e *lab.Estate, clean, denied graph) {
	t.Helper()
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	regions := e.AWS.RegionNames()
	cleanRes, cleanScopes := cleanScan(t, awsscan.Config{}, labOptions(startLab(t, e, lab.Options{}), testOptions(4), regions...))
	l := startLab(t, e, lab.Options{DenyOps: []string{"aws:" + op}})
	res := scan(t, context.Background(), awsscan.Config{}, labOptions(l, testOptions(4), regions...))
	if res.err != nil {
		t.Fatal(res.err)
	}
	errs, err := res.store.ScanErrors(context.Background(), res.scanID)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 || l.Stats().Denied != len(errs) {
		t.Fatalf("%d denials recorded, the lab denied %d calls: want each recorded once", len(errs), l.Stats().Denied)
	}
	for _, se := range errs {
		if se.Operation != op || se.Class != "denied" || !se.Warning {
			t.Errorf("recorded %+v, want a denied warning of %s", se, op)
		}
	}
	scopes, err := res.store.CompletedScopes(context.Background(), res.scanID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(scopes, cleanScopes) {
		t.Errorf("completed scopes %v, want the clean scan's %v: a denied enrichment costs no scope", scopes, cleanScopes)
	}
	return e, readGraph(t, cleanRes.store), readGraph(t, res.store)
}

func attrJSON(t *testing.T, attrs map[string]any) string {
	t.Helper()
	b, err := json.Marshal(attrs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeniedFunctionConfigurationCostsNothingListed: with
// GetFunctionConfiguration denied, the demo scan keeps every agent, role,
// action group and everything else, and differs from a clean scan by
// exactly what that call alone gives, derived here from the estate: each
// function's runs_as edge, its environment's names, the inline secrets it
// holds and the access keys it uses (a key no scanned IAM knows is then
// not seen at all), each marked unknown on the function, and the
// can_escalate steps through a function (its role or its environment).
func TestDeniedFunctionConfigurationCostsNothingListed(t *testing.T) {
	e, clean, denied := enrichmentScan(t, "lambda:GetFunctionConfiguration")
	const reason = "denied: lambda:GetFunctionConfiguration"

	// What only GetFunctionConfiguration gives, from the estate.
	goneEdges, goneNodes, functions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	iamKeys := map[string]bool{}
	for _, a := range e.AWS.Accounts {
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				iamKeys[awsscan.AccessKeyID(k.ID)] = true
			}
		}
	}
	for _, a := range e.AWS.Accounts {
		for _, r := range a.Regions {
			for _, fn := range r.Lambdas {
				arn := labaws.LambdaARN(r.Name, a.ID, fn.Name)
				functions[arn] = true
				goneEdges[edgeKey(arn, inventory.EdgeRunsAs, a.ResolveRoleARN(fn.Role))] = true
				for _, v := range envSecrets(fn.Environment) {
					goneEdges[edgeKey(arn, inventory.EdgeHoldsSecret, arn+"#env/"+v)] = true
					goneNodes[arn+"#env/"+v] = true
				}
				for _, keyID := range envKeys(fn.Environment) {
					key := awsscan.AccessKeyID(keyID)
					goneEdges[edgeKey(arn, inventory.EdgeUsesCredential, key)] = true
					if !iamKeys[key] {
						goneNodes[key] = true
					}
				}
			}
		}
	}

	// The clean scan has what the estate says it has: the test is not
	// vacuous, and every function's runs_as is among what is expected gone.
	scanned := 0
	for id, n := range clean.nodes {
		if n.Attrs["type"] != "lambda_function" {
			continue
		}
		if !functions[id] {
			t.Fatalf("function %s is not in the estate", id)
		}
		scanned++
	}
	if scanned < 3 {
		t.Fatalf("the clean scan found %d functions: too few for this test", scanned)
	}
	missing := 0
	for k := range clean.edges {
		if _, ok := denied.edges[k]; !ok {
			e := clean.edges[k]
			if fn, _ := e.Attrs["function"].(string); e.Kind == inventory.EdgeCanEscalate && functions[fn] {
				missing++
				continue
			}
			if !goneEdges[k] {
				t.Errorf("edge %s was lost, and GetFunctionConfiguration does not give it", k)
			}
			missing++
		}
	}
	for k := range goneEdges {
		if _, inClean := clean.edges[k]; inClean {
			if _, inDenied := denied.edges[k]; inDenied {
				t.Errorf("edge %s is there without GetFunctionConfiguration, which alone gives it", k)
			}
		}
	}
	if missing == 0 {
		t.Fatal("nothing was lost: the denial had no effect")
	}
	for k := range denied.edges {
		if _, ok := clean.edges[k]; !ok {
			t.Errorf("edge %s appeared only in the denied scan (guessed?)", k)
		}
	}
	for id, n := range clean.nodes {
		d, ok := denied.nodes[id]
		switch {
		case goneNodes[id]:
			if ok {
				t.Errorf("node %s is there without GetFunctionConfiguration, which alone gives it", id)
			}
		case !ok:
			t.Errorf("node %s (%s) was lost", id, n.Kind)
		case functions[id]:
			unknown, _ := d.Attrs[inventory.AttrUnknown].(map[string]any)
			for _, detail := range []string{"runs_as", "env_var_names", "holds_secret", "uses_credential"} {
				if unknown[detail] != reason {
					t.Errorf("function %s: unknown[%s] = %v, want %q", id, detail, unknown[detail], reason)
				}
			}
			if _, ok := d.Attrs["env_var_names"]; ok {
				t.Errorf("function %s has environment names without its configuration", id)
			}
		case n.Kind != d.Kind || attrJSON(t, n.Attrs) != attrJSON(t, d.Attrs):
			t.Errorf("node %s changed: %s %s, clean %s %s", id, d.Kind, attrJSON(t, d.Attrs), n.Kind, attrJSON(t, n.Attrs))
		}
	}
	for id := range denied.nodes {
		if _, ok := clean.nodes[id]; !ok {
			t.Errorf("node %s appeared only in the denied scan", id)
		}
	}
}

// TestDeniedCredentialProviderGetCostsNothingListed: with the API-key
// providers' Get denied, every provider is kept; only the ARN of the secret
// it stores, which that call alone gives, is unknown, and with it the
// can_escalate edges that read that secret with
// secretsmanager:GetSecretValue.
func TestDeniedCredentialProviderGetCostsNothingListed(t *testing.T) {
	e, clean, denied := enrichmentScan(t, "bedrock-agentcore-control:GetApiKeyCredentialProvider")
	const reason = "denied: bedrock-agentcore-control:GetApiKeyCredentialProvider"
	providers := map[string]bool{}
	for _, a := range e.AWS.Accounts {
		for _, r := range a.Regions {
			for _, p := range r.AgentCore.APIKeyProviders {
				providers[labaws.APIKeyProviderARN(r.Name, a.ID, p.Name)] = true
			}
		}
	}
	if len(providers) == 0 {
		t.Fatal("the demo has no API key provider: this test proves nothing")
	}
	lost := 0
	for k, e := range clean.edges {
		if e.Kind == inventory.EdgeCanEscalate && providers[e.To] && e.Attrs[inventory.AttrMethod] == "secretsmanager:GetSecretValue" {
			delete(clean.edges, k)
			lost++
		}
	}
	if lost == 0 {
		t.Error("no identity reads a provider's secret with secretsmanager:GetSecretValue in the clean scan: the test proves less")
	}
	if !reflect.DeepEqual(keysOf(clean.edges), keysOf(denied.edges)) {
		t.Error("the edges differ by more than the escalations through the secret's ARN, which the Get alone gives")
	}
	for id, n := range clean.nodes {
		d, ok := denied.nodes[id]
		if !ok {
			t.Errorf("node %s was lost", id)
			continue
		}
		if !providers[id] {
			if attrJSON(t, n.Attrs) != attrJSON(t, d.Attrs) {
				t.Errorf("node %s changed", id)
			}
			continue
		}
		if n.Attrs["secret_arn"] == nil {
			t.Errorf("the clean scan has no secret ARN for %s: the test proves nothing", id)
		}
		want := map[string]any{}
		for k, v := range n.Attrs {
			if k != "secret_arn" {
				want[k] = v
			}
		}
		want[inventory.AttrUnknown] = map[string]any{"secret_arn": reason}
		if attrJSON(t, d.Attrs) != attrJSON(t, want) {
			t.Errorf("provider %s: %s, want %s", id, attrJSON(t, d.Attrs), attrJSON(t, want))
		}
	}
	if len(denied.nodes) != len(clean.nodes) {
		t.Errorf("%d nodes, clean %d", len(denied.nodes), len(clean.nodes))
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
