package aws_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// The schema contract tests answer the real SDK clients with responses
// synthesized from AWS's own botocore service models
// (testdata/botocore/SOURCES.md), by botocore's rest-json rules, and check
// the graph the scanner writes from them. No provider-written payload exists
// for bedrock-agent or bedrock-agentcore-control; the models say exactly
// which member has which JSON type (an ISO-8601 string or epoch seconds).

// ---- botocore models ----

// botocoreModel is the part of a botocore service-2.json the synthesizer reads.
type botocoreModel struct {
	Metadata struct {
		EndpointPrefix string `json:"endpointPrefix"`
		Protocol       string `json:"protocol"`
		SigningName    string `json:"signingName"`
	} `json:"metadata"`
	Operations map[string]botocoreOperation `json:"operations"`
	Shapes     map[string]botocoreShape     `json:"shapes"`
}

type botocoreOperation struct {
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Output *shapeRef `json:"output"`
}

// shapeRef is a reference to a shape: an operation's output, a structure
// member, a list member, a map key or value.
type shapeRef struct {
	Shape           string `json:"shape"`
	Location        string `json:"location"`
	LocationName    string `json:"locationName"`
	TimestampFormat string `json:"timestampFormat"`
}

type botocoreShape struct {
	Type            string         `json:"type"`
	Members         orderedMembers `json:"members"`
	Member          shapeRef       `json:"member"`
	Key             shapeRef       `json:"key"`
	Value           shapeRef       `json:"value"`
	Enum            []string       `json:"enum"`
	Union           bool           `json:"union"`
	Document        bool           `json:"document"`
	TimestampFormat string         `json:"timestampFormat"`
	Payload         string         `json:"payload"`
}

type structMember struct {
	name string
	shapeRef
}

// orderedMembers keeps a structure's members in the model's order, so a
// union without an override gets its first declared member.
type orderedMembers []structMember

func (ms *orderedMembers) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var ref shapeRef
		if err := dec.Decode(&ref); err != nil {
			return err
		}
		*ms = append(*ms, structMember{name: tok.(string), shapeRef: ref})
	}
	return nil
}

func loadBotocore(t *testing.T, name string) *botocoreModel {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "botocore", name))
	if err != nil {
		t.Fatal(err)
	}
	var m botocoreModel
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if m.Metadata.Protocol != "rest-json" {
		t.Fatalf("%s: protocol %q: the synthesizer speaks rest-json only", name, m.Metadata.Protocol)
	}
	return &m
}

// ---- response synthesis ----

// schemaTime is the instant of every timestamp no override names.
var schemaTime = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC) // 1714557600

// synthesizer builds one response per operation from its output shape:
// a structure is an object of all its members (a union of exactly one), a
// list has one element, a map one entry, a string is its first enum value
// or "contract-<member>", numbers are 1 (0.5 for floats), booleans true,
// documents {}, timestamps in the member's timestampFormat (rest-json's
// default in a body: epoch seconds as a number). nextToken is left out, so
// every list ends on its first page.
type synthesizer struct {
	t     *testing.T
	model *botocoreModel
	// unions names the member a union shape is given; without an entry, its
	// first declared member.
	unions map[string]string
	// values overrides members: "Shape.member" before "member". A
	// time.Time is written in the member's timestamp format; any other
	// value is written as it is (as the wrong type, if a test wants that).
	values map[string]any
}

func newSynthesizer(t *testing.T, model *botocoreModel, unions map[string]string, values map[string]any) *synthesizer {
	t.Helper()
	// An override that names no member of the model is a typo, and would
	// silently test nothing.
	known := map[string]bool{}
	for name, sh := range model.Shapes {
		for _, m := range sh.Members {
			known[m.name], known[name+"."+m.name] = true, true
		}
	}
	for k := range values {
		if !known[k] {
			t.Fatalf("override %q names no member of the model", k)
		}
	}
	for u, m := range unions {
		sh, ok := model.Shapes[u]
		if !ok || !sh.Union || !slices.ContainsFunc(sh.Members, func(sm structMember) bool { return sm.name == m }) {
			t.Fatalf("union override %s.%s names no member of a union of the model", u, m)
		}
	}
	return &synthesizer{t: t, model: model, unions: unions, values: values}
}

func (s *synthesizer) shape(name string) botocoreShape {
	sh, ok := s.model.Shapes[name]
	if !ok {
		s.t.Fatalf("shape %s is not in the model", name)
	}
	return sh
}

// response is what the service answers op with.
func (s *synthesizer) response(op string) (status int, header http.Header, body []byte) {
	o, ok := s.model.Operations[op]
	if !ok {
		s.t.Fatalf("operation %s is not in the model", op)
	}
	status, header = o.HTTP.ResponseCode, http.Header{}
	if status == 0 {
		status = http.StatusOK
	}
	obj := map[string]any{}
	if o.Output != nil {
		sh := s.shape(o.Output.Shape)
		if sh.Payload != "" {
			s.t.Fatalf("%s: output payload member %s: not supported by the synthesizer", op, sh.Payload)
		}
		obj = s.object(o.Output.Shape, sh, nil)
		for _, m := range s.members(o.Output.Shape, sh) {
			if m.Location != "header" {
				continue // statusCode, and "headers" prefix maps: none matter here
			}
			v, _ := s.member(o.Output.Shape, m, nil, true)
			header.Set(m.LocationName, fmt.Sprint(v))
		}
	}
	body, err := json.Marshal(obj)
	if err != nil {
		s.t.Fatal(err)
	}
	return status, header, body
}

