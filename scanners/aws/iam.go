package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/aws/iampolicy"
	"github.com/aam-dev/aam/scanners/failure"
	"github.com/aam-dev/aam/scanners/fanout"
	"github.com/aam-dev/aam/scanners/scope"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamScan scans the IAM of one account: the account-global scope.
type iamScan struct {
	scanner *Scanner
	c       clients
	account string
	caller  string
	scope   *scope.Writer
	// ours reports whether an account is one this scan covers: a principal
	// of it is the owner's, not a third party's.
	ours func(account string) bool
	// creds is the scope of the account's service-specific credentials
	// (servicecreds.go).
	creds *scope.Writer

	details  iam.GetAccountAuthorizationDetailsOutput
	policies map[string]*iampolicy.Document // managed policy ARN -> default version
	// boundaryUnknown holds, per boundary ARN, why its document could not
	// be read ("denied: iam:GetPolicyVersion").
	boundaryUnknown map[string]string
	groups          map[string]types.GroupDetail
	known           map[string]bool // node ids this scope writes in full
	// problems are documents that could not be read; they are recorded once
	// the scope's calls all succeeded, and the scope still completes.
	problems []problem

	// esc collects what the account's escalation analysis needs.
	esc *escalationInputs

	// detailsRead is set once every page of details was read; detailsErr
	// is why they could not be.
	detailsRead bool
	detailsErr  error
	// entitiesDone is set once every identity was written (and recorded
	// in esc).
	entitiesDone bool
}

type problem struct {
	op  string
	err error
}

func newIAMScan(s *Scanner, c clients, w inventory.Writer, account, caller string, ours func(string) bool) *iamScan {
	sc := inventory.Scope{Provider: ProviderName, Tenant: account, Name: inventory.GlobalScope}
	creds := inventory.Scope{Provider: ProviderName, Tenant: account, Name: ServiceCredentialsScope}
	return &iamScan{scanner: s, c: c, account: account, caller: caller, ours: ours, scope: scope.New(w, sc, explainer(), ServiceIAM),
		creds: scope.New(w, creds, explainer(), ServiceIAM)}
}

// run scans the account's IAM, then its service-specific credentials,
// which belong to the users it read. Provider failures are recorded; only
// a store failure is returned.
func (is *iamScan) run(ctx context.Context) error {
	err := is.scope.Run(ctx, is.fetchDetails, is.index, is.entities, is.accessKeys, is.recordProblems)
	is.esc.iamDone(is.entitiesDone, is.detailsErr)
	if err != nil {
		return err
	}
	return is.creds.Run(ctx, is.serviceCredentials)
}

// index reads the documents GetAccountAuthorizationDetails returned, then
// those of the permissions boundaries it did not.
func (is *iamScan) index(ctx context.Context) error {
	is.indexDetails()
	is.boundaryDocuments(ctx)
	return nil
}

// boundaryDocuments reads, with iam:GetPolicy and iam:GetPolicyVersion, the
// document of each permissions boundary GetAccountAuthorizationDetails did
// not return: it lists an AWS-managed policy only when the policy is
// attached to something, so one used only as a boundary comes without its
// document. Enrichment calls: when one fails, the boundary is not applied
// and its document is marked unknown on the entities it bounds.
func (is *iamScan) boundaryDocuments(ctx context.Context) {
	seen := map[string]bool{}
	var missing []string
	want := func(b *types.AttachedPermissionsBoundary) {
		if b == nil {
			return
		}
		arn := deref(b.PermissionsBoundaryArn)
		if _, have := is.policies[arn]; arn == "" || have || seen[arn] {
			return
		}
		seen[arn] = true
		missing = append(missing, arn)
	}
	for _, r := range is.details.RoleDetailList {
		want(r.PermissionsBoundary)
	}
	for _, u := range is.details.UserDetailList {
		want(u.PermissionsBoundary)
	}
	sort.Strings(missing)
	for _, arn := range missing {
		if ctx.Err() != nil {
			return
		}
		raw, op, err := is.policyDocument(ctx, arn)
		if err != nil {
			is.boundaryUnknown[arn] = is.scope.Enrichment(op, err)
			continue
		}
		doc, err := iampolicy.Decode(raw)
		if err != nil {
			is.problem("decode policy", "permissions boundary "+arn, err)
			continue
		}
		is.policies[arn] = doc
	}
}

