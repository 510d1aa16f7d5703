package aws

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// decodeNumbers decodes a JSON answer keeping numbers as json.Number, so
// that a test can tell a number from a string.
func decodeNumbers(t *testing.T, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
	return m
}

func TestAgentCoreRuntimes(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{PageSize: 1})
	c := newRESTClient(t, srv, prod, "us-east-1")

	type summary struct {
		Arn           string `json:"agentRuntimeArn"`
		ID            string `json:"agentRuntimeId"`
		Name          string `json:"agentRuntimeName"`
		Version       string `json:"agentRuntimeVersion"`
		LastUpdatedAt string `json:"lastUpdatedAt"`
		Status        string `json:"status"`
	}
	var all []summary
	query := ""
	for pages := 1; ; pages++ {
		var out struct {
			AgentRuntimes []summary `json:"agentRuntimes"`
			NextToken     string    `json:"nextToken"`
		}
		// The SDK sends POST /runtimes/ with its paging in the query string
		// and no body.
		c.call("bedrock-agentcore", http.MethodPost, "/runtimes/"+query, "", &out)
		all = append(all, out.AgentRuntimes...)
		if out.NextToken == "" {
			if pages != 2 {
				t.Errorf("%d pages at one a page, want 2", pages)
			}
			break
		}
		query = "?" + url.Values{"maxResults": {"1"}, "nextToken": {out.NextToken}}.Encode()
	}
	if len(all) != 2 || all[0].Name != "support_runtime" || all[0].ID != "support_runtime-Xk3Pq9LmZa" ||
		all[0].Arn != RuntimeARN("us-east-1", prod.ID, all[0].ID) || all[0].Version != "3" || all[0].Status != "READY" || !isoMicros.MatchString(all[0].LastUpdatedAt) {
		t.Fatalf("runtimes %+v", all)
	}

	type runtime struct {
		RoleArn  string `json:"roleArn"`
		Version  string `json:"agentRuntimeVersion"`
		Workload *struct {
			Arn string `json:"workloadIdentityArn"`
		} `json:"workloadIdentityDetails"`
		Authorizer *struct {
			JWT struct {
				DiscoveryURL   string   `json:"discoveryUrl"`
				AllowedClients []string `json:"allowedClients"`
			} `json:"customJWTAuthorizer"`
		} `json:"authorizerConfiguration"`
		Env     map[string]string `json:"environmentVariables"`
		Network struct {
			Mode string `json:"networkMode"`
		} `json:"networkConfiguration"`
		Protocol struct {
			Server string `json:"serverProtocol"`
		} `json:"protocolConfiguration"`
		Artifact struct {
			Container struct {
				URI string `json:"containerUri"`
			} `json:"containerConfiguration"`
		} `json:"agentRuntimeArtifact"`
		CreatedAt     string `json:"createdAt"`
		LastUpdatedAt string `json:"lastUpdatedAt"`
	}
	var support, research runtime
	c.call("bedrock-agentcore", http.MethodGet, "/runtimes/support_runtime-Xk3Pq9LmZa/", "", &support)
	if support.RoleArn != prod.RoleARN("agentcore-runtime-support") || support.Workload == nil ||
		support.Workload.Arn != WorkloadIdentityARN("us-east-1", prod.ID, "support-runtime-identity") ||
		support.Authorizer == nil || len(support.Authorizer.JWT.AllowedClients) != 1 || !strings.HasPrefix(support.Authorizer.JWT.DiscoveryURL, "https://cognito-idp.") ||
		support.Network.Mode != "PUBLIC" || support.Protocol.Server != "HTTP" || !strings.Contains(support.Artifact.Container.URI, ".dkr.ecr.us-east-1.amazonaws.com/") ||
		!isoMicros.MatchString(support.CreatedAt) || !isoMicros.MatchString(support.LastUpdatedAt) {
		t.Errorf("support runtime %+v", support)
	}
	gw, _ := east.Gateway("support-tools-gw")
	if support.Env["GATEWAY_URL"] != GatewayURL("us-east-1", gw.ID) {
		t.Errorf("support runtime GATEWAY_URL %q, want the gateway's URL", support.Env["GATEWAY_URL"])
	}
	c.call("bedrock-agentcore", http.MethodGet, "/runtimes/research_runtime-b7Rt2WqX9e/", "", &research)
	rt, _ := east.Runtime("research_runtime")
	if research.Authorizer != nil || research.Protocol.Server != "MCP" || research.Env["OPENAI_API_KEY"] != rt.Environment["OPENAI_API_KEY"] {
		t.Errorf("research runtime: authorizer %v protocol %s; want no authorizer, MCP and its environment as AWS answers it", research.Authorizer, research.Protocol.Server)
	}
	if w := c.do("bedrock-agentcore", http.MethodGet, "/runtimes/research_runtime-b7Rt2WqX9e/", ""); strings.Contains(w.Body.String(), "authorizerConfiguration") {
		t.Error("a runtime without an authorizer answers authorizerConfiguration")
	}

	var v2 runtime
	c.call("bedrock-agentcore", http.MethodGet, "/runtimes/support_runtime-Xk3Pq9LmZa/?version=2", "", &v2)
	if v2.Version != "2" {
		t.Errorf("version 2 answered as %s", v2.Version)
	}
	for _, tc := range []struct{ path, code string }{
		{"/runtimes/support_runtime-Xk3Pq9LmZa/?version=9", "ResourceNotFoundException"},
		{"/runtimes/nope-0000000000/", "ResourceNotFoundException"},
		{"/runtimes/support_runtime-Xk3Pq9LmZa/?qualifier=1", "ValidationException"},
	} {
		if got := decodeRESTError(t, c.do("bedrock-agentcore", http.MethodGet, tc.path, "")); got.code != tc.code {
			t.Errorf("%s: %+v, want %s", tc.path, got, tc.code)
		}
	}
	if got := decodeRESTError(t, c.do("bedrock-agentcore", http.MethodPost, "/runtimes/", `{"maxResults": 1}`)); got.code != "ValidationException" || !strings.Contains(got.message, "maxResults") {
		t.Errorf("paging in the body of ListAgentRuntimes: %+v, want a ValidationException (it goes in the query string)", got)
	}
}

