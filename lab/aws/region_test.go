package aws

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// regionAccount is validAccount with roles and a region the cases add to.
const regionAccount = validAccount + `
    roles:
      - {name: exec, created: 2025-01-01T00:00:00Z, trust_policy: '` + trust + `'}
    regions:
      - name: us-east-1`

func TestParseEstateRegionErrors(t *testing.T) {
	cases := []parseErrorCase{
		{"bad region name", validAccount + `
    regions:
      - name: US-East`, []string{`region US-East: name "US-East" is not a region code`}},
		{"region twice", validAccount + `
    regions:
      - name: us-east-1
      - name: us-east-1`, []string{"region us-east-1", "listed twice"}},
		{"unknown field", regionAccount + `
        bedrock_agents:
          - {name: a, role: exec, foundation_model: m, created: 2025-01-01T00:00:00Z, colour: blue}`, []string{"field colour not found"}},
		{"unknown agent role", regionAccount + `
        bedrock_agents:
          - {name: a, role: ghost, foundation_model: m, created: 2025-01-01T00:00:00Z}`, []string{"bedrock agent a", `role "ghost" does not exist in this account`, "full role ARN"}},
		{"malformed role ARN", regionAccount + `
        bedrock_agents:
          - {name: a, role: "arn:aws:iam::1:role/x", foundation_model: m, created: 2025-01-01T00:00:00Z}`, []string{"is not a role ARN"}},
		{"missing role", regionAccount + `
        lambdas:
          - {name: f, created: 2025-01-01T00:00:00Z}`, []string{"lambda f", "role is empty"}},
		{"unknown lambda", regionAccount + `
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            created: 2025-01-01T00:00:00Z
            action_groups: [{name: g, lambda: nowhere}]`, []string{"action group g", `lambda "nowhere" does not exist in this region`}},
		{"action group without executor", regionAccount + `
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            created: 2025-01-01T00:00:00Z
            action_groups: [{name: g}]`, []string{"action group g", "has no executor"}},
		{"unknown knowledge base", regionAccount + `
        bedrock_agents:
          - {name: a, role: exec, foundation_model: m, created: 2025-01-01T00:00:00Z, knowledge_bases: [KB00000000]}`, []string{"bedrock agent a", `knowledge base "KB00000000" does not exist in this region`}},
		{"alias to an unknown version", regionAccount + `
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            created: 2025-01-01T00:00:00Z
            versions: ["1"]
            aliases: [{name: live, routes_to: "2"}]`, []string{"alias live", `routes_to "2" is not a version of the agent`, "DRAFT or one of its versions (1)"}},
		{"guardrail-less version unknown", regionAccount + `
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            guardrail: {id: g, version: "1"}
            created: 2025-01-01T00:00:00Z
            versions: ["1"]
            versions_without_guardrail: ["2"]`, []string{"bedrock agent a", `versions_without_guardrail names version "2"`}},
		{"guardrail-less versions without a guardrail", regionAccount + `
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            created: 2025-01-01T00:00:00Z
            versions: ["1"]
            versions_without_guardrail: ["1"]`, []string{"bedrock agent a", "the agent has no guardrail"}},
		{"bad agent id", regionAccount + `
        bedrock_agents:
          - {id: short, name: a, role: exec, foundation_model: m, created: 2025-01-01T00:00:00Z}`, []string{`id "short" is not 10 upper-case letters and digits`}},
		{"duplicate agent id", regionAccount + `
        bedrock_agents:
          - {id: ABCDE12345, name: a, role: exec, foundation_model: m, created: 2025-01-01T00:00:00Z}
          - {id: ABCDE12345, name: b, role: exec, foundation_model: m, created: 2025-01-01T00:00:00Z}`, []string{"bedrock agent b", "used twice"}},
		{"agent without created", regionAccount + `
        bedrock_agents:
          - {name: a, role: exec, foundation_model: m}`, []string{"bedrock agent a", "created is not set"}},
		{"updated before created", regionAccount + `
        knowledge_bases:
          - {name: kb, role: exec, created: 2025-01-01T00:00:00Z, updated: 2024-01-01T00:00:00Z}`, []string{"knowledge base kb", "updated is before created"}},
		{"unknown workload identity", regionAccount + `
        agentcore:
          runtimes:
            - {name: rt, role: exec, workload_identity: nobody, created: 2025-01-01T00:00:00Z}`, []string{"agent runtime rt", `workload identity "nobody" does not exist`}},
		{"bad runtime name", regionAccount + `
        agentcore:
          runtimes:
            - {name: my-runtime, role: exec, created: 2025-01-01T00:00:00Z}`, []string{`name "my-runtime" is not a valid agent runtime name`}},
		{"unknown protocol", regionAccount + `
        agentcore:
          runtimes:
            - {name: rt, role: exec, protocol: GRPC, created: 2025-01-01T00:00:00Z}`, []string{`protocol "GRPC" is not known`}},
		{"unknown API key provider", regionAccount + `
        agentcore:
          gateways:
            - name: gw
              role: exec
              created: 2025-01-01T00:00:00Z
              targets: [{name: t, openapi: true, credential: {type: API_KEY, provider: nokey}}]`, []string{"gateway gw: target t", `API key provider "nokey" does not exist`}},
		{"unknown OAuth2 provider", regionAccount + `
        agentcore:
          api_key_providers: [{name: oauthish, created: 2025-01-01T00:00:00Z}]
          gateways:
            - name: gw
              role: exec
              created: 2025-01-01T00:00:00Z
              targets: [{name: t, mcp_server: "https://mcp.example.com", credential: {type: OAUTH, provider: oauthish}}]`, []string{`OAuth2 provider "oauthish" does not exist`}},
		{"lambda target on an API key", regionAccount + `
        lambdas: [{name: f, role: exec, created: 2025-01-01T00:00:00Z}]
        agentcore:
          api_key_providers: [{name: k, created: 2025-01-01T00:00:00Z}]
          gateways:
            - name: gw
              role: exec
              created: 2025-01-01T00:00:00Z
              targets: [{name: t, lambda: f, credential: {type: API_KEY, provider: k}}]`, []string{"Lambda target authenticates with the gateway's role only"}},
		{"target of two kinds", regionAccount + `
        agentcore:
          gateways:
            - name: gw
              role: exec
              created: 2025-01-01T00:00:00Z
              targets: [{name: t, openapi: true, mcp_server: "https://x.example.com"}]`, []string{"exactly one of lambda, openapi: true or mcp_server"}},
		{"JWT type without authorizer", regionAccount + `
        agentcore:
          gateways:
            - {name: gw, role: exec, authorizer_type: CUSTOM_JWT, created: 2025-01-01T00:00:00Z}`, []string{"CUSTOM_JWT needs an authorizer"}},
		{"authorizer without audience", regionAccount + `
        agentcore:
          runtimes:
            - {name: rt, role: exec, created: 2025-01-01T00:00:00Z, authorizer: {discovery_url: "https://idp.example.com/.well-known/openid-configuration"}}`, []string{"allows no audience and no client"}},
		{"custom OAuth2 without discovery", regionAccount + `
        agentcore:
          oauth2_providers: [{name: p, client_id: c, created: 2025-01-01T00:00:00Z}]`, []string{"CustomOauth2 provider needs discovery_url"}},
		{"unknown vendor", regionAccount + `
        agentcore:
          oauth2_providers: [{name: p, vendor: GitLab, client_id: c, created: 2025-01-01T00:00:00Z}]`, []string{`vendor "GitLab" is not known`}},
		{"bad environment name", regionAccount + `
        lambdas:
          - {name: f, role: exec, created: 2025-01-01T00:00:00Z, environment: {"1BAD": CANARY-aam-envSECRETvalue000000000}}`, []string{`environment variable name "1BAD" is not valid`}},
		{"Lambda-reserved environment names", regionAccount + `
        lambdas:
          - {name: f, role: exec, created: 2025-01-01T00:00:00Z, environment: {AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE, AWS_SESSION_TOKEN: CANARY-aam-envSECRETvalue000000000, _HANDLER: x, TZ: UTC}}`, []string{"AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN, _HANDLER, which", "Lambda reserves", "rename the variable"}},
		{"secret in a typed field", regionAccount + `
        lambdas: CANARY-aam-misplacedSECRET0000000`, []string{"value hidden"}},
	}
	for i := range cases {
		cases[i].yaml = "accounts:" + cases[i].yaml
	}
	checkParseErrors(t, cases)
}

