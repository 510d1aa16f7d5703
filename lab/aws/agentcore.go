package aws

import (
	"net/http"
	"strconv"
	"strings"
)

// Amazon Bedrock AgentCore Control (bedrock-agentcore-control, API version
// 2023-06-05, SigV4 signing name bedrock-agentcore), written from the API
// Reference and checked against the botocore model and the Go SDK's request
// and response snapshots: runtimes and gateways page with maxResults and
// nextToken in the query string and date their records with ISO-8601
// strings; the identity operations are POST /identities/OPERATION with a
// JSON body and date their records in epoch seconds (JSON numbers).

func agentCoreService() *restService {
	return &restService{
		signingName: agentCoreSigningName,
		name:        "bedrock-agentcore-control",
		iamPrefix:   "bedrock-agentcore",
		guess: func(p string) bool {
			return strings.HasPrefix(p, "/runtimes/") || strings.HasPrefix(p, "/gateways/") || strings.HasPrefix(p, "/identities/") || p == "/policy-engine-summaries"
		},
		ops: []*restOp{
			op("ListAgentRuntimes", http.MethodPost, listAgentRuntimes, "/runtimes/").paged("maxResults", "nextToken", 100, true),
			op("GetAgentRuntime", http.MethodGet, getAgentRuntime, "/runtimes/{agentRuntimeId}/").withQuery("version"),
			op("ListGateways", http.MethodGet, listGateways, "/gateways/").paged("maxResults", "nextToken", 1000, true),
			op("GetGateway", http.MethodGet, getGateway, "/gateways/{gatewayIdentifier}/"),
			op("ListGatewayTargets", http.MethodGet, listGatewayTargets, "/gateways/{gatewayIdentifier}/targets/").paged("maxResults", "nextToken", 1000, true),
			op("GetGatewayTarget", http.MethodGet, getGatewayTarget, "/gateways/{gatewayIdentifier}/targets/{targetId}/"),
			op("ListWorkloadIdentities", http.MethodPost, listWorkloadIdentities, "/identities/ListWorkloadIdentities").paged("maxResults", "nextToken", 20, false),
			op("GetWorkloadIdentity", http.MethodPost, getWorkloadIdentity, "/identities/GetWorkloadIdentity").withBody("name"),
			op("ListApiKeyCredentialProviders", http.MethodPost, listAPIKeyProviders, "/identities/ListApiKeyCredentialProviders").paged("maxResults", "nextToken", 20, false),
			op("GetApiKeyCredentialProvider", http.MethodPost, getAPIKeyProvider, "/identities/GetApiKeyCredentialProvider").withBody("name"),
			op("ListOauth2CredentialProviders", http.MethodPost, listOAuth2Providers, "/identities/ListOauth2CredentialProviders").paged("maxResults", "nextToken", 20, false),
			op("GetOauth2CredentialProvider", http.MethodPost, getOAuth2Provider, "/identities/GetOauth2CredentialProvider").withBody("name"),
			op("ListPolicyEngineSummaries", http.MethodGet, listPolicyEngineSummaries, "/policy-engine-summaries").paged("maxResults", "nextToken", 100, true),
		},
	}
}

// Wire records, field names as in the botocore model.

type agentRuntimeSummary struct {
	AgentRuntimeArn     string `json:"agentRuntimeArn"`
	AgentRuntimeID      string `json:"agentRuntimeId"`
	AgentRuntimeVersion string `json:"agentRuntimeVersion"`
	AgentRuntimeName    string `json:"agentRuntimeName"`
	Description         string `json:"description"`
	LastUpdatedAt       string `json:"lastUpdatedAt"`
	Status              string `json:"status"`
}

type listAgentRuntimesOutput struct {
	AgentRuntimes []agentRuntimeSummary `json:"agentRuntimes"`
	NextToken     string                `json:"nextToken,omitempty"`
}

