package aws

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/aws/iampolicy"
	"github.com/aam-dev/aam/scanners/failure"
	"github.com/aam-dev/aam/scanners/scope"
)

// EscalationScope is the scope name of an account's can_escalate edges:
// they are worked out from what the account's IAM scope and its region
// scopes read, once they all finished, and the scope completes only when
// those inputs were read in full (otherwise it keeps its last state).
const EscalationScope = inventory.GlobalScope + "/escalation"

// escalationInputs is what the scopes of one account read that the
// escalation analysis needs. Safe for concurrent use.
type escalationInputs struct {
	mu sync.Mutex
	// iamRead is set once the IAM scope read every identity; iamErr is why
	// it could not.
	iamRead bool
	iamErr  error
	ids     []iampolicy.Identity
	// functions are the Lambda functions read, with their execution role
	// and the credentials their environment holds.
	functions []escFunction
	// providers are the AgentCore credential providers read.
	providers []escProvider
	// incomplete names the region scopes that did not read everything.
	incomplete []string
}

type escFunction struct {
	arn, role string
	creds     []string // node ids of the credentials its environment holds
}

type escProvider struct {
	arn    string // the provider, a credential node
	oauth2 bool   // an OAuth2 provider; an API-key provider otherwise
	secret string // the Secrets Manager secret that stores it; "" when unknown
}

func (in *escalationInputs) identity(id iampolicy.Identity) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.ids = append(in.ids, id)
}

func (in *escalationInputs) function(f escFunction) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.functions = append(in.functions, f)
}

func (in *escalationInputs) provider(p escProvider) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.providers = append(in.providers, p)
}

func (in *escalationInputs) iamDone(read bool, err error) {
	if in == nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.iamRead, in.iamErr = read, err
}