func TestParseEstateRegionDefaults(t *testing.T) {
	e, err := ParseEstate([]byte("accounts:" + regionAccount + `
        lambdas: [{name: f, role: exec, created: 2025-01-01T00:00:00Z}]
        knowledge_bases: [{name: kb, role: exec, created: 2025-01-01T00:00:00Z}]
        bedrock_agents:
          - name: a
            role: exec
            foundation_model: m
            created: 2025-01-01T00:00:00Z
            aliases: [{name: live, routes_to: DRAFT}]
            action_groups: [{name: g, lambda: f}]
            knowledge_bases: [kb]
        agentcore:
          runtimes: [{name: rt, role: "arn:aws:iam::999999999999:role/elsewhere", created: 2025-01-01T00:00:00Z}]
          gateways:
            - name: Tools-GW
              role: exec
              created: 2025-01-01T00:00:00Z
              targets: [{name: t, lambda: f}]
          oauth2_providers: [{name: p, client_id: c, discovery_url: "https://idp.example.com/d", created: 2025-01-01T00:00:00Z}]`))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[0]
	r := a.Regions[0]
	ag := r.BedrockAgents[0]
	if ag.ID != DefaultAgentID(a.ID, "us-east-1", "a") || !upperIDPattern.MatchString(ag.ID) || ag.Status != "PREPARED" || !ag.Updated.Equal(ag.Created) {
		t.Errorf("agent defaults %+v", ag)
	}
	if ag.Aliases[0].ID != DefaultAliasID(a.ID, "us-east-1", ag.ID, "live") || ag.ActionGroups[0].State != "ENABLED" || ag.ActionGroups[0].ID == "" {
		t.Errorf("alias and action group defaults %+v %+v", ag.Aliases[0], ag.ActionGroups[0])
	}
	if r.KnowledgeBases[0].ID != DefaultKnowledgeBaseID(a.ID, "us-east-1", "kb") || r.KnowledgeBases[0].Status != "ACTIVE" {
		t.Errorf("knowledge base defaults %+v", r.KnowledgeBases[0])
	}
	if l := r.Lambdas[0]; l.Runtime != "python3.12" || l.Handler != "lambda_function.lambda_handler" {
		t.Errorf("lambda defaults %v %s %s", l, l.Runtime, l.Handler)
	}
	rt := r.AgentCore.Runtimes[0]
	if rt.ID != DefaultRuntimeID(a.ID, "us-east-1", "rt") || !strings.HasPrefix(rt.ID, "rt-") || len(rt.ID) != len("rt-")+10 ||
		rt.Version != "1" || rt.Status != "READY" || rt.Protocol != "HTTP" || rt.NetworkMode != "PUBLIC" {
		t.Errorf("runtime defaults %+v", rt)
	}
	gw := r.AgentCore.Gateways[0]
	if gw.ID != DefaultGatewayID(a.ID, "us-east-1", "Tools-GW") || !gatewayIDPattern.MatchString(gw.ID) || !strings.HasPrefix(gw.ID, "tools-gw-") ||
		gw.AuthorizerType != "AWS_IAM" || gw.ProtocolType != "MCP" || gw.Targets[0].Credential.Type != "GATEWAY_IAM_ROLE" || !upperIDPattern.MatchString(gw.Targets[0].ID) {
		t.Errorf("gateway defaults %+v", gw)
	}
	if r.AgentCore.OAuth2Providers[0].Vendor != "CustomOauth2" {
		t.Errorf("vendor default %q", r.AgentCore.OAuth2Providers[0].Vendor)
	}
	if got := a.ResolveRoleARN(rt.Role); got != "arn:aws:iam::999999999999:role/elsewhere" {
		t.Errorf("ResolveRoleARN of an ARN = %s", got)
	}
	if got := a.ResolveRoleARN("exec"); got != "arn:aws:iam::123456789012:role/exec" {
		t.Errorf("ResolveRoleARN of a name = %s", got)
	}
	if got := r.LambdaARN(a.ID, "f"); got != "arn:aws:lambda:us-east-1:123456789012:function:f" {
		t.Errorf("LambdaARN = %s", got)
	}
	// Derived ids are stable and differ between kinds and names.
	if DefaultAgentID("1", "r", "x") != DefaultAgentID("1", "r", "x") || DefaultAgentID("1", "r", "x") == DefaultKnowledgeBaseID("1", "r", "x") || DefaultAgentID("1", "r", "x") == DefaultAgentID("1", "r", "y") {
		t.Error("derived ids are not stable or not distinct")
	}
}