type customJWTAuthorizer struct {
	DiscoveryURL    string   `json:"discoveryUrl"`
	AllowedAudience []string `json:"allowedAudience,omitempty"`
	AllowedClients  []string `json:"allowedClients,omitempty"`
}

// authorizerConfiguration is a union with one member.
type authorizerConfiguration struct {
	CustomJWTAuthorizer *customJWTAuthorizer `json:"customJWTAuthorizer"`
}

type workloadIdentityDetails struct {
	WorkloadIdentityArn string `json:"workloadIdentityArn"`
}

type networkConfiguration struct {
	NetworkMode string `json:"networkMode"`
}

type protocolConfiguration struct {
	ServerProtocol string `json:"serverProtocol"`
}

type lifecycleConfiguration struct {
	IdleRuntimeSessionTimeout int `json:"idleRuntimeSessionTimeout"`
	MaxLifetime               int `json:"maxLifetime"`
}

type containerConfiguration struct {
	ContainerURI string `json:"containerUri"`
}

// agentRuntimeArtifact is a union; the lab's runtimes are containers.
type agentRuntimeArtifact struct {
	ContainerConfiguration containerConfiguration `json:"containerConfiguration"`
}

type getAgentRuntimeOutput struct {
	AgentRuntimeArn         string                   `json:"agentRuntimeArn"`
	AgentRuntimeName        string                   `json:"agentRuntimeName"`
	AgentRuntimeID          string                   `json:"agentRuntimeId"`
	AgentRuntimeVersion     string                   `json:"agentRuntimeVersion"`
	AgentRuntimeArtifact    agentRuntimeArtifact     `json:"agentRuntimeArtifact"`
	Description             string                   `json:"description,omitempty"`
	RoleArn                 string                   `json:"roleArn"`
	NetworkConfiguration    networkConfiguration     `json:"networkConfiguration"`
	ProtocolConfiguration   protocolConfiguration    `json:"protocolConfiguration"`
	LifecycleConfiguration  lifecycleConfiguration   `json:"lifecycleConfiguration"`
	WorkloadIdentityDetails *workloadIdentityDetails `json:"workloadIdentityDetails,omitempty"`
	AuthorizerConfiguration *authorizerConfiguration `json:"authorizerConfiguration,omitempty"`
	EnvironmentVariables    map[string]string        `json:"environmentVariables,omitempty"`
	// RequestHeaderConfiguration is written by agentcore_policy.go.
	RequestHeaderConfiguration *requestHeaderConfiguration `json:"requestHeaderConfiguration,omitempty"`
	Status                     string                      `json:"status"`
	CreatedAt                  string                      `json:"createdAt"`
	LastUpdatedAt              string                      `json:"lastUpdatedAt"`
}