func TestAgentCoreGateways(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	gw, _ := east.Gateway("support-tools-gw")
	srv := NewServer(e, Options{PageSize: 2})
	c := newRESTClient(t, srv, prod, "us-east-1")

	var list struct {
		Items []struct {
			GatewayID      string `json:"gatewayId"`
			Name           string `json:"name"`
			AuthorizerType string `json:"authorizerType"`
			ProtocolType   string `json:"protocolType"`
			CreatedAt      string `json:"createdAt"`
		} `json:"items"`
	}
	c.call("bedrock-agentcore", http.MethodGet, "/gateways/?maxResults=10", "", &list)
	// The region's gateways: the support tools' and the billing tools'.
	found := -1
	for i, it := range list.Items {
		if it.GatewayID == gw.ID {
			found = i
		}
	}
	if len(list.Items) != len(east.AgentCore.Gateways) || len(list.Items) != 2 || found < 0 ||
		list.Items[found].AuthorizerType != "CUSTOM_JWT" || list.Items[found].ProtocolType != "MCP" || !isoMicros.MatchString(list.Items[found].CreatedAt) {
		t.Errorf("ListGateways %+v", list)
	}
	type gateway struct {
		GatewayArn string `json:"gatewayArn"`
		GatewayURL string `json:"gatewayUrl"`
		RoleArn    string `json:"roleArn"`
		Authorizer *struct {
			JWT map[string]any `json:"customJWTAuthorizer"`
		} `json:"authorizerConfiguration"`
	}
	arn := GatewayARN("us-east-1", prod.ID, gw.ID)
	for _, ident := range []string{gw.ID, url.PathEscape(arn), percentEncode(arn, false)} {
		var g gateway
		c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+ident+"/", "", &g)
		if g.GatewayArn != GatewayARN("us-east-1", prod.ID, gw.ID) || g.GatewayURL != "https://support-tools-gw-k3m9x2p7qa.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp" ||
			g.RoleArn != prod.RoleARN("agentcore-gateway-tools") || g.Authorizer == nil || g.Authorizer.JWT["discoveryUrl"] == nil {
			t.Errorf("GetGateway %s: %+v", ident, g)
		}
	}

	var targets struct {
		Items []struct {
			TargetID   string `json:"targetId"`
			Name       string `json:"name"`
			Status     string `json:"status"`
			TargetType string `json:"targetType"`
		} `json:"items"`
		NextToken string `json:"nextToken"`
	}
	c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+gw.ID+"/targets/", "", &targets)
	if len(targets.Items) != 2 || targets.NextToken == "" || targets.Items[0].TargetType != "LAMBDA" || targets.Items[1].TargetType != "OPEN_API_SCHEMA" {
		t.Errorf("first page of targets %+v", targets)
	}
	c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+gw.ID+"/targets/?"+url.Values{"nextToken": {targets.NextToken}}.Encode(), "", &targets)
	if len(targets.Items) != 1 || targets.Items[0].Name != "github-mcp" || targets.Items[0].TargetType != "MCP_SERVER" {
		t.Errorf("second page of targets %+v", targets)
	}

	// The unions, as the SDK encodes them: one member set.
	cases := []struct {
		id, config, credType, credential string
	}{
		{"TGTLMB4K2Q", `{"mcp":{"lambda":{"lambdaArn":"arn:aws:lambda:us-east-1:111111111111:function:support-ticket-tools","toolSchema":{"inlinePayload":[{"name":"ticket_lambda","description":"Calls the ticket-lambda function","inputSchema":{"type":"object"}}]}}}}`,
			"GATEWAY_IAM_ROLE", `null`},
		{"TGTCRM7X3Z", ``, "API_KEY",
			`{"apiKeyCredentialProvider":{"providerArn":"arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/apikeycredentialprovider/crm-api-key","credentialParameterName":"x-api-key","credentialLocation":"HEADER"}}`},
		{"TGTGHB9W5N", `{"mcp":{"mcpServer":{"endpoint":"https://api.githubcopilot.com/mcp/"}}}`, "OAUTH",
			`{"oauthCredentialProvider":{"providerArn":"arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/oauth2credentialprovider/github-oauth","scopes":["repo","read:org"]}}`},
	}
	for _, tc := range cases {
		var out struct {
			GatewayArn string          `json:"gatewayArn"`
			TargetID   string          `json:"targetId"`
			Config     json.RawMessage `json:"targetConfiguration"`
			Creds      []struct {
				Type     string          `json:"credentialProviderType"`
				Provider json.RawMessage `json:"credentialProvider"`
			} `json:"credentialProviderConfigurations"`
		}
		c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+gw.ID+"/targets/"+tc.id+"/", "", &out)
		if out.TargetID != tc.id || out.GatewayArn != GatewayARN("us-east-1", prod.ID, gw.ID) || len(out.Creds) != 1 || out.Creds[0].Type != tc.credType {
			t.Errorf("target %s: %+v", tc.id, out)
			continue
		}
		if tc.config != "" && string(out.Config) != tc.config {
			t.Errorf("target %s configuration\n got %s\nwant %s", tc.id, out.Config, tc.config)
		}
		if got := string(out.Creds[0].Provider); got != tc.credential && !(tc.credential == "null" && got == "") {
			t.Errorf("target %s credential provider\n got %s\nwant %s", tc.id, got, tc.credential)
		}
	}
	var openapi struct {
		Config struct {
			MCP struct {
				OpenAPI struct {
					Inline string `json:"inlinePayload"`
				} `json:"openApiSchema"`
			} `json:"mcp"`
		} `json:"targetConfiguration"`
	}
	c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+gw.ID+"/targets/TGTCRM7X3Z/", "", &openapi)
	if !json.Valid([]byte(openapi.Config.MCP.OpenAPI.Inline)) || !strings.Contains(openapi.Config.MCP.OpenAPI.Inline, `"openapi"`) {
		t.Errorf("OpenAPI inline payload %q is not an OpenAPI document", openapi.Config.MCP.OpenAPI.Inline)
	}

	for _, path := range []string{"/gateways/nope-0000000000/", "/gateways/" + gw.ID + "/targets/NOSUCHTGT0/", "/gateways/nope-0000000000/targets/"} {
		if got := decodeRESTError(t, c.do("bedrock-agentcore", http.MethodGet, path, "")); got.status != 404 || got.code != "ResourceNotFoundException" {
			t.Errorf("%s: %+v", path, got)
		}
	}

	// The dev gateway has no inbound authorizer.
	dev, _ := e.Account("222222222222")
	var devGW map[string]any
	newRESTClient(t, srv, dev, "us-east-1").call("bedrock-agentcore", http.MethodGet, "/gateways/dev-tools-gw-p2x8m4k7wq/", "", &devGW)
	if devGW["authorizerType"] != "NONE" || devGW["authorizerConfiguration"] != nil {
		t.Errorf("dev gateway %v", devGW)
	}
}