// members are the members a structure is written with: all of them, or a
// union's one.
func (s *synthesizer) members(name string, sh botocoreShape) []structMember {
	if !sh.Union {
		return sh.Members
	}
	want, ok := s.unions[name]
	if !ok {
		return sh.Members[:1]
	}
	for _, m := range sh.Members {
		if m.name == want {
			return []structMember{m}
		}
	}
	s.t.Fatalf("union %s has no member %s", name, want)
	return nil
}

// object writes a structure's body members; path holds the structures
// being written, to stop a recursive shape.
func (s *synthesizer) object(name string, sh botocoreShape, path []string) map[string]any {
	obj := map[string]any{}
	for _, m := range s.members(name, sh) {
		if m.Location != "" || m.name == "nextToken" {
			continue
		}
		key := m.name
		if m.LocationName != "" {
			key = m.LocationName
		}
		if v, ok := s.member(name, m, path, false); ok {
			obj[key] = v
		}
	}
	return obj
}

func (s *synthesizer) member(owner string, m structMember, path []string, header bool) (any, bool) {
	for _, k := range []string{owner + "." + m.name, m.name} {
		if v, ok := s.values[k]; ok {
			if at, ok := v.(time.Time); ok {
				return s.timestamp(m.shapeRef, at, header), true
			}
			return v, true
		}
	}
	if s.shape(m.Shape).Type == "timestamp" {
		return s.timestamp(m.shapeRef, schemaTime, header), true
	}
	return s.value(m.shapeRef, m.name, path)
}

// value is ref's synthesized value; false when writing it would recurse.
func (s *synthesizer) value(ref shapeRef, hint string, path []string) (any, bool) {
	sh := s.shape(ref.Shape)
	switch sh.Type {
	case "structure":
		if sh.Document {
			return map[string]any{}, true
		}
		if slices.Contains(path, ref.Shape) {
			return nil, false
		}
		return s.object(ref.Shape, sh, append(path[:len(path):len(path)], ref.Shape)), true
	case "list":
		v, ok := s.value(sh.Member, hint, path)
		if !ok {
			return nil, false
		}
		return []any{v}, true
	case "map":
		v, ok := s.value(sh.Value, hint, path)
		if !ok {
			return nil, false
		}
		k, _ := s.value(sh.Key, hint+"-key", path)
		return map[string]any{fmt.Sprint(k): v}, true
	case "string":
		if len(sh.Enum) > 0 {
			return sh.Enum[0], true
		}
		return "contract-" + hint, true
	case "integer", "long":
		return 1, true
	case "float", "double":
		return 0.5, true
	case "boolean":
		return true, true
	case "timestamp":
		return s.timestamp(ref, schemaTime, false), true
	case "blob":
		return base64.StdEncoding.EncodeToString([]byte("contract-" + hint)), true
	}
	s.t.Fatalf("shape %s: type %q not supported by the synthesizer", ref.Shape, sh.Type)
	return nil, false
}

// timestamp writes at as botocore does: the member's or shape's
// timestampFormat, else rest-json's default (epoch seconds in a body, an
// HTTP date in a header).
func (s *synthesizer) timestamp(ref shapeRef, at time.Time, header bool) any {
	format := ref.TimestampFormat
	if format == "" {
		format = s.shape(ref.Shape).TimestampFormat
	}
	if format == "" {
		format = "unixTimestamp"
		if header {
			format = "rfc822"
		}
	}
	switch format {
	case "iso8601":
		return at.UTC().Format(time.RFC3339)
	case "unixTimestamp":
		return at.Unix()
	case "rfc822":
		return at.UTC().Format(http.TimeFormat)
	}
	s.t.Fatalf("shape %s: timestampFormat %q not supported", ref.Shape, format)
	return nil
}

// routes are the synthesized answers to ops, routed as the model routes them.
func (s *synthesizer) routes(ops ...string) []fakeRoute {
	var rs []fakeRoute
	for _, op := range ops {
		status, header, body := s.response(op)
		o := s.model.Operations[op]
		rs = append(rs, fakeRoute{
			op: s.model.Metadata.EndpointPrefix + ":" + op, method: o.HTTP.Method, template: pathTemplate(o.HTTP.RequestURI),
			signingName: s.model.Metadata.SigningName, status: status, header: header, contentType: "application/json", body: body,
		})
	}
	return rs
}

// ---- the fake endpoint ----

