package aws

import (
	"regexp"
	"strings"
	"time"
)

// AgentCore Policy (Amazon Bedrock AgentCore Developer Guide, "Policy
// enforcement modes"; Control Plane API Reference, ListPolicyEngineSummaries
// and GatewayPolicyEngineConfiguration): a policy engine holds Cedar
// policies; a gateway may name one engine, in LOG_ONLY mode (decisions are
// logged, every tool call goes through) or ENFORCE mode. The summaries list
// answers identifiers, status and dates without the customer-encrypted
// fields (description, status reasons), so it needs no KMS key.

// PolicyEngine is an AgentCore Policy policy engine.
type PolicyEngine struct {
	// ID is the name, a hyphen and 10 lower-case letters, digits or
	// underscores; by default derived from the name.
	ID string `yaml:"id,omitempty"`
	// Name is a letter, then up to 47 letters, digits and underscores.
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Status defaults to ACTIVE.
	Status string `yaml:"status,omitempty"`
	// EncryptionKeyARN is the customer KMS key of the engine, or empty.
	EncryptionKeyARN string    `yaml:"encryption_key_arn,omitempty"`
	Created          time.Time `yaml:"created"`
	Updated          time.Time `yaml:"updated,omitempty"`
}

// GatewayPolicyEngine is the policy engine a gateway evaluates tool calls
// with, and how.
type GatewayPolicyEngine struct {
	// Engine is the name or id of a policy engine of the region, or a full
	// policy engine ARN taken as written.
	Engine string `yaml:"engine"`
	// Mode is LOG_ONLY or ENFORCE.
	Mode string `yaml:"mode"`
}

// Policy engine modes and the default status.
const (
	PolicyModeLogOnly  = "LOG_ONLY"
	PolicyModeEnforce  = "ENFORCE"
	PolicyEngineActive = "ACTIVE"
)

var (
	policyEngineNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,47}$`)
	policyEngineIDPattern   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[a-z0-9_]{10}$`)
	policyEngineStatuses    = []string{"CREATING", PolicyEngineActive, "UPDATING", "DELETING", "CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"}
	policyModes             = []string{PolicyModeLogOnly, PolicyModeEnforce}
)

// PolicyEngineARN is arn:aws:bedrock-agentcore:REGION:ACCOUNT:policy-engine/ID.
func PolicyEngineARN(region, account, engineID string) string {
	return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":policy-engine/" + engineID
}

// DefaultPolicyEngineID is the id the lab gives a policy engine that has
// none: NAME-xxxxxxxxxx.
func DefaultPolicyEngineID(account, region, name string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := idHash(account, region, "policy-engine", name)
	b := make([]byte, 10)
	for i := range b {
		b[i] = alnum[int(sum[i])%len(alnum)]
	}
	return name + "-" + string(b)
}

// PolicyEngine returns the policy engine of the region with this name or
// id.
func (r Region) PolicyEngine(nameOrID string) (PolicyEngine, bool) {
	for _, p := range r.AgentCore.PolicyEngines {
		if p.ID == nameOrID || p.Name == nameOrID {
			return p, true
		}
	}
	return PolicyEngine{}, false
}

// PolicyEngineARNOf resolves a gateway's policy engine reference: the name
// or id of an engine of the region, or a full ARN taken as written.
func (r Region) PolicyEngineARNOf(account, engine string) string {
	if strings.HasPrefix(engine, "arn:") {
		return engine
	}
	if p, ok := r.PolicyEngine(engine); ok {
		return PolicyEngineARN(r.Name, account, p.ID)
	}
	return PolicyEngineARN(r.Name, account, engine)
}

type policyEngineSummary struct {
	CreatedAt        string `json:"createdAt"`
	EncryptionKeyArn string `json:"encryptionKeyArn,omitempty"`
	Name             string `json:"name"`
	PolicyEngineArn  string `json:"policyEngineArn"`
	PolicyEngineID   string `json:"policyEngineId"`
	Status           string `json:"status"`
	UpdatedAt        string `json:"updatedAt"`
}

type listPolicyEngineSummariesOutput struct {
	NextToken     string                `json:"nextToken,omitempty"`
	PolicyEngines []policyEngineSummary `json:"policyEngines"`
}

