package aws

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Validation of the regions of an account: names and ids have the shapes
// AWS gives them, and every reference (role, function, knowledge base,
// credential provider, workload identity, alias version) names something
// that exists. Environment values, API keys and client secrets are never
// quoted.

var (
	regionNamePattern   = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	upperIDPattern      = regexp.MustCompile(`^[0-9A-Z]{10}$`)
	bedrockNamePattern  = regexp.MustCompile(`^([0-9a-zA-Z][_-]?){1,100}$`)
	versionPattern      = regexp.MustCompile(`^[1-9][0-9]{0,4}$`)
	lambdaNamePattern   = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	lambdaARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]{1,64}(:(\$LATEST|[a-zA-Z0-9_-]+))?$`)
	roleARNPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\x21-\x7e]*/)?[\w+=,.@-]{1,64}$`)
	envKeyPattern       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	runtimeNamePattern  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,47}$`)
	runtimeIDSuffix     = regexp.MustCompile(`^[a-zA-Z0-9]{10}$`)
	gatewayNamePattern  = regexp.MustCompile(`^([0-9a-zA-Z][-]?){1,100}$`)
	gatewayIDPattern    = regexp.MustCompile(`^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$`)
	providerNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
	identityNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
)

// Enumerations the lab accepts, as the AWS models list them.
var (
	agentStatuses         = []string{"CREATING", "PREPARING", "PREPARED", "NOT_PREPARED", "DELETING", "FAILED", "VERSIONING", "UPDATING"}
	knowledgeBaseStatuses = []string{"CREATING", "ACTIVE", "DELETING", "UPDATING", "FAILED", "DELETE_UNSUCCESSFUL"}
	runtimeStatuses       = []string{"CREATING", "CREATE_FAILED", "UPDATING", "UPDATE_FAILED", "READY", "DELETING"}
	gatewayStatuses       = []string{"CREATING", "UPDATING", "UPDATE_UNSUCCESSFUL", "DELETING", "READY", "FAILED"}
	serverProtocols       = []string{"HTTP", "MCP", "A2A"}
	networkModes          = []string{"PUBLIC", "VPC"}
	authorizerTypes       = []string{AuthorizerCustomJWT, AuthorizerAWSIAM, AuthorizerNone}
	credentialTypes       = []string{CredentialGatewayRole, CredentialAPIKey, CredentialOAuth}
	oauth2Vendors         = []string{"GoogleOauth2", "GithubOauth2", "SlackOauth2", "SalesforceOauth2", "MicrosoftOauth2", "CustomOauth2",
		"AtlassianOauth2", "LinkedinOauth2", "XOauth2", "OktaOauth2", "OneLoginOauth2", "PingOneOauth2", "FacebookOauth2",
		"YandexOauth2", "RedditOauth2", "ZoomOauth2", "TwitchOauth2", "SpotifyOauth2", "DropboxOauth2", "NotionOauth2",
		"HubspotOauth2", "CyberArkOauth2", "FusionAuthOauth2", "Auth0Oauth2", "CognitoOauth2"}
)

func (v *validator) regions(where string, a *Account) {
	seen := map[string]bool{}
	for i := range a.Regions {
		r := a.Regions[i].withDefaults(a.ID)
		w := fmt.Sprintf("%s: region #%d", where, i+1)
		if r.Name != "" {
			w = where + ": region " + r.Name
		}
		switch {
		case !regionNamePattern.MatchString(r.Name):
			v.addf(w, "name %q is not a region code: write it as us-east-1", r.Name)
		case seen[r.Name]:
			v.addf(w, "the region is listed twice: list each region once and put its resources together")
		}
		seen[r.Name] = true
		rv := regionValidator{validator: v, account: a, region: &r}
		rv.validate(w)
	}
}

// regionValidator checks one region, with defaults filled in.
type regionValidator struct {
	*validator
	account *Account
	region  *Region
}

func (v regionValidator) validate(where string) {
	r := v.region
	lambdas := map[string]bool{}
	for i, l := range r.Lambdas {
		w := kindWhere(where, "lambda", l.Name, i)
		v.unique(w, "lambda", l.Name, lambdaNamePattern, "1 to 64 letters, digits, hyphens and underscores", lambdas)
		v.role(w, l.Role)
		v.created(w, l.Created)
		v.environment(w, l.Environment, 4096)
		v.lambdaReserved(w, l.Environment)
	}

	kbIDs, kbNames := map[string]bool{}, map[string]bool{}
	for i, kb := range r.KnowledgeBases {
		w := kindWhere(where, "knowledge base", kb.Name, i)
		v.unique(w, "knowledge base", kb.Name, bedrockNamePattern, "letters and digits, single hyphens or underscores between them, up to 100", kbNames)
		v.id(w, kb.ID, upperIDPattern, "10 upper-case letters and digits", kbIDs)
		v.role(w, kb.Role)
		v.times(w, kb.Created, kb.Updated)
		v.enum(w, "status", kb.Status, knowledgeBaseStatuses)
	}

	agentIDs, agentNames := map[string]bool{}, map[string]bool{}
	for i := range r.BedrockAgents {
		v.agent(kindWhere(where, "bedrock agent", r.BedrockAgents[i].Name, i), &r.BedrockAgents[i], agentIDs, agentNames)
	}

	v.agentCore(where)
}

func (v regionValidator) agent(w string, ag *BedrockAgent, ids, names map[string]bool) {
	v.unique(w, "bedrock agent", ag.Name, bedrockNamePattern, "letters and digits, single hyphens or underscores between them, up to 100", names)
	v.id(w, ag.ID, upperIDPattern, "10 upper-case letters and digits", ids)
	v.role(w, ag.Role)
	if ag.FoundationModel == "" {
		v.addf(w, "foundation_model is empty: set the model id, such as anthropic.claude-3-5-sonnet-20240620-v1:0")
	}
	if g := ag.Guardrail; g != nil && (g.ID == "" || g.Version == "") {
		v.addf(w, "guardrail needs an id and a version (such as DRAFT or 1): set both, or drop guardrail for an agent without one")
	}
	v.enum(w, "status", ag.Status, agentStatuses)
	v.times(w, ag.Created, ag.Updated)

	versions := map[string]bool{}
	for _, ver := range ag.Versions {
		switch {
		case !versionPattern.MatchString(ver):
			v.addf(w, "version %q is not a version number: list numbered versions such as \"1\", \"2\" (DRAFT always exists)", ver)
		case versions[ver]:
			v.addf(w, "version %s is listed twice: list it once", ver)
		}
		versions[ver] = true
	}

	aliasIDs, aliasNames := map[string]bool{}, map[string]bool{}
	for i, al := range ag.Aliases {
		aw := kindWhere(w, "alias", al.Name, i)
		v.unique(aw, "alias", al.Name, bedrockNamePattern, "letters and digits, single hyphens or underscores between them, up to 100", aliasNames)
		v.id(aw, al.ID, upperIDPattern, "10 upper-case letters and digits", aliasIDs)
		if al.RoutesTo != DraftVersion && !versions[al.RoutesTo] {
			v.addf(aw, "routes_to %q is not a version of the agent: use DRAFT or one of its versions (%s)", al.RoutesTo, strings.Join(ag.Versions, ", "))
		}
	}

	for _, ver := range ag.VersionsWithoutGuardrail {
		if !versions[ver] {
			v.addf(w, "versions_without_guardrail names version %q, which the agent does not have: list it under versions", ver)
		}
	}
	if len(ag.VersionsWithoutGuardrail) > 0 && ag.Guardrail == nil {
		v.addf(w, "versions_without_guardrail is set but the agent has no guardrail: no version has one; drop the list")
	}
	for ver, role := range ag.VersionRoles {
		if !versions[ver] {
			v.addf(w, "version_roles names version %q, which the agent does not have: list it under versions", ver)
		}
		v.role(w, role)
	}
	// An action group's name and id are unique within each version.
	allVersions := append([]string{DraftVersion}, ag.Versions...)
	seenIn := map[string]map[string]bool{} // version -> "name" and "id:ID"
	for _, ver := range allVersions {
		seenIn[ver] = map[string]bool{}
	}
	for i, g := range ag.ActionGroups {
		gw := kindWhere(w, "action group", g.Name, i)
		v.unique(gw, "action group", g.Name, bedrockNamePattern, "letters and digits, single hyphens or underscores between them, up to 100", map[string]bool{})
		v.id(gw, g.ID, upperIDPattern, "10 upper-case letters and digits", map[string]bool{})
		for _, ver := range g.Versions {
			if ver != DraftVersion && !versions[ver] {
				v.addf(gw, "versions names %q, which the agent does not have: use DRAFT or one of %s", ver, strings.Join(ag.Versions, ", "))
			}
		}
		for _, ver := range allVersions {
			if !g.InVersion(ver) {
				continue
			}
			if seenIn[ver][g.Name] || (g.ID != "" && seenIn[ver]["id:"+g.ID]) {
				v.addf(gw, "is listed twice for version %s: limit each definition to other versions", ver)
			}
			seenIn[ver][g.Name], seenIn[ver]["id:"+g.ID] = true, true
		}
		v.enum(gw, "state", g.State, []string{"ENABLED", "DISABLED"})
		switch {
		case g.Lambda != "" && g.ReturnControl:
			v.addf(gw, "has both a lambda and return_control: an action group runs a Lambda function or returns control, not both")
		case g.Lambda == "" && !g.ReturnControl:
			v.addf(gw, "has no executor: set lambda (a function of this region, or a function ARN) or return_control: true")
		case g.Lambda != "":
			v.lambda(gw, g.Lambda)
		}
	}

	kbs := map[string]bool{}
	for _, ref := range ag.KnowledgeBases {
		kb, ok := v.region.KnowledgeBase(ref)
		switch {
		case !ok:
			v.addf(w, "knowledge base %q does not exist in this region: add it under knowledge_bases, or use the id or name of one there", ref)
		case kbs[kb.ID]:
			v.addf(w, "knowledge base %s is associated twice: list it once", ref)
		}
		kbs[kb.ID] = true
	}
}

func (v regionValidator) agentCore(where string) {
	ac := &v.region.AgentCore
	identities := map[string]bool{}
	for i, wi := range ac.WorkloadIdentities {
		w := kindWhere(where, "workload identity", wi.Name, i)
		v.unique(w, "workload identity", wi.Name, identityNamePattern, "3 to 255 letters, digits, dots, hyphens and underscores", identities)
		v.times(w, wi.Created, wi.Updated)
		for _, u := range wi.AllowedReturnURLs {
			if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://localhost") {
				v.addf(w, "allowed return URL %q is not an https URL: use https://...", u)
			}
		}
	}
	apiKeys := map[string]bool{}
	for i, p := range ac.APIKeyProviders {
		w := kindWhere(where, "API key provider", p.Name, i)
		v.unique(w, "API key provider", p.Name, providerNamePattern, "1 to 128 letters, digits, hyphens and underscores", apiKeys)
		v.times(w, p.Created, p.Updated)
	}
	oauth := map[string]bool{}
	for i, p := range ac.OAuth2Providers {
		w := kindWhere(where, "OAuth2 provider", p.Name, i)
		v.unique(w, "OAuth2 provider", p.Name, providerNamePattern, "1 to 128 letters, digits, hyphens and underscores", oauth)
		v.times(w, p.Created, p.Updated)
		v.enum(w, "vendor", p.Vendor, oauth2Vendors)
		if p.ClientID == "" {
			v.addf(w, "client_id is empty: set the OAuth client id")
		}
		if p.Vendor == defaultOAuth2Vendor && !strings.HasPrefix(p.DiscoveryURL, "https://") {
			v.addf(w, "a CustomOauth2 provider needs discovery_url: set the https URL of its OpenID discovery document")
		}
	}

	runtimeIDs, runtimeNames := map[string]bool{}, map[string]bool{}
	for i, rt := range ac.Runtimes {
		w := kindWhere(where, "agent runtime", rt.Name, i)
		v.unique(w, "agent runtime", rt.Name, runtimeNamePattern, "a letter, then up to 47 letters, digits and underscores", runtimeNames)
		if prefix, suffix, ok := strings.Cut(rt.ID, "-"); !ok || prefix != rt.Name || !runtimeIDSuffix.MatchString(suffix) {
			v.addf(w, "id %q is not the runtime name, a hyphen and 10 letters and digits: fix it, or leave it out for a derived one", rt.ID)
		} else if runtimeIDs[rt.ID] {
			v.addf(w, "id %s is used twice in this region: give each its own", rt.ID)
		}
		runtimeIDs[rt.ID] = true
		v.role(w, rt.Role)
		if !versionPattern.MatchString(rt.Version) {
			v.addf(w, "version %q is not a version number such as 1", rt.Version)
		}
		v.enum(w, "status", rt.Status, runtimeStatuses)
		v.enum(w, "protocol", rt.Protocol, serverProtocols)
		v.enum(w, "network_mode", rt.NetworkMode, networkModes)
		if rt.WorkloadIdentity != "" && !identities[rt.WorkloadIdentity] {
			v.addf(w, "workload identity %q does not exist in this region: add it under agentcore.workload_identities", rt.WorkloadIdentity)
		}
		v.authorizer(w, rt.Authorizer)
		v.requestHeaders(w, rt)
		v.environment(w, rt.Environment, 0)
		v.times(w, rt.Created, rt.Updated)
	}

	v.policyEngines(where)
	gatewayIDs, gatewayNames := map[string]bool{}, map[string]bool{}
	for i := range ac.Gateways {
		g := &ac.Gateways[i]
		w := kindWhere(where, "gateway", g.Name, i)
		v.unique(w, "gateway", g.Name, gatewayNamePattern, "letters and digits with single hyphens between them, up to 100", gatewayNames)
		v.id(w, g.ID, gatewayIDPattern, "the lower-case name, a hyphen and 10 lower-case letters and digits", gatewayIDs)
		v.role(w, g.Role)
		v.enum(w, "protocol_type", g.ProtocolType, []string{defaultGatewayProtocol})
		v.enum(w, "authorizer_type", g.AuthorizerType, authorizerTypes)
		switch {
		case g.AuthorizerType == AuthorizerCustomJWT && g.Authorizer == nil:
			v.addf(w, "authorizer_type CUSTOM_JWT needs an authorizer: set authorizer.discovery_url and the allowed audience or clients")
		case g.AuthorizerType != AuthorizerCustomJWT && g.Authorizer != nil:
			v.addf(w, "has an authorizer but authorizer_type %s: use CUSTOM_JWT, or drop the authorizer", g.AuthorizerType)
		}
		v.authorizer(w, g.Authorizer)
		v.gatewayPolicyEngine(w, g.PolicyEngine)
		v.enum(w, "status", g.Status, gatewayStatuses)
		v.times(w, g.Created, g.Updated)
		targetIDs, targetNames := map[string]bool{}, map[string]bool{}
		for j, t := range g.Targets {
			v.target(kindWhere(w, "target", t.Name, j), t, targetIDs, targetNames, apiKeys, oauth)
		}
	}
}

func (v regionValidator) target(w string, t GatewayTarget, ids, names, apiKeys, oauth map[string]bool) {
	v.unique(w, "target", t.Name, gatewayNamePattern, "letters and digits with single hyphens between them, up to 100", names)
	v.id(w, t.ID, upperIDPattern, "10 upper-case letters and digits", ids)
	kinds := 0
	for _, set := range []bool{t.Lambda != "", t.OpenAPI, t.MCPServer != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.addf(w, "a target is exactly one of lambda, openapi: true or mcp_server: set one")
	}
	if t.Lambda != "" {
		v.lambda(w, t.Lambda)
	}
	if t.MCPServer != "" && !strings.HasPrefix(t.MCPServer, "https://") {
		v.addf(w, "mcp_server %q is not an https URL: write the endpoint as https://...", t.MCPServer)
	}
	c := t.Credential
	v.enum(w, "credential.type", c.Type, credentialTypes)
	switch c.Type {
	case CredentialGatewayRole:
		if c.Provider != "" {
			v.addf(w, "credential type GATEWAY_IAM_ROLE takes no provider: drop credential.provider, or use API_KEY or OAUTH")
		}
	case CredentialAPIKey:
		if !apiKeys[c.Provider] {
			v.addf(w, "API key provider %q does not exist in this region: add it under agentcore.api_key_providers", c.Provider)
		}
	case CredentialOAuth:
		if !oauth[c.Provider] {
			v.addf(w, "OAuth2 provider %q does not exist in this region: add it under agentcore.oauth2_providers", c.Provider)
		}
	}
	if t.Lambda != "" && c.Type != CredentialGatewayRole {
		v.addf(w, "a Lambda target authenticates with the gateway's role only: use credential type GATEWAY_IAM_ROLE")
	}
	if len(c.Scopes) > 0 && c.Type != CredentialOAuth {
		v.addf(w, "credential.scopes are for OAUTH credentials only: drop them")
	}
}

func kindWhere(where, kind, name string, i int) string {
	if name == "" {
		return fmt.Sprintf("%s: %s #%d", where, kind, i+1)
	}
	return where + ": " + kind + " " + name
}

// unique checks a name against its pattern and the names seen so far.
func (v regionValidator) unique(w, kind, name string, pattern *regexp.Regexp, shape string, seen map[string]bool) {
	switch {
	case name == "":
		v.addf(w, "has no name: set name")
		return
	case !pattern.MatchString(name):
		v.addf(w, "name %q is not a valid %s name: use %s", name, kind, shape)
	}
	if seen[name] {
		v.addf(w, "another %s has the same name: rename one", kind)
	}
	seen[name] = true
}

// id checks an id (filled in by default) against its pattern and the ids
// seen so far.
func (v regionValidator) id(w, id string, pattern *regexp.Regexp, shape string, seen map[string]bool) {
	if id == "" {
		return // no name, so no default id: reported as the missing name
	}
	if !pattern.MatchString(id) {
		v.addf(w, "id %q is not %s: fix it, or leave it out for a derived one", id, shape)
	} else if seen[id] {
		v.addf(w, "id %s is used twice: give each its own", id)
	}
	seen[id] = true
}

// role checks a role reference: a role of the account, or a role ARN.
func (v regionValidator) role(w, role string) {
	switch {
	case role == "":
		v.addf(w, "role is empty: set the name of a role of this account, or a role ARN")
	case strings.HasPrefix(role, "arn:"):
		if !roleARNPattern.MatchString(role) {
			v.addf(w, "role %q is not a role ARN: write arn:aws:iam::ACCOUNT:role/NAME, or the name of a role of this account", role)
		}
	default:
		if _, ok := v.account.Role(role); !ok {
			v.addf(w, "role %q does not exist in this account: add it under roles, or write a full role ARN", role)
		}
	}
}

// lambda checks a function reference: a function of the region, or a
// function ARN.
func (v regionValidator) lambda(w, ref string) {
	if strings.HasPrefix(ref, "arn:") {
		if !lambdaARNPattern.MatchString(ref) {
			v.addf(w, "lambda %q is not a function ARN: write arn:aws:lambda:REGION:ACCOUNT:function:NAME, or the name of a function of this region", ref)
		}
		return
	}
	if _, ok := v.region.Lambda(ref); !ok {
		v.addf(w, "lambda %q does not exist in this region: add it under lambdas, or write a full function ARN", ref)
	}
}

func (v regionValidator) enum(w, field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		v.addf(w, "%s %q is not known: use one of %s", field, value, strings.Join(allowed, ", "))
	}
}

func (v regionValidator) times(w string, created, updated time.Time) {
	v.created(w, created)
	if !created.IsZero() && updated.Before(created) {
		v.addf(w, "updated is before created: a resource cannot change before it exists")
	}
}

func (v regionValidator) authorizer(w string, a *JWTAuthorizer) {
	if a == nil {
		return
	}
	if !strings.HasPrefix(a.DiscoveryURL, "https://") {
		v.addf(w, "authorizer.discovery_url %q is not an https URL: set the OpenID discovery URL of the identity provider", a.DiscoveryURL)
	}
	if len(a.AllowedAudience) == 0 && len(a.AllowedClients) == 0 {
		v.addf(w, "authorizer allows no audience and no client: set allowed_audience or allowed_clients")
	}
}

// lambdaReservedEnv are the environment variables the Lambda runtime sets
// itself: CreateFunction and UpdateFunctionConfiguration refuse them in a
// function's configuration (InvalidParameterValueException, "reserved keys
// that are currently not supported for modification"), so a real function
// can never hold a key under AWS_ACCESS_KEY_ID. (TZ, LANG, PATH and the
// like are set by the runtime too, but a function may override them.)
var lambdaReservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true,
	"AWS_DEFAULT_REGION": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true,
	"AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// lambdaReserved refuses the names Lambda reserves, as Lambda does.
func (v regionValidator) lambdaReserved(w string, env map[string]string) {
	var reserved []string
	for k := range env {
		if lambdaReservedEnv[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		v.addf(w, "environment holds %s, which Lambda reserves for its runtime and refuses in a function's configuration: rename the variable (a key can be held as, say, LEGACY_ACCESS_KEY_ID)", strings.Join(reserved, ", "))
	}
}

// environment checks variable names (never values) and, when limit > 0,
// the total size of the variables.
func (v regionValidator) environment(w string, env map[string]string, limit int) {
	keys := make([]string, 0, len(env))
	size := 0
	for k, val := range env {
		keys = append(keys, k)
		size += len(k) + len(val)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !envKeyPattern.MatchString(k) {
			v.addf(w, "environment variable name %q is not valid: start with a letter, then letters, digits and underscores", k)
		}
	}
	if limit > 0 && size > limit {
		v.addf(w, "the environment variables take %d bytes: Lambda allows at most %d", size, limit)
	}
}
