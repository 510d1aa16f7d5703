package posture

import (
	"sort"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/google/go-cmp/cmp"
)

// Ids of the small estates of the agent-side controls.
const (
	agentA   = "arn:aws:bedrock:us-east-1:111111111111:agent/AAAAAAAAAA"
	agentB   = "arn:aws:bedrock:us-east-1:111111111111:agent/BBBBBBBBBB"
	agentC   = "arn:aws:bedrock:us-east-1:111111111111:agent/CCCCCCCCCC"
	agentD   = "arn:aws:bedrock:us-east-1:111111111111:agent/DDDDDDDDDD"
	roleWide = "arn:aws:iam::111111111111:role/wide"
	roleNarr = "arn:aws:iam::111111111111:role/narrow"
	roleUnk  = "arn:aws:iam::111111111111:role/unknown-level"
	roleEsc  = "arn:aws:iam::111111111111:role/escalates"
	bucket   = "arn:aws:s3:::data"
	fnA      = "arn:aws:lambda:us-east-1:111111111111:function:a"
	fnB      = "arn:aws:lambda:us-east-1:111111111111:function:b"
	fnC      = "arn:aws:lambda:us-east-1:111111111111:function:c"
	fnD      = "arn:aws:lambda:us-east-1:111111111111:function:d"
	runtimeA = "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/a-0123456789"
	runtimeB = "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/b-0123456789"
	runtimeC = "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/c-0123456789"
	gwA      = "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/a-0123456789"
	gwB      = "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/b-0123456789"
	gwC      = "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/c-0123456789"
	gwD      = "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/d-0123456789"
	kbA      = "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KBAAAAAAAA"
	kbB      = "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KBBBBBBBBB"
	kbC      = "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KBCCCCCCCC"
	denied   = "denied: lambda:GetFunctionConfiguration"
)

// roles adds roleWide (admin), roleNarr (read), roleUnk (a grant of
// unknown level) and roleEsc (write itself, admin by escalating to
// roleWide).
func (e *estate) roles() *estate {
	return e.
		node(inventory.Node{ID: roleWide, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: roleNarr, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: roleUnk, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: roleEsc, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: bucket, Kind: inventory.KindResource}).
		edge(roleWide, inventory.EdgeCanAccess, bucket, map[string]any{inventory.AttrLevel: inventory.LevelAdmin}).
		edge(roleNarr, inventory.EdgeCanAccess, bucket, map[string]any{inventory.AttrLevel: inventory.LevelRead}).
		edge(roleUnk, inventory.EdgeCanAccess, bucket, map[string]any{inventory.AttrLevel: inventory.LevelUnknown}).
		edge(roleEsc, inventory.EdgeCanAccess, bucket, map[string]any{inventory.AttrLevel: inventory.LevelWrite}).
		edge(roleEsc, inventory.EdgeCanEscalate, roleWide, map[string]any{inventory.AttrMethod: "sts:AssumeRole"})
}

// bedrockAgent is a Bedrock agent's node with attrs beside its type.
func bedrockAgent(id, name string, attrs map[string]any) inventory.Node {
	a := map[string]any{inventory.AttrType: "bedrock_agent"}
	for k, v := range attrs {
		a[k] = v
	}
	return inventory.Node{ID: id, Kind: inventory.KindAgent, Name: name, Attrs: a}
}

func alias(name string, versions ...string) map[string]any {
	return map[string]any{"name": name, "routes_to": versions}
}

func typed(id string, kind inventory.NodeKind, typ string, attrs map[string]any) inventory.Node {
	a := map[string]any{inventory.AttrType: typ}
	for k, v := range attrs {
		a[k] = v
	}
	return inventory.Node{ID: id, Kind: kind, Attrs: a}
}

func versions(v ...string) map[string]any { return map[string]any{"versions": v} }

