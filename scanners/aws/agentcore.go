package aws

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/fanout"
	agentcore "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	actypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

// credentialProviders writes the region's AgentCore API-key and OAuth2
// credential providers: each stands for a stored secret (the key, the
// client secret), a standing secret. Only ids, ARNs, vendors, client ids and
// ages are kept: the Get calls never return the secret itself.
func (rs *regionScan) credentialProviders(ctx context.Context) error {
	now := rs.scanner.opts.Now()
	var apiKeys []actypes.ApiKeyCredentialProviderItem
	p := agentcore.NewListApiKeyCredentialProvidersPaginator(rs.c.agentcore, &agentcore.ListApiKeyCredentialProvidersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			// The service's first call: an endpoint without AgentCore.
			if len(apiKeys) == 0 && serviceAbsent(err) {
				rs.scope.Absent()
				return nil
			}
			rs.scope.Fail("bedrock-agentcore-control:ListApiKeyCredentialProviders", err)
			return nil
		}
		apiKeys = append(apiKeys, page.CredentialProviders...)
	}
	err := fanout.ForEach(ctx, rs.scanner.opts.Concurrency, apiKeys, func(ctx context.Context, it actypes.ApiKeyCredentialProviderItem) error {
		attrs := map[string]any{inventory.AttrType: "agentcore_api_key_provider", inventory.AttrStanding: true, "region": rs.region, inventory.AttrFingerprint: deref(it.CredentialProviderArn)}
		out, err := rs.c.agentcore.GetApiKeyCredentialProvider(ctx, &agentcore.GetApiKeyCredentialProviderInput{Name: it.Name})
		if err != nil {
			// The listing says what the provider is: the Get only adds the
			// ARN of the secret it stores, marked unknown without it.
			reason := rs.scope.Enrichment("bedrock-agentcore-control:GetApiKeyCredentialProvider", err)
			attrs[inventory.AttrUnknown] = map[string]any{"secret_arn": reason}
			return rs.provider(ctx, deref(it.CredentialProviderArn), deref(it.Name), deref(it.CreatedTime), deref(it.LastUpdatedTime), now, attrs)
		}
		if out.ApiKeySecretArn != nil {
			attrs["secret_arn"] = deref(out.ApiKeySecretArn.SecretArn)
		}
		return rs.provider(ctx, deref(out.CredentialProviderArn), deref(out.Name), deref(out.CreatedTime), deref(out.LastUpdatedTime), now, attrs)
	})
	if err != nil {
		return err
	}

	var oauth []actypes.Oauth2CredentialProviderItem
	op := agentcore.NewListOauth2CredentialProvidersPaginator(rs.c.agentcore, &agentcore.ListOauth2CredentialProvidersInput{})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		if err != nil {
			rs.scope.Fail("bedrock-agentcore-control:ListOauth2CredentialProviders", err)
			return nil
		}
		oauth = append(oauth, page.CredentialProviders...)
	}
	return fanout.ForEach(ctx, rs.scanner.opts.Concurrency, oauth, func(ctx context.Context, it actypes.Oauth2CredentialProviderItem) error {
		attrs := map[string]any{inventory.AttrType: "agentcore_oauth2_provider", inventory.AttrStanding: true, "region": rs.region,
			"vendor": string(it.CredentialProviderVendor), inventory.AttrFingerprint: deref(it.CredentialProviderArn)}
		out, err := rs.c.agentcore.GetOauth2CredentialProvider(ctx, &agentcore.GetOauth2CredentialProviderInput{Name: it.Name})
		if err != nil {
			// The listing says what the provider is: the Get only adds its
			// client id and the ARN of the secret it stores, marked unknown
			// without it.
			reason := rs.scope.Enrichment("bedrock-agentcore-control:GetOauth2CredentialProvider", err)
			attrs[inventory.AttrUnknown] = map[string]any{"secret_arn": reason, "client_id": reason}
			return rs.provider(ctx, deref(it.CredentialProviderArn), deref(it.Name), deref(it.CreatedTime), deref(it.LastUpdatedTime), now, attrs)
		}
		if out.ClientSecretArn != nil {
			attrs["secret_arn"] = deref(out.ClientSecretArn.SecretArn)
		}
		if id := clientID(out.Oauth2ProviderConfigOutput); id != "" {
			attrs["client_id"] = id
		}
		return rs.provider(ctx, deref(out.CredentialProviderArn), deref(out.Name), deref(out.CreatedTime), deref(out.LastUpdatedTime), now, attrs)
	})
}