func TestARNHelpers(t *testing.T) {
	cases := []struct{ got, want string }{
		{BedrockAgentARN("us-east-1", "111111111111", "KZ4QX7T2MB"), "arn:aws:bedrock:us-east-1:111111111111:agent/KZ4QX7T2MB"},
		{AgentAliasARN("us-east-1", "111111111111", "KZ4QX7T2MB", "L1VEA7QX2C"), "arn:aws:bedrock:us-east-1:111111111111:agent-alias/KZ4QX7T2MB/L1VEA7QX2C"},
		{KnowledgeBaseARN("us-east-1", "111111111111", "KBSUPP7Q2X"), "arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KBSUPP7Q2X"},
		{LambdaARN("us-east-1", "111111111111", "f"), "arn:aws:lambda:us-east-1:111111111111:function:f"},
		{RuntimeARN("us-east-1", "111111111111", "rt-abcdefghij"), "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/rt-abcdefghij"},
		{GatewayARN("us-east-1", "111111111111", "gw-abcdefghij"), "arn:aws:bedrock-agentcore:us-east-1:111111111111:gateway/gw-abcdefghij"},
		{GatewayURL("us-east-1", "gw-abcdefghij"), "https://gw-abcdefghij.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"},
		{WorkloadIdentityARN("us-east-1", "111111111111", "wi"), "arn:aws:bedrock-agentcore:us-east-1:111111111111:workload-identity-directory/default/workload-identity/wi"},
		{APIKeyProviderARN("us-east-1", "111111111111", "k"), "arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/apikeycredentialprovider/k"},
		{OAuth2ProviderARN("us-east-1", "111111111111", "o"), "arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/oauth2credentialprovider/o"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	for _, arn := range []string{APIKeySecretARN("us-east-1", "111111111111", "k"), OAuth2SecretARN("us-east-1", "111111111111", "o")} {
		if !regexpMatch(`^arn:aws:secretsmanager:us-east-1:111111111111:secret:bedrock-agentcore-identity!default/(apikey/k|oauth2/o)-[a-zA-Z0-9]{6}$`, arn) {
			t.Errorf("secret ARN %s", arn)
		}
	}
}

// TestDemoEstateAgents checks the agents of the demo and their mistakes.
func TestDemoEstateAgents(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	dev, _ := e.Account("222222222222")
	type agent struct{ account, region, name, role string }
	var agents []agent
	roleUse := map[string]int{}
	var noGuardrail, withGuardrail, noAuthorizer, withAuthorizer int
	credTypes := map[string]bool{}
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			for _, ag := range r.BedrockAgents {
				agents = append(agents, agent{a.ID, r.Name, ag.Name, a.ResolveRoleARN(ag.Role)})
				roleUse[a.ResolveRoleARN(ag.Role)]++
				if ag.Guardrail == nil {
					noGuardrail++
				} else {
					withGuardrail++
				}
			}
			for _, rt := range r.AgentCore.Runtimes {
				agents = append(agents, agent{a.ID, r.Name, rt.Name, a.ResolveRoleARN(rt.Role)})
				if rt.Authorizer == nil {
					noAuthorizer++
				} else {
					withAuthorizer++
				}
				if u := rt.Environment["GATEWAY_URL"]; u != "" {
					found := false
					for _, g := range r.AgentCore.Gateways {
						found = found || GatewayURL(r.Name, g.ID) == u
					}
					if !found {
						t.Errorf("runtime %s: GATEWAY_URL names no gateway of its region", rt.Name)
					}
				}
			}
			for _, g := range r.AgentCore.Gateways {
				for _, tg := range g.Targets {
					credTypes[tg.Credential.Type] = true
				}
			}
		}
	}
	if len(agents) < 8 {
		t.Errorf("%d agents, want at least 8", len(agents))
	}
	shared := 0
	for _, n := range roleUse {
		if n > 1 {
			shared++
		}
	}
	if shared == 0 || noGuardrail == 0 || withGuardrail == 0 || noAuthorizer == 0 || withAuthorizer == 0 || len(credTypes) != 3 {
		t.Errorf("shared roles %d, agents without/with guardrail %d/%d, runtimes without/with authorizer %d/%d, target credentials %v",
			shared, noGuardrail, withGuardrail, noAuthorizer, withAuthorizer, credTypes)
	}
	east, _ := prod.Region("us-east-1")
	support, _ := east.Agent("support-agent")
	if prod.ResolveRoleARN(support.Role) != prod.RoleARN("bedrock-agent-admin") {
		t.Errorf("support-agent runs as %s, want bedrock-agent-admin", support.Role)
	}
	fn, _ := east.Lambda(support.ActionGroups[0].Lambda)
	user, _ := prod.User("ci-legacy-deployer")
	if fn.Environment["DEPLOYER_ACCESS_KEY_ID"] != user.AccessKeys[0].ID || fn.Environment["DEPLOYER_SECRET_ACCESS_KEY"] != user.AccessKeys[0].Secret.Reveal() || labToday.Sub(user.AccessKeys[0].Created).Hours() < 400*24 {
		t.Errorf("the support agent's function does not hold the >400-day key of ci-legacy-deployer")
	}
	// Distinct canaries in the environments (the leaked user secret aside),
	// but for the one copy planted on purpose: the research runtime's
	// OpenAI key, copied into the billing ledger function (AAM-024).
	planted := map[string]bool{"runtime research_runtime OPENAI_API_KEY": true, "lambda billing-ledger OPENAI_API_KEY": true}
	copies := 0
	seen := map[string]string{}
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			envs := map[string]map[string]string{}
			for _, l := range r.Lambdas {
				envs["lambda "+l.Name] = l.Environment
			}
			for _, rt := range r.AgentCore.Runtimes {
				envs["runtime "+rt.Name] = rt.Environment
			}
			for where, env := range envs {
				for k, v := range env {
					if !strings.HasPrefix(v, "CANARY-aam-") || strings.HasSuffix(k, "_SECRET_ACCESS_KEY") {
						continue
					}
					here := where + " " + k
					if prev := seen[v]; prev != "" && planted[here] && planted[prev] {
						copies++
						continue
					}
					if len(v) != len("CANARY-aam-")+24 || seen[v] != "" {
						t.Errorf("%s: not a distinct 24-character canary (also in %s)", here, seen[v])
					}
					seen[v] = here
				}
			}
		}
	}
	if len(seen) < 6 {
		t.Errorf("%d canaries in environments, want at least 6", len(seen))
	}
	if copies != 1 {
		t.Errorf("the planted copy of the research runtime's OpenAI key is found %d times, want once", copies)
	}
	read, ok := dev.Role("aam-read")
	if !ok || !strings.Contains(string(read.TrustPolicy), `"sts:ExternalId":"aam-demo"`) || !strings.Contains(string(read.TrustPolicy), "arn:aws:iam::111111111111:root") {
		t.Errorf("aam-read trust %s", read.TrustPolicy)
	}
}

