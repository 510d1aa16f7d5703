package aws

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validAccount is a minimal valid account; cases append entities to it.
const validAccount = `
  - id: "123456789012"
    alias: test-acct
    access_key_id: AKIAAAAAAAAAAAAAAAAA
    secret_access_key: CANARY-aam-scannerSECRETvalue000000`

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// parseErrorCase is an estate ParseEstate must refuse, and what its error
// says.
type parseErrorCase struct {
	name string
	yaml string
	want []string // substrings of the error
}

// checkParseErrors checks that each estate is refused with an error that
// holds every want and quotes no secret.
func checkParseErrors(t *testing.T, cases []parseErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEstate([]byte(tc.yaml))
			if err == nil {
				t.Fatal("ParseEstate accepted the estate, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "CANARY") || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes a secret: %q", err)
			}
		})
	}
}

func TestParseEstateErrors(t *testing.T) {
	checkParseErrors(t, []parseErrorCase{
		{"empty file", ``, []string{"estate is empty"}},
		{"no accounts", `accounts: []`, []string{"has no accounts"}},
		{"unknown field", "accounts:" + validAccount + "\n    colour: blue", []string{"field colour not found", "remove the field"}},
		{"two documents", "accounts:" + validAccount + "\n---\naccounts: []", []string{"more than one YAML document"}},
		{"short account id", `accounts:
  - id: "12345"
    access_key_id: AKIAAAAAAAAAAAAAAAAA
    secret_access_key: x`, []string{"account 12345", "not a 12-digit account id"}},
		{"duplicate account id", "accounts:" + validAccount + `
  - id: "123456789012"
    access_key_id: AKIABBBBBBBBBBBBBBBB
    secret_access_key: x`, []string{"account 123456789012", "used by another account"}},
		{"missing scanner credentials", `accounts:
  - id: "123456789012"`, []string{"access_key_id is empty", "secret_access_key is empty"}},
		{"bad alias", `accounts:
  - id: "123456789012"
    alias: Prod_Account
    access_key_id: AKIAAAAAAAAAAAAAAAAA
    secret_access_key: x`, []string{`alias "Prod_Account"`, "lower-case"}},
		{"principal of another account", "accounts:" + validAccount + `
    principal: arn:aws:iam::999999999999:user/x`, []string{"principal", "not an IAM or STS ARN of this account"}},
		{"access key id reused across accounts", "accounts:" + validAccount + `
  - id: "210987654321"
    access_key_id: AKIABBBBBBBBBBBBBBBB
    secret_access_key: x
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - id: AKIAAAAAAAAAAAAAAAAA
            created: 2025-01-01T00:00:00Z`, []string{"account 210987654321", "user u", "AKIAAAAAAAAAAAAAAAAA is also used by account 123456789012", "unique across the whole estate"}},
		{"unknown key status", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - id: AKIACCCCCCCCCCCCCCCC
            status: active
            created: 2025-01-01T00:00:00Z`, []string{"user u: access key AKIACCCCCCCCCCCCCCCC", `status "active" is not known`, "use Active or Inactive"}},
		{"malformed key id", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - id: AKIA-SHORT
            created: 2025-01-01T00:00:00Z`, []string{"not a valid key id"}},
		{"three keys", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - {id: AKIACCCCCCCCCCCCCCC1, created: 2025-01-01T00:00:00Z}
          - {id: AKIACCCCCCCCCCCCCCC2, created: 2025-01-01T00:00:00Z}
          - {id: AKIACCCCCCCCCCCCCCC3, created: 2025-01-01T00:00:00Z}`, []string{"has 3 access keys", "at most two"}},
		{"key used before created", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - id: AKIACCCCCCCCCCCCCCC1
            created: 2025-01-01T00:00:00Z
            last_used: {date: 2024-01-01T00:00:00Z, service: s3, region: us-east-1}`, []string{"last_used.date is before created"}},
		{"unknown AWS-managed policy", "accounts:" + validAccount + `
    roles:
      - name: r
        created: 2025-01-01T00:00:00Z
        trust_policy: '` + trust + `'
        managed_policies: [arn:aws:iam::aws:policy/AdminAccess]`, []string{"role r", "arn:aws:iam::aws:policy/AdminAccess does not exist", "AdministratorAccess"}},
		{"customer policy not in account", "accounts:" + validAccount + `
    roles:
      - name: r
        created: 2025-01-01T00:00:00Z
        trust_policy: '` + trust + `'
        managed_policies: [arn:aws:iam::123456789012:policy/missing]`, []string{"role r", "policy/missing does not exist", "this account's policies"}},
		{"policy of another account", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        managed_policies: [arn:aws:iam::999999999999:policy/theirs]`, []string{"user u", "belongs to account 999999999999"}},
		{"unknown permissions boundary", "accounts:" + validAccount + `
    roles:
      - name: r
        created: 2025-01-01T00:00:00Z
        trust_policy: '` + trust + `'
        permissions_boundary: arn:aws:iam::123456789012:policy/nope`, []string{"role r: permissions_boundary", "does not exist"}},
		{"unknown group", "accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        groups: [admins]`, []string{"user u", `group "admins" does not exist`}},
		{"duplicate role name ignoring case", "accounts:" + validAccount + `
    roles:
      - {name: Deploy, created: 2025-01-01T00:00:00Z, trust_policy: '` + trust + `'}
      - {name: deploy, created: 2025-01-01T00:00:00Z, trust_policy: '` + trust + `'}`, []string{"role deploy", "same name"}},
		{"bad path", "accounts:" + validAccount + `
    roles:
      - {name: r, path: service-role, created: 2025-01-01T00:00:00Z, trust_policy: '` + trust + `'}`, []string{"role r", `path "service-role"`}},
		{"missing created", "accounts:" + validAccount + `
    groups:
      - name: g`, []string{"group g", "created is not set"}},
		{"missing trust policy", "accounts:" + validAccount + `
    roles:
      - {name: r, created: 2025-01-01T00:00:00Z}`, []string{"role r: trust_policy", "is empty"}},
		{"document not JSON", "accounts:" + validAccount + `
    policies:
      - name: p
        created: 2025-01-01T00:00:00Z
        document: 'Allow everything'`, []string{"policy p: document", "not a JSON object"}},
		{"document as a list", "accounts:" + validAccount + `
    policies:
      - name: p
        created: 2025-01-01T00:00:00Z
        document: [1, 2]`, []string{"policy document is a JSON string or a YAML mapping"}},
		{"misplaced secret is not echoed", "accounts:" + validAccount + `
    users:
      - name: u
        created: CANARY-aam-misplacedSECRET0000000`, []string{"line 8", "a date is not valid"}},
		{"misplaced secret in a typed field", "accounts:" + validAccount + `
    roles: CANARY-aam-misplacedSECRET0000000`, []string{"value hidden"}},
	})
}

