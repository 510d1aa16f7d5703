package aws

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// Region is what one account runs in one AWS region: Bedrock agents and
// their knowledge bases, Lambda functions, and Bedrock AgentCore resources.
// The lab serves a region's resources to requests whose SigV4 credential
// scope names that region; a region the estate does not list answers empty
// lists.
type Region struct {
	// Name is the region code, such as us-east-1; unique per account.
	Name           string          `yaml:"name"`
	BedrockAgents  []BedrockAgent  `yaml:"bedrock_agents,omitempty"`
	KnowledgeBases []KnowledgeBase `yaml:"knowledge_bases,omitempty"`
	Lambdas        []Lambda        `yaml:"lambdas,omitempty"`
	AgentCore      AgentCore       `yaml:"agentcore,omitempty"`
}

// BedrockAgent is an agent of Agents for Amazon Bedrock. Its DRAFT version
// and every numbered version in Versions have the same knowledge bases; an
// action group may be limited to some versions (ActionGroup.Versions), and a
// numbered version may run as another role (VersionRoles).
type BedrockAgent struct {
	// ID is 10 upper-case letters and digits; by default derived from the
	// name (see DefaultAgentID).
	ID          string `yaml:"id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Role is the agent's execution role: the name of a role of this
	// account (its ARN is built with the role's path), or a full role ARN,
	// possibly of another account, which is taken as written.
	Role            string `yaml:"role"`
	FoundationModel string `yaml:"foundation_model"`
	// Guardrail is nil for an agent without a guardrail.
	Guardrail *Guardrail `yaml:"guardrail,omitempty"`
	// Status is the agentStatus (default PREPARED).
	Status  string    `yaml:"status,omitempty"`
	Created time.Time `yaml:"created"`
	// Updated defaults to Created.
	Updated time.Time `yaml:"updated,omitempty"`
	// Versions are the numbered versions besides DRAFT, such as ["1", "2"].
	Versions []string `yaml:"versions,omitempty"`
	// VersionRoles gives a numbered version a role other than Role (as
	// GetAgentVersion answers it): version -> role name or ARN.
	VersionRoles map[string]string `yaml:"version_roles,omitempty"`
	// VersionsWithoutGuardrail are numbered versions prepared before the
	// guardrail was attached: GetAgentVersion answers them without one.
	VersionsWithoutGuardrail []string      `yaml:"versions_without_guardrail,omitempty"`
	Aliases                  []AgentAlias  `yaml:"aliases,omitempty"`
	ActionGroups             []ActionGroup `yaml:"action_groups,omitempty"`
	// KnowledgeBases are ids (or names) of knowledge bases of this region.
	KnowledgeBases []string `yaml:"knowledge_bases,omitempty"`
}

// Guardrail is the guardrail an agent applies.
type Guardrail struct {
	ID      string `yaml:"id"`
	Version string `yaml:"version"`
}

// AgentAlias is an alias of a Bedrock agent.
type AgentAlias struct {
	// ID is 10 upper-case letters and digits; by default derived from the
	// agent id and the alias name.
	ID   string `yaml:"id,omitempty"`
	Name string `yaml:"name"`
	// RoutesTo is the version the alias points at: DRAFT or one of the
	// agent's Versions.
	RoutesTo string `yaml:"routes_to"`
}

// ActionGroup is an action group of a Bedrock agent: it runs a Lambda
// function, or returns control to the caller.
type ActionGroup struct {
	// ID is 10 upper-case letters and digits; by default derived from the
	// agent id and the action group name.
	ID          string `yaml:"id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// State is ENABLED (default) or DISABLED.
	State string `yaml:"state,omitempty"`
	// Lambda is the name of a function of this region, or a full function
	// ARN taken as written.
	Lambda string `yaml:"lambda,omitempty"`
	// ReturnControl makes the executor customControl RETURN_CONTROL
	// instead of a Lambda function.
	ReturnControl bool `yaml:"return_control,omitempty"`
	// Versions limits the action group to these versions (DRAFT or
	// numbered); empty means every version. The same action group (name and
	// id) may be listed again for other versions with another executor.
	Versions []string `yaml:"versions,omitempty"`
}

// InVersion reports whether the action group exists in version v.
func (g ActionGroup) InVersion(v string) bool {
	return len(g.Versions) == 0 || slices.Contains(g.Versions, v)
}