// fakeRoute is one operation's fixed answer.
type fakeRoute struct {
	op          string // as the scanner names it in scan errors: "bedrock-agent:GetAgent"
	method      string
	template    []string // path segments; "{x}" matches any one segment, "{x+}" the rest
	action      string   // the query protocol's Action (STS shares POST /)
	signingName string
	status      int
	header      http.Header
	contentType string
	body        []byte
}

func pathTemplate(requestURI string) []string {
	p, _, _ := strings.Cut(requestURI, "?")
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

func (rt fakeRoute) matches(r *http.Request) bool {
	if r.Method != rt.method {
		return false
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, want := range rt.template {
		switch {
		case strings.HasSuffix(want, "+}"): // greedy: the rest of the path
			return len(segs) > i && segs[i] != "" && rt.actionMatches(r)
		case i >= len(segs):
			return false
		case strings.HasPrefix(want, "{"):
			if segs[i] == "" {
				return false
			}
		case segs[i] != want:
			return false
		}
	}
	return len(segs) == len(rt.template) && rt.actionMatches(r)
}

func (rt fakeRoute) actionMatches(r *http.Request) bool {
	return rt.action == "" || (r.ParseForm() == nil && r.PostForm.Get("Action") == rt.action)
}

// sigV4 is the Authorization header of a request the SDK signed with the
// contract account's key: the credential scope names region and service.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIDCONTRACT/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`)

// fakeAWS serves routes on a loopback server and counts the calls.
type fakeAWS struct {
	t      *testing.T
	URL    string
	routes []fakeRoute

	mu       sync.Mutex
	calls    map[string]int  // op -> calls
	requests map[string]bool // "GET /agents/X/"
}

func newFakeAWS(t *testing.T, routes ...fakeRoute) *fakeAWS {
	t.Helper()
	f := &fakeAWS{t: t, routes: routes, calls: map[string]int{}, requests: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, rt := range f.routes {
		if !rt.matches(r) {
			continue
		}
		_, _ = io.Copy(io.Discard, r.Body)
		m := sigV4.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || m[1] != "us-east-1" || m[2] != rt.signingName {
			f.t.Errorf("%s not signed with SigV4 for us-east-1/%s: %q", rt.op, rt.signingName, r.Header.Get("Authorization"))
		}
		f.mu.Lock()
		f.calls[rt.op]++
		f.requests[r.Method+" "+r.URL.Path] = true
		f.mu.Unlock()
		for k, vs := range rt.header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", rt.contentType)
		w.WriteHeader(rt.status)
		_, _ = w.Write(rt.body)
		return
	}
	f.t.Errorf("unexpected call %s %s", r.Method, r.URL.Path)
	http.NotFound(w, r)
}

// checkCalled fails for every route the scan never called: its answer
// would then have been checked by nothing.
func (f *fakeAWS) checkCalled(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, rt := range f.routes {
		if f.calls[rt.op] == 0 {
			t.Errorf("the scan never called %s", rt.op)
		}
	}
}

func (f *fakeAWS) requested(method, path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[method+" "+path]
}

func (f *fakeAWS) body(t *testing.T, op string) map[string]any {
	t.Helper()
	for _, rt := range f.routes {
		if rt.op == op {
			var v map[string]any
			if err := json.Unmarshal(rt.body, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no route %s", op)
	return nil
}

// ---- hand-written answers (no model for them in testdata) ----

// stsRoute answers GetCallerIdentity with the account of every ARN below.
func stsRoute() fakeRoute {
	return fakeRoute{op: "sts:GetCallerIdentity", method: http.MethodPost, template: pathTemplate("/"), action: "GetCallerIdentity",
		signingName: "sts", status: http.StatusOK, contentType: "text/xml", body: []byte(callerIdentity)}
}

func jsonRoute(t *testing.T, op, method, requestURI, signingName string, body any) fakeRoute {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return fakeRoute{op: op, method: method, template: pathTemplate(requestURI), signingName: signingName,
		status: http.StatusOK, contentType: "application/json", body: b}
}

// lambdaRoute answers GetFunctionConfiguration. Lambda's model is not in
// testdata: this minimal body is written by hand in the shape of the Lambda
// API Reference (PascalCase members, LastModified as Lambda writes it).
func lambdaRoute(t *testing.T) fakeRoute {
	return jsonRoute(t, "lambda:GetFunctionConfiguration", http.MethodGet, "/2015-03-31/functions/{FunctionName}/configuration", "lambda", map[string]any{
		"FunctionName": "contract-fn",
		"FunctionArn":  schemaLambda,
		"Runtime":      "python3.12",
		"Role":         schemaLambdaRole,
		"LastModified": "2024-05-01T10:00:00.000+0000",
		"Environment":  map[string]any{"Variables": schemaEnv},
	})
}

// knowledgeBaseRoutes answer ListAgentKnowledgeBases and GetKnowledgeBase.
// The bedrock-agent extract in testdata has no knowledge-base operations:
// these minimal bodies are written by hand in the shape of the Bedrock
// Agents API Reference.
func knowledgeBaseRoutes(t *testing.T) []fakeRoute {
	return []fakeRoute{
		jsonRoute(t, "bedrock-agent:ListAgentKnowledgeBases", http.MethodPost, "/agents/{agentId}/agentversions/{agentVersion}/knowledgebases/", "bedrock", map[string]any{
			"agentKnowledgeBaseSummaries": []any{map[string]any{"knowledgeBaseId": schemaKB, "knowledgeBaseState": "ENABLED", "updatedAt": "2024-05-01T10:00:00Z"}},
		}),
		jsonRoute(t, "bedrock-agent:GetKnowledgeBase", http.MethodGet, "/knowledgebases/{knowledgeBaseId}", "bedrock", map[string]any{
			"knowledgeBase": map[string]any{
				"knowledgeBaseId": schemaKB, "name": "contract-kb", "knowledgeBaseArn": schemaKBARN, "roleArn": schemaKBRole,
				"knowledgeBaseConfiguration": map[string]any{"type": "VECTOR"}, "status": "ACTIVE",
				"createdAt": "2024-05-01T10:00:00Z", "updatedAt": "2024-05-01T10:00:00Z",
			},
		}),
	}
}

// agentVersionRoute answers GetAgentVersion for version 1, which runs as
// another role than DRAFT. The bedrock-agent extract has no GetAgentVersion:
// this body is written by hand in the shape of the Bedrock Agents API
// Reference (agentVersion: agentArn, agentResourceRoleArn, version...).
func agentVersionRoute(t *testing.T) fakeRoute {
	return jsonRoute(t, "bedrock-agent:GetAgentVersion", http.MethodGet, "/agents/{agentId}/agentversions/{agentVersion}/", "bedrock", map[string]any{
		"agentVersion": map[string]any{
			"agentArn": schemaAgentARN, "agentId": schemaAgentID, "agentName": "contract-agent", "version": "1",
			"agentResourceRoleArn": schemaVersionRole, "agentStatus": "PREPARED", "idleSessionTTLInSeconds": 600,
			"createdAt": "2024-05-01T10:00:00Z", "updatedAt": "2024-05-01T10:00:00Z",
		},
	})
}

// schemaVersionRole is the role version 1 of the agent runs as.
const schemaVersionRole = "arn:aws:iam::123456789012:role/contract-agent-role-v1"

// ---- the estate the payloads describe ----

const (
	schemaAccount    = "123456789012"
	schemaCanary     = "CANARY-contract-secret-value"
	schemaKeyID      = "AKIAIOSFODNN7EXAMPLE"
	schemaLambda     = "arn:aws:lambda:us-east-1:123456789012:function:contract-fn" // this account and region: read
	schemaLambdaRole = "arn:aws:iam::123456789012:role/contract-fn-role"

	schemaAgentID     = "AGENT12345"
	schemaAgentARN    = "arn:aws:bedrock:us-east-1:123456789012:agent/AGENT12345"
	schemaAgentRole   = "arn:aws:iam::123456789012:role/contract-agent-role"
	schemaActionGroup = "AGROUP1234"
	schemaKB          = "KBASE12345"
	schemaKBARN       = "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KBASE12345"
	schemaKBRole      = "arn:aws:iam::123456789012:role/contract-kb-role"

	schemaRuntimeID    = "contract_runtime-ABCDEFGHIJ"
	schemaRuntimeARN   = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/contract_runtime-ABCDEFGHIJ"
	schemaRuntimeRole  = "arn:aws:iam::123456789012:role/contract-runtime-role"
	schemaWorkload     = "arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/contract_runtime-ABCDEFGHIJ"
	schemaGatewayID    = "contract-gw-abcdefghij"
	schemaGatewayARN   = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/contract-gw-abcdefghij"
	schemaGatewayRole  = "arn:aws:iam::123456789012:role/contract-gateway-role"
	schemaTargetID     = "TARGET1234"
	schemaDiscoveryURL = "https://issuer.example.com/.well-known/openid-configuration"
	schemaAPIKey       = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/contract-api-key"
	schemaAPIKeySecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:contract-api-key-AbCdEf"
	schemaOAuth        = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/contract-oauth"
	schemaOAuthSecret  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:contract-oauth-AbCdEf"
)

var (
	schemaEnv = map[string]string{"AWS_ACCESS_KEY_ID": schemaKeyID, "API_TOKEN": schemaCanary}

	schemaAgentCreated   = time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	schemaRuntimeCreated = time.Date(2024, 4, 10, 9, 15, 30, 0, time.UTC)
	schemaAPIKeyCreated  = time.Date(2024, 3, 15, 8, 30, 0, 0, time.UTC)
	schemaOAuthCreated   = time.Date(2024, 1, 20, 16, 45, 0, 0, time.UTC)
)

func bedrockAgentSynthesizer(t *testing.T) *synthesizer {
	return newSynthesizer(t, loadBotocore(t, "bedrock-agent.schema_agents_actiongroups.botocore.json"),
		map[string]string{"ActionGroupExecutor": "lambda"},
		map[string]any{
			"agentId":              schemaAgentID,
			"agentArn":             schemaAgentARN,
			"agentName":            "contract-agent",
			"agentVersion":         "DRAFT",
			"agentResourceRoleArn": schemaAgentRole,
			"Agent.createdAt":      schemaAgentCreated,
			"guardrailIdentifier":  "contractguardrail",
			"guardrailVersion":     "3",
			"actionGroupId":        schemaActionGroup,
			"actionGroupName":      "contract-tools",
			// The alias routes to version 1: its action groups are read too.
			"AgentAliasRoutingConfigurationListItem.agentVersion": "1",
			"ActionGroupExecutor.lambda":                          schemaLambda,
		})
}

// agentCoreSynthesizer describes one runtime, one gateway with one Lambda
// target whose credential is the credMember of the CredentialProvider
// union, an API-key and an OAuth2 credential provider, and the runtime's
// workload identity. extra overrides (or adds to) those values.
func agentCoreSynthesizer(t *testing.T, credMember, credType string, extra map[string]any) *synthesizer {
	values := map[string]any{
		"agentRuntimeId":                    schemaRuntimeID,
		"agentRuntimeArn":                   schemaRuntimeARN,
		"agentRuntimeName":                  "contract_runtime",
		"agentRuntimeVersion":               "1",
		"GetAgentRuntimeResponse.roleArn":   schemaRuntimeRole,
		"GetAgentRuntimeResponse.createdAt": schemaRuntimeCreated,
		"environmentVariables":              schemaEnv,
		"workloadIdentityArn":               schemaWorkload,
		"WorkloadIdentityType.name":         schemaRuntimeID,
		"discoveryUrl":                      schemaDiscoveryURL,

		"gatewayId":                              schemaGatewayID,
		"gatewayArn":                             schemaGatewayARN,
		"GetGatewayResponse.roleArn":             schemaGatewayRole,
		"targetId":                               schemaTargetID,
		"McpLambdaTargetConfiguration.lambdaArn": schemaLambda,
		"CredentialProviderConfiguration.credentialProviderType": credType,
		"ApiKeyCredentialProvider.providerArn":                   schemaAPIKey,
		"OAuthCredentialProvider.providerArn":                    schemaOAuth,

		"ApiKeyCredentialProviderItem.name":                         "contract-api-key",
		"ApiKeyCredentialProviderItem.credentialProviderArn":        schemaAPIKey,
		"ApiKeyCredentialProviderItem.createdTime":                  schemaAPIKeyCreated,
		"GetApiKeyCredentialProviderResponse.name":                  "contract-api-key",
		"GetApiKeyCredentialProviderResponse.credentialProviderArn": schemaAPIKey,
		"GetApiKeyCredentialProviderResponse.createdTime":           schemaAPIKeyCreated,
		"apiKeySecretArn": map[string]any{"secretArn": schemaAPIKeySecret},

		"Oauth2CredentialProviderItem.name":                         "contract-oauth",
		"Oauth2CredentialProviderItem.credentialProviderArn":        schemaOAuth,
		"Oauth2CredentialProviderItem.createdTime":                  schemaOAuthCreated,
		"GetOauth2CredentialProviderResponse.name":                  "contract-oauth",
		"GetOauth2CredentialProviderResponse.credentialProviderArn": schemaOAuth,
		"GetOauth2CredentialProviderResponse.createdTime":           schemaOAuthCreated,
		"credentialProviderVendor":                                  "CustomOauth2",
		"clientId":                                                  "contract-client-id",
		"clientSecretArn":                                           map[string]any{"secretArn": schemaOAuthSecret},
	}
	for k, v := range extra {
		values[k] = v
	}
	return newSynthesizer(t, loadBotocore(t, "bedrock-agentcore-control.schema_runtimes_gateways_identity.botocore.json"),
		map[string]string{
			"AuthorizerConfiguration":    "customJWTAuthorizer",
			"TargetConfiguration":        "mcp",
			"McpTargetConfiguration":     "lambda",
			"CredentialProvider":         credMember,
			"Oauth2ProviderConfigOutput": "customOauth2ProviderConfig",
		}, values)
}

// agentCoreAWS serves every AgentCore call the scanner makes.
func agentCoreAWS(t *testing.T, s *synthesizer) *fakeAWS {
	return newFakeAWS(t, append(s.routes(
		"ListApiKeyCredentialProviders", "GetApiKeyCredentialProvider",
		"ListOauth2CredentialProviders", "GetOauth2CredentialProvider",
		"ListWorkloadIdentities",
		"ListGateways", "GetGateway", "ListGatewayTargets", "GetGatewayTarget",
		"ListAgentRuntimes", "GetAgentRuntime",
	), stsRoute(), lambdaRoute(t), policyEnginesRoute(t))...)
}

// policyEnginesRoute answers ListPolicyEngineSummaries with no engine. The
// agentcore extract in testdata has no policy operations: this body is
// written by hand in the shape of the AgentCore Control Plane API
// Reference (policyEngines, nextToken).
func policyEnginesRoute(t *testing.T) fakeRoute {
	return jsonRoute(t, "bedrock-agentcore-control:ListPolicyEngineSummaries", http.MethodGet, "/policy-engine-summaries", "bedrock-agentcore",
		map[string]any{"policyEngines": []any{}})
}

// ---- checks ----

func scopesOf(res scanResult) []inventory.Scope {
	scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID)
	return scopes
}

func expectScopeCompleted(t *testing.T, res scanResult, service string) {
	t.Helper()
	if res.err != nil {
		t.Fatal(res.err)
	}
	ctx := context.Background()
	if errs, err := res.store.ScanErrors(ctx, res.scanID); err != nil || len(errs) > 0 {
		t.Fatalf("scan errors: %+v %v", errs, err)
	}
	scopes, err := res.store.CompletedScopes(ctx, res.scanID)
	if err != nil {
		t.Fatal(err)
	}
	want := inventory.Scope{Provider: awsscan.ProviderName, Tenant: schemaAccount, Name: awsscan.RegionScope("us-east-1", service)}
	if !slices.Contains(scopes, want) {
		t.Fatalf("completed scopes %+v, want %+v", scopes, want)
	}
}

// expectNode fails unless id is a node of kind and has the attrs (compared
// as JSON, as the store keeps them).
func expectNode(t *testing.T, g graph, id string, kind inventory.NodeKind, attrs map[string]any) inventory.NodeRecord {
	t.Helper()
	n, ok := g.nodes[id]
	if !ok {
		t.Errorf("no node %s", id)
		return n
	}
	if n.Kind != kind {
		t.Errorf("node %s is a %s, want %s", id, n.Kind, kind)
	}
	expectAttrs(t, id, n.Attrs, attrs)
	return n
}

func expectEdge(t *testing.T, g graph, from string, kind inventory.EdgeKind, to string, attrs map[string]any) {
	t.Helper()
	e, ok := g.edges[edgeKey(from, kind, to)]
	if !ok {
		t.Errorf("no edge %s", edgeKey(from, kind, to))
		return
	}
	expectAttrs(t, edgeKey(from, kind, to), e.Attrs, attrs)
}

func expectAttrs(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		gj, _ := json.Marshal(got[k])
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s: %s = %s, want %s", what, k, gj, wj)
		}
	}
}

func expectCreated(t *testing.T, n inventory.NodeRecord, want time.Time) {
	t.Helper()
	if !n.Created.Equal(want) {
		t.Errorf("node %s created %s, want %s", n.ID, n.Created, want)
	}
}

// expectNoCanary reads the database file and its WAL as bytes: the secret
// value of an environment variable is nowhere, its name is.
func expectNoCanary(t *testing.T, store *inventory.Store) {
	t.Helper()
	files := map[string][]byte{}
	for _, p := range []string{store.Path(), store.Path() + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = b
	}
	kept := false
	for name, b := range files {
		kept = kept || bytes.Contains(b, []byte("API_TOKEN"))
		if bytes.Contains(b, []byte(schemaCanary)) {
			t.Errorf("the canary value of API_TOKEN appears in %s", name)
		}
	}
	if !kept {
		t.Error("the variable name API_TOKEN is in neither the database nor its WAL: the canary check proves nothing")
	}
}

// schemaEnvNames are the variable names the scanner keeps, sorted.
func schemaEnvNames() []string {
	names := make([]string, 0, len(schemaEnv))
	for k := range schemaEnv {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// expectContractLambda checks the executor function read with GetFunctionConfiguration.
func expectContractLambda(t *testing.T, g graph) {
	t.Helper()
	expectNode(t, g, schemaLambda, inventory.KindResource, map[string]any{
		"type": "lambda_function", "runtime": "python3.12", "last_modified": "2024-05-01T10:00:00Z", "env_var_names": schemaEnvNames(),
	})
	expectEdge(t, g, schemaLambda, inventory.EdgeRunsAs, schemaLambdaRole, map[string]any{"via": "execution_role"})
	expectEdge(t, g, schemaLambda, inventory.EdgeUsesCredential, awsscan.AccessKeyID(schemaKeyID), map[string]any{"env_var": "AWS_ACCESS_KEY_ID"})
}

// ---- tests ----

func TestSchemaContractBedrockAgent(t *testing.T) {
	s := bedrockAgentSynthesizer(t)
	fake := newFakeAWS(t, append(append(s.routes("ListAgents", "GetAgent", "ListAgentAliases", "ListAgentActionGroups", "GetAgentActionGroup"),
		knowledgeBaseRoutes(t)...), stsRoute(), lambdaRoute(t), agentVersionRoute(t))...)

	res := contractScan(t, fake.URL, awsscan.ServiceBedrockAgent)
	expectScopeCompleted(t, res, awsscan.ServiceBedrockAgent)
	fake.checkCalled(t)
	// DRAFT and the version the alias routes to, each with the listed ids.
	for _, v := range []string{"DRAFT", "1"} {
		for _, p := range []string{
			"GET /agents/" + schemaAgentID + "/agentversions/" + v + "/actiongroups/" + schemaActionGroup + "/",
			"POST /agents/" + schemaAgentID + "/agentversions/" + v + "/knowledgebases/",
		} {
			method, path, _ := strings.Cut(p, " ")
			if !fake.requested(method, path) {
				t.Errorf("no request %s", p)
			}
		}
	}

	g := readGraph(t, res.store)
	expectEdge(t, g, schemaAgentARN, inventory.EdgeRunsAs, schemaVersionRole, map[string]any{"versions": []any{"1"}})
	agent := expectNode(t, g, schemaAgentARN, inventory.KindAgent, map[string]any{
		"type": "bedrock_agent", "agent_id": schemaAgentID, "has_guardrail": true,
		"guardrail": map[string]any{"id": "contractguardrail", "version": "3"},
		"versions":  []string{"1", "DRAFT"},
	})
	expectCreated(t, agent, schemaAgentCreated)
	expectEdge(t, g, schemaAgentARN, inventory.EdgeRunsAs, schemaAgentRole, map[string]any{"via": "agentResourceRoleArn"})
	expectNode(t, g, schemaAgentRole, inventory.KindIdentity, map[string]any{"type": "iam_role"})

	group := schemaAgentARN + "/actiongroup/" + schemaActionGroup
	expectNode(t, g, group, inventory.KindResource, map[string]any{"type": "bedrock_action_group", "versions": []string{"1", "DRAFT"}})
	expectEdge(t, g, schemaAgentARN, inventory.EdgeUsesTool, group, map[string]any{"versions": []string{"1", "DRAFT"}})
	expectEdge(t, g, group, inventory.EdgeUsesTool, schemaLambda, map[string]any{"executor": "lambda"})
	expectContractLambda(t, g)

	expectNode(t, g, schemaKBARN, inventory.KindResource, map[string]any{"type": "bedrock_knowledge_base"})
	expectEdge(t, g, schemaKBARN, inventory.EdgeRunsAs, schemaKBRole, map[string]any{"via": "roleArn"})
	expectEdge(t, g, schemaAgentARN, inventory.EdgeUsesTool, schemaKBARN, map[string]any{"versions": []string{"1", "DRAFT"}})

	expectNoCanary(t, res.store)
}

func TestSchemaContractAgentCore(t *testing.T) {
	// The gateway target's CredentialProvider union holds one member: the
	// API-key provider in one run, the OAuth2 provider in the other.
	for _, tc := range []struct {
		member, credType string
		uses, notUses    string
	}{
		{"apiKeyCredentialProvider", "API_KEY", schemaAPIKey, schemaOAuth},
		{"oauthCredentialProvider", "OAUTH", schemaOAuth, schemaAPIKey},
	} {
		t.Run(tc.member, func(t *testing.T) {
			fake := agentCoreAWS(t, agentCoreSynthesizer(t, tc.member, tc.credType, nil))
			res := contractScan(t, fake.URL, awsscan.ServiceAgentCore)
			expectScopeCompleted(t, res, awsscan.ServiceAgentCore)
			fake.checkCalled(t)
			g := readGraph(t, res.store)

			runtime := expectNode(t, g, schemaRuntimeARN, inventory.KindAgent, map[string]any{
				"type": "agentcore_runtime", "runtime_id": schemaRuntimeID, "version": "1", "env_var_names": schemaEnvNames(),
				"inbound_authorizer": map[string]any{"type": "custom_jwt", "discovery_url": schemaDiscoveryURL,
					"allowed_audience": []string{"contract-allowedAudience"}, "allowed_clients": []string{"contract-allowedClients"}},
			})
			expectCreated(t, runtime, schemaRuntimeCreated)
			expectEdge(t, g, schemaRuntimeARN, inventory.EdgeRunsAs, schemaRuntimeRole, map[string]any{"via": "roleArn"})
			expectEdge(t, g, schemaRuntimeARN, inventory.EdgeRunsAs, schemaWorkload, map[string]any{"via": "workload_identity"})
			expectEdge(t, g, schemaRuntimeARN, inventory.EdgeUsesCredential, awsscan.AccessKeyID(schemaKeyID), map[string]any{"env_var": "AWS_ACCESS_KEY_ID"})
			wi := expectNode(t, g, schemaWorkload, inventory.KindIdentity, map[string]any{"type": "agentcore_workload_identity"})
			if wi.Name != schemaRuntimeID {
				t.Errorf("workload identity name %q, want %q", wi.Name, schemaRuntimeID)
			}

			expectNode(t, g, schemaGatewayARN, inventory.KindResource, map[string]any{
				"type": "agentcore_gateway", "gateway_id": schemaGatewayID, "authorizer_type": "CUSTOM_JWT", "protocol_type": "MCP",
			})
			expectEdge(t, g, schemaGatewayARN, inventory.EdgeRunsAs, schemaGatewayRole, map[string]any{"via": "roleArn"})
			target := schemaGatewayARN + "/target/" + schemaTargetID
			expectNode(t, g, target, inventory.KindResource, map[string]any{
				"type": "agentcore_gateway_target", "target_type": "lambda", "credential_types": []string{tc.credType},
			})
			expectEdge(t, g, schemaGatewayARN, inventory.EdgeUsesTool, target, nil)
			expectEdge(t, g, target, inventory.EdgeUsesTool, schemaLambda, map[string]any{"executor": "lambda"})
			expectEdge(t, g, target, inventory.EdgeUsesCredential, tc.uses, map[string]any{"credential_type": tc.credType})
			if _, ok := g.edges[edgeKey(target, inventory.EdgeUsesCredential, tc.notUses)]; ok {
				t.Errorf("the target uses %s too: the union held one member", tc.notUses)
			}
			expectContractLambda(t, g)

			apiKey := expectNode(t, g, schemaAPIKey, inventory.KindCredential, map[string]any{
				"type": "agentcore_api_key_provider", "standing": true, "secret_arn": schemaAPIKeySecret,
				"age_days": schemaAgeDays(schemaAPIKeyCreated),
			})
			expectCreated(t, apiKey, schemaAPIKeyCreated)
			oauth := expectNode(t, g, schemaOAuth, inventory.KindCredential, map[string]any{
				"type": "agentcore_oauth2_provider", "standing": true, "secret_arn": schemaOAuthSecret,
				"vendor": "CustomOauth2", "client_id": "contract-client-id", "age_days": schemaAgeDays(schemaOAuthCreated),
			})
			expectCreated(t, oauth, schemaOAuthCreated)
			for id, want := range map[string]string{schemaAPIKey: "contract-api-key", schemaOAuth: "contract-oauth"} {
				if n := g.nodes[id]; n.Name != want || n.Tenant != schemaAccount {
					t.Errorf("provider %s: name %q tenant %q, want %q %s", id, n.Name, n.Tenant, want, schemaAccount)
				}
			}

			// The same model writes a runtime's createdAt as an ISO-8601
			// string and a provider's createdTime as epoch seconds, a
			// number: both decoded to the intended instants above.
			if v := fake.body(t, "bedrock-agentcore-control:GetAgentRuntime")["createdAt"]; v != schemaRuntimeCreated.Format(time.RFC3339) {
				t.Errorf("GetAgentRuntime createdAt on the wire = %#v, want an ISO-8601 string", v)
			}
			if v := fake.body(t, "bedrock-agentcore-control:GetApiKeyCredentialProvider")["createdTime"]; v != float64(schemaAPIKeyCreated.Unix()) {
				t.Errorf("GetApiKeyCredentialProvider createdTime on the wire = %#v, want epoch seconds %d", v, schemaAPIKeyCreated.Unix())
			}

			expectNoCanary(t, res.store)
		})
	}
}

func schemaAgeDays(t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) }

// TestSchemaContractTimestampTypes proves the test checks the JSON type of
// timestamps: the same payloads with one timestamp in the other format make
// the real SDK refuse the response, and the scan records that operation.
func TestSchemaContractTimestampTypes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		key   string
		value any
		op    string
		// optional calls only enrich: their failure is recorded and the
		// scope still completes, from what the listing said.
		optional bool
	}{
		{"api key provider createdTime as ISO string", "ApiKeyCredentialProviderItem.createdTime", schemaAPIKeyCreated.Format(time.RFC3339),
			"bedrock-agentcore-control:ListApiKeyCredentialProviders", false},
		{"oauth provider createdTime as ISO string", "GetOauth2CredentialProviderResponse.createdTime", schemaOAuthCreated.Format(time.RFC3339),
			"bedrock-agentcore-control:GetOauth2CredentialProvider", true},
		{"runtime createdAt as epoch seconds", "GetAgentRuntimeResponse.createdAt", schemaRuntimeCreated.Unix(),
			"bedrock-agentcore-control:GetAgentRuntime", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := agentCoreSynthesizer(t, "apiKeyCredentialProvider", "API_KEY", map[string]any{tc.key: tc.value})
			fake := agentCoreAWS(t, s)
			res := contractScan(t, fake.URL, awsscan.ServiceAgentCore)
			if res.err != nil {
				t.Fatal(res.err)
			}
			ctx := context.Background()
			errs, err := res.store.ScanErrors(ctx, res.scanID)
			if err != nil {
				t.Fatal(err)
			}
			scope := awsscan.RegionScope("us-east-1", awsscan.ServiceAgentCore)
			if len(errs) != 1 || errs[0].Operation != tc.op || errs[0].Scope != scope || errs[0].Tenant != schemaAccount ||
				!strings.Contains(errs[0].Message, "deserialization failed") {
				t.Fatalf("scan errors = %+v, want one deserialization failure of %s", errs, tc.op)
			}
			// The policy engines' scope is its own: it completes either way.
			completed := slices.ContainsFunc(scopesOf(res), func(s inventory.Scope) bool { return s.Name == scope })
			switch {
			case !tc.optional && completed:
				t.Errorf("completed scopes %+v after a failed call", scopesOf(res))
			case tc.optional && !completed:
				t.Errorf("completed scopes %+v: an optional call's failure must not stop the scope", scopesOf(res))
			}
		})
	}
}
