package iampolicy

import (
	"slices"
	"sort"
	"strings"
)

// Allowance is how an identity's grants allow one action on one resource.
type Allowance struct {
	// Permissions are the allowed action patterns that match the action
	// ("NotAction:" + each excluded pattern for an Allow with NotAction).
	Permissions []string
	// Conditional is set when a condition guards the access: the Allow's
	// own conditions, or a Deny that applies under conditions.
	Conditional bool
	// Conditions are those conditions: the Allow's, then those under
	// which a Deny refuses it.
	Conditions []Condition
}

// Allowances lists every way the grants allow action on resource, one per
// grant that allows it. An empty resource stands for a resource the caller
// names itself (a function or stack it creates): any resource pattern
// matches it. Resource patterns are matched case-sensitively, as IAM
// matches ARNs; policy variables are not substituted, so a pattern with one
// matches only where its wildcards do.
//
// A grant with several Allows with NotAction records all their excluded
// patterns together; an action none of them matches is taken as allowed.
// A Deny recorded as an Exception that meets the action and resource
// refuses the grant when it has no condition, and makes it conditional
// when it has.
func Allowances(grants []Grant, action, resource string) []Allowance {
	var out []Allowance
	for _, g := range grants {
		if !grantResource(g, resource) {
			continue
		}
		perms := grantActions(g.Actions, action)
		if len(perms) == 0 {
			continue
		}
		a := Allowance{Permissions: perms, Conditional: g.Conditional, Conditions: slices.Clone(g.Conditions)}
		refused := false
		for _, ex := range g.Exceptions {
			if len(grantActions(ex.Actions, action)) == 0 || !exceptionResource(ex, resource) {
				continue
			}
			if len(ex.Conditions) == 0 {
				refused = true
				break
			}
			a.Conditional = true
			a.Conditions = append(a.Conditions, ex.Conditions...)
		}
		if !refused {
			out = append(out, a)
		}
	}
	return out
}

// Allows is the best of Allowances: an unconditional one if there is one.
func Allows(grants []Grant, action, resource string) (Allowance, bool) {
	return best(Allowances(grants, action, resource))
}

func best(as []Allowance) (Allowance, bool) {
	if len(as) == 0 {
		return Allowance{}, false
	}
	for _, a := range as {
		if !a.Conditional {
			return a, true
		}
	}
	return as[0], true
}

// grantActions returns the patterns of actions (as Grant.Actions or
// Exception.Actions write them) that allow action.
func grantActions(actions []string, action string) []string {
	var plain, not []string
	for _, a := range actions {
		if x, ok := strings.CutPrefix(a, "NotAction:"); ok {
			not = append(not, x)
			continue
		}
		if Match(a, action) {
			plain = append(plain, a)
		}
	}
	if len(not) > 0 && !slices.ContainsFunc(not, func(x string) bool { return Match(x, action) }) {
		for _, x := range not {
			plain = append(plain, "NotAction:"+x)
		}
	}
	return plain
}

func grantResource(g Grant, resource string) bool {
	if resource == "" {
		return true
	}
	if g.NotResource {
		return !slices.ContainsFunc(g.Excluded, func(x string) bool { return resourceMatch(x, resource) })
	}
	return resourceMatch(g.Resource, resource)
}

func exceptionResource(ex Exception, resource string) bool {
	switch {
	case len(ex.Resources) > 0:
		return resource == "" || slices.ContainsFunc(ex.Resources, func(x string) bool { return resourceMatch(x, resource) })
	case len(ex.NotResources) > 0:
		return resource != "" && !slices.ContainsFunc(ex.NotResources, func(x string) bool { return resourceMatch(x, resource) })
	}
	return true
}

// resourceMatch matches an ARN against a resource pattern, case-sensitively.
func resourceMatch(pattern, arn string) bool {
	return globMatch([]rune(pattern), []rune(arn))
}