func (rs *regionScan) provider(ctx context.Context, arn, name string, created, updated, now time.Time, attrs map[string]any) error {
	if !created.IsZero() {
		attrs["age_days"] = ageDays(now, created)
	}
	if !updated.IsZero() {
		// The stored secret is replaced by an update: its age is the update's.
		attrs["secret_age_days"] = ageDays(now, updated)
	}
	secret, _ := attrs["secret_arn"].(string)
	rs.esc.provider(escProvider{arn: arn, secret: secret, oauth2: attrs[inventory.AttrType] == "agentcore_oauth2_provider"})
	return rs.scope.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindCredential, Name: name, Created: created, Attrs: attrs})
}

func ageDays(now time.Time, t time.Time) int { return int(now.Sub(t) / (24 * time.Hour)) }

// clientID reads the OAuth client id (an identifier, not a secret) from
// whichever vendor's configuration the provider has.
func clientID(cfg actypes.Oauth2ProviderConfigOutput) string {
	if cfg == nil {
		return ""
	}
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if val := v.FieldByName("Value"); val.IsValid() && val.Kind() == reflect.Struct {
		if id := val.FieldByName("ClientId"); id.IsValid() && id.Kind() == reflect.Pointer && !id.IsNil() {
			return id.Elem().String()
		}
	}
	return ""
}

// workloadIdentities writes the region's AgentCore workload identities.
func (rs *regionScan) workloadIdentities(ctx context.Context) error {
	p := agentcore.NewListWorkloadIdentitiesPaginator(rs.c.agentcore, &agentcore.ListWorkloadIdentitiesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			rs.scope.Fail("bedrock-agentcore-control:ListWorkloadIdentities", err)
			return nil
		}
		for _, wi := range page.WorkloadIdentities {
			n := inventory.Node{ID: deref(wi.WorkloadIdentityArn), Kind: inventory.KindIdentity, Name: deref(wi.Name),
				Attrs: map[string]any{inventory.AttrType: "agentcore_workload_identity", "region": rs.region}}
			if err := rs.scope.Node(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// gatewaysAndTargets writes the region's AgentCore gateways, the role each
// runs as, and their targets with the credential each target uses.
func (rs *regionScan) gatewaysAndTargets(ctx context.Context) error {
	var ids []string
	p := agentcore.NewListGatewaysPaginator(rs.c.agentcore, &agentcore.ListGatewaysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			rs.scope.Fail("bedrock-agentcore-control:ListGateways", err)
			return nil
		}
		for _, g := range page.Items {
			ids = append(ids, deref(g.GatewayId))
		}
	}
	return fanout.ForEach(ctx, rs.scanner.opts.Concurrency, ids, rs.gateway)
}

func (rs *regionScan) gateway(ctx context.Context, id string) error {
	g, err := rs.c.agentcore.GetGateway(ctx, &agentcore.GetGatewayInput{GatewayIdentifier: &id})
	if err != nil {
		if !notFound(err) {
			rs.scope.Fail("bedrock-agentcore-control:GetGateway", err)
		}
		return nil
	}
	arn := deref(g.GatewayArn)
	attrs := map[string]any{inventory.AttrType: "agentcore_gateway", "region": rs.region, "gateway_id": id,
		"protocol_type": string(g.ProtocolType), "authorizer_type": string(g.AuthorizerType), "status": string(g.Status),
		"inbound_auth": inboundAuth(g.AuthorizerType)}
	rs.gatewayPolicy(attrs, g.PolicyEngineConfiguration)
	if url := deref(g.GatewayUrl); url != "" {
		attrs["url"] = url
	}
	if jwt, ok := g.AuthorizerConfiguration.(*actypes.AuthorizerConfigurationMemberCustomJWTAuthorizer); ok {
		attrs["authorizer"] = jwtAttrs(jwt.Value)
	}
	if err := rs.scope.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindResource, Name: deref(g.Name), Created: deref(g.CreatedAt), Attrs: attrs}); err != nil {
		return err
	}
	rs.mu.Lock()
	rs.gateways = append(rs.gateways, gatewayRef{arn: arn, id: id, url: deref(g.GatewayUrl)})
	rs.mu.Unlock()
	if err := rs.runsAs(ctx, arn, deref(g.RoleArn), map[string]any{"via": "roleArn"}); err != nil {
		return err
	}
	if err := rs.runsAsWorkload(ctx, arn, g.WorkloadIdentityDetails); err != nil {
		return err
	}
	var targets []string
	tp := agentcore.NewListGatewayTargetsPaginator(rs.c.agentcore, &agentcore.ListGatewayTargetsInput{GatewayIdentifier: &id})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			if !notFound(err) {
				rs.scope.Fail("bedrock-agentcore-control:ListGatewayTargets", err)
			}
			return nil
		}
		for _, t := range page.Items {
			targets = append(targets, deref(t.TargetId))
		}
	}
	for _, tid := range targets {
		if err := rs.gatewayTarget(ctx, id, arn, tid); err != nil {
			return err
		}
	}
	return nil
}