func TestParseEstateDefaults(t *testing.T) {
	e, err := ParseEstate([]byte("accounts:" + validAccount + `
    users:
      - name: u
        created: 2025-01-01T00:00:00Z
        access_keys:
          - {id: AKIACCCCCCCCCCCCCCC1, created: 2025-01-01}
    roles:
      - {name: r, created: 2025-01-01T00:00:00Z, trust_policy: '` + trust + `'}`))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[0]
	if a.Principal != "arn:aws:iam::123456789012:user/aam-scanner" {
		t.Errorf("Principal = %q, want the default scanner user", a.Principal)
	}
	if a.Users[0].Path != "/" || a.Roles[0].Path != "/" {
		t.Errorf("paths %q, %q, want /", a.Users[0].Path, a.Roles[0].Path)
	}
	k := a.Users[0].AccessKeys[0]
	if k.Status != KeyActive || !k.Created.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("key status %q created %v, want Active, 2025-01-01", k.Status, k.Created)
	}
}

func TestParseEstateTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("accounts:")
	for i := range 40 {
		fmt.Fprintf(&b, "\n  - {id: \"%d\"}", i)
	}
	_, err := ParseEstate([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "more problems") {
		t.Fatalf("error %v, want the list cut with 'more problems'", err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != maxProblems+1 {
		t.Errorf("error has %d lines, want %d", n, maxProblems+1)
	}
}

func TestDocumentYAML(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"mapping keeps key order", `
Version: "2012-10-17"
Statement:
  - Effect: Allow
    Action: ["s3:Get*", "s3:List*"]
    Resource: "*"`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`},
		{"condition keys with colons", `
Condition:
  StringEquals: {"aws:SourceAccount": "111111111111"}
  Bool: {aws:MultiFactorAuthPresent: true}`, `{"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"Bool":{"aws:MultiFactorAuthPresent":true}}}`},
		{"numbers null and escapes", `{a: 1, b: 2.5, c: null, d: "q\"uote", e: "<&>"}`, `{"a":1,"b":2.5,"c":null,"d":"q\"uote","e":"\u003c\u0026\u003e"}`},
		{"anchors and aliases", `{x: &s {Effect: Deny}, y: *s}`, `{"x":{"Effect":"Deny"},"y":{"Effect":"Deny"}}`},
		{"JSON string kept as written", `'{"Version": "2012-10-17",  "Statement": []}'`, `{"Version": "2012-10-17",  "Statement": []}`},
		{"block scalar kept as written", "|\n  {\"Version\": \"2012-10-17\"}\n", "{\"Version\": \"2012-10-17\"}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var holder struct {
				D Document `yaml:"d"`
			}
			src := "d: " + strings.ReplaceAll(tc.yaml, "\n", "\n  ")
			if err := yamlUnmarshalStrict(src, &holder); err != nil {
				t.Fatal(err)
			}
			if string(holder.D) != tc.want {
				t.Errorf("got  %s\nwant %s", holder.D, tc.want)
			}
			if !json.Valid([]byte(holder.D)) {
				t.Errorf("not valid JSON: %s", holder.D)
			}
		})
	}
}