// policyDocument reads the default version of a managed policy; op names
// the call that failed.
func (is *iamScan) policyDocument(ctx context.Context, arn string) (doc, op string, err error) {
	p, err := is.c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	if err != nil {
		return "", "iam:GetPolicy", err
	}
	if p.Policy == nil || deref(p.Policy.DefaultVersionId) == "" {
		return "", "iam:GetPolicy", failure.Errorf(failure.Malformed, "GetPolicy answered for %s without a DefaultVersionId", arn)
	}
	v, err := is.c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		return "", "iam:GetPolicyVersion", err
	}
	if v.PolicyVersion == nil || v.PolicyVersion.Document == nil {
		return "", "iam:GetPolicyVersion", failure.Errorf(failure.Malformed, "GetPolicyVersion answered for %s without a document", arn)
	}
	return *v.PolicyVersion.Document, "", nil
}

// entities writes the groups, roles and users with their trust, membership
// and access edges.
func (is *iamScan) entities(ctx context.Context) error {
	for _, g := range is.details.GroupDetailList {
		if err := is.group(ctx, g); err != nil {
			return err
		}
	}
	for _, r := range is.details.RoleDetailList {
		if err := is.role(ctx, r); err != nil {
			return err
		}
	}
	for _, u := range is.details.UserDetailList {
		if err := is.user(ctx, u); err != nil {
			return err
		}
	}
	is.entitiesDone = ctx.Err() == nil
	return nil
}

// recordProblems records the documents that could not be read. Each stands
// in the graph as a grant of unknown level, or a trust from unknown
// principals: never dropped, the scan ends partial, and the rest of the
// account still becomes current.
func (is *iamScan) recordProblems(context.Context) error {
	for _, p := range is.problems {
		is.scope.Warn(p.op, p.err)
	}
	return nil
}

// fetchDetails pages GetAccountAuthorizationDetails to the end: roles,
// users, groups and managed policies with their documents, in the fewest calls.
func (is *iamScan) fetchDetails(ctx context.Context) error {
	p := iam.NewGetAccountAuthorizationDetailsPaginator(is.c.iam, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeUser, types.EntityTypeGroup, types.EntityTypeLocalManagedPolicy, types.EntityTypeAWSManagedPolicy},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			is.scope.Fail("iam:GetAccountAuthorizationDetails", err)
			is.detailsErr = err
			return nil
		}
		is.details.RoleDetailList = append(is.details.RoleDetailList, page.RoleDetailList...)
		is.details.UserDetailList = append(is.details.UserDetailList, page.UserDetailList...)
		is.details.GroupDetailList = append(is.details.GroupDetailList, page.GroupDetailList...)
		is.details.Policies = append(is.details.Policies, page.Policies...)
	}
	is.detailsRead = true
	return nil
}

func (is *iamScan) problem(op, what string, err error) {
	is.problems = append(is.problems, problem{op, failure.Errorf(failure.Malformed, "%s: %w (kept as access of unknown level; please report the document's shape)", what, err)})
}

func (is *iamScan) indexDetails() {
	is.policies = map[string]*iampolicy.Document{}
	is.boundaryUnknown = map[string]string{}
	for _, p := range is.details.Policies {
		for _, v := range p.PolicyVersionList {
			if !v.IsDefaultVersion {
				continue
			}
			doc, err := iampolicy.Decode(deref(v.Document))
			if err != nil {
				is.problem("decode policy", "managed policy "+deref(p.Arn), err)
				continue
			}
			is.policies[deref(p.Arn)] = doc
		}
	}
	is.groups = map[string]types.GroupDetail{}
	for _, g := range is.details.GroupDetailList {
		is.groups[deref(g.GroupName)] = g
	}
	is.known = map[string]bool{}
	for _, r := range is.details.RoleDetailList {
		is.known[deref(r.Arn)] = true
	}
	for _, u := range is.details.UserDetailList {
		is.known[deref(u.Arn)] = true
	}
}

// node writes n. An IAM entity without an ARN is a problem, not a
// failure: the rest of the account still completes.
func (is *iamScan) node(ctx context.Context, n inventory.Node) error {
	if n.ID == "" {
		is.problem("read IAM", fmt.Sprintf("a %v", n.Attrs[inventory.AttrType]), errors.New("the API returned it without an ARN"))
		return nil
	}
	return is.scope.Node(ctx, n)
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[deref(t.Key)] = deref(t.Value)
	}
	return m
}