// TestAgentControls runs each agent-side control on a small estate that
// plants what it must find (fail), what it cannot judge (unknown) and the
// correct cases next to them, which it must not report.
func TestAgentControls(t *testing.T) {
	tests := []struct {
		name    string
		control string
		estate  func(e *estate)
		fail    []string
		unknown []string
		// check looks further at the findings: messages, about, severity.
		check func(t *testing.T, fs []Finding)
	}{
		{
			name: "guardrail missing on DRAFT, on a served version, or unknown", control: "AAM-013",
			estate: func(e *estate) {
				e.node(bedrockAgent(agentA, "no-guardrail", map[string]any{"has_guardrail": false, "versions": []string{"DRAFT"}, "versions_without_guardrail": []string{"DRAFT"}})).
					// DRAFT has one, the live alias serves version 1 without.
					node(bedrockAgent(agentB, "old-version", map[string]any{"has_guardrail": true, "versions": []string{"1", "DRAFT"},
						"aliases": []any{alias("live", "1")}, "versions_without_guardrail": []string{"1"}})).
					node(bedrockAgent(agentC, "guarded", map[string]any{"has_guardrail": true, "versions": []string{"1", "DRAFT"}, "aliases": []any{alias("live", "1")}})).
					node(bedrockAgent(agentD, "unread", map[string]any{"has_guardrail": true, "versions": []string{"2", "DRAFT"}, "aliases": []any{alias("live", "2")},
						inventory.AttrUnknown: map[string]any{"guardrail version 2": "denied: bedrock-agent:GetAgentVersion", "runs_as version 2": "denied: bedrock-agent:GetAgentVersion"}}))
			},
			fail: []string{agentA, agentB}, unknown: []string{agentD},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == agentB && !strings.Contains(f.Message, "version 1 (served by alias live)") {
						t.Errorf("message %q does not name version 1 and its alias", f.Message)
					}
				}
			},
		},
		{
			name: "live alias serves a broader role than DRAFT's", control: "AAM-014",
			estate: func(e *estate) {
				e.roles().
					node(bedrockAgent(agentA, "broader", map[string]any{"versions": []string{"1", "DRAFT"}, "aliases": []any{alias("prod", "1")}})).
					edge(agentA, inventory.EdgeRunsAs, roleWide, versions("1")).
					edge(agentA, inventory.EdgeRunsAs, roleNarr, versions("DRAFT")).
					// One role for every version.
					node(bedrockAgent(agentB, "same", map[string]any{"versions": []string{"1", "DRAFT"}, "aliases": []any{alias("prod", "1")}})).
					edge(agentB, inventory.EdgeRunsAs, roleWide, versions("1", "DRAFT")).
					// The served version is narrower than DRAFT: not this control's.
					node(bedrockAgent(agentC, "narrower", map[string]any{"versions": []string{"1", "DRAFT"}, "aliases": []any{alias("prod", "1")}})).
					edge(agentC, inventory.EdgeRunsAs, roleNarr, versions("1")).
					edge(agentC, inventory.EdgeRunsAs, roleEsc, versions("DRAFT")).
					// The served version's role is unknown.
					node(bedrockAgent(agentD, "unread", map[string]any{"versions": []string{"1", "DRAFT"}, "aliases": []any{alias("prod", "1")},
						inventory.AttrUnknown: map[string]any{"runs_as version 1": "denied: bedrock-agent:GetAgentVersion"}})).
					edge(agentD, inventory.EdgeRunsAs, roleNarr, versions("DRAFT"))
			},
			fail: []string{agentA}, unknown: []string{agentD},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == agentA && (len(f.About) != 1 || f.About[0] != roleWide) {
						t.Errorf("finding about %v, want the served version's role %s", f.About, roleWide)
					}
				}
			},
		},
		{
			name: "tool Lambda runs as admin, own or by escalation", control: "AAM-015",
			estate: func(e *estate) {
				group := agentA + "/actiongroup/G"
				target := gwA + "/target/T"
				e.roles().
					node(inventory.Node{ID: agentA, Kind: inventory.KindAgent}).
					node(inventory.Node{ID: group, Kind: inventory.KindResource}).
					node(inventory.Node{ID: fnA, Kind: inventory.KindResource}).
					node(inventory.Node{ID: fnB, Kind: inventory.KindResource}).
					node(inventory.Node{ID: fnC, Kind: inventory.KindResource}).
					node(inventory.Node{ID: fnD, Kind: inventory.KindResource, Attrs: map[string]any{inventory.AttrUnknown: map[string]any{"runs_as": denied}}}).
					edge(agentA, inventory.EdgeUsesTool, group, nil).
					edge(group, inventory.EdgeUsesTool, fnA, map[string]any{"executor": "lambda"}).
					edge(group, inventory.EdgeUsesTool, fnB, map[string]any{"executor": "lambda"}).
					edge(group, inventory.EdgeUsesTool, fnD, map[string]any{"executor": "lambda"}).
					edge(fnA, inventory.EdgeRunsAs, roleWide, nil).
					edge(fnB, inventory.EdgeRunsAs, roleNarr, nil).
					// A runtime's gateway target's Lambda, three steps away,
					// whose role becomes admin by escalating.
					node(inventory.Node{ID: runtimeA, Kind: inventory.KindAgent}).
					node(inventory.Node{ID: gwA, Kind: inventory.KindResource}).
					node(inventory.Node{ID: target, Kind: inventory.KindResource}).
					edge(runtimeA, inventory.EdgeUsesTool, gwA, nil).
					edge(gwA, inventory.EdgeUsesTool, target, nil).
					edge(target, inventory.EdgeUsesTool, fnC, map[string]any{"executor": "lambda"}).
					edge(fnC, inventory.EdgeRunsAs, roleEsc, nil).
					// An admin function no agent uses is not an agent's tool.
					node(inventory.Node{ID: fnB + "-unused", Kind: inventory.KindResource}).
					edge(fnB+"-unused", inventory.EdgeRunsAs, roleWide, nil)
			},
			fail: []string{fnA, fnC}, unknown: []string{fnD},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == fnC && !strings.Contains(f.Message, "can escalate to admin") {
						t.Errorf("message %q does not say the role escalates", f.Message)
					}
				}
			},
		},
		{
			name: "secret inline in an environment", control: "AAM-016",
			estate: func(e *estate) {
				secret := fnA + "#env/TOKEN"
				e.node(typed(fnA, inventory.KindResource, "lambda_function", nil)).
					node(typed(secret, inventory.KindCredential, "inline_secret", map[string]any{"found_in": "environment", "env_var": "TOKEN", inventory.AttrFingerprint: "hmac-sha256:aa"})).
					edge(fnA, inventory.EdgeHoldsSecret, secret, nil).
					node(typed(runtimeA, inventory.KindAgent, "agentcore_runtime", nil)).
					node(typed(runtimeA+"#env/KEY", inventory.KindCredential, "inline_secret", map[string]any{"found_in": "environment", "env_var": "KEY"})).
					edge(runtimeA, inventory.EdgeHoldsSecret, runtimeA+"#env/KEY", nil).
					// A function with only settings in its environment.
					node(typed(fnB, inventory.KindResource, "lambda_function", map[string]any{"env_var_names": []string{"TABLE"}})).
					// A token-vault provider held by a connection is not inline.
					node(typed(gwA+"/provider", inventory.KindCredential, "agentcore_api_key_provider", nil)).
					node(typed(gwA, inventory.KindResource, "agentcore_gateway", nil)).
					edge(gwA, inventory.EdgeHoldsSecret, gwA+"/provider", nil).
					node(typed(fnC, inventory.KindResource, "lambda_function", map[string]any{inventory.AttrUnknown: map[string]any{
						"holds_secret": denied, "env_var_names": denied}}))
			},
			fail: []string{fnA, runtimeA}, unknown: []string{fnC},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == fnA && (len(f.About) != 1 || f.About[0] != fnA+"#env/TOKEN") {
						t.Errorf("finding about %v, want the secret", f.About)
					}
				}
			},
		},
		{
			name: "access key id in an environment", control: "AAM-017",
			estate: func(e *estate) {
				key := "aws:access-key:AKIAEXAMPLE000000001"
				e.node(inventory.Node{ID: key, Kind: inventory.KindCredential, Created: daysAgo(400), Attrs: map[string]any{"status": "Active"}}).
					node(typed(fnA, inventory.KindResource, "lambda_function", nil)).
					edge(fnA, inventory.EdgeUsesCredential, key, map[string]any{"found_in": "environment", "env_var": "DEPLOY_ACCESS_KEY_ID"}).
					// A gateway target using a vault provider is not an
					// environment's key.
					node(typed(gwA+"/target/T", inventory.KindResource, "agentcore_gateway_target", nil)).
					node(inventory.Node{ID: gwA + "/provider", Kind: inventory.KindCredential}).
					edge(gwA+"/target/T", inventory.EdgeUsesCredential, gwA+"/provider", map[string]any{"credential_type": "API_KEY"}).
					node(typed(fnB, inventory.KindResource, "lambda_function", map[string]any{inventory.AttrUnknown: map[string]any{"uses_credential": denied}}))
			},
			fail: []string{fnA}, unknown: []string{fnB},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == fnA && !strings.Contains(f.Message, "400 days ago") {
						t.Errorf("message %q does not give the key's age from its creation", f.Message)
					}
				}
			},
		},
		{
			name: "API key behind a gateway target or runtime", control: "AAM-018",
			estate: func(e *estate) {
				tAPI, tProv, tOAuth, tIAM := gwA+"/target/API", gwA+"/target/PROV", gwA+"/target/OAUTH", gwA+"/target/IAM"
				e.node(typed(tAPI, inventory.KindResource, "agentcore_gateway_target", nil)).
					node(typed(tProv, inventory.KindResource, "agentcore_gateway_target", nil)).
					node(typed(tOAuth, inventory.KindResource, "agentcore_gateway_target", nil)).
					node(typed(tIAM, inventory.KindResource, "agentcore_gateway_target", map[string]any{"credential_types": []string{"GATEWAY_IAM_ROLE"}})).
					node(typed(gwA+"/apikey", inventory.KindCredential, "agentcore_api_key_provider", nil)).
					node(typed(gwA+"/oauth", inventory.KindCredential, "agentcore_oauth2_provider", nil)).
					edge(tAPI, inventory.EdgeUsesCredential, gwA+"/apikey", map[string]any{"credential_type": "API_KEY"}).
					// The type of the provider alone says it too.
					edge(tProv, inventory.EdgeUsesCredential, gwA+"/apikey", nil).
					edge(tOAuth, inventory.EdgeUsesCredential, gwA+"/oauth", map[string]any{"credential_type": "OAUTH"}).
					node(typed(runtimeA, inventory.KindAgent, "agentcore_runtime", nil)).
					edge(runtimeA, inventory.EdgeUsesCredential, gwA+"/apikey", map[string]any{"credential_type": "API_KEY"})
			},
			fail: []string{gwA + "/target/API", gwA + "/target/PROV", runtimeA},
		},
		{
			name: "no inbound authorization", control: "AAM-019",
			estate: func(e *estate) {
				e.node(typed(gwA, inventory.KindResource, "agentcore_gateway", map[string]any{"inbound_auth": "none"})).
					node(typed(gwB, inventory.KindResource, "agentcore_gateway", map[string]any{"inbound_auth": "jwt"})).
					node(typed(runtimeA, inventory.KindAgent, "agentcore_runtime", map[string]any{"inbound_auth": "iam"})).
					node(typed(runtimeB, inventory.KindAgent, "agentcore_runtime", map[string]any{"inbound_auth": "none"})).
					node(typed(gwC, inventory.KindResource, "agentcore_gateway", map[string]any{inventory.AttrUnknown: map[string]any{"inbound_auth": "denied: bedrock-agentcore-control:GetGateway"}})).
					node(typed(gwA+"/target/T", inventory.KindResource, "agentcore_gateway_target", nil)).
					edge(gwA, inventory.EdgeUsesTool, gwA+"/target/T", nil)
			},
			fail: []string{gwA, runtimeB}, unknown: []string{gwC},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == gwA && !strings.Contains(f.Message, "its 1 tool(s)") {
						t.Errorf("message %q does not count the gateway's tools", f.Message)
					}
				}
			},
		},
		{
			name: "policy engine missing or log-only", control: "AAM-020",
			estate: func(e *estate) {
				e.node(typed(gwA, inventory.KindResource, "agentcore_gateway", map[string]any{"policy_enforcement": "none"})).
					node(typed(gwB, inventory.KindResource, "agentcore_gateway", map[string]any{"policy_enforcement": "log_only", "policy_engine_name": "p"})).
					node(typed(gwC, inventory.KindResource, "agentcore_gateway", map[string]any{"policy_enforcement": "enforce", "policy_engine_name": "p"})).
					node(typed(gwD, inventory.KindResource, "agentcore_gateway", map[string]any{"policy_enforcement": "unknown"}))
			},
			fail: []string{gwA, gwB}, unknown: []string{gwD},
			check: func(t *testing.T, fs []Finding) {
				want := map[string]Severity{gwA: SeverityMedium, gwB: SeverityLow}
				for _, f := range fs {
					if w, ok := want[f.SubjectID]; ok && f.Severity != w {
						t.Errorf("%s: severity %s, want %s", f.SubjectID, f.Severity, w)
					}
				}
			},
		},
		{
			name: "runtime does not propagate the user", control: "AAM-021",
			estate: func(e *estate) {
				e.node(typed(runtimeA, inventory.KindAgent, "agentcore_runtime", map[string]any{"inbound_auth": "iam", "user_identity": "not_verified"})).
					node(typed(runtimeB, inventory.KindAgent, "agentcore_runtime", map[string]any{"inbound_auth": "jwt", "user_identity": "verified"})).
					node(typed(runtimeC, inventory.KindAgent, "agentcore_runtime", map[string]any{"inbound_auth": "jwt", "user_identity": "forwarded"})).
					node(typed(agentA, inventory.KindAgent, "agentcore_runtime", map[string]any{inventory.AttrUnknown: map[string]any{"user_identity": "denied: bedrock-agentcore-control:GetAgentRuntime"}}))
			},
			fail: []string{runtimeA, runtimeB}, unknown: []string{agentA},
			check: func(t *testing.T, fs []Finding) {
				want := map[string]Severity{runtimeA: SeverityMedium, runtimeB: SeverityLow}
				for _, f := range fs {
					if w, ok := want[f.SubjectID]; ok && f.Severity != w {
						t.Errorf("%s: severity %s, want %s", f.SubjectID, f.Severity, w)
					}
				}
			},
		},
		{
			name: "knowledge base role can write", control: "AAM-023",
			estate: func(e *estate) {
				e.roles().
					node(typed(kbA, inventory.KindResource, "bedrock_knowledge_base", nil)).
					node(typed(kbB, inventory.KindResource, "bedrock_knowledge_base", nil)).
					node(typed(kbC, inventory.KindResource, "bedrock_knowledge_base", nil)).
					node(typed(kbC+"-2", inventory.KindResource, "bedrock_knowledge_base", nil)).
					edge(kbA, inventory.EdgeRunsAs, roleEsc, nil).
					edge(kbB, inventory.EdgeRunsAs, roleNarr, nil).
					edge(kbC, inventory.EdgeRunsAs, roleUnk, nil).
					edge(kbC+"-2", inventory.EdgeRunsAs, roleWide, nil)
			},
			fail: []string{kbA, kbC + "-2"}, unknown: []string{kbC},
			check: func(t *testing.T, fs []Finding) {
				// roleEsc writes itself and escalates to admin: its
				// effective level is admin.
				for _, f := range fs {
					if f.Status == StatusFail && f.Severity != SeverityHigh {
						t.Errorf("%s: severity %s, want high for an admin role", f.SubjectID, f.Severity)
					}
				}
			},
		},
		{
			name: "one secret in several places", control: "AAM-024",
			estate: func(e *estate) {
				e.node(typed(fnA+"#env/K", inventory.KindCredential, "inline_secret", map[string]any{inventory.AttrFingerprint: "hmac-sha256:same"})).
					node(typed(runtimeA+"#env/K", inventory.KindCredential, "inline_secret", map[string]any{inventory.AttrFingerprint: "hmac-sha256:same"})).
					node(typed(fnB+"#env/K", inventory.KindCredential, "inline_secret", map[string]any{inventory.AttrFingerprint: "hmac-sha256:other"})).
					node(typed(fnC+"#env/K", inventory.KindCredential, "inline_secret", nil)).
					node(typed(fnD+"#env/K", inventory.KindCredential, "inline_secret", nil)).
					node(typed(fnA, inventory.KindResource, "lambda_function", nil)).
					edge(fnA, inventory.EdgeHoldsSecret, fnA+"#env/K", nil)
			},
			fail: []string{fnA + "#env/K", runtimeA + "#env/K"},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == runtimeA+"#env/K" && !strings.Contains(f.Message, "held by "+fnA) {
						t.Errorf("message %q does not name where the other copy is held", f.Message)
					}
					if len(f.About) != 0 {
						t.Errorf("%s: about %v, want none (the fingerprint depends on the copy alone)", f.SubjectID, f.About)
					}
				}
			},
		},
		{
			name: "one identity for production and development agents", control: "AAM-025",
			estate: func(e *estate) {
				e.roles().
					node(bedrockAgent(agentA, "billing-agent-prod", nil)).
					node(bedrockAgent(agentB, "billing_agent_dev", nil)).
					edge(agentA, inventory.EdgeRunsAs, roleWide, versions("DRAFT")).
					edge(agentB, inventory.EdgeRunsAs, roleWide, versions("DRAFT")).
					// A tag says production, whatever the name.
					node(bedrockAgent(agentC, "reporting-dev-copy", map[string]any{"tags": map[string]any{"Environment": "Production"}})).
					node(bedrockAgent(agentD, "reporting-sandbox", nil)).
					edge(agentC, inventory.EdgeRunsAs, roleEsc, nil).
					edge(agentD, inventory.EdgeRunsAs, roleEsc, nil).
					// Two staging agents, and an agent whose name says no
					// environment beside a production one: not evidence.
					node(bedrockAgent(agentA+"2", "orders-staging", nil)).
					node(bedrockAgent(agentB+"2", "orders-qa", nil)).
					node(bedrockAgent(agentC+"2", "orders-prod", nil)).
					node(bedrockAgent(agentD+"2", "orders-helper", nil)).
					edge(agentA+"2", inventory.EdgeRunsAs, roleNarr, nil).
					edge(agentB+"2", inventory.EdgeRunsAs, roleNarr, nil).
					edge(agentC+"2", inventory.EdgeRunsAs, roleUnk, nil).
					edge(agentD+"2", inventory.EdgeRunsAs, roleUnk, nil)
			},
			fail: []string{roleEsc, roleWide},
			check: func(t *testing.T, fs []Finding) {
				for _, f := range fs {
					if f.SubjectID == roleEsc && !strings.Contains(f.Message, "by its tag Environment=Production") {
						t.Errorf("message %q does not say the tag decided", f.Message)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.control+" "+tt.name, func(t *testing.T) {
			e := newEstate(t)
			tt.estate(e)
			fs := e.evaluate(tt.control, nil)
			if diff := cmp.Diff(sorted(tt.fail), subjects(fs, StatusFail)); diff != "" {
				t.Errorf("failing subjects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sorted(tt.unknown), subjects(fs, StatusUnknown)); diff != "" {
				t.Errorf("not evaluable subjects (-want +got):\n%s", diff)
			}
			for _, f := range fs {
				if f.Message == "" || f.ControlID != tt.control {
					t.Errorf("finding %+v: no message or another control", f)
				}
			}
			if tt.check != nil {
				tt.check(t, fs)
			}
		})
	}
}

// The environment a name or tag says: one class per side, unknown for
// neither or both.
func TestAgentEnvironment(t *testing.T) {
	tests := []struct {
		name string
		tags map[string]string
		want environment
	}{
		{"billing-agent-prod", nil, envProd},
		{"BillingAgent_PRD", nil, envProd},
		{"billing-agent-dev", nil, envNonProd},
		{"uat.billing", nil, envNonProd},
		{"production-to-staging-sync", nil, envUnknown},
		{"product-agent", nil, envUnknown}, // "product" is not "prod"
		{"devops-agent", nil, envUnknown},  // nor "devops" "dev"
		{"billing-agent", map[string]string{"stage": "qa"}, envNonProd},
		{"billing-agent-dev", map[string]string{"ENV": "prod"}, envProd},
		{"billing-agent-dev", map[string]string{"env": "blue"}, envUnknown},
		{"billing-agent", map[string]string{"stage": "prod", "Env": "dev"}, envNonProd}, // env before stage
	}
	for _, tt := range tests {
		if got, _ := agentEnvironment(tt.name, tt.tags); got != tt.want {
			t.Errorf("agentEnvironment(%q, %v) = %d, want %d", tt.name, tt.tags, got, tt.want)
		}
	}
}

// sorted is a sorted copy of ids, nil for none, as subjects returns them.
func sorted(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}
