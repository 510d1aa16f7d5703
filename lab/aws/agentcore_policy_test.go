package aws

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const policyEstate = `
accounts:
  - id: "123456789012"
    access_key_id: AKIAIOSFODNN7EXAMPLE
    secret_access_key: lab-secret
    roles:
      - name: gw
        created: 2026-01-01T00:00:00Z
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: bedrock-agentcore.amazonaws.com}, Action: "sts:AssumeRole"}]}
    regions:
      - name: us-east-1
        agentcore:
          policy_engines:
            - {name: tools_policy, created: 2026-01-02T00:00:00Z}
            - {name: broken_policy, status: CREATE_FAILED, encryption_key_arn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555", created: 2026-01-03T00:00:00Z}
            - {id: third_policy-abcdefghij, name: third_policy, created: 2026-01-04T00:00:00Z}
          gateways:
            - {name: enforced, role: gw, policy_engine: {engine: tools_policy, mode: ENFORCE}, created: 2026-01-05T00:00:00Z}
            - {name: logged, role: gw, policy_engine: {engine: third_policy-abcdefghij, mode: LOG_ONLY}, created: 2026-01-05T00:00:00Z}
            - {name: unguarded, role: gw, created: 2026-01-05T00:00:00Z}
          runtimes:
            - name: forwards_user
              role: gw
              authorizer: {discovery_url: "https://idp.example.com/.well-known/openid-configuration", allowed_audience: [agents]}
              request_headers: [Authorization, X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant]
              created: 2026-01-05T00:00:00Z
            - {name: iam_only, role: gw, created: 2026-01-05T00:00:00Z}
`

func TestListPolicyEngineSummaries(t *testing.T) {
	e, err := ParseEstate([]byte(policyEstate))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[0]
	c := newRESTClient(t, NewServer(e, Options{PageSize: 2}), a, "us-east-1")
	type summary struct {
		CreatedAt, EncryptionKeyArn, Name, PolicyEngineArn, PolicyEngineID, Status, UpdatedAt string
	}
	var got []summary
	token, pages := "", 0
	for {
		q := ""
		if token != "" {
			q = "?" + url.Values{"nextToken": {token}}.Encode()
		}
		var out struct {
			NextToken     string `json:"nextToken"`
			PolicyEngines []struct {
				CreatedAt        string `json:"createdAt"`
				EncryptionKeyArn string `json:"encryptionKeyArn"`
				Name             string `json:"name"`
				PolicyEngineArn  string `json:"policyEngineArn"`
				PolicyEngineID   string `json:"policyEngineId"`
				Status           string `json:"status"`
				UpdatedAt        string `json:"updatedAt"`
			} `json:"policyEngines"`
		}
		c.call("bedrock-agentcore", http.MethodGet, "/policy-engine-summaries"+q, "", &out)
		pages++
		for _, p := range out.PolicyEngines {
			got = append(got, summary(p))
		}
		if out.NextToken == "" {
			break
		}
		token = out.NextToken
	}
	if pages != 2 || len(got) != 3 {
		t.Fatalf("%d engines in %d pages, want 3 in 2", len(got), pages)
	}
	id := DefaultPolicyEngineID(a.ID, "us-east-1", "tools_policy")
	if !policyEngineIDPattern.MatchString(id) {
		t.Errorf("default id %q has not the API's pattern", id)
	}
	if p := got[0]; p.PolicyEngineID != id || p.PolicyEngineArn != "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/"+id ||
		p.Status != "ACTIVE" || p.Name != "tools_policy" || p.EncryptionKeyArn != "" || !isoMicros.MatchString(p.CreatedAt) || p.UpdatedAt != p.CreatedAt {
		t.Errorf("first engine %+v", p)
	}
	if p := got[1]; p.Status != "CREATE_FAILED" || !strings.HasPrefix(p.EncryptionKeyArn, "arn:aws:kms:") {
		t.Errorf("second engine %+v", p)
	}
	if got[2].PolicyEngineID != "third_policy-abcdefghij" {
		t.Errorf("third engine %+v", got[2])
	}
	// The summaries never carry what only the customer's key decrypts.
	w := c.do("bedrock-agentcore", http.MethodGet, "/policy-engine-summaries", "")
	if body := w.Body.String(); strings.Contains(body, "description") || strings.Contains(body, "statusReasons") {
		t.Errorf("summaries carry encrypted fields: %s", body)
	}
	for _, bad := range []string{"?maxResults=0", "?maxResults=101", "?nextToken=forged", "?policyEngineId=x"} {
		w := c.do("bedrock-agentcore", http.MethodGet, "/policy-engine-summaries"+bad, "")
		if got := decodeRESTError(t, w); w.Code != http.StatusBadRequest || got.code != "ValidationException" {
			t.Errorf("%s: %d %+v, want ValidationException", bad, w.Code, got)
		}
	}
}