// notEvaluated are the kinds of policy that may narrow (or, through the
// resource, widen) an identity's access and that the scan does not read:
// service control and resource control policies live in the
// organisation's management account, resource-based policies with each
// resource (Lambda, S3, KMS...), and session policies exist only in the
// request that passes them.
var notEvaluated = []string{"service_control_policies", "resource_control_policies", "resource_based_policies", "session_policies"}

// group writes an IAM group: an identity no one can sign in as, whose
// policies apply to its members (see user).
func (is *iamScan) group(ctx context.Context, g types.GroupDetail) error {
	attrs := map[string]any{inventory.AttrType: "iam_group", "path": deref(g.Path), "group_id": deref(g.GroupId)}
	var policies []string
	for _, p := range g.GroupPolicyList {
		policies = append(policies, "inline:"+deref(p.PolicyName))
	}
	for _, a := range g.AttachedManagedPolicies {
		policies = append(policies, deref(a.PolicyArn))
	}
	if len(policies) > 0 {
		attrs["policies"] = policies
	}
	if err := is.node(ctx, inventory.Node{ID: deref(g.Arn), Kind: inventory.KindIdentity, Provider: ProviderName, Tenant: is.account,
		Name: deref(g.GroupName), Created: deref(g.CreateDate), Attrs: attrs}); err != nil {
		return err
	}
	// The escalation analysis needs what the group's own policies grant:
	// a member who may change them, or add itself, gains it.
	// Unreadable documents are recorded where the members' access is.
	var sources []iampolicy.Source
	unknown := false
	for _, p := range g.GroupPolicyList {
		doc, err := iampolicy.Decode(deref(p.PolicyDocument))
		if err != nil {
			unknown = true
			continue
		}
		sources = append(sources, iampolicy.Source{Name: "inline:" + deref(p.PolicyName), Document: doc})
	}
	for _, a := range g.AttachedManagedPolicies {
		doc, ok := is.policies[deref(a.PolicyArn)]
		if !ok {
			unknown = true
			continue
		}
		sources = append(sources, iampolicy.Source{Name: deref(a.PolicyArn), Document: doc})
	}
	grants := iampolicy.Evaluate(iampolicy.Policies{Identity: sources})
	is.esc.identity(iampolicy.Identity{ARN: deref(g.Arn), Kind: "group", Grants: grants, Access: iampolicy.AccessOf(grants),
		Policies: attachedARNs(g.AttachedManagedPolicies), Unknown: unknown})
	return nil
}

// attachedARNs are the ARNs of attached managed policies.
func attachedARNs(attached []types.AttachedPolicy) []string {
	var out []string
	for _, a := range attached {
		out = append(out, deref(a.PolicyArn))
	}
	return out
}

// boundary resolves an entity's permissions boundary to its document and
// records it on the entity's attributes. A boundary whose document could
// not be read is not applied, and the attributes say so (with, when a call
// failed, the document marked unknown): access is never narrowed on a
// guess.
func (is *iamScan) boundary(b *types.AttachedPermissionsBoundary, attrs map[string]any) *iampolicy.Source {
	if b == nil || deref(b.PermissionsBoundaryArn) == "" {
		return nil
	}
	arn := deref(b.PermissionsBoundaryArn)
	attrs[inventory.AttrBoundary] = arn
	doc, ok := is.policies[arn]
	if !ok {
		attrs["boundary_not_applied"] = "its document could not be read: access is shown as if unbounded"
		if reason, ok := is.boundaryUnknown[arn]; ok {
			attrs[inventory.AttrUnknown] = map[string]any{"boundary_document": reason}
		}
		return nil
	}
	return &iampolicy.Source{Name: arn, Document: doc}
}

func (is *iamScan) role(ctx context.Context, r types.RoleDetail) error {
	arn := deref(r.Arn)
	attrs := map[string]any{inventory.AttrType: "iam_role", "path": deref(r.Path), "role_id": deref(r.RoleId), inventory.AttrNotEvaluated: notEvaluated}
	if t := tagMap(r.Tags); t != nil {
		attrs["tags"] = t
	}
	boundary := is.boundary(r.PermissionsBoundary, attrs)
	n := inventory.Node{ID: arn, Kind: inventory.KindIdentity, Provider: ProviderName, Tenant: is.account, Name: deref(r.RoleName), Created: deref(r.CreateDate), Attrs: attrs}
	if lu := r.RoleLastUsed; lu != nil {
		n.LastUsed = deref(lu.LastUsedDate)
		if lu.Region != nil {
			attrs["last_used_region"] = *lu.Region
		}
	}
	if err := is.node(ctx, n); err != nil {
		return err
	}
	if err := is.trust(ctx, arn, deref(r.AssumeRolePolicyDocument)); err != nil {
		return err
	}
	sources, fallbacks := is.inline("inline:", r.RolePolicyList, "role "+arn)
	managed, mfb := is.managed("", r.AttachedManagedPolicies)
	id := iampolicy.Identity{Kind: "role", Policies: attachedARNs(r.AttachedManagedPolicies)}
	if raw := deref(r.AssumeRolePolicyDocument); raw != "" {
		id.Trust, _ = iampolicy.Decode(raw) // an unreadable trust admits no one known
	}
	return is.access(ctx, iampolicy.Policies{Subject: iampolicy.Subject{ARN: arn}, Identity: append(sources, managed...), Boundary: boundary},
		append(fallbacks, mfb...), id)
}

