package aws

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// isoMicros is how Bedrock and AgentCore write timestamps on the wire.
var isoMicros = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func prodRegion(t *testing.T, e *Estate, name string) (Account, Region) {
	t.Helper()
	prod, _ := e.Account("111111111111")
	r, ok := prod.Region(name)
	if !ok {
		t.Fatalf("demo prod has no region %s", name)
	}
	return prod, r
}

type wireAgentSummary struct {
	AgentID                string `json:"agentId"`
	AgentName              string `json:"agentName"`
	AgentStatus            string `json:"agentStatus"`
	UpdatedAt              string `json:"updatedAt"`
	LatestAgentVersion     string `json:"latestAgentVersion"`
	GuardrailConfiguration *struct {
		GuardrailIdentifier string `json:"guardrailIdentifier"`
		GuardrailVersion    string `json:"guardrailVersion"`
	} `json:"guardrailConfiguration"`
}

type wireListAgents struct {
	AgentSummaries []wireAgentSummary `json:"agentSummaries"`
	NextToken      string             `json:"nextToken"`
}

// listAllAgents pages ListAgents to the end and returns the summaries and
// the number of pages.
func listAllAgents(t *testing.T, c restClient) ([]wireAgentSummary, int) {
	t.Helper()
	var all []wireAgentSummary
	token, pages := "", 0
	for {
		body := `{}`
		if token != "" {
			b, _ := json.Marshal(map[string]string{"nextToken": token})
			body = string(b)
		}
		var out wireListAgents
		c.call("bedrock", http.MethodPost, "/agents/", body, &out)
		pages++
		all = append(all, out.AgentSummaries...)
		if out.NextToken == "" {
			return all, pages
		}
		token = out.NextToken
	}
}

