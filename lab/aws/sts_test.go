package aws

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func stsForm(action string, kv ...string) url.Values {
	f := url.Values{"Action": {action}, "Version": {stsVersion}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

type assumeRoleResponse struct {
	Result struct {
		Credentials struct {
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
		AssumedRoleUser struct {
			AssumedRoleId, Arn string
		}
		PackedPolicySize int
		SourceIdentity   string
	} `xml:"AssumeRoleResult"`
}

// queryAs sends a query-protocol request signed with cred.
func queryAs(t *testing.T, srv http.Handler, cred credentials, service string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, newSignedQuery(cred, service, form))
	return w
}

// assume calls AssumeRole as cred and returns the session credentials.
func assume(t *testing.T, srv http.Handler, cred credentials, kv ...string) (assumeRoleResponse, credentials) {
	t.Helper()
	w := queryAs(t, srv, cred, stsService, stsForm("AssumeRole", kv...))
	if w.Code != http.StatusOK {
		t.Fatalf("AssumeRole %v: %d %s", kv, w.Code, w.Body)
	}
	var out assumeRoleResponse
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	c := out.Result.Credentials
	return out, credentials{akid: c.AccessKeyId, secret: c.SecretAccessKey, token: c.SessionToken}
}

func TestAssumeRoleCrossAccount(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	dev, _ := e.Account("222222222222")
	clk := &clock{now: signedAt}
	srv := NewServer(e, Options{Now: clk.Now})
	roleARN := dev.RoleARN("aam-read")

	out, sess := assume(t, srv, scannerCredentials(prod),
		"RoleArn", roleARN, "RoleSessionName", "aam-scan", "ExternalId", "aam-demo", "DurationSeconds", "900")
	r := out.Result
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(sess.akid) || len(sess.secret) != 40 || len(sess.token) < 100 {
		t.Errorf("credentials: key %s, secret of %d characters, token of %d", sess.akid, len(sess.secret), len(sess.token))
	}
	if r.Credentials.Expiration != signedAt.Add(900*time.Second).Format(isoTime) {
		t.Errorf("Expiration %s, want 900 s after %s", r.Credentials.Expiration, signedAt)
	}
	if r.AssumedRoleUser.Arn != "arn:aws:sts::222222222222:assumed-role/aam-read/aam-scan" || r.AssumedRoleUser.AssumedRoleId != dev.RoleID("aam-read")+":aam-scan" {
		t.Errorf("AssumedRoleUser %+v", r.AssumedRoleUser)
	}

	// The session acts in the dev account.
	var who callerIdentity
	if w := queryAs(t, srv, sess, stsService, stsForm("GetCallerIdentity")); w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &who) != nil {
		t.Fatalf("GetCallerIdentity with the session: %d %s", w.Code, w.Body)
	}
	if who.Result.Arn != r.AssumedRoleUser.Arn || who.Result.Account != dev.ID || who.Result.UserId != r.AssumedRoleUser.AssumedRoleId {
		t.Errorf("GetCallerIdentity %+v", who.Result)
	}
	if w := queryAs(t, srv, sess, iamService, iamForm("GetRole", "RoleName", "sandbox-admin")); w.Code != 200 {
		t.Errorf("GetRole of a dev role with the session: %d %s", w.Code, w.Body)
	}
	if w := queryAs(t, srv, sess, iamService, iamForm("GetRole", "RoleName", "break-glass-admin")); w.Code != 404 {
		t.Errorf("GetRole of a prod role with the dev session: %d, want 404", w.Code)
	}
	rc := restClient{t: t, srv: srv, cred: sess, region: "us-east-1"}
	agents, _ := listAllAgents(t, rc)
	if len(agents) != 1 || agents[0].AgentName != "dev-sandbox-agent" {
		t.Errorf("ListAgents with the session: %+v, want the dev agent", agents)
	}

	// The token must come with the key, and match.
	noToken := sess
	noToken.token = ""
	wrongToken := sess
	wrongToken.token = sess.token[:len(sess.token)-4] + "AAAA"
	for name, cred := range map[string]credentials{"no token": noToken, "wrong token": wrongToken} {
		w := queryAs(t, srv, cred, stsService, stsForm("GetCallerIdentity"))
		if e := decodeError(t, w); w.Code != 403 || e.Code != "InvalidClientTokenId" {
			t.Errorf("%s: %d %+v", name, w.Code, e)
		}
		rc := restClient{t: t, srv: srv, cred: cred, region: "us-east-1"}
		if got := decodeRESTError(t, rc.do("bedrock", "POST", "/agents/", "{}")); got.code != "UnrecognizedClientException" {
			t.Errorf("%s, rest-json: %+v", name, got)
		}
	}

	// A denied target account denies the session's calls.
	srv.Faults().SetTenantDenied(dev.ID, true)
	if got := decodeRESTError(t, rc.do("bedrock", "POST", "/agents/", "{}")); got.code != "AccessDeniedException" || !strings.Contains(got.message, r.AssumedRoleUser.Arn) {
		t.Errorf("denied account, session call: %+v", got)
	}
	srv.Faults().SetTenantDenied(dev.ID, false)

	// The session expires.
	clk.advance(899 * time.Second)
	if w := queryAs(t, srv, sess, stsService, stsForm("GetCallerIdentity")); w.Code != 200 {
		t.Errorf("a second before expiry: %d", w.Code)
	}
	clk.advance(time.Second)
	w := queryAs(t, srv, sess, stsService, stsForm("GetCallerIdentity"))
	if e := decodeError(t, w); w.Code != 403 || e.Code != "ExpiredToken" {
		t.Errorf("expired session: %d %+v", w.Code, e)
	}
	if got := decodeRESTError(t, rc.do("lambda", "GET", "/2015-03-31/functions/", "")); got.status != 403 || got.code != "ExpiredTokenException" {
		t.Errorf("expired session, rest-json: %+v", got)
	}
	if st := srv.Stats(); st.Calls["aws/sts:AssumeRole"] != 1 {
		t.Errorf("calls %v", st.Calls)
	}
}

func TestAssumeRoleTrust(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	dev, _ := e.Account("222222222222")
	cases := []struct {
		name   string
		caller Account
		kv     []string
		ok     bool
	}{
		{"external id matches", prod, []string{"RoleArn", dev.RoleARN("aam-read"), "ExternalId", "aam-demo"}, true},
		{"external id differs", prod, []string{"RoleArn", dev.RoleARN("aam-read"), "ExternalId", "guess"}, false},
		{"external id missing", prod, []string{"RoleArn", dev.RoleARN("aam-read")}, false},
		{"caller account not trusted", dev, []string{"RoleArn", dev.RoleARN("aam-read"), "ExternalId", "aam-demo"}, false},
		{"account root trusted, no condition", prod, []string{"RoleArn", dev.RoleARN("sandbox-admin")}, true},
		{"service principal only", dev, []string{"RoleArn", prod.RoleARN("bedrock-agent-admin")}, false},
		{"a role principal, not the caller", dev, []string{"RoleArn", prod.RoleARN("dev-deployer")}, false},
		{"MFA required, absent", prod, []string{"RoleArn", prod.RoleARN("break-glass-admin")}, false},
		{"MFA required, present", prod, []string{"RoleArn", prod.RoleARN("break-glass-admin"), "SerialNumber", "arn:aws:iam::111111111111:mfa/alice", "TokenCode", "123456"}, true},
		{"unknown role", prod, []string{"RoleArn", "arn:aws:iam::222222222222:role/ghost"}, false},
		{"unknown account", prod, []string{"RoleArn", "arn:aws:iam::999999999999:role/x"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(e, Options{})
			w := queryAs(t, srv, scannerCredentials(tc.caller), stsService, stsForm("AssumeRole", append([]string{"RoleSessionName", "s1"}, tc.kv...)...))
			if tc.ok {
				if w.Code != 200 {
					t.Errorf("refused: %d %s", w.Code, w.Body)
				}
				return
			}
			got := decodeError(t, w)
			want := "User: " + tc.caller.CallerARN() + " is not authorized to perform: sts:AssumeRole on resource: " + tc.kv[1]
			if w.Code != 403 || got.Code != "AccessDenied" || got.Message != want || got.Xmlns != stsNamespace {
				t.Errorf("got %d %+v, want AccessDenied %q", w.Code, got, want)
			}
			if st := srv.Stats(); st.Denied != 1 {
				t.Errorf("stats %+v, want one denied", st)
			}
		})
	}

	// The switches refuse what the trust policy allows.
	srv := NewServer(e, Options{DenyAssumeRole: []string{dev.RoleARN("sandbox-admin")}})
	if w := queryAs(t, srv, scannerCredentials(prod), stsService, stsForm("AssumeRole", "RoleArn", dev.RoleARN("sandbox-admin"), "RoleSessionName", "s1")); w.Code != 403 {
		t.Errorf("DenyAssumeRole: %d", w.Code)
	}
	srv.State().SetAssumeRoleDenied(dev.RoleARN("sandbox-admin"), false)
	if w := queryAs(t, srv, scannerCredentials(prod), stsService, stsForm("AssumeRole", "RoleArn", dev.RoleARN("sandbox-admin"), "RoleSessionName", "s1")); w.Code != 200 {
		t.Errorf("after SetAssumeRoleDenied false: %d", w.Code)
	}
	srv.Faults().SetTenantDenied(prod.ID, true)
	if w := queryAs(t, srv, scannerCredentials(prod), stsService, stsForm("AssumeRole", "RoleArn", dev.RoleARN("sandbox-admin"), "RoleSessionName", "s1")); w.Code != 403 {
		t.Errorf("AssumeRole by a denied account: %d", w.Code)
	}
}

func TestAssumeRoleParameters(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	dev, _ := e.Account("222222222222")
	role := dev.RoleARN("sandbox-admin")
	cases := []struct {
		name string
		kv   []string
		code string // "" for success
		msg  string
	}{
		{"session tags and policies", []string{"Tags.member.1.Key", "person", "Tags.member.1.Value", "alice", "Tags.member.2.Key", "agent", "Tags.member.2.Value", "support",
			"TransitiveTagKeys.member.1", "person", "PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess",
			"Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "SourceIdentity", "alice@acme.example"}, "", ""},
		{"shortest duration", []string{"DurationSeconds", "900"}, "", ""},
		{"longest duration", []string{"DurationSeconds", "43200"}, "", ""},
		{"duration too short", []string{"DurationSeconds", "899"}, "ValidationError", "greater than or equal to 900"},
		{"duration too long", []string{"DurationSeconds", "43201"}, "ValidationError", "less than or equal to 43200"},
		{"duration not a number", []string{"DurationSeconds", "1h"}, "ValidationError", "DurationSeconds"},
		{"unknown parameter", []string{"Lifetime", "900"}, "ValidationError", "Lifetime"},
		{"unknown tag field", []string{"Tags.member.1.Name", "x"}, "ValidationError", "Tags.member.1.Name"},
		{"transitive key without its tag", []string{"TransitiveTagKeys.member.1", "person"}, "ValidationError", "transitive tag key"},
		{"duplicate tag keys", []string{"Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"}, "ValidationError", "Duplicate tag keys"},
		{"policy not JSON", []string{"Policy", "allow all"}, "MalformedPolicyDocument", "JSON"},
		{"bad session name", []string{"RoleSessionName", "has space"}, "ValidationError", "roleSessionName"},
		{"serial without code", []string{"SerialNumber", "arn:aws:iam::111111111111:mfa/a"}, "ValidationError", "TokenCode"},
		{"not a role ARN", []string{"RoleArn", "arn:aws:iam::222222222222:user/bob"}, "ValidationError", "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := stsForm("AssumeRole", "RoleArn", role, "RoleSessionName", "s1")
			for i := 0; i+1 < len(tc.kv); i += 2 {
				form.Set(tc.kv[i], tc.kv[i+1])
			}
			w := queryAs(t, NewServer(e, Options{}), scannerCredentials(prod), stsService, form)
			if tc.code == "" {
				var out assumeRoleResponse
				if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &out) != nil {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				if form.Has("Policy") && (out.Result.PackedPolicySize < 1 || out.Result.SourceIdentity != "alice@acme.example") {
					t.Errorf("PackedPolicySize %d SourceIdentity %q", out.Result.PackedPolicySize, out.Result.SourceIdentity)
				}
				return
			}
			got := decodeError(t, w)
			if w.Code != 400 || got.Code != tc.code || !strings.Contains(got.Message, tc.msg) {
				t.Errorf("got %d %+v, want %s containing %q", w.Code, got, tc.code, tc.msg)
			}
		})
	}
}

// TestAssumeRoleChain checks a session may assume a role whose trust
// policy names the role the session assumed.
func TestAssumeRoleChain(t *testing.T) {
	e, err := ParseEstate([]byte(`accounts:
  - id: "111111111111"
    access_key_id: AKIAAAAAAAAAAAAAAAAA
    secret_access_key: CANARY-aam-chainSECRETvalue00000000
    roles:
      - name: hop
        path: /ops/
        created: 2025-01-01T00:00:00Z
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: "sts:AssumeRole"}]}
  - id: "222222222222"
    access_key_id: AKIABBBBBBBBBBBBBBBB
    secret_access_key: CANARY-aam-chainSECRETvalue11111111
    roles:
      - name: target
        created: 2025-01-01T00:00:00Z
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/ops/hop"}, Action: ["sts:AssumeRole", "sts:TagSession"]}]}
      - name: deny-hop
        created: 2025-01-01T00:00:00Z
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "sts:*"}, {Effect: Deny, Principal: {AWS: "arn:aws:iam::111111111111:role/ops/hop"}, Action: "sts:AssumeRole"}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(e, Options{})
	first := e.Accounts[0]
	_, hop := assume(t, srv, scannerCredentials(first), "RoleArn", first.RoleARN("hop"), "RoleSessionName", "one")
	out, _ := assume(t, srv, hop, "RoleArn", e.Accounts[1].RoleARN("target"), "RoleSessionName", "two")
	if out.Result.AssumedRoleUser.Arn != "arn:aws:sts::222222222222:assumed-role/target/two" {
		t.Errorf("chained session %+v", out.Result.AssumedRoleUser)
	}
	if w := queryAs(t, srv, scannerCredentials(first), stsService, stsForm("AssumeRole", "RoleArn", e.Accounts[1].RoleARN("target"), "RoleSessionName", "xx")); w.Code != 403 {
		t.Errorf("the scanner itself, not the hop role: %d", w.Code)
	}
	if w := queryAs(t, srv, hop, stsService, stsForm("AssumeRole", "RoleArn", e.Accounts[1].RoleARN("deny-hop"), "RoleSessionName", "xx")); w.Code != 403 {
		t.Errorf("an explicit Deny: %d", w.Code)
	}
	if w := queryAs(t, srv, scannerCredentials(first), stsService, stsForm("AssumeRole", "RoleArn", e.Accounts[1].RoleARN("deny-hop"), "RoleSessionName", "xx")); w.Code != 200 {
		t.Errorf("Principal * without the Deny: %d", w.Code)
	}
}

func TestTrustAllows(t *testing.T) {
	caller := trustCaller{account: "111111111111", arns: []string{"arn:aws:iam::111111111111:user/aam-scanner"}, principalARN: "arn:aws:iam::111111111111:user/aam-scanner"}
	cases := []struct {
		name, doc  string
		externalID string
		mfa, want  bool
	}{
		{"statement as an object", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}`, "", false, true},
		{"action wildcard", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":"sts:Assume*"}]}`, "", false, true},
		{"action case", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"STS:ASSUMEROLE"}]}`, "", false, true},
		{"other action", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, "", false, false},
		{"the caller's ARN", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/aam-scanner"},"Action":"sts:AssumeRole"}]}`, "", false, true},
		{"another user", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/other"},"Action":"sts:AssumeRole"}]}`, "", false, false},
		{"service principal", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, "", false, false},
		{"any principal", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}`, "", false, true},
		{"external id like", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"acme-*"}}}]}`, "acme-7", false, true},
		{"external id list", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a1","b2"]}}}]}`, "b2", false, true},
		{"unknown condition key", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, "", false, false},
		{"unknown condition under a Deny", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, "", false, false},
		{"principal account", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`, "", false, true},
		{"MFA bool", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}]}`, "", true, true},
		{"not JSON", `Allow`, "", false, false},
		{"no statement", `{}`, "", false, false},
	}
	for _, tc := range cases {
		if got := trustAllows(Document(tc.doc), caller, tc.externalID, tc.mfa); got != tc.want {
			t.Errorf("%s: trustAllows = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func FuzzTrustAllows(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`, "x")
	f.Add(`{"Statement":{"Effect":"Deny","Principal":"*","Action":["sts:*"]}}`, "")
	f.Fuzz(func(t *testing.T, doc, externalID string) {
		caller := trustCaller{account: "111111111111", arns: []string{"arn:aws:iam::111111111111:user/u"}, principalARN: "arn:aws:iam::111111111111:user/u"}
		_ = trustAllows(Document(doc), caller, externalID, false)
		_ = wildcardMatch(externalID, doc)
	})
}