func jwtAttrs(c actypes.CustomJWTAuthorizerConfiguration) map[string]any {
	return map[string]any{inventory.AttrType: "custom_jwt", "discovery_url": deref(c.DiscoveryUrl), "allowed_audience": c.AllowedAudience, "allowed_clients": c.AllowedClients}
}

func (rs *regionScan) gatewayTarget(ctx context.Context, gatewayID, gatewayARN, targetID string) error {
	t, err := rs.c.agentcore.GetGatewayTarget(ctx, &agentcore.GetGatewayTargetInput{GatewayIdentifier: &gatewayID, TargetId: &targetID})
	if err != nil {
		if !notFound(err) {
			rs.scope.Fail("bedrock-agentcore-control:GetGatewayTarget", err)
		}
		return nil
	}
	id := gatewayARN + "/target/" + targetID
	attrs := map[string]any{inventory.AttrType: "agentcore_gateway_target", "status": string(t.Status)}
	var lambdaARN string
	if mcp, ok := t.TargetConfiguration.(*actypes.TargetConfigurationMemberMcp); ok {
		switch m := mcp.Value.(type) {
		case *actypes.McpTargetConfigurationMemberLambda:
			attrs["target_type"], lambdaARN = "lambda", deref(m.Value.LambdaArn)
		case *actypes.McpTargetConfigurationMemberOpenApiSchema:
			attrs["target_type"] = "openapi"
		case *actypes.McpTargetConfigurationMemberSmithyModel:
			attrs["target_type"] = "smithy"
		case *actypes.McpTargetConfigurationMemberMcpServer:
			attrs["target_type"], attrs["endpoint"] = "mcp_server", deref(m.Value.Endpoint)
		case *actypes.McpTargetConfigurationMemberApiGateway:
			attrs["target_type"] = "api_gateway"
		default:
			attrs["target_type"] = "other"
		}
	} else {
		switch t.TargetConfiguration.(type) {
		case *actypes.TargetConfigurationMemberHttp:
			attrs["target_type"] = "http"
		case *actypes.TargetConfigurationMemberInference:
			attrs["target_type"] = "inference"
		default:
			attrs["target_type"] = "other"
		}
	}
	var credTypes []string
	type credRef struct{ typ, arn string }
	var creds []credRef
	for _, c := range t.CredentialProviderConfigurations {
		typ := string(c.CredentialProviderType)
		credTypes = append(credTypes, typ)
		switch cp := c.CredentialProvider.(type) {
		case *actypes.CredentialProviderMemberApiKeyCredentialProvider:
			creds = append(creds, credRef{typ, deref(cp.Value.ProviderArn)})
		case *actypes.CredentialProviderMemberOauthCredentialProvider:
			creds = append(creds, credRef{typ, deref(cp.Value.ProviderArn)})
		}
	}
	sort.Strings(credTypes)
	attrs["credential_types"] = credTypes
	if err := rs.scope.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindResource, Name: deref(t.Name), Created: deref(t.CreatedAt), Attrs: attrs}); err != nil {
		return err
	}
	if err := rs.scope.Edge(ctx, gatewayARN, inventory.EdgeUsesTool, id, nil); err != nil {
		return err
	}
	for _, c := range creds {
		if c.arn == "" {
			continue
		}
		// The provider is normally written by this region's scan; a
		// reference keeps the edge's target known if it is elsewhere.
		if err := rs.scope.Node(ctx, inventory.Node{ID: c.arn, Kind: inventory.KindCredential, Tenant: accountOf(c.arn), Name: lastSegment(c.arn), Ref: true,
			Attrs: map[string]any{inventory.AttrStanding: true}}); err != nil {
			return err
		}
		if err := rs.scope.Edge(ctx, id, inventory.EdgeUsesCredential, c.arn, map[string]any{"credential_type": c.typ}); err != nil {
			return err
		}
	}
	if lambdaARN != "" {
		fn, err := rs.function(ctx, lambdaARN)
		if err != nil {
			return err
		}
		if fn != "" {
			return rs.scope.Edge(ctx, id, inventory.EdgeUsesTool, fn, map[string]any{"executor": "lambda"})
		}
	}
	return nil
}