// gatewayPolicyEngineConfiguration is a gateway's policyEngineConfiguration.
type gatewayPolicyEngineConfiguration struct {
	Arn  string `json:"arn"`
	Mode string `json:"mode"`
}

// requestHeaderConfiguration is a union with one member.
type requestHeaderConfiguration struct {
	RequestHeaderAllowlist []string `json:"requestHeaderAllowlist"`
}

func listPolicyEngineSummaries(c *restCall) (any, *apiError) {
	engines := c.region.region.AgentCore.PolicyEngines
	pg, aerr := c.page(len(engines), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listPolicyEngineSummariesOutput{PolicyEngines: []policyEngineSummary{}, NextToken: pg.Next}
	for _, p := range engines[pg.Start:pg.End] {
		out.PolicyEngines = append(out.PolicyEngines, policyEngineSummary{
			CreatedAt:        restTime(p.Created),
			EncryptionKeyArn: p.EncryptionKeyARN,
			Name:             p.Name,
			PolicyEngineArn:  PolicyEngineARN(c.region.region.Name, c.account.ID, p.ID),
			PolicyEngineID:   p.ID,
			Status:           p.Status,
			UpdatedAt:        restTime(p.Updated),
		})
	}
	return out, nil
}

// gatewayPolicyEngineOf is g's policyEngineConfiguration, or nil.
func gatewayPolicyEngineOf(r *regionState, account string, g *Gateway) *gatewayPolicyEngineConfiguration {
	if g.PolicyEngine == nil {
		return nil
	}
	return &gatewayPolicyEngineConfiguration{Arn: r.region.PolicyEngineARNOf(account, g.PolicyEngine.Engine), Mode: g.PolicyEngine.Mode}
}

// requestHeadersOf is rt's requestHeaderConfiguration, or nil.
func requestHeadersOf(rt *Runtime) *requestHeaderConfiguration {
	if len(rt.RequestHeaders) == 0 {
		return nil
	}
	return &requestHeaderConfiguration{RequestHeaderAllowlist: rt.RequestHeaders}
}

// policyEngines validates the region's policy engines.
func (v regionValidator) policyEngines(where string) {
	ac := &v.region.AgentCore
	names, ids := map[string]bool{}, map[string]bool{}
	for i, p := range ac.PolicyEngines {
		w := kindWhere(where, "policy engine", p.Name, i)
		v.unique(w, "policy engine", p.Name, policyEngineNamePattern, "a letter, then up to 47 letters, digits and underscores (no hyphens)", names)
		v.id(w, p.ID, policyEngineIDPattern, "the name, a hyphen and 10 lower-case letters, digits or underscores", ids)
		v.enum(w, "status", p.Status, policyEngineStatuses)
		v.times(w, p.Created, p.Updated)
	}
}

// gatewayPolicyEngine validates a gateway's policy engine.
func (v regionValidator) gatewayPolicyEngine(w string, pe *GatewayPolicyEngine) {
	if pe == nil {
		return
	}
	v.enum(w, "policy_engine.mode", pe.Mode, policyModes)
	if _, ok := v.region.PolicyEngine(pe.Engine); !ok && !strings.HasPrefix(pe.Engine, "arn:") {
		v.addf(w, "policy engine %q does not exist in this region: add it under agentcore.policy_engines, or give a full policy engine ARN", pe.Engine)
	}
}

// requestHeaders validates a runtime's request header allow-list
// (Developer Guide, "Pass custom headers to Amazon Bedrock AgentCore
// Runtime"): at most 20, no name twice, and Authorization only for a
// runtime with a JWT authorizer.
func (v regionValidator) requestHeaders(w string, rt Runtime) {
	if len(rt.RequestHeaders) > 20 {
		v.addf(w, "allows %d request headers: AgentCore allows at most 20", len(rt.RequestHeaders))
	}
	seen := map[string]bool{}
	for _, h := range rt.RequestHeaders {
		key := strings.ToLower(h)
		switch {
		case h == "" || strings.ContainsAny(h, " :\t"):
			v.addf(w, "request header %q is not a header name", h)
		case seen[key]:
			v.addf(w, "request header %s is allowed twice (names ignore case): list it once", h)
		case key == "authorization" && rt.Authorizer == nil:
			v.addf(w, "passes the Authorization header, which AgentCore allows only with a JWT authorizer: set authorizer, or drop the header")
		}
		seen[key] = true
	}
}