func TestGenerateEstate(t *testing.T) {
	for _, opts := range []GenerateOptions{
		{},
		{Accounts: 1, AgentsPerAccount: 1},
		{Accounts: 2, AgentsPerAccount: 7, Seed: 3},
		{Accounts: 3, AgentsPerAccount: 16, Region: "eu-west-1", Seed: 9},
		{Accounts: 4, AgentsPerAccount: 25, Seed: 42},
	} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			e := GenerateEstate(opts)
			if err := e.Validate(); err != nil {
				t.Fatalf("a generated estate fails Validate: %v", err)
			}
			if len(e.Accounts) != max(opts.Accounts, 1) {
				t.Errorf("%d accounts", len(e.Accounts))
			}
			agents := 0
			for _, a := range e.Accounts {
				for _, r := range a.Regions {
					if r.Name != orDefault(opts.Region, "us-east-1") {
						t.Errorf("region %s", r.Name)
					}
					agents += len(r.BedrockAgents) + len(r.AgentCore.Runtimes)
				}
			}
			if agents != max(opts.Accounts, 1)*opts.AgentsPerAccount {
				t.Errorf("%d agents, want %d", agents, max(opts.Accounts, 1)*opts.AgentsPerAccount)
			}
			// Deterministic, and the same as its YAML read back.
			if again := GenerateEstate(opts); !reflect.DeepEqual(e, again) {
				t.Error("two estates from the same options differ")
			}
			raw, err := yaml.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseEstate(raw)
			if err != nil {
				t.Fatalf("the generated estate's YAML does not parse: %v", err)
			}
			if len(back.Accounts) != len(e.Accounts) || (len(e.Accounts[0].Regions) > 0 && back.Accounts[0].Regions[0].BedrockAgents[0].ID != e.Accounts[0].Regions[0].BedrockAgents[0].ID) {
				t.Error("the estate read back from YAML differs")
			}
		})
	}
	if reflect.DeepEqual(GenerateEstate(GenerateOptions{Accounts: 1, AgentsPerAccount: 6, Seed: 1}), GenerateEstate(GenerateOptions{Accounts: 1, AgentsPerAccount: 6, Seed: 2})) {
		t.Error("two seeds gave the same estate")
	}
}