// runtimes writes the region's AgentCore runtimes: agents, with the role
// and workload identity they run as, their inbound authorizer, and the
// names (never values) of their environment variables. A value that is an
// access key id links the runtime to that key; one that names a gateway of
// the region links the runtime to the gateway (its tools).
func (rs *regionScan) runtimes(ctx context.Context) error {
	var ids []string
	p := agentcore.NewListAgentRuntimesPaginator(rs.c.agentcore, &agentcore.ListAgentRuntimesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			rs.scope.Fail("bedrock-agentcore-control:ListAgentRuntimes", err)
			return nil
		}
		for _, r := range page.AgentRuntimes {
			ids = append(ids, deref(r.AgentRuntimeId))
		}
	}
	return fanout.ForEach(ctx, rs.scanner.opts.Concurrency, ids, rs.runtime)
}

func (rs *regionScan) runtime(ctx context.Context, id string) error {
	r, err := rs.c.agentcore.GetAgentRuntime(ctx, &agentcore.GetAgentRuntimeInput{AgentRuntimeId: &id})
	if err != nil {
		if !notFound(err) {
			rs.scope.Fail("bedrock-agentcore-control:GetAgentRuntime", err)
		}
		return nil
	}
	arn := deref(r.AgentRuntimeArn)
	names, keys := environment(r.EnvironmentVariables)
	attrs := map[string]any{inventory.AttrType: "agentcore_runtime", "region": rs.region, "runtime_id": id,
		"version": deref(r.AgentRuntimeVersion), "status": string(r.Status)}
	if len(names) > 0 {
		attrs["env_var_names"] = names
	}
	// Without a JWT authorizer only SigV4 (IAM) callers can invoke it.
	runtimeIdentity(attrs, r.AuthorizerConfiguration, r.RequestHeaderConfiguration)
	if nc := r.NetworkConfiguration; nc != nil {
		attrs["network_mode"] = string(nc.NetworkMode)
	}
	if pc := r.ProtocolConfiguration; pc != nil {
		attrs["protocol"] = string(pc.ServerProtocol)
	}
	if err := rs.scope.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindAgent, Name: deref(r.AgentRuntimeName), Created: deref(r.CreatedAt), Attrs: attrs}); err != nil {
		return err
	}
	if err := rs.runsAs(ctx, arn, deref(r.RoleArn), map[string]any{"via": "roleArn"}); err != nil {
		return err
	}
	if err := rs.runsAsWorkload(ctx, arn, r.WorkloadIdentityDetails); err != nil {
		return err
	}
	if err := rs.usesKeys(ctx, arn, keys); err != nil {
		return err
	}
	if err := rs.holdsSecrets(ctx, arn, r.EnvironmentVariables, keys); err != nil {
		return err
	}
	return rs.usesGateways(ctx, arn, r.EnvironmentVariables)
}

// runsAsWorkload links a runtime or gateway to its workload identity.
func (rs *regionScan) runsAsWorkload(ctx context.Context, from string, wi *actypes.WorkloadIdentityDetails) error {
	if wi == nil || deref(wi.WorkloadIdentityArn) == "" {
		return nil
	}
	wid := deref(wi.WorkloadIdentityArn)
	if err := rs.scope.Node(ctx, inventory.Node{ID: wid, Kind: inventory.KindIdentity, Name: lastSegment(wid), Ref: true,
		Attrs: map[string]any{inventory.AttrType: "agentcore_workload_identity"}}); err != nil {
		return err
	}
	return rs.scope.Edge(ctx, from, inventory.EdgeRunsAs, wid, map[string]any{"via": "workload_identity"})
}

// usesGateways links a runtime to each gateway of the region whose URL, ARN
// or id one of its environment values holds. The values are read for that
// comparison only, and never kept.
func (rs *regionScan) usesGateways(ctx context.Context, from string, env map[string]string) error {
	rs.mu.Lock()
	gateways := rs.gateways
	rs.mu.Unlock()
	vars := slices.Sorted(maps.Keys(env))
	for _, g := range gateways {
		for _, k := range vars {
			v := env[k]
			if (g.url != "" && strings.Contains(v, g.url)) || strings.Contains(v, g.arn) || (g.id != "" && strings.Contains(v, g.id)) {
				if err := rs.scope.Edge(ctx, from, inventory.EdgeUsesTool, g.arn, map[string]any{"env_var": k, "found_in": "environment"}); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}