func TestAgentCoreIdentity(t *testing.T) {
	e := mustDemo(t)
	prod, east := prodRegion(t, e, "us-east-1")
	srv := NewServer(e, Options{PageSize: 1})
	c := newRESTClient(t, srv, prod, "us-east-1")
	secrets := e.Canaries()

	post := func(op, body string) map[string]any {
		t.Helper()
		w := c.do("bedrock-agentcore", http.MethodPost, "/identities/"+op, body)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", op, w.Code, w.Body)
		}
		for _, s := range secrets {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s answers a secret", op)
			}
		}
		return decodeNumbers(t, w.Body.Bytes())
	}
	isEpoch := func(v any) bool {
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		i, err := n.Int64()
		return err == nil && i > 1_600_000_000 && i < 1_900_000_000
	}

	// Workload identities, paged one at a time.
	page1 := post("ListWorkloadIdentities", `{"maxResults": 1}`)
	items := page1["workloadIdentities"].([]any)
	first := items[0].(map[string]any)
	if len(items) != 1 || first["name"] != "support-runtime-identity" || first["workloadIdentityArn"] != WorkloadIdentityARN("us-east-1", prod.ID, "support-runtime-identity") || page1["nextToken"] == nil {
		t.Errorf("ListWorkloadIdentities page 1: %v", page1)
	}
	page2 := post("ListWorkloadIdentities", `{"nextToken": "`+page1["nextToken"].(string)+`"}`)
	if items := page2["workloadIdentities"].([]any); len(items) != 1 || items[0].(map[string]any)["name"] != "research-runtime-identity" || page2["nextToken"] != nil {
		t.Errorf("ListWorkloadIdentities page 2: %v", page2)
	}
	wi := post("GetWorkloadIdentity", `{"name": "support-runtime-identity"}`)
	if !isEpoch(wi["createdTime"]) || !isEpoch(wi["lastUpdatedTime"]) || len(wi["allowedResourceOauth2ReturnUrls"].([]any)) != 1 {
		t.Errorf("GetWorkloadIdentity %v: want epoch-second numbers", wi)
	}

	keys := post("ListApiKeyCredentialProviders", `{}`)
	kp := keys["credentialProviders"].([]any)[0].(map[string]any)
	if kp["name"] != "crm-api-key" || kp["credentialProviderArn"] != APIKeyProviderARN("us-east-1", prod.ID, "crm-api-key") || !isEpoch(kp["createdTime"]) || !isEpoch(kp["lastUpdatedTime"]) {
		t.Errorf("ListApiKeyCredentialProviders %v", keys)
	}
	key := post("GetApiKeyCredentialProvider", `{"name": "crm-api-key"}`)
	secretARN := key["apiKeySecretArn"].(map[string]any)["secretArn"].(string)
	if secretARN != APIKeySecretARN("us-east-1", prod.ID, "crm-api-key") ||
		!regexpMatch(`^arn:aws:secretsmanager:us-east-1:111111111111:secret:bedrock-agentcore-identity!default/apikey/crm-api-key-[a-zA-Z0-9]{6}$`, secretARN) ||
		!isEpoch(key["createdTime"]) || key["lastUpdatedTime"].(json.Number) == key["createdTime"].(json.Number) {
		t.Errorf("GetApiKeyCredentialProvider %v", key)
	}

	oauths := post("ListOauth2CredentialProviders", `{"maxResults": 20}`)
	op := oauths["credentialProviders"].([]any)[0].(map[string]any)
	if op["name"] != "github-oauth" || op["credentialProviderVendor"] != "GithubOauth2" || op["credentialProviderArn"] != OAuth2ProviderARN("us-east-1", prod.ID, "github-oauth") || !isEpoch(op["createdTime"]) {
		t.Errorf("ListOauth2CredentialProviders %v", oauths)
	}
	oauth := post("GetOauth2CredentialProvider", `{"name": "github-oauth"}`)
	cfg := oauth["oauth2ProviderConfigOutput"].(map[string]any)
	gh, ok := cfg["githubOauth2ProviderConfig"].(map[string]any)
	p := east.AgentCore.OAuth2Providers[0]
	if len(cfg) != 1 || !ok || gh["clientId"] != p.ClientID || gh["oauthDiscovery"] == nil ||
		oauth["clientSecretArn"].(map[string]any)["secretArn"] != OAuth2SecretARN("us-east-1", prod.ID, "github-oauth") || !isEpoch(oauth["lastUpdatedTime"]) {
		t.Errorf("GetOauth2CredentialProvider %v", oauth)
	}

	for _, tc := range []struct{ op, body, code string }{
		{"GetApiKeyCredentialProvider", `{"name": "nope"}`, "ResourceNotFoundException"},
		{"GetOauth2CredentialProvider", `{"name": "nope"}`, "ResourceNotFoundException"},
		{"GetWorkloadIdentity", `{"name": "nope"}`, "ResourceNotFoundException"},
		{"GetWorkloadIdentity", `{}`, "ValidationException"},
		{"GetWorkloadIdentity", `{"name": "support-runtime-identity", "extra": true}`, "ValidationException"},
		{"ListApiKeyCredentialProviders", `{"maxResults": 21}`, "ValidationException"},
		{"ListOauth2CredentialProviders", `{"nextToken": "garbage"}`, "ValidationException"},
	} {
		if got := decodeRESTError(t, c.do("bedrock-agentcore", http.MethodPost, "/identities/"+tc.op, tc.body)); got.code != tc.code {
			t.Errorf("%s %s: %+v, want %s", tc.op, tc.body, got, tc.code)
		}
	}
	st := srv.Stats()
	for _, k := range []string{"aws/bedrock-agentcore-control:ListWorkloadIdentities", "aws/bedrock-agentcore-control:GetApiKeyCredentialProvider", "aws/bedrock-agentcore-control:GetOauth2CredentialProvider"} {
		if st.Calls[k] == 0 {
			t.Errorf("no count for %s in %v", k, st.Calls)
		}
	}
}

func regexpMatch(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}