// TestGeneratedEstateServes lists the 100 agents of a generated estate
// through the server, paging at 7.
func TestGeneratedEstateServes(t *testing.T) {
	e := GenerateEstate(GenerateOptions{Accounts: 4, AgentsPerAccount: 25, Seed: 7})
	srv := NewServer(e, Options{PageSize: 7})
	total := 0
	keysInEnv := 0
	for _, a := range e.Accounts {
		c := newRESTClient(t, srv, a, "us-east-1")
		agents, _ := listAllAgents(t, c)
		total += len(agents)
		query := ""
		for {
			var out struct {
				AgentRuntimes []struct {
					ID string `json:"agentRuntimeId"`
				} `json:"agentRuntimes"`
				NextToken string `json:"nextToken"`
			}
			c.call("bedrock-agentcore", http.MethodPost, "/runtimes/"+query, "", &out)
			total += len(out.AgentRuntimes)
			for _, rt := range out.AgentRuntimes {
				var got map[string]any
				c.call("bedrock-agentcore", http.MethodGet, "/runtimes/"+rt.ID+"/", "", &got)
			}
			if out.NextToken == "" {
				break
			}
			query = "?nextToken=" + url.QueryEscape(out.NextToken)
		}
		r := a.Regions[0]
		for _, l := range r.Lambdas {
			var fn wireFunction
			c.call("lambda", http.MethodGet, "/2015-03-31/functions/"+l.Name+"/configuration", "", &fn)
			if strings.HasPrefix(fn.Environment.Variables["TOOLS_ACCESS_KEY_ID"], "AKIA") {
				keysInEnv++
			}
		}
	}
	if total != 100 {
		t.Errorf("listed %d agents, want 100", total)
	}
	if keysInEnv == 0 {
		t.Error("no generated function holds an access key id")
	}
}

