package aws

import (
	"context"
	"slices"
	"strings"

	"github.com/aam-dev/aam/inventory"
	agentcore "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	actypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

// AgentCore Policy and inbound identity: who may call a gateway or a
// runtime, whether a gateway's tool calls are checked against Cedar
// policies (Developer Guide, "Policy enforcement modes": LOG_ONLY logs the
// decisions and lets every call through; ENFORCE enforces them), and
// whether a runtime's code learns the end user's identity (Developer
// Guide, "Authenticate and authorize with Inbound Auth and Outbound Auth"
// and "Pass custom headers to Amazon Bedrock AgentCore Runtime").

// AgentCorePolicyScope names the scope of a region's AgentCore Policy
// engines: a scope of its own, so that a principal not allowed to list
// them keeps the region's runtimes and gateways.
func AgentCorePolicyScope(region string) string {
	return RegionScope(region, ServiceAgentCore+"-policy")
}

const opListPolicyEngineSummaries = "bedrock-agentcore-control:ListPolicyEngineSummaries"

// policyEngines are the region's policy engines by ARN, or why they are
// unknown ("denied: bedrock-agentcore-control:ListPolicyEngineSummaries").
type policyEngines struct {
	byARN   map[string]actypes.PolicyEngineSummary
	unknown string
}

// listPolicyEngines writes the region's policy engines. It lists their
// summaries: identifiers, status and dates, without the fields encrypted
// with the customer's KMS key, so that the scan needs no kms:Decrypt
// (API Reference, ListPolicyEngineSummaries).
func (rs *regionScan) listPolicyEngines(ctx context.Context) error {
	engines := map[string]actypes.PolicyEngineSummary{}
	p := agentcore.NewListPolicyEngineSummariesPaginator(rs.c.agentcore, &agentcore.ListPolicyEngineSummariesInput{})
	for first := true; p.HasMorePages(); first = false {
		page, err := p.NextPage(ctx)
		if err != nil {
			rs.engines.unknown = explainer().Class(err).String() + ": " + opListPolicyEngineSummaries
			if first && serviceAbsent(err) {
				rs.policy.Absent()
				return nil
			}
			rs.policy.Fail(opListPolicyEngineSummaries, err)
			return nil
		}
		for _, e := range page.PolicyEngines {
			arn := deref(e.PolicyEngineArn)
			attrs := map[string]any{inventory.AttrType: "agentcore_policy_engine", "region": rs.region,
				"policy_engine_id": deref(e.PolicyEngineId), "status": string(e.Status)}
			if k := deref(e.EncryptionKeyArn); k != "" {
				attrs["encryption_key_arn"] = k
			}
			if err := rs.policy.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindResource, Name: deref(e.Name), Created: deref(e.CreatedAt), Attrs: attrs}); err != nil {
				return err
			}
			engines[arn] = e
		}
	}
	rs.engines.byARN = engines
	return nil
}

// inboundAuth classifies who may call a gateway: "jwt" (a bearer token
// from the configured identity provider), "iam" (SigV4 callers the IAM
// policies allow) or "none" (anyone who can reach its URL); another type
// is kept in lower case.
func inboundAuth(t actypes.AuthorizerType) string {
	switch t {
	case actypes.AuthorizerTypeCustomJwt:
		return "jwt"
	case actypes.AuthorizerTypeAwsIam:
		return "iam"
	case actypes.AuthorizerTypeNone:
		return "none"
	}
	return strings.ToLower(string(t))
}

// gatewayPolicy adds what a gateway's policy engine configuration says:
// policy_enforcement ("enforce", "log_only", or "none" without an engine)
// and the engine's ARN, with its name and status from the region's
// listing; what that listing could not say is marked unknown.
func (rs *regionScan) gatewayPolicy(attrs map[string]any, pe *actypes.GatewayPolicyEngineConfiguration) {
	if pe == nil || deref(pe.Arn) == "" {
		attrs["policy_enforcement"] = "none"
		return
	}
	arn := deref(pe.Arn)
	attrs["policy_engine"] = arn
	attrs["policy_enforcement"] = strings.ToLower(string(pe.Mode))
	if pe.Mode == "" {
		attrs["policy_enforcement"] = "unknown"
	}
	rs.mu.Lock()
	engines := rs.engines
	rs.mu.Unlock()
	e, ok := engines.byARN[arn]
	switch {
	case engines.unknown != "":
		attrs[inventory.AttrUnknown] = map[string]any{"policy_engine_name": engines.unknown, "policy_engine_status": engines.unknown}
	case !ok:
		// Not among the region's engines: deleted since, or another
		// account's. Its state is not known, never guessed.
		reason := "not_found: " + opListPolicyEngineSummaries
		attrs[inventory.AttrUnknown] = map[string]any{"policy_engine_name": reason, "policy_engine_status": reason}
	default:
		attrs["policy_engine_name"] = deref(e.Name)
		attrs["policy_engine_status"] = string(e.Status)
	}
}

// runtimeIdentity adds a runtime's inbound authentication and whether its
// code learns the end user's identity: inbound_auth "jwt" (a bearer token
// the runtime validates) or "iam" (SigV4, the default); the request header
// allow-list; and user_identity, one of
//
//   - "forwarded": a JWT authorizer, and the Authorization header passed on
//     to the code, which so receives the user's validated token;
//   - "verified": a JWT authorizer validates the user, whose token the code
//     does not receive;
//   - "not_verified": SigV4 callers only; an end user, if any, is what the
//     caller says (the X-Amzn-Bedrock-AgentCore-Runtime-User-Id header).
func runtimeIdentity(attrs map[string]any, auth actypes.AuthorizerConfiguration, headers actypes.RequestHeaderConfiguration) {
	jwt, isJWT := auth.(*actypes.AuthorizerConfigurationMemberCustomJWTAuthorizer)
	var allow []string
	if h, ok := headers.(*actypes.RequestHeaderConfigurationMemberRequestHeaderAllowlist); ok && len(h.Value) > 0 {
		allow = h.Value
		attrs["request_header_allowlist"] = allow
	}
	forwarded := slices.ContainsFunc(allow, func(h string) bool { return strings.EqualFold(h, "Authorization") })
	switch {
	case isJWT:
		attrs["inbound_authorizer"] = jwtAttrs(jwt.Value)
		attrs["inbound_auth"] = "jwt"
		attrs["user_identity"] = "verified"
		if forwarded {
			attrs["user_identity"] = "forwarded"
		}
	default:
		attrs["inbound_authorizer"] = map[string]any{inventory.AttrType: "aws_iam"}
		attrs["inbound_auth"] = "iam"
		attrs["user_identity"] = "not_verified"
	}
}