func TestBedrockListAndGetAgents(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{PageSize: 2})
	c := newRESTClient(t, srv, prod, "us-east-1")

	summaries, pages := listAllAgents(t, c)
	wantPages := (len(east.BedrockAgents) + 1) / 2
	if len(east.BedrockAgents) < 3 || len(summaries) != len(east.BedrockAgents) || pages != wantPages {
		t.Fatalf("ListAgents gave %d agents in %d pages, want %d in %d", len(summaries), pages, len(east.BedrockAgents), wantPages)
	}
	for i, s := range summaries {
		want := east.BedrockAgents[i]
		if s.AgentID != want.ID || s.AgentName != want.Name || s.AgentStatus != "PREPARED" || !isoMicros.MatchString(s.UpdatedAt) {
			t.Errorf("summary %+v, want agent %s", s, want.Name)
		}
		if (s.GuardrailConfiguration != nil) != (want.Guardrail != nil) {
			t.Errorf("%s: guardrail %v, want %v", want.Name, s.GuardrailConfiguration, want.Guardrail)
		}
	}

	type wireAgent struct {
		Agent struct {
			AgentArn               string         `json:"agentArn"`
			AgentID                string         `json:"agentId"`
			AgentVersion           string         `json:"agentVersion"`
			AgentResourceRoleArn   string         `json:"agentResourceRoleArn"`
			FoundationModel        string         `json:"foundationModel"`
			IdleSessionTTL         int            `json:"idleSessionTTLInSeconds"`
			CreatedAt              string         `json:"createdAt"`
			UpdatedAt              string         `json:"updatedAt"`
			PreparedAt             string         `json:"preparedAt"`
			GuardrailConfiguration map[string]any `json:"guardrailConfiguration"`
		} `json:"agent"`
	}
	cases := []struct {
		name, role string
		guardrail  bool
	}{
		{"support-agent", "arn:aws:iam::111111111111:role/service-role/bedrock-agent-admin", false},
		{"orders-agent", "arn:aws:iam::111111111111:role/service-role/bedrock-agent-orders", true},
		{"invoice-agent", "arn:aws:iam::111111111111:role/service-role/bedrock-agent-orders", true},
	}
	for _, tc := range cases {
		ag, _ := east.Agent(tc.name)
		var out wireAgent
		c.call("bedrock", http.MethodGet, "/agents/"+ag.ID+"/", "", &out)
		a := out.Agent
		if a.AgentArn != BedrockAgentARN("us-east-1", prod.ID, ag.ID) || a.AgentID != ag.ID || a.AgentVersion != "DRAFT" ||
			a.AgentResourceRoleArn != tc.role || a.AgentResourceRoleArn != prod.ResolveRoleARN(ag.Role) || a.FoundationModel != ag.FoundationModel || a.IdleSessionTTL == 0 {
			t.Errorf("GetAgent %s: %+v", tc.name, a)
		}
		for _, ts := range []string{a.CreatedAt, a.UpdatedAt, a.PreparedAt} {
			if !isoMicros.MatchString(ts) {
				t.Errorf("GetAgent %s: timestamp %q is not ISO-8601 with microseconds", tc.name, ts)
			}
		}
		if (a.GuardrailConfiguration != nil) != tc.guardrail {
			t.Errorf("GetAgent %s: guardrail %v, want %v", tc.name, a.GuardrailConfiguration, tc.guardrail)
		}
	}
	w := c.do("bedrock", http.MethodGet, "/agents/"+east.BedrockAgents[0].ID+"/", "")
	if strings.Contains(w.Body.String(), "guardrailConfiguration") {
		t.Errorf("an agent without a guardrail answers guardrailConfiguration: %s", w.Body)
	}

	// Another region of the same account, and a region with nothing.
	west := newRESTClient(t, srv, prod, "us-west-2")
	if got, _ := listAllAgents(t, west); len(got) != 1 || got[0].AgentName != "forecast-agent" || got[0].LatestAgentVersion != "1" {
		t.Errorf("us-west-2 agents %+v, want forecast-agent", got)
	}
	empty := newRESTClient(t, srv, prod, "eu-west-1")
	var none wireListAgents
	empty.call("bedrock", http.MethodPost, "/agents/", `{}`, &none)
	if none.AgentSummaries == nil || len(none.AgentSummaries) != 0 {
		t.Errorf("an empty region answers %+v, want agentSummaries: []", none)
	}
	if w := empty.do("bedrock", http.MethodPost, "/agents/", `{}`); !strings.Contains(w.Body.String(), `"agentSummaries":[]`) {
		t.Errorf("empty list written as %s", w.Body)
	}
	if st := srv.Stats(); st.Calls["aws/bedrock-agent:ListAgents"] != pages+3 || st.Calls["aws/bedrock-agent:GetAgent"] != 4 {
		t.Errorf("calls %v", st.Calls)
	}
}

// A version prepared before the guardrail was attached is answered without
// one by GetAgentVersion; DRAFT and the later versions have it.
func TestBedrockAgentVersionGuardrail(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	c := newRESTClient(t, NewServer(e, Options{}), prod, "us-east-1")
	billing, ok := east.Agent("billing-agent-prod")
	if !ok || billing.Guardrail == nil || len(billing.VersionsWithoutGuardrail) == 0 {
		t.Fatalf("the demo plants no agent with a guardrail and a version without one: %+v", billing)
	}
	var draft struct {
		Agent struct {
			GuardrailConfiguration *struct{ GuardrailIdentifier string } `json:"guardrailConfiguration"`
		} `json:"agent"`
	}
	c.call("bedrock", http.MethodGet, "/agents/"+billing.ID+"/", "", &draft)
	if g := draft.Agent.GuardrailConfiguration; g == nil || g.GuardrailIdentifier != billing.Guardrail.ID {
		t.Errorf("DRAFT guardrail %+v, want %s", g, billing.Guardrail.ID)
	}
	for _, v := range billing.Versions {
		var out struct {
			AgentVersion struct {
				Version                string          `json:"version"`
				GuardrailConfiguration *map[string]any `json:"guardrailConfiguration"`
			} `json:"agentVersion"`
		}
		c.call("bedrock", http.MethodGet, "/agents/"+billing.ID+"/agentversions/"+v+"/", "", &out)
		want := !slices.Contains(billing.VersionsWithoutGuardrail, v)
		if out.AgentVersion.Version != v || (out.AgentVersion.GuardrailConfiguration != nil) != want {
			t.Errorf("version %s: %+v, want a guardrail: %v", v, out.AgentVersion, want)
		}
	}
}