// Identity is what the escalation analysis knows of one IAM user, role or
// group.
type Identity struct {
	ARN string
	// Kind is "role", "user" or "group".
	Kind string
	// Grants are its effective grants (Evaluate, after its boundary); a
	// group's are its own policies'.
	Grants []Grant
	// Trust is a role's trust policy; nil for users and groups, or when it
	// could not be read (no one is then known to be admitted).
	Trust *Document
	// Groups are the ARNs of the groups a user belongs to.
	Groups []string
	// Policies are the ARNs of the managed policies attached to it directly.
	Policies []string
	// Access is the highest level it holds per resource pattern (the
	// can_access edges): what the no-edge-to-a-subset rule compares.
	Access map[string]Level
	// Unknown is set when part of its access is of unknown level (a
	// document that could not be read): it is then never a subset.
	Unknown bool
	// Denies are the Deny statements of its identity policies and
	// boundary, and Boundary its permissions boundary's document (nil
	// when it has none): what a trust naming its ARN does not override.
	Denies   []Statement
	Boundary *Document
}

// IdentityOf is the Identity of p's subject, of kind, with its grants,
// Deny statements and boundary (its access, trust, groups and policies
// are the caller's to fill in).
func IdentityOf(kind string, p Policies) Identity {
	id := Identity{ARN: p.Subject.ARN, Kind: kind, Grants: Evaluate(p)}
	for _, src := range p.Identity {
		if src.Document != nil {
			id.Denies = append(id.Denies, denyStatements(src.Document)...)
		}
	}
	if p.Boundary != nil && p.Boundary.Document != nil {
		id.Boundary = p.Boundary.Document
		id.Denies = append(id.Denies, denyStatements(p.Boundary.Document)...)
	}
	return id
}

func denyStatements(doc *Document) []Statement {
	var out []Statement
	for _, st := range doc.Statements {
		if st.Effect == Deny {
			out = append(out, st)
		}
	}
	return out
}

// statementMatches reports whether st applies to action on resource,
// its conditions aside.
func statementMatches(st Statement, action, resource string) bool {
	if len(st.NotActions) > 0 {
		if slices.ContainsFunc(st.NotActions, func(x string) bool { return Match(x, action) }) {
			return false
		}
	} else if !slices.ContainsFunc(st.Actions, func(a string) bool { return Match(a, action) }) {
		return false
	}
	switch {
	case len(st.NotResources) > 0:
		return !slices.ContainsFunc(st.NotResources, func(x string) bool { return resourceMatch(x, resource) })
	case len(st.Resources) > 0:
		return slices.ContainsFunc(st.Resources, func(x string) bool { return resourceMatch(x, resource) })
	}
	return true
}

// unguarded reports whether, without an identity-policy Allow, nothing of
// the identity's own stops action on resource: its boundary (when it has
// one) allows it, and no Deny refuses it. conditional is set when only a
// conditional statement decides.
func (id *Identity) unguarded(action, resource string) (ok, conditional bool) {
	for _, d := range id.Denies {
		if statementMatches(d, action, resource) {
			if !d.Conditions.constrains() {
				return false, false
			}
			conditional = true
		}
	}
	if id.Boundary == nil {
		return true, conditional
	}
	allowed, guarded := false, true
	for _, st := range id.Boundary.Statements {
		if st.Effect == Allow && statementMatches(st, action, resource) {
			allowed = true
			guarded = guarded && st.Conditions.constrains()
		}
	}
	return allowed, conditional || (allowed && guarded)
}

// Escalation is one step by which From can act as To (can_escalate).
type Escalation struct {
	From, To    string
	Method      string
	Permissions []string
	Conditional bool
	Conditions  []Condition
	// LevelCap, when not None, is the most the step gives: the service the
	// role is passed to acts with it only on the caller's behalf.
	LevelCap Level
	// LevelFloor, when not None, is the least the step gives whatever the
	// target holds now: the caller can write the target's permissions, up
	// to what the target's boundary lets it hold (the caller's own
	// boundary for a group it belongs to).
	LevelFloor Level
}