func (is *iamScan) user(ctx context.Context, u types.UserDetail) error {
	arn := deref(u.Arn)
	attrs := map[string]any{inventory.AttrType: "iam_user", "path": deref(u.Path), "user_id": deref(u.UserId), inventory.AttrNotEvaluated: notEvaluated}
	if len(u.GroupList) > 0 {
		attrs["groups"] = u.GroupList
	}
	if t := tagMap(u.Tags); t != nil {
		attrs["tags"] = t
	}
	boundary := is.boundary(u.PermissionsBoundary, attrs)
	n := inventory.Node{ID: arn, Kind: inventory.KindIdentity, Provider: ProviderName, Tenant: is.account, Name: deref(u.UserName), Created: deref(u.CreateDate), Attrs: attrs}
	if err := is.node(ctx, n); err != nil {
		return err
	}
	sources, fallbacks := is.inline("inline:", u.UserPolicyList, "user "+arn)
	managed, mfb := is.managed("", u.AttachedManagedPolicies)
	sources, fallbacks = append(sources, managed...), append(fallbacks, mfb...)
	// A user's access includes its groups' policies, each named after its
	// group (IAM User Guide, "IAM user groups").
	var groupARNs []string
	for _, gname := range u.GroupList {
		prefix := "group:" + gname + "/"
		g, ok := is.groups[gname]
		if !ok {
			// A group GetAccountAuthorizationDetails did not describe (made
			// while we paged): what it grants is unknown, not nothing.
			fallbacks = append(fallbacks, fallback{source: "group:" + gname, level: inventory.LevelUnknown, why: "group not returned: level unknown"})
			continue
		}
		if err := is.scope.Edge(ctx, arn, inventory.EdgeMemberOf, deref(g.Arn), nil); err != nil {
			return err
		}
		groupARNs = append(groupARNs, deref(g.Arn))
		gi, gifb := is.inline(prefix+"inline:", g.GroupPolicyList, "group "+deref(g.Arn))
		gm, gfb := is.managed(prefix, g.AttachedManagedPolicies)
		sources = append(append(sources, gi...), gm...)
		fallbacks = append(append(fallbacks, gifb...), gfb...)
	}
	subject := iampolicy.Subject{ARN: arn, UserName: deref(u.UserName)}
	id := iampolicy.Identity{Kind: "user", Policies: attachedARNs(u.AttachedManagedPolicies), Groups: groupARNs}
	return is.access(ctx, iampolicy.Policies{Subject: subject, Identity: sources, Boundary: boundary}, fallbacks, id)
}

func (is *iamScan) inline(prefix string, ps []types.PolicyDetail, owner string) ([]iampolicy.Source, []fallback) {
	var out []iampolicy.Source
	var fb []fallback
	for _, p := range ps {
		doc, err := iampolicy.Decode(deref(p.PolicyDocument))
		if err != nil {
			is.problem("decode policy", "inline policy "+deref(p.PolicyName)+" of "+owner, err)
			fb = append(fb, fallback{source: prefix + deref(p.PolicyName), level: inventory.LevelUnknown, why: "unreadable: level unknown"})
			continue
		}
		out = append(out, iampolicy.Source{Name: prefix + deref(p.PolicyName), Document: doc})
	}
	return out, fb
}