func TestBedrockAgentChildren(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{PageSize: 2})
	c := newRESTClient(t, srv, prod, "us-east-1")
	support, _ := east.Agent("support-agent")
	base := "/agents/" + support.ID

	var versions struct {
		Summaries []struct {
			AgentVersion string `json:"agentVersion"`
			AgentStatus  string `json:"agentStatus"`
			CreatedAt    string `json:"createdAt"`
		} `json:"agentVersionSummaries"`
		NextToken string `json:"nextToken"`
	}
	c.call("bedrock", http.MethodPost, base+"/agentversions/", `{"maxResults": 10}`, &versions)
	if len(versions.Summaries) != 2 || versions.Summaries[0].AgentVersion != "DRAFT" || versions.Summaries[1].AgentVersion != "1" || versions.NextToken == "" {
		t.Errorf("first page of versions %+v, want DRAFT, 1 and a nextToken", versions)
	}
	next := versions.NextToken
	versions.NextToken = ""
	c.call("bedrock", http.MethodPost, base+"/agentversions/", `{"nextToken": "`+next+`"}`, &versions)
	if len(versions.Summaries) != 1 || versions.Summaries[0].AgentVersion != "2" || versions.NextToken != "" {
		t.Errorf("second page of versions %+v, want 2 alone", versions)
	}

	var aliases struct {
		Summaries []struct {
			AgentAliasID   string `json:"agentAliasId"`
			AgentAliasName string `json:"agentAliasName"`
			Routing        []struct {
				AgentVersion string `json:"agentVersion"`
			} `json:"routingConfiguration"`
			Status string `json:"agentAliasStatus"`
		} `json:"agentAliasSummaries"`
	}
	c.call("bedrock", http.MethodPost, base+"/agentaliases/", `{}`, &aliases)
	if len(aliases.Summaries) != 2 || aliases.Summaries[0].AgentAliasID != "L1VEA7QX2C" || aliases.Summaries[0].Routing[0].AgentVersion != "2" {
		t.Errorf("aliases %+v", aliases)
	}
	var alias struct {
		AgentAlias struct {
			AgentAliasArn string `json:"agentAliasArn"`
		} `json:"agentAlias"`
	}
	c.call("bedrock", http.MethodGet, base+"/agentaliases/L1VEA7QX2C/", "", &alias)
	if alias.AgentAlias.AgentAliasArn != AgentAliasARN("us-east-1", prod.ID, support.ID, "L1VEA7QX2C") {
		t.Errorf("alias ARN %s", alias.AgentAlias.AgentAliasArn)
	}

	type groups struct {
		Summaries []struct {
			ActionGroupID    string `json:"actionGroupId"`
			ActionGroupName  string `json:"actionGroupName"`
			ActionGroupState string `json:"actionGroupState"`
			UpdatedAt        string `json:"updatedAt"`
		} `json:"actionGroupSummaries"`
	}
	for _, v := range []string{"DRAFT", "1", "2"} {
		var g groups
		c.call("bedrock", http.MethodPost, base+"/agentversions/"+v+"/actiongroups/", `{}`, &g)
		if len(g.Summaries) != 2 || g.Summaries[0].ActionGroupName != "ticket-tools" || g.Summaries[0].ActionGroupState != "ENABLED" || !isoMicros.MatchString(g.Summaries[0].UpdatedAt) {
			t.Errorf("version %s action groups %+v", v, g)
		}
	}
	type group struct {
		AG struct {
			AgentVersion string            `json:"agentVersion"`
			Executor     map[string]string `json:"actionGroupExecutor"`
		} `json:"agentActionGroup"`
	}
	var lambdaGroup, returnGroup group
	c.call("bedrock", http.MethodGet, base+"/agentversions/1/actiongroups/T1CKQ8RZ4P/", "", &lambdaGroup)
	if lambdaGroup.AG.AgentVersion != "1" || len(lambdaGroup.AG.Executor) != 1 ||
		lambdaGroup.AG.Executor["lambda"] != LambdaARN("us-east-1", prod.ID, "support-ticket-tools") {
		t.Errorf("lambda action group %+v", lambdaGroup)
	}
	c.call("bedrock", http.MethodGet, base+"/agentversions/DRAFT/actiongroups/ESC4H7N2VB/", "", &returnGroup)
	if len(returnGroup.AG.Executor) != 1 || returnGroup.AG.Executor["customControl"] != "RETURN_CONTROL" {
		t.Errorf("return-control action group %+v", returnGroup)
	}

	var kbs struct {
		Summaries []struct {
			KnowledgeBaseID    string `json:"knowledgeBaseId"`
			KnowledgeBaseState string `json:"knowledgeBaseState"`
		} `json:"agentKnowledgeBaseSummaries"`
	}
	c.call("bedrock", http.MethodPost, base+"/agentversions/DRAFT/knowledgebases/", `{}`, &kbs)
	if len(kbs.Summaries) != 1 || kbs.Summaries[0].KnowledgeBaseID != "KBSUPP7Q2X" || kbs.Summaries[0].KnowledgeBaseState != "ENABLED" {
		t.Errorf("agent knowledge bases %+v", kbs)
	}
	var kb struct {
		KB struct {
			KnowledgeBaseArn string `json:"knowledgeBaseArn"`
			RoleArn          string `json:"roleArn"`
			Status           string `json:"status"`
			Config           struct {
				Type string `json:"type"`
			} `json:"knowledgeBaseConfiguration"`
		} `json:"knowledgeBase"`
	}
	c.call("bedrock", http.MethodGet, "/knowledgebases/KBSUPP7Q2X", "", &kb)
	if kb.KB.KnowledgeBaseArn != KnowledgeBaseARN("us-east-1", prod.ID, "KBSUPP7Q2X") || kb.KB.RoleArn != prod.RoleARN("bedrock-kb-support") ||
		kb.KB.Status != "ACTIVE" || kb.KB.Config.Type != "VECTOR" {
		t.Errorf("knowledge base %+v", kb)
	}
	var all struct {
		Summaries []struct {
			Name string `json:"name"`
		} `json:"knowledgeBaseSummaries"`
	}
	c.call("bedrock", http.MethodPost, "/knowledgebases/", `{}`, &all)
	if len(all.Summaries) != 1 || all.Summaries[0].Name != "support-docs-kb" {
		t.Errorf("ListKnowledgeBases %+v", all)
	}

	// A dev agent refers to its knowledge base by name.
	dev, _ := e.Account("222222222222")
	dc := newRESTClient(t, srv, dev, "us-east-1")
	c.call("bedrock", http.MethodPost, base+"/agentversions/DRAFT/knowledgebases/", `{}`, &kbs)
	dc.call("bedrock", http.MethodPost, "/agents/D3VSBX9K2M/agentversions/DRAFT/knowledgebases/", `{}`, &kbs)
	if len(kbs.Summaries) != 1 || kbs.Summaries[0].KnowledgeBaseID != "KBDEV3DOC9" {
		t.Errorf("dev agent knowledge bases %+v", kbs)
	}
}