type gatewaySummary struct {
	GatewayID      string `json:"gatewayId"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Description    string `json:"description,omitempty"`
	CreatedAt      string `json:"createdAt"`
	UpdatedAt      string `json:"updatedAt"`
	AuthorizerType string `json:"authorizerType"`
	ProtocolType   string `json:"protocolType"`
}

type listGatewaysOutput struct {
	Items     []gatewaySummary `json:"items"`
	NextToken string           `json:"nextToken,omitempty"`
}

type getGatewayOutput struct {
	GatewayArn              string                   `json:"gatewayArn"`
	GatewayID               string                   `json:"gatewayId"`
	GatewayURL              string                   `json:"gatewayUrl"`
	Name                    string                   `json:"name"`
	Description             string                   `json:"description,omitempty"`
	RoleArn                 string                   `json:"roleArn,omitempty"`
	ProtocolType            string                   `json:"protocolType"`
	AuthorizerType          string                   `json:"authorizerType"`
	AuthorizerConfiguration *authorizerConfiguration `json:"authorizerConfiguration,omitempty"`
	Status                  string                   `json:"status"`
	CreatedAt               string                   `json:"createdAt"`
	UpdatedAt               string                   `json:"updatedAt"`
	// PolicyEngineConfiguration is written by agentcore_policy.go.
	PolicyEngineConfiguration *gatewayPolicyEngineConfiguration `json:"policyEngineConfiguration,omitempty"`
}

type targetSummary struct {
	TargetID    string `json:"targetId"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Description string `json:"description,omitempty"`
	TargetType  string `json:"targetType"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

type listGatewayTargetsOutput struct {
	Items     []targetSummary `json:"items"`
	NextToken string          `json:"nextToken,omitempty"`
}

type toolInputSchema struct {
	Type string `json:"type"`
}

type toolDefinition struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema toolInputSchema `json:"inputSchema"`
}

// toolSchema is a union; the lab's Lambda targets have inline tools.
type toolSchema struct {
	InlinePayload []toolDefinition `json:"inlinePayload"`
}

type mcpLambdaTarget struct {
	LambdaArn  string     `json:"lambdaArn"`
	ToolSchema toolSchema `json:"toolSchema"`
}

// apiSchemaConfiguration is a union; the lab's OpenAPI targets are inline.
type apiSchemaConfiguration struct {
	InlinePayload string `json:"inlinePayload"`
}

type mcpServerTarget struct {
	Endpoint string `json:"endpoint"`
}

// mcpTargetConfiguration is a union: one member is set.
type mcpTargetConfiguration struct {
	OpenAPISchema *apiSchemaConfiguration `json:"openApiSchema,omitempty"`
	Lambda        *mcpLambdaTarget        `json:"lambda,omitempty"`
	MCPServer     *mcpServerTarget        `json:"mcpServer,omitempty"`
}

// targetConfiguration is a union; the lab's targets are all mcp.
type targetConfiguration struct {
	MCP mcpTargetConfiguration `json:"mcp"`
}

type apiKeyCredentialProvider struct {
	ProviderArn             string `json:"providerArn"`
	CredentialParameterName string `json:"credentialParameterName"`
	CredentialLocation      string `json:"credentialLocation"`
}

type oauthCredentialProvider struct {
	ProviderArn string   `json:"providerArn"`
	Scopes      []string `json:"scopes"`
}

// credentialProvider is a union: one member is set.
type credentialProvider struct {
	OAuthCredentialProvider  *oauthCredentialProvider  `json:"oauthCredentialProvider,omitempty"`
	APIKeyCredentialProvider *apiKeyCredentialProvider `json:"apiKeyCredentialProvider,omitempty"`
}

type credentialProviderConfiguration struct {
	CredentialProviderType string              `json:"credentialProviderType"`
	CredentialProvider     *credentialProvider `json:"credentialProvider,omitempty"`
}

type getGatewayTargetOutput struct {
	GatewayArn                       string                            `json:"gatewayArn"`
	TargetID                         string                            `json:"targetId"`
	Name                             string                            `json:"name"`
	Description                      string                            `json:"description,omitempty"`
	Status                           string                            `json:"status"`
	TargetConfiguration              targetConfiguration               `json:"targetConfiguration"`
	CredentialProviderConfigurations []credentialProviderConfiguration `json:"credentialProviderConfigurations"`
	CreatedAt                        string                            `json:"createdAt"`
	UpdatedAt                        string                            `json:"updatedAt"`
}

type workloadIdentityItem struct {
	Name                string `json:"name"`
	WorkloadIdentityArn string `json:"workloadIdentityArn"`
}

type listWorkloadIdentitiesOutput struct {
	WorkloadIdentities []workloadIdentityItem `json:"workloadIdentities"`
	NextToken          string                 `json:"nextToken,omitempty"`
}

type getWorkloadIdentityOutput struct {
	Name                            string   `json:"name"`
	WorkloadIdentityArn             string   `json:"workloadIdentityArn"`
	AllowedResourceOauth2ReturnUrls []string `json:"allowedResourceOauth2ReturnUrls,omitempty"`
	CreatedTime                     int64    `json:"createdTime"`
	LastUpdatedTime                 int64    `json:"lastUpdatedTime"`
}

type apiKeyProviderItem struct {
	Name                  string `json:"name"`
	CredentialProviderArn string `json:"credentialProviderArn"`
	CreatedTime           int64  `json:"createdTime"`
	LastUpdatedTime       int64  `json:"lastUpdatedTime"`
}

type listAPIKeyProvidersOutput struct {
	CredentialProviders []apiKeyProviderItem `json:"credentialProviders"`
	NextToken           string               `json:"nextToken,omitempty"`
}

type secretRef struct {
	SecretArn string `json:"secretArn"`
}

// getAPIKeyProviderOutput never holds the key, only where it is stored.
type getAPIKeyProviderOutput struct {
	APIKeySecretArn       secretRef `json:"apiKeySecretArn"`
	APIKeySecretSource    string    `json:"apiKeySecretSource"`
	Name                  string    `json:"name"`
	CredentialProviderArn string    `json:"credentialProviderArn"`
	CreatedTime           int64     `json:"createdTime"`
	LastUpdatedTime       int64     `json:"lastUpdatedTime"`
}

type oauth2ProviderItem struct {
	Name                     string `json:"name"`
	CredentialProviderVendor string `json:"credentialProviderVendor"`
	CredentialProviderArn    string `json:"credentialProviderArn"`
	CreatedTime              int64  `json:"createdTime"`
	LastUpdatedTime          int64  `json:"lastUpdatedTime"`
}

type listOAuth2ProvidersOutput struct {
	CredentialProviders []oauth2ProviderItem `json:"credentialProviders"`
	NextToken           string               `json:"nextToken,omitempty"`
}

type authorizationServerMetadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorizationEndpoint"`
	TokenEndpoint         string `json:"tokenEndpoint"`
}