// writeMethods write the permissions of their target: a step taken by one
// gives what the target can hold under its boundary (LevelFloor).
// iam:UpdateAssumeRolePolicy is not one: it lets the caller assume the
// role as it is.
var writeMethods = []string{"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:AttachUserPolicy",
	"iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"}

// allowAll is the policy a caller who writes a target's permissions can
// give it.
var allowAll = &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Actions: []string{"*"}, Resources: []string{"*"}}}}

// Holdable is the highest level an identity with permissions boundary b
// (nil for none) can be given: Admin without one, else the level of an
// Allow of everything evaluated under b.
func Holdable(b *Document) Level {
	if b == nil {
		return Admin
	}
	l := None
	for _, g := range Evaluate(Policies{Identity: []Source{{Name: "all", Document: allowAll}}, Boundary: &Source{Name: "boundary", Document: b}}) {
		l = max(l, g.Level)
	}
	return l
}

// passMethod is a service action that uses a role passed to it.
type passMethod struct {
	service string // the service principal the role's trust must admit
	actions []string
	cap     Level // None: the service hands the role's credentials to the caller's code
}

// passMethods follow Rhino Security Labs' AWS privilege-escalation methods
// as PMapper implements them, plus the Bedrock and AgentCore ones
// (docs/aws-escalation.md lists each with its source).
var passMethods = []passMethod{
	{"lambda.amazonaws.com", []string{"lambda:CreateFunction", "lambda:InvokeFunction"}, None},
	{"lambda.amazonaws.com", []string{"lambda:CreateFunction", "lambda:CreateEventSourceMapping"}, None},
	{"ec2.amazonaws.com", []string{"ec2:RunInstances"}, None},
	{"ecs-tasks.amazonaws.com", []string{"ecs:RegisterTaskDefinition", "ecs:RunTask"}, None},
	{"cloudformation.amazonaws.com", []string{"cloudformation:CreateStack"}, None},
	{"glue.amazonaws.com", []string{"glue:CreateDevEndpoint"}, None},
	{"bedrock-agentcore.amazonaws.com", []string{"bedrock-agentcore:CreateAgentRuntime"}, None},
	{"bedrock-agentcore.amazonaws.com", []string{"bedrock-agentcore:UpdateAgentRuntime"}, None},
	// Bedrock acts with the role on the caller's behalf: it invokes models
	// and reads the knowledge base's data, never hands the credentials over.
	{"bedrock.amazonaws.com", []string{"bedrock:CreateAgent"}, Read},
	{"bedrock.amazonaws.com", []string{"bedrock:UpdateAgent"}, Read},
	{"bedrock.amazonaws.com", []string{"bedrock:CreateKnowledgeBase"}, Read},
}

// roleMethods, userMethods: an IAM action on the target itself lets the
// caller give the target any permission, or sign in as it.
var (
	roleMethods = []string{"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"}
	userMethods = []string{"iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"}
	// memberMethods change the policies of a group the caller belongs to.
	memberMethods  = []string{"iam:PutGroupPolicy", "iam:AttachGroupPolicy"}
	versionMethods = []string{"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"}
)

// escalationActions are every action some method needs; an identity whose
// grants allow none of them escalates to no one.
func escalationActions() []string {
	out := []string{"sts:AssumeRole", "iam:PassRole", "iam:AddUserToGroup"}
	out = append(out, roleMethods...)
	out = append(out, userMethods...)
	out = append(out, memberMethods...)
	return append(out, versionMethods...)
}