func (in *escalationInputs) regionDone(name string, complete bool) {
	if in == nil || complete {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.incomplete = append(in.incomplete, name)
}

// accessLevels turns the levels of an identity's can_access edges into the
// form the subset rule compares; unknown is set when one is of unknown
// level.
func accessLevels(levels map[string]string) (out map[string]iampolicy.Level, unknown bool) {
	out = make(map[string]iampolicy.Level, len(levels))
	for r, l := range levels {
		var lv iampolicy.Level
		if err := lv.UnmarshalText([]byte(l)); err != nil {
			unknown = true
			continue
		}
		out[r] = lv
	}
	return out, unknown
}

// credentialMethods read a standing secret: the credential's holder's
// access is then the caller's. Each lists the actions needed; the first
// is the method's name.
type credentialMethod struct {
	method string
	oauth2 bool // for OAuth2 providers; API-key providers otherwise
	// onProvider is the action on the provider's ARN; workload, when set,
	// also needs a workload access token (any of GetWorkloadAccessToken*)
	// on some workload identity, as the AgentCore Identity data plane asks.
	onProvider string
	workload   bool
}

var providerMethods = []credentialMethod{
	{method: "bedrock-agentcore:GetResourceApiKey", onProvider: "bedrock-agentcore:GetResourceApiKey", workload: true},
	{method: "bedrock-agentcore:GetResourceOauth2Token", oauth2: true, onProvider: "bedrock-agentcore:GetResourceOauth2Token", workload: true},
}

var workloadTokenActions = []string{"bedrock-agentcore:GetWorkloadAccessToken", "bedrock-agentcore:GetWorkloadAccessTokenForJWT", "bedrock-agentcore:GetWorkloadAccessTokenForUserId"}

// escalationEdge is one can_escalate edge to write.
type escalationEdge struct {
	from, to string
	attrs    map[string]any
}

// escalations works out the account's can_escalate edges from its inputs:
// identity to identity (iampolicy.Escalations), through a Lambda function
// to its execution role, and identity to credential.
func escalations(account string, in *escalationInputs) []escalationEdge {
	in.mu.Lock()
	ids := slices.Clone(in.ids)
	functions := slices.Clone(in.functions)
	providers := slices.Clone(in.providers)
	in.mu.Unlock()
	sort.Slice(ids, func(i, j int) bool { return ids[i].ARN < ids[j].ARN })

	var out []escalationEdge
	for _, e := range iampolicy.Escalations(account, ids) {
		attrs := stepAttrs(e.Method, iampolicy.Allowance{Permissions: e.Permissions, Conditional: e.Conditional, Conditions: e.Conditions}, e.LevelCap)
		if e.LevelFloor != iampolicy.None {
			attrs[inventory.AttrLevelFloor] = e.LevelFloor.String()
		}
		out = append(out, escalationEdge{e.From, e.To, attrs})
	}
	byARN := map[string]*iampolicy.Identity{}
	for i := range ids {
		byARN[ids[i].ARN] = &ids[i]
	}
	sort.Slice(functions, func(i, j int) bool { return functions[i].arn < functions[j].arn })
	sort.Slice(providers, func(i, j int) bool { return providers[i].arn < providers[j].arn })
	for i := range ids {
		c := &ids[i]
		if c.Kind == "group" {
			continue
		}
		for _, f := range functions {
			// Changing a function's code or configuration runs the caller's
			// code as its execution role.
			if t, ok := byARN[f.role]; ok && t.ARN != c.ARN && !t.SubsetOf(c, iampolicy.None) {
				for _, m := range []string{"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"} {
					if a, ok := iampolicy.Allows(c.Grants, m, f.arn); ok {
						out = append(out, escalationEdge{c.ARN, f.role, withAttr(stepAttrs(m, a, iampolicy.None), "function", f.arn)})
					}
				}
			}
			if len(f.creds) == 0 {
				continue
			}
			// Reading its configuration reads the secrets in its environment.
			if a, ok := iampolicy.Allows(c.Grants, "lambda:GetFunctionConfiguration", f.arn); ok {
				for _, cred := range f.creds {
					out = append(out, escalationEdge{c.ARN, cred, withAttr(stepAttrs("lambda:GetFunctionConfiguration", a, iampolicy.None), "function", f.arn)})
				}
			}
		}
		for _, p := range providers {
			if p.secret != "" {
				if a, ok := iampolicy.Allows(c.Grants, "secretsmanager:GetSecretValue", p.secret); ok {
					out = append(out, escalationEdge{c.ARN, p.arn, withAttr(stepAttrs("secretsmanager:GetSecretValue", a, iampolicy.None), "secret_arn", p.secret)})
				}
			}
			for _, m := range providerMethods {
				if m.oauth2 != p.oauth2 {
					continue
				}
				a, ok := iampolicy.Allows(c.Grants, m.onProvider, p.arn)
				if !ok {
					continue
				}
				if m.workload {
					w, ok := workloadToken(c.Grants)
					if !ok {
						continue
					}
					a = joinAllowances(a, w)
				}
				out = append(out, escalationEdge{c.ARN, p.arn, stepAttrs(m.method, a, iampolicy.None)})
			}
		}
	}
	return merge(out)
}

// merge keeps one edge per caller and target (the graph holds one edge of a
// kind between two nodes): the step that gives the most with the fewest
// guards, unconditional first, then without a level cap, then with a
// level floor (a step that writes the target's permissions), then by method;
// the methods of the others are listed on it as "other_methods".
func merge(edges []escalationEdge) []escalationEdge {
	rank := func(e escalationEdge) int {
		r := 0
		if c, _ := e.attrs[inventory.AttrConditional].(bool); c {
			r += 4
		}
		if _, capped := e.attrs[inventory.AttrLevelCap]; capped {
			r += 2
		}
		if _, floored := e.attrs[inventory.AttrLevelFloor]; !floored {
			r++
		}
		return r
	}
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if a.from != b.from {
			return a.from < b.from
		}
		if a.to != b.to {
			return a.to < b.to
		}
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		return a.attrs[inventory.AttrMethod].(string) < b.attrs[inventory.AttrMethod].(string)
	})
	var out []escalationEdge
	for _, e := range edges {
		if n := len(out); n > 0 && out[n-1].from == e.from && out[n-1].to == e.to {
			others, _ := out[n-1].attrs["other_methods"].([]string)
			m := e.attrs[inventory.AttrMethod].(string)
			if m != out[n-1].attrs[inventory.AttrMethod] && !slices.Contains(others, m) {
				out[n-1].attrs["other_methods"] = append(others, m)
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// workloadToken is how grants allow a workload access token.
func workloadToken(grants []iampolicy.Grant) (iampolicy.Allowance, bool) {
	var best iampolicy.Allowance
	found := false
	for _, act := range workloadTokenActions {
		if a, ok := iampolicy.Allows(grants, act, ""); ok && (!found || (best.Conditional && !a.Conditional)) {
			best, found = a, true
		}
	}
	return best, found
}

func joinAllowances(a, b iampolicy.Allowance) iampolicy.Allowance {
	perms := append(slices.Clone(a.Permissions), b.Permissions...)
	slices.Sort(perms)
	return iampolicy.Allowance{Permissions: slices.Compact(perms), Conditional: a.Conditional || b.Conditional,
		Conditions: append(slices.Clone(a.Conditions), b.Conditions...)}
}

func withAttr(attrs map[string]any, k string, v any) map[string]any {
	attrs[k] = v
	return attrs
}

// stepAttrs are the attributes of a can_escalate edge.
func stepAttrs(method string, a iampolicy.Allowance, limit iampolicy.Level) map[string]any {
	attrs := map[string]any{inventory.AttrMethod: method, inventory.AttrPermissions: a.Permissions, inventory.AttrConditional: a.Conditional}
	if len(a.Conditions) > 0 {
		attrs[inventory.AttrConditions] = a.Conditions
	}
	if limit != iampolicy.None {
		attrs[inventory.AttrLevelCap] = limit.String()
	}
	return attrs
}

// escalate writes the account's escalation scope once its other scopes
// have finished.
func (s *Scanner) escalate(ctx context.Context, w inventory.Writer, account string, in *escalationInputs) error {
	sw := scope.New(w, inventory.Scope{Provider: ProviderName, Tenant: account, Name: EscalationScope}, explainer(), ServiceIAM)
	return sw.Run(ctx, func(ctx context.Context) error {
		in.mu.Lock()
		read, iamErr, incomplete := in.iamRead, in.iamErr, slices.Clone(in.incomplete)
		in.mu.Unlock()
		if !read {
			if iamErr == nil {
				iamErr = errors.New("the scan stopped before IAM was read")
			}
			sw.Fail("iam:GetAccountAuthorizationDetails", failure.Errorf(classify(iamErr),
				"the account's IAM could not be read, so its escalation paths were not worked out and the last ones are kept (%s)", describe(iamErr)))
			return nil
		}
		if len(incomplete) > 0 {
			sort.Strings(incomplete)
			sw.Fail("escalation", failure.Errorf(failure.Other,
				"scopes %s were not read in full, so the escalation paths through their functions and credential providers are not known: the last ones are kept (see those scopes' errors, then scan again)", strings.Join(incomplete, ", ")))
			return nil
		}
		for _, e := range escalations(account, in) {
			if err := sw.Edge(ctx, e.from, inventory.EdgeCanEscalate, e.to, e.attrs); err != nil {
				return err
			}
		}
		return nil
	})
}