// oauthDiscovery is a union: a discovery URL or the server metadata.
type oauthDiscovery struct {
	DiscoveryURL                string                       `json:"discoveryUrl,omitempty"`
	AuthorizationServerMetadata *authorizationServerMetadata `json:"authorizationServerMetadata,omitempty"`
}

// vendorConfig is the configuration of one vendor: the client id, never
// the client secret.
type vendorConfig struct {
	OAuthDiscovery oauthDiscovery `json:"oauthDiscovery"`
	ClientID       string         `json:"clientId"`
}

// getOAuth2ProviderOutput never holds the client secret, only where it is
// stored. oauth2ProviderConfigOutput is a union keyed by the vendor.
type getOAuth2ProviderOutput struct {
	ClientSecretArn            secretRef               `json:"clientSecretArn"`
	ClientSecretSource         string                  `json:"clientSecretSource"`
	Name                       string                  `json:"name"`
	CredentialProviderArn      string                  `json:"credentialProviderArn"`
	CredentialProviderVendor   string                  `json:"credentialProviderVendor"`
	CallbackURL                string                  `json:"callbackUrl"`
	OAuth2ProviderConfigOutput map[string]vendorConfig `json:"oauth2ProviderConfigOutput"`
	Status                     string                  `json:"status"`
	CreatedTime                int64                   `json:"createdTime"`
	LastUpdatedTime            int64                   `json:"lastUpdatedTime"`
}

func jwtAuthorizer(a *JWTAuthorizer) *authorizerConfiguration {
	if a == nil {
		return nil
	}
	return &authorizerConfiguration{CustomJWTAuthorizer: &customJWTAuthorizer{
		DiscoveryURL:    a.DiscoveryURL,
		AllowedAudience: a.AllowedAudience,
		AllowedClients:  a.AllowedClients,
	}}
}