// RoleOf is the role version v of the agent runs as.
func (a BedrockAgent) RoleOf(v string) string {
	if r, ok := a.VersionRoles[v]; ok && v != DraftVersion {
		return r
	}
	return a.Role
}

// GuardrailOf is the guardrail version v of the agent applies; nil for
// none.
func (a BedrockAgent) GuardrailOf(v string) *Guardrail {
	if v != DraftVersion && slices.Contains(a.VersionsWithoutGuardrail, v) {
		return nil
	}
	return a.Guardrail
}

// KnowledgeBase is a Bedrock knowledge base; it runs as its own role.
type KnowledgeBase struct {
	// ID is 10 upper-case letters and digits; by default derived from the
	// name.
	ID          string `yaml:"id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Role is a role name of this account or a full role ARN, as for
	// BedrockAgent.Role.
	Role    string    `yaml:"role"`
	Created time.Time `yaml:"created"`
	Updated time.Time `yaml:"updated,omitempty"`
	// Status defaults to ACTIVE.
	Status string `yaml:"status,omitempty"`
}

// Lambda is a Lambda function.
type Lambda struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Role is a role name of this account or a full role ARN.
	Role string `yaml:"role"`
	// Runtime defaults to python3.12, Handler to
	// lambda_function.lambda_handler.
	Runtime string `yaml:"runtime,omitempty"`
	Handler string `yaml:"handler,omitempty"`
	// Created is the function's LastModified.
	Created time.Time `yaml:"created"`
	// Environment holds the function's environment variables. Values may
	// be canaries (secrets) or AWS access key ids: GetFunctionConfiguration
	// answers them, as AWS does, but the lab never logs or prints them.
	Environment map[string]string `yaml:"environment,omitempty"`
}

// AgentCore is what Amazon Bedrock AgentCore runs in a region.
type AgentCore struct {
	Runtimes           []Runtime          `yaml:"runtimes,omitempty"`
	Gateways           []Gateway          `yaml:"gateways,omitempty"`
	APIKeyProviders    []APIKeyProvider   `yaml:"api_key_providers,omitempty"`
	OAuth2Providers    []OAuth2Provider   `yaml:"oauth2_providers,omitempty"`
	WorkloadIdentities []WorkloadIdentity `yaml:"workload_identities,omitempty"`
	// PolicyEngines are the region's AgentCore Policy engines
	// (agentcore_policy.go).
	PolicyEngines []PolicyEngine `yaml:"policy_engines,omitempty"`
}

// Runtime is an AgentCore agent runtime.
type Runtime struct {
	// ID is the name, "-" and 10 letters and digits; by default derived
	// from the name.
	ID string `yaml:"id,omitempty"`
	// Name is a letter then up to 47 letters, digits and underscores.
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Role is a role name of this account or a full role ARN.
	Role string `yaml:"role"`
	// Version defaults to "1", Status to READY, Protocol (HTTP, MCP or
	// A2A) to HTTP, NetworkMode to PUBLIC.
	Version     string `yaml:"version,omitempty"`
	Status      string `yaml:"status,omitempty"`
	Protocol    string `yaml:"protocol,omitempty"`
	NetworkMode string `yaml:"network_mode,omitempty"`
	// WorkloadIdentity is the name of a WorkloadIdentity of this region,
	// or empty.
	WorkloadIdentity string `yaml:"workload_identity,omitempty"`
	// Authorizer is nil for a runtime without an inbound authorizer.
	Authorizer *JWTAuthorizer `yaml:"authorizer,omitempty"`
	// Environment holds the runtime's environment variables; values may be
	// canaries. GetAgentRuntime answers them, as AWS does.
	Environment map[string]string `yaml:"environment,omitempty"`
	// RequestHeaders is the request header allow-list: the headers of an
	// invocation passed on to the agent's code, such as Authorization.
	RequestHeaders []string  `yaml:"request_headers,omitempty"`
	Created        time.Time `yaml:"created"`
	Updated        time.Time `yaml:"updated,omitempty"`
}

// JWTAuthorizer is an inbound custom JWT authorizer.
type JWTAuthorizer struct {
	DiscoveryURL    string   `yaml:"discovery_url"`
	AllowedAudience []string `yaml:"allowed_audience,omitempty"`
	AllowedClients  []string `yaml:"allowed_clients,omitempty"`
}

// Gateway is an AgentCore gateway (an MCP server in front of targets).
type Gateway struct {
	// ID is the lower-case name, "-" and 10 lower-case letters and digits;
	// by default derived from the name.
	ID          string `yaml:"id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Role is a role name of this account or a full role ARN.
	Role string `yaml:"role"`
	// ProtocolType defaults to MCP.
	ProtocolType string `yaml:"protocol_type,omitempty"`
	// AuthorizerType is CUSTOM_JWT (the default when Authorizer is set),
	// AWS_IAM (the default otherwise) or NONE.
	AuthorizerType string         `yaml:"authorizer_type,omitempty"`
	Authorizer     *JWTAuthorizer `yaml:"authorizer,omitempty"`
	// PolicyEngine is nil for a gateway without a policy engine.
	PolicyEngine *GatewayPolicyEngine `yaml:"policy_engine,omitempty"`
	// Status defaults to READY.
	Status  string          `yaml:"status,omitempty"`
	Created time.Time       `yaml:"created"`
	Updated time.Time       `yaml:"updated,omitempty"`
	Targets []GatewayTarget `yaml:"targets,omitempty"`
}