func TestBedrockErrors(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	support, _ := east.Agent("support-agent")
	cases := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"unknown agent", "GET", "/agents/NOSUCHAGNT/", "", 404, "ResourceNotFoundException", "NOSUCHAGNT"},
		{"unknown version", "POST", "/agents/" + support.ID + "/agentversions/7/actiongroups/", "{}", 404, "ResourceNotFoundException", "Version 7"},
		{"unknown action group", "GET", "/agents/" + support.ID + "/agentversions/DRAFT/actiongroups/NOSUCHGRP1/", "", 404, "ResourceNotFoundException", "NOSUCHGRP1"},
		{"unknown alias", "GET", "/agents/" + support.ID + "/agentaliases/NOSUCHALIA/", "", 404, "ResourceNotFoundException", "NOSUCHALIA"},
		{"unknown knowledge base", "GET", "/knowledgebases/NOSUCHKB00", "", 404, "ResourceNotFoundException", "NOSUCHKB00"},
		{"agent of another account", "GET", "/agents/D3VSBX9K2M/", "", 404, "ResourceNotFoundException", "D3VSBX9K2M"},
		{"unknown body member", "POST", "/agents/", `{"maxResults": 5, "filter": "x"}`, 400, "ValidationException", "filter"},
		{"unknown query parameter", "GET", "/agents/" + support.ID + "/?verbose=1", "", 400, "ValidationException", "verbose"},
		{"body on a GET", "GET", "/agents/" + support.ID + "/", `{"agentId": "x"}`, 400, "ValidationException", "no request body"},
		{"body not an object", "POST", "/agents/", `[1]`, 400, "ValidationException", "JSON object"},
		{"maxResults 0", "POST", "/agents/", `{"maxResults": 0}`, 400, "ValidationException", "greater than or equal to 1"},
		{"maxResults too large", "POST", "/agents/", `{"maxResults": 1001}`, 400, "ValidationException", "less than or equal to 1000"},
		{"maxResults a string", "POST", "/agents/", `{"maxResults": "5"}`, 400, "ValidationException", "whole number"},
		{"bad nextToken", "POST", "/agents/", `{"nextToken": "bm90LWEtdG9rZW4"}`, 400, "ValidationException", "nextToken"},
		{"nextToken of another list", "POST", "/agents/", `{"nextToken": "` + kit.PageFrom(kit.List{Op: "bedrock-agent:ListKnowledgeBases", Tenant: prod.ID, Narrow: "us-east-1/"}, 0, 1, 2).Next + `"}`, 400, "ValidationException", "nextToken"},
		{"no trailing slash", "GET", "/agents/" + support.ID, "", 404, "UnknownOperationException", "trailing /"},
		{"wrong method", "DELETE", "/agents/" + support.ID + "/", "", 405, "MethodNotAllowedException", "GetAgent takes GET"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(e, Options{PageSize: 2})
			c := newRESTClient(t, srv, prod, "us-east-1")
			got := decodeRESTError(t, c.do("bedrock", tc.method, tc.path, tc.body))
			if got.status != tc.status || got.code != tc.code || !strings.Contains(got.message, tc.msg) {
				t.Errorf("got %+v, want %d %s containing %q", got, tc.status, tc.code, tc.msg)
			}
			st := srv.Stats()
			wantRejected := 1
			if tc.status == 404 && tc.code == "ResourceNotFoundException" {
				wantRejected = 0
			}
			if st.Rejected != wantRejected {
				t.Errorf("stats %+v, want %d rejected", st, wantRejected)
			}
		})
	}
}