// managed resolves attached managed policies to their documents. An
// attached policy whose document GetAccountAuthorizationDetails did not
// return is kept as a fallback: its well-known level, or "unknown".
func (is *iamScan) managed(prefix string, attached []types.AttachedPolicy) ([]iampolicy.Source, []fallback) {
	var out []iampolicy.Source
	var fb []fallback
	for _, a := range attached {
		arn := deref(a.PolicyArn)
		if doc, ok := is.policies[arn]; ok {
			out = append(out, iampolicy.Source{Name: prefix + arn, Document: doc})
			continue
		}
		level := inventory.LevelUnknown
		if l, ok := iampolicy.ManagedPolicyLevel(arn); ok {
			level = l.String()
		}
		fb = append(fb, fallback{source: prefix + arn, level: level, why: "not returned: level from the policy's name"})
	}
	return out, fb
}

// fallback is a policy known only by name: a grant on every resource at its
// well-known level (or unknown), so access is never under-reported. No
// boundary is applied to it.
type fallback struct{ source, level, why string }

// access writes one can_access edge per resource pattern the identity's
// effective policies reach, with the privilege level and actions, and each
// grant's sources, conditions, exceptions and boundary.
//
// It records the identity for the escalation analysis: id with its grants
// and the level of each resource pattern it reaches.
func (is *iamScan) access(ctx context.Context, p iampolicy.Policies, fallbacks []fallback, id iampolicy.Identity) error {
	from := p.Subject.ARN
	levels := map[string]string{}
	unknown := false
	type agg struct {
		level  string
		grants []map[string]any
	}
	targets := map[string]*agg{}
	var order []string
	add := func(resource, level string, grant map[string]any) error {
		to := resourceID(is.account, resource)
		a, ok := targets[to]
		if !ok {
			a = &agg{}
			targets[to] = a
			order = append(order, to)
			if err := is.resourceNode(ctx, to, resource); err != nil {
				return err
			}
		}
		a.grants = append(a.grants, grant)
		if inventory.AccessLevelRank(level) > inventory.AccessLevelRank(a.level) {
			a.level = level
		}
		if level == inventory.LevelUnknown {
			unknown = true
		} else if inventory.AccessLevelRank(level) > inventory.AccessLevelRank(levels[resource]) {
			levels[resource] = level
		}
		return nil
	}
	for _, fb := range fallbacks {
		grant := map[string]any{"resource": "*", inventory.AttrLevel: fb.level, inventory.AttrSources: []string{fb.source}, "document": fb.why}
		if err := add("*", fb.level, grant); err != nil {
			return err
		}
	}
	full := iampolicy.IdentityOf(id.Kind, p)
	grants := full.Grants
	id.Denies, id.Boundary = full.Denies, full.Boundary
	for _, g := range grants {
		grant := map[string]any{
			"resource": g.Resource, inventory.AttrLevel: g.Level.String(), "actions": g.Actions, inventory.AttrSources: g.Sources,
			"sensitive": g.Sensitive, inventory.AttrConditional: g.Conditional,
		}
		if len(g.Conditions) > 0 {
			grant[inventory.AttrConditions] = g.Conditions
		}
		if len(g.Exceptions) > 0 {
			grant[inventory.AttrExceptions] = g.Exceptions
		}
		if g.Boundary != "" {
			grant[inventory.AttrBoundary] = g.Boundary
		}
		if g.Self {
			grant["self"] = true
		}
		if g.NotResource {
			grant["not_resource"] = g.Excluded
		}
		if err := add(g.Resource, g.Level.String(), grant); err != nil {
			return err
		}
	}
	for _, to := range order {
		if err := is.scope.Edge(ctx, from, inventory.EdgeCanAccess, to, accessAttrs(targets[to].level, targets[to].grants)); err != nil {
			return err
		}
	}
	id.ARN, id.Grants = from, grants
	var unread bool
	id.Access, unread = accessLevels(levels)
	id.Unknown = unknown || unread
	is.esc.identity(id)
	return nil
}

// accessAttrs are the attributes of a can_access edge: its one grant, or
// for several (on one resource pattern: different conditions, a fallback)
// the highest level, the grants, and what they share: every source, the
// boundary, and whether all of them are conditional or on the identity
// itself.
func accessAttrs(level string, grants []map[string]any) map[string]any {
	if len(grants) == 1 {
		return grants[0]
	}
	attrs := map[string]any{inventory.AttrLevel: level, "grants": grants}
	var sources []string
	conditional, self := true, true
	boundary, sameBoundary := "", true
	for i, g := range grants {
		s, _ := g[inventory.AttrSources].([]string)
		sources = append(sources, s...)
		c, _ := g[inventory.AttrConditional].(bool)
		conditional = conditional && c
		me, _ := g["self"].(bool)
		self = self && me
		b, _ := g[inventory.AttrBoundary].(string)
		if i == 0 {
			boundary = b
		}
		sameBoundary = sameBoundary && b == boundary
	}
	sort.Strings(sources)
	attrs[inventory.AttrSources] = slices.Compact(sources)
	attrs[inventory.AttrConditional] = conditional
	if sameBoundary && boundary != "" {
		attrs[inventory.AttrBoundary] = boundary
	}
	if self {
		attrs["self"] = true
	}
	return attrs
}