func TestDocumentURLEncoding(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`{"a": "b c"}`, "%7B%22a%22%3A%20%22b%20c%22%7D"},
		{`{"Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`, "%7B%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D"},
		{"{\n\"k\": \"a+b~_.-\"}", "%7B%0A%22k%22%3A%20%22a%2Bb~_.-%22%7D"},
	}
	for _, tc := range cases {
		got := Document(tc.doc).urlEncoded()
		if got != tc.want {
			t.Errorf("urlEncoded(%q)\n got %s\nwant %s", tc.doc, got, tc.want)
		}
		if strings.ContainsAny(got, " +") {
			t.Errorf("urlEncoded(%q) = %s: holds a space or a +", tc.doc, got)
		}
		// A client decodes with url.PathUnescape (botocore's unquote).
		if back, err := url.PathUnescape(got); err != nil || back != tc.doc {
			t.Errorf("PathUnescape(%s) = %q, %v; want %q", got, back, err, tc.doc)
		}
	}
}

func TestEstateFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/estates/*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("estate files %v, %v: want small.yaml and two-accounts.yaml", files, err)
	}
	for _, f := range files {
		e := mustEstate(t, f)
		if len(e.Accounts) == 0 {
			t.Errorf("%s: no accounts", f)
		}
	}
	if len(mustDemo(t).Accounts) == 0 {
		t.Error("the demo estate's aws section has no accounts")
	}
}

// labToday is the date the demo estate's mistakes are set against.
var labToday = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

func TestDemoEstateMistakes(t *testing.T) {
	e := mustDemo(t)
	if len(e.Accounts) != 2 {
		t.Fatalf("demo has %d accounts, want 2", len(e.Accounts))
	}
	var oldKeys, unusedKeys, twoKeyUsers []string
	var roles, users int
	secrets := map[string]bool{}
	for _, a := range e.Accounts {
		roles += len(a.Roles)
		users += len(a.Users)
		if !strings.HasPrefix(a.SecretAccessKey, "CANARY-") {
			t.Errorf("%v: scanner secret does not look like a canary", a)
		}
		secrets[a.SecretAccessKey] = true
		for _, u := range a.Users {
			active := 0
			for _, k := range u.AccessKeys {
				if !isRealisticKeyID(k.ID) {
					t.Errorf("user %s: key id %s is not AKIA + 16 upper-case letters and digits", u.Name, k.ID)
				}
				if !strings.HasPrefix(k.Secret.Reveal(), "CANARY-aam-") || len(k.Secret.Reveal()) != len("CANARY-aam-")+24 || secrets[k.Secret.Reveal()] {
					t.Errorf("user %s key %s: secret is not a distinct CANARY-aam- value of 24 characters", u.Name, k.ID)
				}
				secrets[k.Secret.Reveal()] = true
				if k.Status != KeyActive {
					continue
				}
				active++
				if labToday.Sub(k.Created) > 400*24*time.Hour && k.LastUsed != nil && labToday.Sub(k.LastUsed.Date) < 7*24*time.Hour {
					oldKeys = append(oldKeys, k.ID)
				}
				if k.LastUsed == nil {
					unusedKeys = append(unusedKeys, k.ID)
				}
			}
			if active == 2 {
				twoKeyUsers = append(twoKeyUsers, u.Name)
			}
		}
	}
	if len(oldKeys) == 0 || len(unusedKeys) == 0 || len(twoKeyUsers) == 0 {
		t.Errorf("old keys %v, unused keys %v, users with two active keys %v: want one of each", oldKeys, unusedKeys, twoKeyUsers)
	}
	if roles < 8 || roles > 40 || users < 5 {
		t.Errorf("%d roles, %d users: want 8 to 40 roles and at least 5 users", roles, users)
	}

	prod, _ := e.Account("111111111111")
	admin, ok := prod.Role("bedrock-agent-admin")
	if !ok || !strings.Contains(string(admin.TrustPolicy), "bedrock.amazonaws.com") ||
		strings.Contains(string(admin.TrustPolicy), "aws:SourceAccount") ||
		len(admin.ManagedPolicies) != 1 || admin.ManagedPolicies[0] != AWSManagedPolicyARN("AdministratorAccess") {
		t.Errorf("bedrock-agent-admin: want AdministratorAccess and a Bedrock trust without aws:SourceAccount, got %+v", admin)
	}
	scoped, _ := prod.Role("bedrock-agent-orders")
	for _, want := range []string{"bedrock.amazonaws.com", `"aws:SourceAccount":"111111111111"`, "aws:SourceArn"} {
		if !strings.Contains(string(scoped.TrustPolicy), want) {
			t.Errorf("bedrock-agent-orders trust lacks %s", want)
		}
	}
	all := func(pred func(string) bool) bool {
		for _, a := range e.Accounts {
			docs := []Document{}
			for _, r := range a.Roles {
				docs = append(docs, r.TrustPolicy)
				for _, p := range r.InlinePolicies {
					docs = append(docs, p.Document)
				}
			}
			for _, g := range a.Groups {
				for _, p := range g.InlinePolicies {
					docs = append(docs, p.Document)
				}
			}
			for _, p := range a.Policies {
				docs = append(docs, p.Document)
			}
			for _, d := range docs {
				if pred(string(d)) {
					return true
				}
			}
		}
		return false
	}
	for _, want := range []string{`"Federated":`, `"Effect":"Deny"`, `"NotAction"`, `"s3:Get*"`, `"iam:PassRole"`, `"AWS":"arn:aws:iam::999988887777:root"`, `"AWS":"arn:aws:iam::222222222222:role/ci-deployer"`} {
		if !all(func(d string) bool { return strings.Contains(strings.ReplaceAll(d, `": `, `":`), want) }) {
			t.Errorf("no document of the demo holds %s", want)
		}
	}
}

func isRealisticKeyID(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, "AKIA") {
		return false
	}
	for _, c := range id {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func TestAWSManagedCatalogue(t *testing.T) {
	names := AWSManagedPolicyNames()
	for _, want := range []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3ReadOnlyAccess", "AmazonBedrockFullAccess"} {
		p, ok := AWSManagedPolicy(want)
		if !ok {
			t.Errorf("catalogue lacks %s (has %v)", want, names)
			continue
		}
		if p.Path != "/" || AWSManagedPolicyARN(want) != "arn:aws:iam::aws:policy/"+want {
			t.Errorf("%s: path %q, ARN %s", want, p.Path, AWSManagedPolicyARN(want))
		}
	}
	for _, n := range names {
		p, _ := AWSManagedPolicy(n)
		if err := p.Document.check(); err != nil {
			t.Errorf("%s: document %v", n, err)
		}
	}
	admin, _ := AWSManagedPolicy("AdministratorAccess")
	var v any
	if err := json.Unmarshal([]byte(admin.Document), &v); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(v)
	want := `{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
	if string(compact) != want {
		t.Errorf("AdministratorAccess = %s, want %s", compact, want)
	}
	power, _ := AWSManagedPolicy("PowerUserAccess")
	for _, s := range []string{`"NotAction"`, `"iam:*"`, `"organizations:*"`, `"account:*"`, `"iam:CreateServiceLinkedRole"`, `"account:ListRegions"`} {
		if !strings.Contains(string(power.Document), s) {
			t.Errorf("PowerUserAccess lacks %s", s)
		}
	}
	if got := AWSManagedPolicyARN("AWSLambdaBasicExecutionRole"); got != "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" {
		t.Errorf("AWSLambdaBasicExecutionRole ARN = %s", got)
	}
}

func TestAccountHelpers(t *testing.T) {
	prod, _ := mustDemo(t).Account("111111111111")
	cases := []struct{ got, want string }{
		{prod.RoleARN("bedrock-agent-admin"), "arn:aws:iam::111111111111:role/service-role/bedrock-agent-admin"},
		{prod.RoleARN("partner-audit"), "arn:aws:iam::111111111111:role/partner-audit"},
		{prod.UserARN("ci-legacy-deployer"), "arn:aws:iam::111111111111:user/ci/ci-legacy-deployer"},
		{prod.GroupARN("ai-agents"), "arn:aws:iam::111111111111:group/agents/ai-agents"},
		{prod.PolicyARN("deploy-passrole"), "arn:aws:iam::111111111111:policy/ci/deploy-passrole"},
		{prod.CallerARN(), "arn:aws:iam::111111111111:user/aam-scanner"},
		{prod.ProfileName(), "acme-prod"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	for _, id := range []string{prod.RoleID("x"), prod.UserID("x"), prod.GroupID("x"), prod.PolicyID("x"), AWSManagedPolicyID("x")} {
		if len(id) != 21 || strings.ToUpper(id) != id {
			t.Errorf("id %s: want 21 upper-case characters", id)
		}
	}
	if prod.RoleID("Deploy") != prod.RoleID("deploy") || prod.RoleID("a") == prod.UserID("a") {
		t.Error("ids must ignore case and differ between kinds")
	}
}

func TestSecretsNotPrinted(t *testing.T) {
	e := mustDemo(t)
	scanner, users := estateSecrets(e)
	for _, a := range e.Accounts {
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				out := fmt.Sprintf("%v %+v %#v %s", k, k, k, k)
				for _, s := range users {
					if strings.Contains(out, s) {
						t.Errorf("printing %s shows its secret", k.ID)
					}
				}
			}
		}
		out := fmt.Sprintf("%v %+v %#v", a, a, a)
		for _, s := range append(scanner, users...) {
			if strings.Contains(out, s) {
				t.Errorf("printing %v shows a secret", a)
			}
		}
	}
}

func FuzzParseEstate(f *testing.F) {
	// Small seeds only: the fuzzer minimises every new input it finds, and
	// minimising one grown from the 20 kB demo takes minutes.
	for _, name := range []string{"small.yaml", "agents-3.yaml"} {
		if b, err := os.ReadFile("../../testdata/estates/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("accounts:" + validAccount))
	f.Add([]byte("accounts:" + regionAccount + "\n        bedrock_agents: [{name: a, role: exec, foundation_model: m, created: 2025-01-01, action_groups: [{name: g, return_control: true}]}]"))
	f.Add([]byte("accounts:\n  - id: '1'\n    roles: [{name: r, trust_policy: {a: &x [1, *x]}}]"))
	f.Add([]byte("d: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEstate(data)
		if err != nil {
			if e != nil {
				t.Fatal("ParseEstate returned an estate and an error")
			}
			return
		}
		// A valid estate must serve: every document is JSON, and the
		// server's index builds.
		if err := e.Validate(); err != nil {
			t.Fatalf("a parsed estate fails Validate: %v", err)
		}
		for _, a := range e.Accounts {
			for _, r := range a.Roles {
				if !json.Valid([]byte(r.TrustPolicy)) {
					t.Fatalf("role %s: trust policy is not JSON", r.Name)
				}
			}
		}
		// Every region serves its lists and resources without failing.
		srv := NewServer(e, Options{PageSize: 2})
		for _, a := range e.Accounts {
			for _, r := range a.Regions {
				c := newRESTClient(t, srv, a, r.Name)
				calls := [][3]string{
					{"bedrock", "POST", "/agents/"}, {"bedrock-agentcore", "POST", "/runtimes/"},
					{"bedrock-agentcore", "GET", "/gateways/"}, {"lambda", "GET", "/2015-03-31/functions/"},
				}
				for _, ag := range r.BedrockAgents {
					calls = append(calls, [3]string{"bedrock", "GET", "/agents/" + percentEncode(ag.ID, false) + "/"})
				}
				for _, rt := range r.AgentCore.Runtimes {
					calls = append(calls, [3]string{"bedrock-agentcore", "GET", "/runtimes/" + percentEncode(rt.ID, false) + "/"})
				}
				for _, cl := range calls {
					body := ""
					if cl[1] == "POST" && cl[0] == "bedrock" {
						body = "{}"
					}
					if w := c.do(cl[0], cl[1], cl[2], body); w.Code != 200 {
						t.Fatalf("%s %s: %d %s", cl[1], cl[2], w.Code, w.Body)
					}
				}
			}
		}
	})
}