// TestRESTAuthentication checks the authentication errors of the rest-json
// services, named as they name them.
func TestRESTAuthentication(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	stranger := Account{ID: "999999999999", AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}
	wrongSecret := prod
	wrongSecret.SecretAccessKey = "not-the-secret"
	srv := NewServer(e, Options{})
	cases := []struct {
		name string
		req  func() *http.Request
		code string
	}{
		{"unsigned", func() *http.Request {
			r := newRESTClient(t, srv, prod, "us-east-1").request("bedrock", "POST", "/agents/", "{}")
			r.Header.Del("Authorization")
			return r
		}, "MissingAuthenticationTokenException"},
		{"unsigned lambda path", func() *http.Request {
			r := newRESTClient(t, srv, prod, "us-east-1").request("lambda", "GET", "/2015-03-31/functions/", "")
			r.Header.Del("Authorization")
			return r
		}, "MissingAuthenticationTokenException"},
		{"bad signature", func() *http.Request {
			return newRESTClient(t, srv, wrongSecret, "us-east-1").request("bedrock-agentcore", "GET", "/gateways/", "")
		}, "InvalidSignatureException"},
		{"unknown key", func() *http.Request {
			return newRESTClient(t, srv, stranger, "us-east-1").request("lambda", "GET", "/2015-03-31/functions/", "")
		}, "UnrecognizedClientException"},
		{"token with a long-term key", func() *http.Request {
			c := newRESTClient(t, srv, prod, "us-east-1")
			c.cred.token = "not-a-session"
			return c.request("bedrock", "POST", "/agents/", "{}")
		}, "UnrecognizedClientException"},
		{"path of another service", func() *http.Request {
			return newRESTClient(t, srv, prod, "us-east-1").request("bedrock", "GET", "/gateways/", "")
		}, "UnknownOperationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, tc.req())
			got := decodeRESTError(t, w)
			if got.code != tc.code || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("got %+v, want %s", got, tc.code)
			}
		})
	}
}