// resourceID names the node a resource pattern stands for: the pattern
// itself, or for "*" a node standing for every resource of the account.
func resourceID(account, pattern string) string {
	if pattern == "*" {
		return "aws:" + account + ":resource/*"
	}
	return pattern
}

func (is *iamScan) resourceNode(ctx context.Context, id, pattern string) error {
	tenant, name := accountOf(pattern), pattern
	if pattern == "*" {
		tenant, name = is.account, "* (every resource)"
	}
	if tenant == "" {
		tenant = is.account
	}
	// A pattern names resources other scopes (and later scanners) describe:
	// it is a reference, except the account's own "*".
	return is.node(ctx, inventory.Node{ID: id, Kind: inventory.KindResource, Provider: ProviderName, Tenant: tenant, Name: name,
		Attrs: map[string]any{inventory.AttrType: "resource_pattern", "pattern": pattern}, Ref: pattern != "*"})
}

// accountOf returns the account field of an ARN, if any.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// trust writes a can_assume edge from each principal the role's trust
// policy allows. Each statement that lets the principal in is listed on the
// edge with its actions, its conditions and its trust class (see
// iampolicy.ClassifyTrust); the edge's class is the worst of them.
func (is *iamScan) trust(ctx context.Context, role, raw string) error {
	doc, err := iampolicy.Decode(raw)
	if err != nil {
		is.problem("decode trust policy", "trust policy of role "+role, err)
		// Who may assume the role is unknown: say so rather than say no one.
		unknown := inventory.Node{ID: "aws:principal:unknown", Kind: inventory.KindIdentity, Provider: ProviderName, Tenant: "*", Name: "unknown (a trust policy could not be read)",
			Attrs: map[string]any{"principal_type": "unknown"}, Ref: true}
		if err := is.node(ctx, unknown); err != nil {
			return err
		}
		return is.scope.Edge(ctx, unknown.ID, inventory.EdgeCanAssume, role, map[string]any{"unreadable_trust_policy": true,
			inventory.AttrTrust: inventory.TrustUnknown, inventory.AttrTrustReason: "the trust policy could not be read: who may assume the role is unknown"})
	}
	type agg struct {
		actions    map[string]bool
		statements []map[string]any
		allCond    bool
		verdict    iampolicy.TrustVerdict
	}
	edges := map[string]*agg{}
	var order []string
	denies := iampolicy.TrustDenies(doc)
	tc := iampolicy.TrustContext{Account: is.account, Own: is.ours}
	for _, t := range iampolicy.Trusts(doc) {
		from, err := is.principalNode(ctx, t.Principal)
		if err != nil {
			return err
		}
		v := iampolicy.ClassifyTrust(t, denies, tc)
		a, ok := edges[from]
		if !ok {
			a = &agg{actions: map[string]bool{}, allCond: true, verdict: v}
			edges[from] = a
			order = append(order, from)
		}
		a.verdict = iampolicy.WorseTrust(a.verdict, v)
		for _, act := range t.Actions {
			a.actions[act] = true
		}
		st := map[string]any{"actions": t.Actions, inventory.AttrTrust: trustClass(v.Class), inventory.AttrTrustReason: v.Reason}
		if t.Sid != "" {
			st["sid"] = t.Sid
		}
		if len(t.Conditions) > 0 {
			st[inventory.AttrConditions] = conditionsAttr(t.Conditions)
		} else {
			a.allCond = false
		}
		if len(t.Except) > 0 {
			var ex []string
			for _, p := range t.Except {
				ex = append(ex, p.Type+":"+p.ID)
			}
			st["except"] = ex
		}
		a.statements = append(a.statements, st)
	}
	for _, from := range order {
		a := edges[from]
		var actions []string
		for act := range a.actions {
			actions = append(actions, act)
		}
		sort.Strings(actions)
		attrs := map[string]any{"actions": actions, inventory.AttrConditional: a.allCond, "statements": a.statements,
			inventory.AttrTrust: trustClass(a.verdict.Class), inventory.AttrTrustReason: a.verdict.Reason}
		if conds := edgeConditions(a.statements); len(conds) > 0 {
			attrs[inventory.AttrConditions] = conds
		}
		if acct := accountOf(from); acct != "" && acct != is.account {
			attrs["cross_account"] = true
		}
		if err := is.scope.Edge(ctx, from, inventory.EdgeCanAssume, role, attrs); err != nil {
			return err
		}
	}
	return nil
}