// A gateway names its policy engine and mode, or none; a runtime its
// request header allow-list, or none.
func TestGatewayPolicyEngineAndRuntimeHeaders(t *testing.T) {
	e, err := ParseEstate([]byte(policyEstate))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[0]
	r, _ := a.Region("us-east-1")
	c := newRESTClient(t, NewServer(e, Options{}), a, "us-east-1")
	tests := []struct {
		gateway, arn, mode string
	}{
		{"enforced", PolicyEngineARN("us-east-1", a.ID, DefaultPolicyEngineID(a.ID, "us-east-1", "tools_policy")), "ENFORCE"},
		{"logged", PolicyEngineARN("us-east-1", a.ID, "third_policy-abcdefghij"), "LOG_ONLY"},
		{"unguarded", "", ""},
	}
	for _, tt := range tests {
		g, _ := r.Gateway(tt.gateway)
		var out struct {
			PolicyEngine *struct {
				Arn  string `json:"arn"`
				Mode string `json:"mode"`
			} `json:"policyEngineConfiguration"`
		}
		c.call("bedrock-agentcore", http.MethodGet, "/gateways/"+g.ID+"/", "", &out)
		switch {
		case tt.arn == "" && out.PolicyEngine != nil:
			t.Errorf("%s: policy engine %+v, want none", tt.gateway, *out.PolicyEngine)
		case tt.arn != "" && (out.PolicyEngine == nil || out.PolicyEngine.Arn != tt.arn || out.PolicyEngine.Mode != tt.mode):
			t.Errorf("%s: policy engine %+v, want %s in %s", tt.gateway, out.PolicyEngine, tt.arn, tt.mode)
		}
	}
	for name, want := range map[string]string{"forwards_user": "Authorization,X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant", "iam_only": ""} {
		rt, _ := r.Runtime(name)
		var out struct {
			Headers *struct {
				Allowlist []string `json:"requestHeaderAllowlist"`
			} `json:"requestHeaderConfiguration"`
		}
		c.call("bedrock-agentcore", http.MethodGet, "/runtimes/"+rt.ID+"/", "", &out)
		got := ""
		if out.Headers != nil {
			got = strings.Join(out.Headers.Allowlist, ",")
		}
		if got != want {
			t.Errorf("%s: request headers %q, want %q", name, got, want)
		}
	}
}

func TestPolicyEngineValidation(t *testing.T) {
	head := `
accounts:
  - id: "123456789012"
    access_key_id: AKIAIOSFODNN7EXAMPLE
    secret_access_key: lab-secret
    roles:
      - name: gw
        created: 2026-01-01T00:00:00Z
        trust_policy: {Version: "2012-10-17", Statement: []}
    regions:
      - name: us-east-1
        agentcore:
`
	tests := []struct{ body, want string }{
		{"          policy_engines: [{name: has-hyphens, created: 2026-01-02T00:00:00Z}]", "is not a valid policy engine name"},
		{"          policy_engines: [{name: p, status: BROKEN, created: 2026-01-02T00:00:00Z}]", `status "BROKEN" is not known`},
		{"          policy_engines: [{name: p, id: p-SHOUTING12, created: 2026-01-02T00:00:00Z}]", "is not the name, a hyphen and 10 lower-case"},
		{"          gateways: [{name: g, role: gw, policy_engine: {engine: missing, mode: ENFORCE}, created: 2026-01-02T00:00:00Z}]", `policy engine "missing" does not exist`},
		{"          policy_engines: [{name: p, created: 2026-01-02T00:00:00Z}]\n          gateways: [{name: g, role: gw, policy_engine: {engine: p, mode: AUDIT}, created: 2026-01-02T00:00:00Z}]", `policy_engine.mode "AUDIT" is not known`},
		{"          runtimes: [{name: r, role: gw, request_headers: [Authorization], created: 2026-01-02T00:00:00Z}]", "only with a JWT authorizer"},
		{"          runtimes: [{name: r, role: gw, request_headers: [X-A, x-a], created: 2026-01-02T00:00:00Z}]", "is allowed twice"},
	}
	for _, tt := range tests {
		_, err := ParseEstate([]byte(head + tt.body + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\nerror %v, want one saying %q", tt.body, err, tt.want)
		}
	}
}