// GatewayTarget is a target of a gateway: exactly one of a Lambda function,
// an inline OpenAPI schema or an MCP server.
type GatewayTarget struct {
	// ID is 10 upper-case letters and digits; by default derived from the
	// gateway id and the target name.
	ID          string `yaml:"id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Lambda is a function name of this region or a full function ARN.
	Lambda string `yaml:"lambda,omitempty"`
	// OpenAPI makes the target an OpenAPI schema (inline payload).
	OpenAPI bool `yaml:"openapi,omitempty"`
	// MCPServer is the endpoint URL of an MCP server target.
	MCPServer  string           `yaml:"mcp_server,omitempty"`
	Credential TargetCredential `yaml:"credential,omitempty"`
}

// TargetCredential is how a gateway authenticates to its target.
type TargetCredential struct {
	// Type is GATEWAY_IAM_ROLE (default), API_KEY or OAUTH.
	Type string `yaml:"type,omitempty"`
	// Provider is the name of an APIKeyProvider (API_KEY) or an
	// OAuth2Provider (OAUTH) of this region.
	Provider string `yaml:"provider,omitempty"`
	// Scopes are the OAuth scopes asked for (OAUTH only).
	Scopes []string `yaml:"scopes,omitempty"`
}

// APIKeyProvider is an AgentCore Identity API key credential provider. The
// key itself lives in Secrets Manager.
type APIKeyProvider struct {
	Name string `yaml:"name"`
	// APIKey is a canary: the lab never sends, logs or prints it.
	APIKey  kit.Secret `yaml:"api_key,omitempty"`
	Created time.Time  `yaml:"created"`
	Updated time.Time  `yaml:"updated,omitempty"`
}

// OAuth2Provider is an AgentCore Identity OAuth2 credential provider.
type OAuth2Provider struct {
	Name string `yaml:"name"`
	// Vendor is the credentialProviderVendor, such as GithubOauth2 or
	// CustomOauth2 (the default).
	Vendor   string `yaml:"vendor,omitempty"`
	ClientID string `yaml:"client_id"`
	// ClientSecret is a canary: the lab never sends, logs or prints it.
	ClientSecret kit.Secret `yaml:"client_secret,omitempty"`
	// DiscoveryURL is the OpenID discovery URL of a CustomOauth2 provider.
	DiscoveryURL string    `yaml:"discovery_url,omitempty"`
	Created      time.Time `yaml:"created"`
	Updated      time.Time `yaml:"updated,omitempty"`
}

// WorkloadIdentity is an AgentCore workload identity.
type WorkloadIdentity struct {
	Name              string    `yaml:"name"`
	AllowedReturnURLs []string  `yaml:"allowed_return_urls,omitempty"`
	Created           time.Time `yaml:"created"`
	Updated           time.Time `yaml:"updated,omitempty"`
}

// Defaults and well-known values of the region resources.
const (
	AgentStatusPrepared    = "PREPARED"
	DraftVersion           = "DRAFT"
	ActionGroupEnabled     = "ENABLED"
	KnowledgeBaseActive    = "ACTIVE"
	AgentCoreReady         = "READY"
	CredentialGatewayRole  = "GATEWAY_IAM_ROLE"
	CredentialAPIKey       = "API_KEY"
	CredentialOAuth        = "OAUTH"
	AuthorizerCustomJWT    = "CUSTOM_JWT"
	AuthorizerAWSIAM       = "AWS_IAM"
	AuthorizerNone         = "NONE"
	defaultLambdaRuntime   = "python3.12"
	defaultLambdaHandler   = "lambda_function.lambda_handler"
	defaultRuntimeVersion  = "1"
	defaultRuntimeProtocol = "HTTP"
	defaultNetworkMode     = "PUBLIC"
	defaultGatewayProtocol = "MCP"
	defaultOAuth2Vendor    = "CustomOauth2"
)

// String names the function without its environment, whose values may be
// secrets.
func (l Lambda) String() string { return "lambda " + l.Name }

// GoString is String for %#v.
func (l Lambda) GoString() string { return l.String() }

// String names the runtime without its environment.
func (r Runtime) String() string { return "agent runtime " + r.Name }

// GoString is String for %#v.
func (r Runtime) GoString() string { return r.String() }

// String names the provider without its API key.
func (p APIKeyProvider) String() string { return "API key credential provider " + p.Name }

// GoString is String for %#v.
func (p APIKeyProvider) GoString() string { return p.String() }

// String names the provider without its client secret.
func (p OAuth2Provider) String() string {
	return fmt.Sprintf("OAuth2 credential provider %s (%s)", p.Name, p.vendor())
}

// GoString is String for %#v.
func (p OAuth2Provider) GoString() string { return p.String() }

// String names the region and counts what it runs, without any secret.
func (r Region) String() string {
	return fmt.Sprintf("region %s (%d bedrock agents, %d agent runtimes, %d gateways)",
		r.Name, len(r.BedrockAgents), len(r.AgentCore.Runtimes), len(r.AgentCore.Gateways))
}

// GoString is String for %#v.
func (r Region) GoString() string { return r.String() }

// String counts what AgentCore runs, without any secret.
func (c AgentCore) String() string {
	return fmt.Sprintf("agentcore (%d runtimes, %d gateways, %d API key providers, %d OAuth2 providers)",
		len(c.Runtimes), len(c.Gateways), len(c.APIKeyProviders), len(c.OAuth2Providers))
}

// GoString is String for %#v.
func (c AgentCore) GoString() string { return c.String() }

func (p OAuth2Provider) vendor() string {
	if p.Vendor == "" {
		return defaultOAuth2Vendor
	}
	return p.Vendor
}

// ARNs and URLs of the region resources, as AWS builds them.

// BedrockAgentARN is arn:aws:bedrock:REGION:ACCOUNT:agent/ID.
func BedrockAgentARN(region, account, agentID string) string {
	return "arn:aws:bedrock:" + region + ":" + account + ":agent/" + agentID
}

// AgentAliasARN is arn:aws:bedrock:REGION:ACCOUNT:agent-alias/AGENTID/ALIASID.
func AgentAliasARN(region, account, agentID, aliasID string) string {
	return "arn:aws:bedrock:" + region + ":" + account + ":agent-alias/" + agentID + "/" + aliasID
}

// KnowledgeBaseARN is arn:aws:bedrock:REGION:ACCOUNT:knowledge-base/ID.
func KnowledgeBaseARN(region, account, kbID string) string {
	return "arn:aws:bedrock:" + region + ":" + account + ":knowledge-base/" + kbID
}

// LambdaARN is arn:aws:lambda:REGION:ACCOUNT:function:NAME.
func LambdaARN(region, account, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// RuntimeARN is arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID.
func RuntimeARN(region, account, runtimeID string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":runtime/" + runtimeID
}

// GatewayARN is arn:aws:bedrock-agentcore:REGION:ACCOUNT:gateway/ID.
func GatewayARN(region, account, gatewayID string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":gateway/" + gatewayID
}

// GatewayURL is the MCP endpoint of a gateway:
// https://ID.gateway.bedrock-agentcore.REGION.amazonaws.com/mcp.
func GatewayURL(region, gatewayID string) string {
	return "https://" + gatewayID + ".gateway.bedrock-agentcore." + region + ".amazonaws.com/mcp"
}

// WorkloadIdentityARN is the ARN of a workload identity in the default
// directory.
func WorkloadIdentityARN(region, account, name string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":workload-identity-directory/default/workload-identity/" + name
}

// APIKeyProviderARN is the ARN of an API key credential provider in the
// default token vault.
func APIKeyProviderARN(region, account, name string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":token-vault/default/apikeycredentialprovider/" + name
}

// OAuth2ProviderARN is the ARN of an OAuth2 credential provider in the
// default token vault.
func OAuth2ProviderARN(region, account, name string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":token-vault/default/oauth2credentialprovider/" + name
}

// APIKeySecretARN is the Secrets Manager ARN of the secret holding an API
// key provider's key (apiKeySecretArn): the secret
// bedrock-agentcore-identity!default/apikey/NAME with the six-character
// suffix Secrets Manager adds, derived here from the provider.
func APIKeySecretARN(region, account, name string) string {
	return secretARN(region, account, "bedrock-agentcore-identity!default/apikey/"+name)
}

// OAuth2SecretARN is the Secrets Manager ARN of the secret holding an OAuth2
// provider's client secret (clientSecretArn).
func OAuth2SecretARN(region, account, name string) string {
	return secretARN(region, account, "bedrock-agentcore-identity!default/oauth2/"+name)
}

func secretARN(region, account, secretName string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	sum := sha256.Sum256([]byte("aam-lab\x00secret\x00" + region + "\x00" + account + "\x00" + secretName))
	suffix := make([]byte, 6)
	for i := range suffix {
		suffix[i] = alnum[int(sum[i])%len(alnum)]
	}
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + secretName + "-" + string(suffix)
}

// ResolveRoleARN is the ARN of role: a role name of this account becomes
// its ARN with the role's path (see RoleARN); a full ARN is returned as
// given.
func (a Account) ResolveRoleARN(role string) string {
	if strings.HasPrefix(role, "arn:") {
		return role
	}
	return a.RoleARN(role)
}

// Region returns the region with the given name.
func (a Account) Region(name string) (Region, bool) {
	for _, r := range a.Regions {
		if r.Name == name {
			return r, true
		}
	}
	return Region{}, false
}

// LambdaARN resolves a function reference of this region: a function name
// becomes arn:aws:lambda:REGION:ACCOUNT:function:NAME; a full ARN is
// returned as given.
func (r Region) LambdaARN(account, function string) string {
	if strings.HasPrefix(function, "arn:") {
		return function
	}
	return LambdaARN(r.Name, account, function)
}

// Agent returns the Bedrock agent with the given name.
func (r Region) Agent(name string) (BedrockAgent, bool) {
	for _, a := range r.BedrockAgents {
		if a.Name == name {
			return a, true
		}
	}
	return BedrockAgent{}, false
}

// Lambda returns the function with the given name.
func (r Region) Lambda(name string) (Lambda, bool) {
	for _, l := range r.Lambdas {
		if l.Name == name {
			return l, true
		}
	}
	return Lambda{}, false
}

// Runtime returns the AgentCore runtime with the given name.
func (r Region) Runtime(name string) (Runtime, bool) {
	for _, rt := range r.AgentCore.Runtimes {
		if rt.Name == name {
			return rt, true
		}
	}
	return Runtime{}, false
}

// Gateway returns the AgentCore gateway with the given name.
func (r Region) Gateway(name string) (Gateway, bool) {
	for _, g := range r.AgentCore.Gateways {
		if g.Name == name {
			return g, true
		}
	}
	return Gateway{}, false
}

// KnowledgeBase returns the knowledge base with the given id or name.
func (r Region) KnowledgeBase(idOrName string) (KnowledgeBase, bool) {
	for _, kb := range r.KnowledgeBases {
		if kb.ID == idOrName {
			return kb, true
		}
	}
	for _, kb := range r.KnowledgeBases {
		if kb.Name == idOrName {
			return kb, true
		}
	}
	return KnowledgeBase{}, false
}

// Default ids. AWS draws them at random; the lab derives them from what
// they name, so that an estate file can leave them out and tests can still
// compute them.

// DefaultAgentID is the id the lab gives a Bedrock agent that has none.
func DefaultAgentID(account, region, name string) string {
	return upperID(account, region, "agent", name)
}

// DefaultKnowledgeBaseID is the id the lab gives a knowledge base that has
// none.
func DefaultKnowledgeBaseID(account, region, name string) string {
	return upperID(account, region, "knowledge-base", name)
}

// DefaultActionGroupID is the id the lab gives an action group that has
// none.
func DefaultActionGroupID(account, region, agentID, name string) string {
	return upperID(account, region, "action-group/"+agentID, name)
}

// DefaultAliasID is the id the lab gives an agent alias that has none.
func DefaultAliasID(account, region, agentID, name string) string {
	return upperID(account, region, "alias/"+agentID, name)
}

// DefaultRuntimeID is the id the lab gives an agent runtime that has none:
// NAME-xxxxxxxxxx.
func DefaultRuntimeID(account, region, name string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	sum := idHash(account, region, "runtime", name)
	b := make([]byte, 10)
	for i := range b {
		b[i] = alnum[int(sum[i])%len(alnum)]
	}
	return name + "-" + string(b)
}

// DefaultGatewayID is the id the lab gives a gateway that has none:
// lower-case-name-xxxxxxxxxx.
func DefaultGatewayID(account, region, name string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := idHash(account, region, "gateway", name)
	b := make([]byte, 10)
	for i := range b {
		b[i] = alnum[int(sum[i])%len(alnum)]
	}
	return strings.ToLower(name) + "-" + string(b)
}

// DefaultTargetID is the id the lab gives a gateway target that has none.
func DefaultTargetID(account, region, gatewayID, name string) string {
	return upperID(account, region, "target/"+gatewayID, name)
}

func idHash(account, region, kind, name string) [32]byte {
	return sha256.Sum256([]byte("aam-lab\x00" + account + "\x00" + region + "\x00" + kind + "\x00" + name))
}

// upperID is 10 characters of [A-Z2-7], a subset of the [0-9A-Z] AWS uses.
func upperID(account, region, kind, name string) string {
	sum := idHash(account, region, kind, name)
	return base32.StdEncoding.EncodeToString(sum[:])[:10]
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func timeOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// withDefaults returns a copy of r with its defaults filled in, sharing
// nothing that applyDefaults changes with r: the server and Validate work on
// such a copy, so that they see an estate that was not parsed (built in Go,
// or by GenerateEstate) as ParseEstate would have filled it.
func (r Region) withDefaults(account string) Region {
	c := r
	c.BedrockAgents = slices.Clone(r.BedrockAgents)
	for i := range c.BedrockAgents {
		c.BedrockAgents[i].Aliases = slices.Clone(c.BedrockAgents[i].Aliases)
		c.BedrockAgents[i].ActionGroups = slices.Clone(c.BedrockAgents[i].ActionGroups)
	}
	c.KnowledgeBases = slices.Clone(r.KnowledgeBases)
	c.Lambdas = slices.Clone(r.Lambdas)
	c.AgentCore.Runtimes = slices.Clone(r.AgentCore.Runtimes)
	c.AgentCore.Gateways = slices.Clone(r.AgentCore.Gateways)
	for i := range c.AgentCore.Gateways {
		c.AgentCore.Gateways[i].Targets = slices.Clone(c.AgentCore.Gateways[i].Targets)
	}
	c.AgentCore.APIKeyProviders = slices.Clone(r.AgentCore.APIKeyProviders)
	c.AgentCore.OAuth2Providers = slices.Clone(r.AgentCore.OAuth2Providers)
	c.AgentCore.WorkloadIdentities = slices.Clone(r.AgentCore.WorkloadIdentities)
	c.AgentCore.PolicyEngines = slices.Clone(r.AgentCore.PolicyEngines)
	c.applyDefaults(account)
	return c
}

// applyDefaults fills the defaults of the region's resources in place.
func (r *Region) applyDefaults(account string) {
	for i := range r.BedrockAgents {
		ag := &r.BedrockAgents[i]
		if ag.Name != "" {
			ag.ID = orDefault(ag.ID, DefaultAgentID(account, r.Name, ag.Name))
		}
		ag.Status = orDefault(ag.Status, AgentStatusPrepared)
		ag.Updated = timeOr(ag.Updated, ag.Created)
		for j := range ag.Aliases {
			al := &ag.Aliases[j]
			if al.Name != "" {
				al.ID = orDefault(al.ID, DefaultAliasID(account, r.Name, ag.ID, al.Name))
			}
		}
		for j := range ag.ActionGroups {
			g := &ag.ActionGroups[j]
			if g.Name != "" {
				g.ID = orDefault(g.ID, DefaultActionGroupID(account, r.Name, ag.ID, g.Name))
			}
			g.State = orDefault(g.State, ActionGroupEnabled)
		}
	}
	for i := range r.KnowledgeBases {
		kb := &r.KnowledgeBases[i]
		if kb.Name != "" {
			kb.ID = orDefault(kb.ID, DefaultKnowledgeBaseID(account, r.Name, kb.Name))
		}
		kb.Status = orDefault(kb.Status, KnowledgeBaseActive)
		kb.Updated = timeOr(kb.Updated, kb.Created)
	}
	for i := range r.Lambdas {
		l := &r.Lambdas[i]
		l.Runtime = orDefault(l.Runtime, defaultLambdaRuntime)
		l.Handler = orDefault(l.Handler, defaultLambdaHandler)
	}
	ac := &r.AgentCore
	for i := range ac.Runtimes {
		rt := &ac.Runtimes[i]
		if rt.Name != "" {
			rt.ID = orDefault(rt.ID, DefaultRuntimeID(account, r.Name, rt.Name))
		}
		rt.Version = orDefault(rt.Version, defaultRuntimeVersion)
		rt.Status = orDefault(rt.Status, AgentCoreReady)
		rt.Protocol = orDefault(rt.Protocol, defaultRuntimeProtocol)
		rt.NetworkMode = orDefault(rt.NetworkMode, defaultNetworkMode)
		rt.Updated = timeOr(rt.Updated, rt.Created)
	}
	for i := range ac.Gateways {
		g := &ac.Gateways[i]
		if g.Name != "" {
			g.ID = orDefault(g.ID, DefaultGatewayID(account, r.Name, g.Name))
		}
		g.ProtocolType = orDefault(g.ProtocolType, defaultGatewayProtocol)
		g.AuthorizerType = orDefault(g.AuthorizerType, g.defaultAuthorizerType())
		g.Status = orDefault(g.Status, AgentCoreReady)
		g.Updated = timeOr(g.Updated, g.Created)
		for j := range g.Targets {
			t := &g.Targets[j]
			if t.Name != "" {
				t.ID = orDefault(t.ID, DefaultTargetID(account, r.Name, g.ID, t.Name))
			}
			t.Credential.Type = orDefault(t.Credential.Type, CredentialGatewayRole)
		}
	}
	for i := range ac.APIKeyProviders {
		p := &ac.APIKeyProviders[i]
		p.Updated = timeOr(p.Updated, p.Created)
	}
	for i := range ac.OAuth2Providers {
		p := &ac.OAuth2Providers[i]
		p.Vendor = p.vendor()
		p.Updated = timeOr(p.Updated, p.Created)
	}
	for i := range ac.WorkloadIdentities {
		w := &ac.WorkloadIdentities[i]
		w.Updated = timeOr(w.Updated, w.Created)
	}
	for i := range ac.PolicyEngines {
		p := &ac.PolicyEngines[i]
		if p.Name != "" {
			p.ID = orDefault(p.ID, DefaultPolicyEngineID(account, r.Name, p.Name))
		}
		p.Status = orDefault(p.Status, PolicyEngineActive)
		p.Updated = timeOr(p.Updated, p.Created)
	}
}

func (g Gateway) defaultAuthorizerType() string {
	if g.Authorizer != nil {
		return AuthorizerCustomJWT
	}
	return AuthorizerAWSIAM
}

// Canaries lists every secret value of the estate, once each: the scanner
// secrets of the accounts, the secrets of user access keys, the API keys and
// client secrets of AgentCore credential providers, and the environment
// values of Lambda functions and agent runtimes that are canaries (they
// start with CANARY-). Tests use it to check that no secret is stored,
// logged or printed.
func (e *Estate) Canaries() []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	addEnv := func(env map[string]string) {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if strings.HasPrefix(env[k], "CANARY-") {
				add(env[k])
			}
		}
	}
	for _, a := range e.Accounts {
		add(a.SecretAccessKey)
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				add(k.Secret.Reveal())
			}
			for _, c := range u.ServiceCredentials {
				add(c.Secret.Reveal())
			}
		}
		for _, r := range a.Regions {
			for _, l := range r.Lambdas {
				addEnv(l.Environment)
			}
			for _, rt := range r.AgentCore.Runtimes {
				addEnv(rt.Environment)
			}
			for _, p := range r.AgentCore.APIKeyProviders {
				add(p.APIKey.Reveal())
			}
			for _, p := range r.AgentCore.OAuth2Providers {
				add(p.ClientSecret.Reveal())
			}
		}
	}
	return out
}

// RegionNames lists, sorted, every region any account of the estate has.
func (e *Estate) RegionNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			if !seen[r.Name] {
				seen[r.Name] = true
				out = append(out, r.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}