// Escalations lists the steps by which each identity can act as another of
// the same account, except to one whose access is a subset of its own (at
// the granularity of resource pattern and level) by a step that gives no
// more than that: a step that writes the target's permissions (LevelFloor)
// is kept when the caller holds less than its floor on "*". Each method applies only
// when the target's side admits it too (IAM User Guide, "Policy evaluation
// logic" and "Cross-account policy evaluation logic"):
//
//   - sts:AssumeRole: allowed to the caller on the role, and the role's
//     trust admits it: a trust naming the account root or "*" admits a
//     principal of the account whose identity policy allows the call; one
//     naming the caller's own ARN admits it even without that Allow.
//   - iam:PassRole with a service action that uses the role: the role's
//     trust admits the service, and iam:PassedToService, when the PassRole
//     Allow tests it, names the service.
//   - IAM actions on the target (its policies, trust, keys, password), on a
//     group the caller belongs to, adding the caller to a group, and new
//     versions of a managed policy attached to the target.
//
// The result is sorted by From, To and Method.
func Escalations(account string, ids []Identity) []Escalation {
	byARN := make(map[string]*Identity, len(ids))
	for i := range ids {
		byARN[ids[i].ARN] = &ids[i]
	}
	actions := escalationActions()
	// Each role's trust is read once. named are the principals some
	// role's trust names by ARN: they may assume it without an
	// identity-policy Allow.
	trust := make([]roleTrust, len(ids))
	named := map[string]bool{}
	for i := range ids {
		trust[i] = roleTrust{allows: Trusts(ids[i].Trust), denies: TrustDenies(ids[i].Trust)}
		for _, tr := range trust[i].allows {
			if tr.Principal.Type == "AWS" {
				named[tr.Principal.ID] = true
			}
		}
	}
	// holdable is what each identity can be given under its boundary.
	holdable := make([]Level, len(ids))
	for i := range ids {
		holdable[i] = Holdable(ids[i].Boundary)
	}
	var out []Escalation
	for i := range ids {
		c := &ids[i]
		if c.Kind == "group" || (!named[c.ARN] && !slices.ContainsFunc(actions, func(a string) bool { _, ok := Allows(c.Grants, a, ""); return ok })) {
			continue
		}
		cc := newCallerContext(c)
		writes := slices.ContainsFunc(writeMethods, func(m string) bool { _, ok := cc.allows(m, ""); return ok })
		for j := range ids {
			t := &ids[j]
			// A target held in full, that a step writing its permissions
			// could give no more than the caller holds on "*", is reached
			// by no step: the capped steps give less still.
			floor := None
			switch {
			case !writes:
			case t.Kind == "group":
				floor = holdable[i] // its policies reach the caller under the caller's boundary
			default:
				floor = holdable[j]
			}
			if t.ARN == c.ARN || (t.SubsetOf(c, None) && c.Access["*"] >= floor) {
				continue
			}
			steps := steps(account, cc, t, trust[j])
			for _, s := range steps {
				if slices.Contains(writeMethods, s.Method) {
					s.LevelFloor = floor
				}
				if t.SubsetOf(c, s.LevelCap) && c.Access["*"] >= min(s.LevelFloor, capOr(s.LevelCap)) {
					continue
				}
				out = append(out, s)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Method < b.Method
	})
	return out
}

// SubsetOf reports whether every resource of t's access is held by c at
// the same level or higher (on the pattern itself or on "*"), t's levels
// first capped at limit when it is not None; never when part of t's access
// is of unknown level.
func (t *Identity) SubsetOf(c *Identity, limit Level) bool {
	if t.Unknown {
		return false
	}
	for r, l := range t.Access {
		if limit != None {
			l = min(l, limit)
		}
		if c.Access[r] < l && c.Access["*"] < l {
			return false
		}
	}
	return true
}

// capOr is cap, or Admin (no cap) when it is None.
func capOr(cap Level) Level {
	if cap == None {
		return Admin
	}
	return cap
}

// roleTrust is a role's trust policy, read once.
type roleTrust struct{ allows, denies []Trust }

// callerContext is what is worked out once per caller: the pass methods
// whose service actions it is allowed, and whether it may pass a role at
// all.
type callerContext struct {
	*Identity
	canPass bool
	pass    []passMethod
	passBy  map[string]Allowance // service actions joined, by method
	// may caches whether an action is allowed on some resource.
	may map[string]bool
}

// allows is Allows for the caller, answered at once for an action it is
// allowed on no resource.
func (cc *callerContext) allows(action, resource string) (Allowance, bool) {
	ok, seen := cc.may[action]
	if !seen {
		_, ok = Allows(cc.Grants, action, "")
		cc.may[action] = ok
	}
	if !ok {
		return Allowance{}, false
	}
	return Allows(cc.Grants, action, resource)
}

func newCallerContext(c *Identity) *callerContext {
	cc := &callerContext{Identity: c, passBy: map[string]Allowance{}, may: map[string]bool{}}
	if _, ok := Allows(c.Grants, "iam:PassRole", ""); !ok {
		return cc
	}
	cc.canPass = true
	for _, pm := range passMethods {
		var all Allowance
		ok := true
		for _, act := range pm.actions {
			a, allowed := Allows(c.Grants, act, "")
			if !allowed {
				ok = false
				break
			}
			all.Permissions = append(all.Permissions, a.Permissions...)
			all.Conditional = all.Conditional || a.Conditional
			all.Conditions = append(all.Conditions, a.Conditions...)
		}
		if ok {
			cc.pass = append(cc.pass, pm)
			cc.passBy[pm.name()] = all
		}
	}
	return cc
}

func (pm passMethod) name() string { return "iam:PassRole+" + strings.Join(pm.actions, "+") }

func steps(account string, cc *callerContext, t *Identity, tt roleTrust) []Escalation {
	c := cc.Identity
	var out []Escalation
	add := func(method string, a Allowance, cap Level) {
		out = append(out, Escalation{From: c.ARN, To: t.ARN, Method: method, Permissions: a.Permissions,
			Conditional: a.Conditional, Conditions: a.Conditions, LevelCap: cap})
	}
	direct := func(methods []string, resource string) {
		for _, m := range methods {
			if a, ok := cc.allows(m, resource); ok {
				add(m, a, None)
			}
		}
	}
	switch t.Kind {
	case "role":
		if a, ok := assumeRole(account, c, t, tt); ok {
			add("sts:AssumeRole", a, None)
		}
		for _, pm := range cc.pass {
			if a, ok := passRole(cc, t, tt, pm); ok {
				add(pm.name(), a, pm.cap)
			}
		}
		direct(roleMethods, t.ARN)
	case "user":
		direct(userMethods, t.ARN)
	case "group":
		if slices.Contains(c.Groups, t.ARN) {
			direct(memberMethods, t.ARN)
		} else if c.Kind == "user" {
			direct([]string{"iam:AddUserToGroup"}, t.ARN)
		}
	}
	for _, p := range t.Policies {
		if strings.Contains(p, ":iam::aws:policy/") {
			continue // AWS-managed: no one but AWS versions it
		}
		for _, m := range versionMethods {
			if a, ok := cc.allows(m, p); ok {
				add(m, a, None)
			}
		}
	}
	return out
}

// assumeRole decides sts:AssumeRole by c on role t.
func assumeRole(account string, c, t *Identity, tt roleTrust) (Allowance, bool) {
	const action = "sts:AssumeRole"
	if len(tt.allows) == 0 {
		return Allowance{}, false
	}
	root := "arn:" + partition(c.ARN) + ":iam::" + account + ":root"
	var identity Allowance
	allowed, looked := false, false
	var admitted []Allowance
	for _, tr := range tt.allows {
		if tr.Principal.Type == "Service" || tr.Principal.Type == "Federated" {
			continue
		}
		if !looked {
			identity, allowed = Allows(c.Grants, action, t.ARN)
			looked = true
		}
		if len(grantActions(tr.Actions, action)) == 0 || slices.ContainsFunc(tr.Except, func(p Principal) bool { return p.ID == c.ARN || p.ID == root }) {
			continue
		}
		var a Allowance
		switch {
		case tr.Principal.Type == "AWS" && tr.Principal.ID == c.ARN:
			// A same-account trust naming the caller admits it without an
			// identity-policy Allow, but not past its boundary or a Deny.
			if allowed {
				a = identity
			} else {
				ok, conditional := c.unguarded(action, t.ARN)
				if !ok {
					continue
				}
				a = Allowance{Permissions: []string{"trust:" + c.ARN}, Conditional: conditional}
			}
		case (tr.Principal.Type == "AWS" && tr.Principal.ID == root) || tr.Principal.Wildcard():
			if !allowed {
				continue
			}
			a = identity
		default:
			continue
		}
		if conds := tr.Conditions.List(); len(conds) > 0 {
			a.Conditional = true
			a.Conditions = append(slices.Clone(a.Conditions), conds...)
		}
		admitted = append(admitted, a)
	}
	a, ok := best(admitted)
	if !ok {
		return a, false
	}
	for _, d := range tt.denies {
		if len(grantActions(d.Actions, action)) == 0 || !(d.Principal.ID == c.ARN || d.Principal.ID == root || d.Principal.Wildcard()) {
			continue
		}
		if len(d.Conditions.List()) == 0 {
			return Allowance{}, false
		}
		a.Conditional = true
	}
	return a, true
}

// passRole decides iam:PassRole of t with the actions of pm.
func passRole(cc *callerContext, t *Identity, tt roleTrust, pm passMethod) (Allowance, bool) {
	admitted, conditional := false, false
	var trustConds []Condition
	for _, tr := range tt.allows {
		if tr.Principal.Type != "Service" || tr.Principal.ID != pm.service || len(grantActions(tr.Actions, "sts:AssumeRole")) == 0 {
			continue
		}
		conds := tr.Conditions.List()
		if !admitted || (conditional && len(conds) == 0) {
			admitted, conditional, trustConds = true, len(conds) > 0, conds
		}
	}
	if !admitted {
		return Allowance{}, false
	}
	var passes []Allowance
	for _, a := range Allowances(cc.Grants, "iam:PassRole", t.ARN) {
		if a, ok := passedTo(a, pm.service); ok {
			passes = append(passes, a)
		}
	}
	pass, ok := best(passes)
	if !ok {
		return Allowance{}, false
	}
	out := Allowance{Permissions: slices.Clone(pass.Permissions), Conditional: pass.Conditional || conditional,
		Conditions: append(slices.Clone(pass.Conditions), trustConds...)}
	a := cc.passBy[pm.name()]
	out.Permissions = append(out.Permissions, a.Permissions...)
	out.Conditional = out.Conditional || a.Conditional
	out.Conditions = append(out.Conditions, a.Conditions...)
	out.Permissions = dedupFold(out.Permissions)
	return out, true
}

// passedTo applies the iam:PassedToService condition of a PassRole Allow:
// it refuses a service its values do not match, and is no guard for one
// they do. Other conditions stay.
func passedTo(a Allowance, service string) (Allowance, bool) {
	var rest []Condition
	for _, cond := range a.Conditions {
		if !strings.EqualFold(cond.Key, "iam:PassedToService") {
			rest = append(rest, cond)
			continue
		}
		op := strings.ToLower(strings.TrimSuffix(cond.Operator, "IfExists"))
		switch op {
		case "stringequals", "stringequalsignorecase", "stringlike", "foranyvalue:stringequals", "foranyvalue:stringlike":
			if !slices.ContainsFunc(cond.Values, func(v string) bool { return Match(v, service) }) {
				return Allowance{}, false
			}
		case "stringnotequals", "stringnotlike":
			if slices.ContainsFunc(cond.Values, func(v string) bool { return Match(v, service) }) {
				return Allowance{}, false
			}
		default:
			rest = append(rest, cond)
		}
	}
	a.Conditions = rest
	a.Conditional = len(rest) > 0
	return a, true
}

// partition is the partition field of an ARN ("aws" when there is none).
func partition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[1] == "" {
		return "aws"
	}
	return parts[1]
}

// AccessOf is the highest level the grants give per resource pattern ("*"
// for an Allow with NotResource), as can_access edges record it.
func AccessOf(grants []Grant) map[string]Level {
	out := make(map[string]Level, len(grants))
	for _, g := range grants {
		r := g.Resource
		if g.NotResource {
			r = "*"
		}
		out[r] = max(out[r], g.Level)
	}
	return out
}