func TestRegionSecretsNotPrinted(t *testing.T) {
	e := mustDemo(t)
	secrets := e.Canaries()
	if len(secrets) < 20 {
		t.Fatalf("Canaries lists %d values, want the demo's secrets", len(secrets))
	}
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			values := []any{r, r.AgentCore}
			for _, l := range r.Lambdas {
				values = append(values, l)
			}
			for _, rt := range r.AgentCore.Runtimes {
				values = append(values, rt)
			}
			for _, p := range r.AgentCore.APIKeyProviders {
				values = append(values, p)
			}
			for _, p := range r.AgentCore.OAuth2Providers {
				values = append(values, p)
			}
			for _, v := range values {
				out := fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("printing %v shows a secret", v)
					}
				}
			}
		}
	}
	out := fmt.Sprintf("%v %+v %#v", e, e, e)
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Error("printing the estate shows a secret")
		}
	}
}

// TestNoProviderSecretOnTheWire calls every operation for every resource of
// the demo and checks that no answer holds an API key or a client secret of
// a credential provider, nor a user access key secret other than the one
// the demo leaks on purpose into a function's environment.
func TestNoProviderSecretOnTheWire(t *testing.T) {
	e := mustDemo(t)
	var secrets []string
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			for _, p := range r.AgentCore.APIKeyProviders {
				secrets = append(secrets, p.APIKey.Reveal())
			}
			for _, p := range r.AgentCore.OAuth2Providers {
				secrets = append(secrets, p.ClientSecret.Reveal())
			}
		}
	}
	if len(secrets) < 3 {
		t.Fatalf("%d provider secrets", len(secrets))
	}
	srv := NewServer(e, Options{PageSize: 2})
	check := func(what string, w *httptest.ResponseRecorder) {
		t.Helper()
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", what, w.Code, w.Body)
		}
		for _, s := range secrets {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s answers a provider secret", what)
			}
		}
	}
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			c := newRESTClient(t, srv, a, r.Name)
			check("ListAgents", c.do("bedrock", "POST", "/agents/", "{}"))
			for _, ag := range r.BedrockAgents {
				check("GetAgent", c.do("bedrock", "GET", "/agents/"+ag.ID+"/", ""))
				for _, g := range ag.ActionGroups {
					check("GetAgentActionGroup", c.do("bedrock", "GET", "/agents/"+ag.ID+"/agentversions/DRAFT/actiongroups/"+g.ID+"/", ""))
				}
			}
			for _, l := range r.Lambdas {
				check("GetFunctionConfiguration", c.do("lambda", "GET", "/2015-03-31/functions/"+l.Name+"/configuration", ""))
			}
			check("ListFunctions", c.do("lambda", "GET", "/2015-03-31/functions/", ""))
			check("ListAgentRuntimes", c.do("bedrock-agentcore", "POST", "/runtimes/", ""))
			for _, rt := range r.AgentCore.Runtimes {
				check("GetAgentRuntime", c.do("bedrock-agentcore", "GET", "/runtimes/"+rt.ID+"/", ""))
			}
			check("ListGateways", c.do("bedrock-agentcore", "GET", "/gateways/", ""))
			for _, g := range r.AgentCore.Gateways {
				check("GetGateway", c.do("bedrock-agentcore", "GET", "/gateways/"+g.ID+"/", ""))
				check("ListGatewayTargets", c.do("bedrock-agentcore", "GET", "/gateways/"+g.ID+"/targets/", ""))
				for _, tg := range g.Targets {
					check("GetGatewayTarget", c.do("bedrock-agentcore", "GET", "/gateways/"+g.ID+"/targets/"+tg.ID+"/", ""))
				}
			}
			for _, op := range []string{"ListWorkloadIdentities", "ListApiKeyCredentialProviders", "ListOauth2CredentialProviders"} {
				check(op, c.do("bedrock-agentcore", "POST", "/identities/"+op, "{}"))
			}
			for _, p := range r.AgentCore.APIKeyProviders {
				check("GetApiKeyCredentialProvider", c.do("bedrock-agentcore", "POST", "/identities/GetApiKeyCredentialProvider", `{"name":"`+p.Name+`"}`))
			}
			for _, p := range r.AgentCore.OAuth2Providers {
				check("GetOauth2CredentialProvider", c.do("bedrock-agentcore", "POST", "/identities/GetOauth2CredentialProvider", `{"name":"`+p.Name+`"}`))
			}
		}
	}
}