// trustClass names a trust class as every provider does (inventory.Trust*).
func trustClass(c iampolicy.TrustClass) string {
	switch c {
	case iampolicy.TrustOpen:
		return inventory.TrustOpen
	case iampolicy.TrustConstrained:
		return inventory.TrustConstrained
	case iampolicy.TrustServiceUnguarded:
		return inventory.TrustServiceUnguarded
	}
	return inventory.TrustUnknown
}

// withheldKeys are condition keys whose values are not recorded, only that
// the condition is there. AWS does not treat an external id as a secret,
// but it is what a third party sends to prove whom it acts for: aam keeps
// it out of the database all the same.
var withheldKeys = []string{"sts:ExternalId"}

// conditionsAttr lists conditions as inventory.AttrConditions has them:
// {"operator", "key", "values"}, or for a withheld key {"operator", "key",
// "withheld": number of values}.
func conditionsAttr(c iampolicy.Conditions) []map[string]any {
	var out []map[string]any
	for _, cond := range c.List() {
		m := map[string]any{"operator": cond.Operator, "key": cond.Key}
		if slices.ContainsFunc(withheldKeys, func(k string) bool { return strings.EqualFold(k, cond.Key) }) {
			m["withheld"] = len(cond.Values)
		} else {
			m["values"] = cond.Values
		}
		out = append(out, m)
	}
	return out
}

// edgeConditions lists the conditions of an edge's statements: those of its
// one statement, or each with the index of its statement ("statement": i)
// when several statements (alternatives) let the principal in.
func edgeConditions(statements []map[string]any) []map[string]any {
	var out []map[string]any
	for i, st := range statements {
		conds, _ := st[inventory.AttrConditions].([]map[string]any)
		for _, c := range conds {
			if len(statements) > 1 {
				c = maps.Clone(c)
				c["statement"] = i
			}
			out = append(out, c)
		}
	}
	return out
}

// principalNode writes the node a trust principal stands for, unless this
// scope writes it in full anyway, and returns its id. Service principals
// (bedrock.amazonaws.com) are identities too, so trust edges have both ends.
func (is *iamScan) principalNode(ctx context.Context, p iampolicy.Principal) (string, error) {
	var n inventory.Node
	switch {
	case p.Wildcard():
		n = inventory.Node{ID: "aws:principal:*", Name: "* (any AWS principal)", Tenant: "*", Attrs: map[string]any{"principal_type": "anyone"}}
	case p.Type == "Service":
		n = inventory.Node{ID: "aws:service:" + p.ID, Name: p.ID, Tenant: "aws", Attrs: map[string]any{"principal_type": "service"}}
	case p.Type == "Federated":
		id := p.ID
		if !strings.HasPrefix(id, "arn:") {
			id = "aws:federated:" + id
		}
		n = inventory.Node{ID: id, Name: federatedName(p.ID), Tenant: accountOf(p.ID), Attrs: map[string]any{"principal_type": "federated"}}
	case p.Type == "CanonicalUser":
		n = inventory.Node{ID: "aws:canonical-user:" + p.ID, Name: p.ID, Attrs: map[string]any{"principal_type": "canonical_user"}}
	default: // AWS: an account root, role, user, session or other ARN
		if is.known[p.ID] {
			return p.ID, nil
		}
		acct := accountOf(p.ID)
		typ := principalType(p.ID)
		// Whether it is in another account depends on who trusts it: the
		// trust edge says so (cross_account), not the node.
		n = inventory.Node{ID: p.ID, Name: lastSegment(p.ID), Tenant: acct, Attrs: map[string]any{"principal_type": typ}}
	}
	n.Kind, n.Provider, n.Ref = inventory.KindIdentity, ProviderName, true
	if n.Tenant == "" {
		n.Tenant = is.account
	}
	return n.ID, is.node(ctx, n)
}

func principalType(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "unknown"
	}
	res := parts[5]
	switch {
	case res == "root":
		return "account"
	case strings.HasPrefix(res, "role/"):
		return "role"
	case strings.HasPrefix(res, "user/"):
		return "user"
	case strings.HasPrefix(res, "assumed-role/"):
		return "assumed_role"
	}
	return strings.SplitN(res, "/", 2)[0]
}