func listAgentRuntimes(c *restCall) (any, *apiError) {
	rts := c.region.region.AgentCore.Runtimes
	pg, aerr := c.page(len(rts), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentRuntimesOutput{AgentRuntimes: []agentRuntimeSummary{}, NextToken: pg.Next}
	for _, rt := range rts[pg.Start:pg.End] {
		out.AgentRuntimes = append(out.AgentRuntimes, agentRuntimeSummary{
			AgentRuntimeArn:     RuntimeARN(c.region.region.Name, c.account.ID, rt.ID),
			AgentRuntimeID:      rt.ID,
			AgentRuntimeVersion: rt.Version,
			AgentRuntimeName:    rt.Name,
			Description:         rt.Description,
			LastUpdatedAt:       restTime(rt.Updated),
			Status:              rt.Status,
		})
	}
	return out, nil
}

func getAgentRuntime(c *restCall) (any, *apiError) {
	id := c.vars["agentRuntimeId"]
	rt, ok := c.region.runtimes[id]
	if !ok {
		return nil, c.notFound("Agent runtime %s does not exist in %s: check the runtime id and the region", id, c.region.region.Name)
	}
	version, asked, aerr := c.str("version")
	if aerr != nil {
		return nil, aerr
	}
	if asked {
		n, err := strconv.Atoi(version)
		if latest, _ := strconv.Atoi(rt.Version); err != nil || n < 1 || n > latest {
			return nil, c.notFound("Version %s of agent runtime %s does not exist: its versions are 1 to %s", version, rt.ID, rt.Version)
		}
	} else {
		version = rt.Version
	}
	region := c.region.region.Name
	out := getAgentRuntimeOutput{
		AgentRuntimeArn:     RuntimeARN(region, c.account.ID, rt.ID),
		AgentRuntimeName:    rt.Name,
		AgentRuntimeID:      rt.ID,
		AgentRuntimeVersion: version,
		AgentRuntimeArtifact: agentRuntimeArtifact{ContainerConfiguration: containerConfiguration{
			ContainerURI: c.account.ID + ".dkr.ecr." + region + ".amazonaws.com/" + strings.ToLower(strings.ReplaceAll(rt.Name, "_", "-")) + ":v" + version,
		}},
		Description:                rt.Description,
		RoleArn:                    c.account.roleARN(rt.Role),
		NetworkConfiguration:       networkConfiguration{NetworkMode: rt.NetworkMode},
		ProtocolConfiguration:      protocolConfiguration{ServerProtocol: rt.Protocol},
		LifecycleConfiguration:     lifecycleConfiguration{IdleRuntimeSessionTimeout: 900, MaxLifetime: 28800},
		AuthorizerConfiguration:    jwtAuthorizer(rt.Authorizer),
		EnvironmentVariables:       rt.Environment,
		RequestHeaderConfiguration: requestHeadersOf(rt),
		Status:                     rt.Status,
		CreatedAt:                  restTime(rt.Created),
		LastUpdatedAt:              restTime(rt.Updated),
	}
	if rt.WorkloadIdentity != "" {
		out.WorkloadIdentityDetails = &workloadIdentityDetails{WorkloadIdentityArn: WorkloadIdentityARN(region, c.account.ID, rt.WorkloadIdentity)}
	}
	return out, nil
}

func listGateways(c *restCall) (any, *apiError) {
	gws := c.region.region.AgentCore.Gateways
	pg, aerr := c.page(len(gws), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listGatewaysOutput{Items: []gatewaySummary{}, NextToken: pg.Next}
	for _, g := range gws[pg.Start:pg.End] {
		out.Items = append(out.Items, gatewaySummary{
			GatewayID:      g.ID,
			Name:           g.Name,
			Status:         g.Status,
			Description:    g.Description,
			CreatedAt:      restTime(g.Created),
			UpdatedAt:      restTime(g.Updated),
			AuthorizerType: g.AuthorizerType,
			ProtocolType:   g.ProtocolType,
		})
	}
	return out, nil
}

// gateway finds the gateway of the path, by id or ARN.
func (c *restCall) gateway() (*Gateway, *apiError) {
	ident := c.vars["gatewayIdentifier"]
	id := ident
	if arn, ok := strings.CutPrefix(ident, "arn:"); ok {
		id = ""
		prefix := "aws:bedrock-agentcore:" + c.region.region.Name + ":" + c.account.ID + ":gateway/"
		if rest, ok := strings.CutPrefix(arn, prefix); ok {
			id = rest
		}
	}
	g, ok := c.region.gateways[id]
	if !ok {
		return nil, c.notFound("Gateway %s does not exist in %s: check the gateway id and the region", ident, c.region.region.Name)
	}
	return g, nil
}

func getGateway(c *restCall) (any, *apiError) {
	g, aerr := c.gateway()
	if aerr != nil {
		return nil, aerr
	}
	region := c.region.region.Name
	return getGatewayOutput{
		GatewayArn:                GatewayARN(region, c.account.ID, g.ID),
		GatewayID:                 g.ID,
		GatewayURL:                GatewayURL(region, g.ID),
		Name:                      g.Name,
		Description:               g.Description,
		RoleArn:                   c.account.roleARN(g.Role),
		ProtocolType:              g.ProtocolType,
		AuthorizerType:            g.AuthorizerType,
		AuthorizerConfiguration:   jwtAuthorizer(g.Authorizer),
		Status:                    g.Status,
		CreatedAt:                 restTime(g.Created),
		UpdatedAt:                 restTime(g.Updated),
		PolicyEngineConfiguration: gatewayPolicyEngineOf(c.region, c.account.ID, g),
	}, nil
}

func targetType(t GatewayTarget) string {
	switch {
	case t.Lambda != "":
		return "LAMBDA"
	case t.OpenAPI:
		return "OPEN_API_SCHEMA"
	default:
		return "MCP_SERVER"
	}
}

func listGatewayTargets(c *restCall) (any, *apiError) {
	g, aerr := c.gateway()
	if aerr != nil {
		return nil, aerr
	}
	pg, aerr := c.page(len(g.Targets), g.ID)
	if aerr != nil {
		return nil, aerr
	}
	out := listGatewayTargetsOutput{Items: []targetSummary{}, NextToken: pg.Next}
	for _, t := range g.Targets[pg.Start:pg.End] {
		out.Items = append(out.Items, targetSummary{
			TargetID:    t.ID,
			Name:        t.Name,
			Status:      AgentCoreReady,
			Description: t.Description,
			TargetType:  targetType(t),
			CreatedAt:   restTime(g.Created),
			UpdatedAt:   restTime(g.Updated),
		})
	}
	return out, nil
}

func getGatewayTarget(c *restCall) (any, *apiError) {
	g, aerr := c.gateway()
	if aerr != nil {
		return nil, aerr
	}
	id := c.vars["targetId"]
	for _, t := range g.Targets {
		if t.ID != id {
			continue
		}
		region := c.region.region.Name
		var cfg mcpTargetConfiguration
		switch {
		case t.Lambda != "":
			cfg.Lambda = &mcpLambdaTarget{
				LambdaArn: c.region.lambdaARN(t.Lambda),
				ToolSchema: toolSchema{InlinePayload: []toolDefinition{{
					Name:        strings.ReplaceAll(t.Name, "-", "_"),
					Description: "Calls the " + t.Name + " function",
					InputSchema: toolInputSchema{Type: "object"},
				}}},
			}
		case t.OpenAPI:
			cfg.OpenAPISchema = &apiSchemaConfiguration{InlinePayload: `{"openapi":"3.0.1","info":{"title":"` + t.Name + `","version":"1.0.0"},"servers":[{"url":"https://api.example.com"}],"paths":{}}`}
		default:
			cfg.MCPServer = &mcpServerTarget{Endpoint: t.MCPServer}
		}
		cred := credentialProviderConfiguration{CredentialProviderType: t.Credential.Type}
		switch t.Credential.Type {
		case CredentialAPIKey:
			cred.CredentialProvider = &credentialProvider{APIKeyCredentialProvider: &apiKeyCredentialProvider{
				ProviderArn:             APIKeyProviderARN(region, c.account.ID, t.Credential.Provider),
				CredentialParameterName: "x-api-key",
				CredentialLocation:      "HEADER",
			}}
		case CredentialOAuth:
			cred.CredentialProvider = &credentialProvider{OAuthCredentialProvider: &oauthCredentialProvider{
				ProviderArn: OAuth2ProviderARN(region, c.account.ID, t.Credential.Provider),
				Scopes:      nonNil(t.Credential.Scopes),
			}}
		}
		return getGatewayTargetOutput{
			GatewayArn:                       GatewayARN(region, c.account.ID, g.ID),
			TargetID:                         t.ID,
			Name:                             t.Name,
			Description:                      t.Description,
			Status:                           AgentCoreReady,
			TargetConfiguration:              targetConfiguration{MCP: cfg},
			CredentialProviderConfigurations: []credentialProviderConfiguration{cred},
			CreatedAt:                        restTime(g.Created),
			UpdatedAt:                        restTime(g.Updated),
		}, nil
	}
	return nil, c.notFound("Target %s of gateway %s does not exist: use a target id ListGatewayTargets answers", id, g.ID)
}

func listWorkloadIdentities(c *restCall) (any, *apiError) {
	ids := c.region.region.AgentCore.WorkloadIdentities
	pg, aerr := c.page(len(ids), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listWorkloadIdentitiesOutput{WorkloadIdentities: []workloadIdentityItem{}, NextToken: pg.Next}
	for _, w := range ids[pg.Start:pg.End] {
		out.WorkloadIdentities = append(out.WorkloadIdentities, workloadIdentityItem{
			Name:                w.Name,
			WorkloadIdentityArn: WorkloadIdentityARN(c.region.region.Name, c.account.ID, w.Name),
		})
	}
	return out, nil
}

func getWorkloadIdentity(c *restCall) (any, *apiError) {
	name, aerr := c.requiredStr("name")
	if aerr != nil {
		return nil, aerr
	}
	w, ok := c.region.identities[name]
	if !ok {
		return nil, c.notFound("Workload identity %s does not exist in %s", name, c.region.region.Name)
	}
	return getWorkloadIdentityOutput{
		Name:                            w.Name,
		WorkloadIdentityArn:             WorkloadIdentityARN(c.region.region.Name, c.account.ID, w.Name),
		AllowedResourceOauth2ReturnUrls: w.AllowedReturnURLs,
		CreatedTime:                     epochSeconds(w.Created),
		LastUpdatedTime:                 epochSeconds(w.Updated),
	}, nil
}

func listAPIKeyProviders(c *restCall) (any, *apiError) {
	ps := c.region.region.AgentCore.APIKeyProviders
	pg, aerr := c.page(len(ps), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listAPIKeyProvidersOutput{CredentialProviders: []apiKeyProviderItem{}, NextToken: pg.Next}
	for _, p := range ps[pg.Start:pg.End] {
		out.CredentialProviders = append(out.CredentialProviders, apiKeyProviderItem{
			Name:                  p.Name,
			CredentialProviderArn: APIKeyProviderARN(c.region.region.Name, c.account.ID, p.Name),
			CreatedTime:           epochSeconds(p.Created),
			LastUpdatedTime:       epochSeconds(p.Updated),
		})
	}
	return out, nil
}

func getAPIKeyProvider(c *restCall) (any, *apiError) {
	name, aerr := c.requiredStr("name")
	if aerr != nil {
		return nil, aerr
	}
	p, ok := c.region.apiKeys[name]
	if !ok {
		return nil, c.notFound("API key credential provider %s does not exist in %s", name, c.region.region.Name)
	}
	region := c.region.region.Name
	return getAPIKeyProviderOutput{
		APIKeySecretArn:       secretRef{SecretArn: APIKeySecretARN(region, c.account.ID, p.Name)},
		APIKeySecretSource:    "MANAGED",
		Name:                  p.Name,
		CredentialProviderArn: APIKeyProviderARN(region, c.account.ID, p.Name),
		CreatedTime:           epochSeconds(p.Created),
		LastUpdatedTime:       epochSeconds(p.Updated),
	}, nil
}

func listOAuth2Providers(c *restCall) (any, *apiError) {
	ps := c.region.region.AgentCore.OAuth2Providers
	pg, aerr := c.page(len(ps), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listOAuth2ProvidersOutput{CredentialProviders: []oauth2ProviderItem{}, NextToken: pg.Next}
	for _, p := range ps[pg.Start:pg.End] {
		out.CredentialProviders = append(out.CredentialProviders, oauth2ProviderItem{
			Name:                     p.Name,
			CredentialProviderVendor: p.Vendor,
			CredentialProviderArn:    OAuth2ProviderARN(c.region.region.Name, c.account.ID, p.Name),
			CreatedTime:              epochSeconds(p.Created),
			LastUpdatedTime:          epochSeconds(p.Updated),
		})
	}
	return out, nil
}

// wellKnownOAuth2 is the authorization server of the built-in vendors.
var wellKnownOAuth2 = map[string]authorizationServerMetadata{
	"GithubOauth2":     {"https://github.com", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token"},
	"GoogleOauth2":     {"https://accounts.google.com", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token"},
	"SlackOauth2":      {"https://slack.com", "https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access"},
	"SalesforceOauth2": {"https://login.salesforce.com", "https://login.salesforce.com/services/oauth2/authorize", "https://login.salesforce.com/services/oauth2/token"},
	"MicrosoftOauth2":  {"https://login.microsoftonline.com/common/v2.0", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", "https://login.microsoftonline.com/common/oauth2/v2.0/token"},
}

// vendorConfigKey is the member of oauth2ProviderConfigOutput that holds a
// vendor's configuration: GithubOauth2 -> githubOauth2ProviderConfig; the
// vendors without a member of their own use includedOauth2ProviderConfig.
func vendorConfigKey(vendor string) string {
	switch vendor {
	case "GoogleOauth2", "GithubOauth2", "SlackOauth2", "SalesforceOauth2", "MicrosoftOauth2", "CustomOauth2", "AtlassianOauth2", "LinkedinOauth2":
		return strings.ToLower(vendor[:1]) + vendor[1:] + "ProviderConfig"
	}
	return "includedOauth2ProviderConfig"
}

func getOAuth2Provider(c *restCall) (any, *apiError) {
	name, aerr := c.requiredStr("name")
	if aerr != nil {
		return nil, aerr
	}
	p, ok := c.region.oauth2[name]
	if !ok {
		return nil, c.notFound("OAuth2 credential provider %s does not exist in %s", name, c.region.region.Name)
	}
	region := c.region.region.Name
	discovery := oauthDiscovery{DiscoveryURL: p.DiscoveryURL}
	if md, ok := wellKnownOAuth2[p.Vendor]; ok && p.DiscoveryURL == "" {
		discovery = oauthDiscovery{AuthorizationServerMetadata: &md}
	} else if p.DiscoveryURL == "" {
		vendor := strings.ToLower(strings.TrimSuffix(p.Vendor, "Oauth2"))
		discovery = oauthDiscovery{DiscoveryURL: "https://" + vendor + ".example.com/.well-known/openid-configuration"}
	}
	return getOAuth2ProviderOutput{
		ClientSecretArn:          secretRef{SecretArn: OAuth2SecretARN(region, c.account.ID, p.Name)},
		ClientSecretSource:       "MANAGED",
		Name:                     p.Name,
		CredentialProviderArn:    OAuth2ProviderARN(region, c.account.ID, p.Name),
		CredentialProviderVendor: p.Vendor,
		CallbackURL:              "https://bedrock-agentcore." + region + ".amazonaws.com/identities/oauth2/callback",
		OAuth2ProviderConfigOutput: map[string]vendorConfig{
			vendorConfigKey(p.Vendor): {OAuthDiscovery: discovery, ClientID: p.ClientID},
		},
		Status:          AgentCoreReady,
		CreatedTime:     epochSeconds(p.Created),
		LastUpdatedTime: epochSeconds(p.Updated),
	}, nil
}