func TestRESTDeniedAndThrottled(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	dev, _ := e.Account("222222222222")

	srv := NewServer(e, Options{DenyAccounts: []string{prod.ID}})
	c := newRESTClient(t, srv, prod, "us-east-1")
	for _, call := range []struct{ service, method, path, body, action string }{
		{"bedrock", "POST", "/agents/", "{}", "bedrock:ListAgents"},
		{"bedrock-agentcore", "GET", "/gateways/", "", "bedrock-agentcore:ListGateways"},
		{"lambda", "GET", "/2015-03-31/functions/support-ticket-tools/configuration", "", "lambda:GetFunctionConfiguration"},
	} {
		got := decodeRESTError(t, c.do(call.service, call.method, call.path, call.body))
		if got.status != 403 || got.code != "AccessDeniedException" || !strings.Contains(got.message, prod.CallerARN()) || !strings.Contains(got.message, call.action) {
			t.Errorf("%s of a denied account: %+v", call.action, got)
		}
	}
	if w := newRESTClient(t, srv, dev, "us-east-1").do("bedrock", "POST", "/agents/", "{}"); w.Code != 200 {
		t.Errorf("another account: %d", w.Code)
	}
	if st := srv.Stats(); st.Denied != 3 {
		t.Errorf("stats %+v, want 3 denied", st)
	}
	srv.Faults().SetTenantDenied(prod.ID, false)
	if w := c.do("bedrock", "POST", "/agents/", "{}"); w.Code != 200 {
		t.Errorf("after SetDenied false: %d", w.Code)
	}

	srv = NewServer(e, Options{ThrottleEvery: 2})
	c = newRESTClient(t, srv, prod, "us-east-1")
	var codes []int
	for _, ag := range east.BedrockAgents {
		codes = append(codes, c.do("bedrock", "GET", "/agents/"+ag.ID+"/", "").Code)
	}
	// Every second call is throttled.
	var want []int
	throttled := 0
	for i := range east.BedrockAgents {
		if i%2 == 1 {
			want = append(want, 429)
			throttled++
			continue
		}
		want = append(want, 200)
	}
	if len(want) < 3 || !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	// Lambda's throttling answer, and its retry, which passes.
	w := c.do("lambda", "GET", "/2015-03-31/functions/orders-lookup/configuration", "")
	got := decodeRESTError(t, w)
	if got.status != 429 || got.code != "TooManyRequestsException" || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"Type":"User"`) {
		t.Errorf("lambda throttled: %+v %s", got, w.Body)
	}
	if w := c.do("lambda", "GET", "/2015-03-31/functions/orders-lookup/configuration", ""); w.Code != 200 {
		t.Errorf("retry of a throttled request: %d", w.Code)
	}
	w = c.do("bedrock", "GET", "/agents/"+east.BedrockAgents[0].ID+"/", "")
	if got := decodeRESTError(t, w); got.status != 429 || got.code != "ThrottlingException" || got.message != "Rate exceeded" {
		t.Errorf("bedrock throttled: %+v", got)
	}
	if st := srv.Stats(); st.Throttled != throttled+2 || st.Calls["aws/lambda:GetFunctionConfiguration"] != 2 || st.Calls["aws/bedrock-agent:GetAgent"] != len(east.BedrockAgents)+1 {
		t.Errorf("stats %+v", st)
	}
}