func lastSegment(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 && i < len(arn)-1 {
		if strings.HasSuffix(arn, ":root") {
			return "account " + accountOf(arn)
		}
		return arn[i+1:]
	}
	return arn
}

func federatedName(id string) string {
	if i := strings.Index(id, "-provider/"); i >= 0 {
		return id[i+len("-provider/"):]
	}
	return id
}

// accessKeys lists every user's access keys and when each was last used,
// several users at a time. When calls fail, one failure is recorded for the
// scope: the first.
func (is *iamScan) accessKeys(ctx context.Context) error {
	err := fanout.ForEach(ctx, is.scanner.opts.Concurrency, is.details.UserDetailList, is.userKeys)
	if ctx.Err() != nil {
		is.scope.Fail("iam:ListAccessKeys", ctx.Err())
		return nil
	}
	var se *scope.StoreError
	var oe opError
	if !errors.As(err, &se) && errors.As(err, &oe) {
		is.scope.Fail(oe.op, err)
		return nil
	}
	return err // nil, a store failure or a panic: the scope's Run handles it
}

// opError is the failure of a call of one user's, named by its operation.
type opError struct {
	op  string
	err error
}

func (e opError) Error() string { return e.err.Error() }
func (e opError) Unwrap() error { return e.err }

func (is *iamScan) userKeys(ctx context.Context, u types.UserDetail) error {
	p := iam.NewListAccessKeysPaginator(is.c.iam, &iam.ListAccessKeysInput{UserName: u.UserName})
	var keys []types.AccessKeyMetadata
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if notFound(err) {
				return nil // the user was deleted while we scanned: it has no keys now
			}
			return opError{"iam:ListAccessKeys", err}
		}
		keys = append(keys, page.AccessKeyMetadata...)
	}
	for _, k := range keys {
		lu, err := is.c.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			// An enrichment: the key is listed; only its last use is unknown.
			if ctx.Err() != nil {
				return opError{"iam:GetAccessKeyLastUsed", err}
			}
			reason := is.scope.Enrichment("iam:GetAccessKeyLastUsed", err)
			if err := is.keyNode(ctx, u, k, nil, reason); err != nil {
				return err
			}
			continue
		}
		if err := is.keyNode(ctx, u, k, lu.AccessKeyLastUsed, ""); err != nil {
			return err
		}
	}
	return nil
}

// AccessKeyID returns the graph id of an IAM access key: the key id is
// public and unique, and a Lambda environment or a config file that holds
// it links to the same node.
func AccessKeyID(keyID string) string { return "aws:access-key:" + keyID }

// keyNode writes an access key and the has_credential edge from its user;
// lastUseUnknown, when set, is why its last use could not be read.
func (is *iamScan) keyNode(ctx context.Context, u types.UserDetail, k types.AccessKeyMetadata, lu *types.AccessKeyLastUsed, lastUseUnknown string) error {
	keyID := deref(k.AccessKeyId)
	created := deref(k.CreateDate)
	now := is.scanner.opts.Now()
	attrs := map[string]any{
		inventory.AttrType: "iam_access_key", inventory.AttrStanding: true, "status": string(k.Status),
		inventory.AttrFingerprint: keyID, "user": deref(u.Arn),
	}
	if !created.IsZero() {
		attrs["age_days"] = int(now.Sub(created) / (24 * time.Hour))
	}
	n := inventory.Node{ID: AccessKeyID(keyID), Kind: inventory.KindCredential, Provider: ProviderName, Tenant: is.account, Name: keyID, Created: created, Attrs: attrs}
	switch {
	case lastUseUnknown != "":
		attrs[inventory.AttrUnknown] = map[string]any{"last_used": lastUseUnknown}
	case lu != nil && lu.LastUsedDate != nil:
		n.LastUsed = *lu.LastUsedDate
		attrs["last_used_service"] = deref(lu.ServiceName)
		attrs["last_used_region"] = deref(lu.Region)
		attrs["days_since_use"] = int(now.Sub(n.LastUsed) / (24 * time.Hour))
	default:
		attrs["never_used"] = true
	}
	if err := is.node(ctx, n); err != nil {
		return err
	}
	return is.scope.Edge(ctx, deref(u.Arn), inventory.EdgeHasCredential, n.ID, nil)
}
