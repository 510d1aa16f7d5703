package aws

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// IAM operations (query protocol, Version 2010-05-08), written from the IAM
// API Reference and checked against the botocore model and the SDK's wire
// snapshots. Policy documents go out URL-encoded, as IAM sends them.

// call is one authenticated, validated request to an operation.
type call struct {
	action  string
	account *accountState // the account the caller acts in
	// principal is the caller's ARN (the scanner principal, or the
	// assumed-role ARN of a session) and callerID its unique id.
	principal, callerID string
	params              params
	pageSize            int
}

// operation is what an Action accepts and how it answers.
type operation struct {
	scalars []string            // accepted scalar parameters
	lists   []string            // accepted list parameters (Name.member.N)
	structs map[string][]string // accepted lists of structures (Name.member.N.Field)
	handle  func(c call) (any, *apiError)
	// form names one form of the call that a fault switch can deny alone
	// ("ListServiceSpecificCredentials(AllUsers)"); isForm tells a request
	// of that form.
	form   string
	isForm func(p params) bool
}

func iamOperations() map[string]operation {
	return map[string]operation{
		"GetAccountAuthorizationDetails": {scalars: []string{"MaxItems", "Marker"}, lists: []string{"Filter"}, handle: getAccountAuthorizationDetails},
		"ListUsers":                      {scalars: []string{"PathPrefix", "MaxItems", "Marker"}, handle: listUsers},
		"ListRoles":                      {scalars: []string{"PathPrefix", "MaxItems", "Marker"}, handle: listRoles},
		"GetRole":                        {scalars: []string{"RoleName"}, handle: getRole},
		"ListAccessKeys":                 {scalars: []string{"UserName", "MaxItems", "Marker"}, handle: listAccessKeys},
		"GetAccessKeyLastUsed":           {scalars: []string{"AccessKeyId"}, handle: getAccessKeyLastUsed},
		"ListAccountAliases":             {scalars: []string{"MaxItems", "Marker"}, handle: listAccountAliases},
		"GetPolicy":                      {scalars: []string{"PolicyArn"}, handle: getPolicy},
		"GetPolicyVersion":               {scalars: []string{"PolicyArn", "VersionId"}, handle: getPolicyVersion},
		"ListServiceSpecificCredentials": {scalars: []string{"UserName", "ServiceName", "AllUsers", "MaxItems", "Marker"}, handle: listServiceSpecificCredentials,
			form: allUsersForm, isForm: func(p params) bool { return p.get("AllUsers") == "true" }},
	}
}

// Wire records. Field order follows the AWS samples; the SDK does not
// depend on it.

type attachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

type inlinePolicyDetail struct {
	PolicyName     string
	PolicyDocument string
}

type xmlTag struct {
	Key   string
	Value string
}

type permissionsBoundary struct {
	Type string `xml:"PermissionsBoundaryType"`
	Arn  string `xml:"PermissionsBoundaryArn"`
}

// roleLastUsed is written empty (<RoleLastUsed></RoleLastUsed>) for a role
// never used, as IAM does.
type roleLastUsed struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

// instanceProfile stands for the instance profiles of a role; the lab has
// none, so the list is always empty.
type instanceProfile struct{}

type userDetail struct {
	Path                    string
	UserName                string
	UserID                  string `xml:"UserId"`
	Arn                     string
	CreateDate              string
	UserPolicyList          members[inlinePolicyDetail]
	GroupList               members[string]
	AttachedManagedPolicies members[attachedPolicy]
	PermissionsBoundary     *permissionsBoundary `xml:",omitempty"`
	Tags                    members[xmlTag]      `xml:",omitempty"`
}

type groupDetail struct {
	Path                    string
	GroupName               string
	GroupID                 string `xml:"GroupId"`
	Arn                     string
	CreateDate              string
	GroupPolicyList         members[inlinePolicyDetail]
	AttachedManagedPolicies members[attachedPolicy]
}

type roleDetail struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	InstanceProfileList      members[instanceProfile]
	RolePolicyList           members[inlinePolicyDetail]
	AttachedManagedPolicies  members[attachedPolicy]
	PermissionsBoundary      *permissionsBoundary `xml:",omitempty"`
	Tags                     members[xmlTag]      `xml:",omitempty"`
	RoleLastUsed             roleLastUsed
}

// managedPolicyDetail is a managed policy as GetAccountAuthorizationDetails
// answers it: GetPolicy's fields and the documents.
type managedPolicyDetail struct {
	xmlPolicy
	PolicyVersionList members[policyVersion]
}

type policyVersion struct {
	Document         string
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool
	CreateDate       string
}

// xmlUser is a User as ListUsers answers it (no tags, no boundary).
type xmlUser struct {
	Path       string
	UserName   string
	UserID     string `xml:"UserId"`
	Arn        string
	CreateDate string
}

// xmlRole is a Role as GetRole answers it; ListRoles leaves out the
// permissions boundary, the tags and RoleLastUsed.
type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	PermissionsBoundary      *permissionsBoundary `xml:",omitempty"`
	Tags                     members[xmlTag]      `xml:",omitempty"`
	RoleLastUsed             *roleLastUsed        `xml:",omitempty"`
}

type accessKeyMetadata struct {
	UserName    string
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string
	CreateDate  string
}

type accessKeyLastUsed struct {
	LastUsedDate string `xml:",omitempty"`
	ServiceName  string
	Region       string
}

type gaadResult struct {
	IsTruncated     bool
	Marker          string `xml:",omitempty"`
	UserDetailList  members[userDetail]
	GroupDetailList members[groupDetail]
	RoleDetailList  members[roleDetail]
	Policies        members[managedPolicyDetail]
}

type listUsersResult struct {
	Users       members[xmlUser]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type listRolesResult struct {
	Roles       members[xmlRole]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type getRoleResult struct {
	Role xmlRole
}

type listAccessKeysResult struct {
	AccessKeyMetadata members[accessKeyMetadata]
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

type getAccessKeyLastUsedResult struct {
	UserName          string
	AccessKeyLastUsed accessKeyLastUsed
}

// xmlPolicy is a managed policy as GetPolicy answers it: no document.
type xmlPolicy struct {
	PolicyName                    string
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string
	Path                          string
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
}

type getPolicyResult struct {
	Policy xmlPolicy
}

type getPolicyVersionResult struct {
	PolicyVersion policyVersion
}

type listAccountAliasesResult struct {
	AccountAliases members[string]
	IsTruncated    bool
	Marker         string `xml:",omitempty"`
}

// The answers are built from the account's state at each call: the state
// holds records, never answers.

func userDetailOf(a *accountState, u *User) userDetail {
	return userDetail{
		Path:                    pathOrRoot(u.Path),
		UserName:                u.Name,
		UserID:                  a.UserID(u.Name),
		Arn:                     a.arn("user", u.Path, u.Name),
		CreateDate:              isoDate(u.Created),
		UserPolicyList:          inlineDetails(u.InlinePolicies),
		GroupList:               members[string](append([]string{}, u.Groups...)),
		AttachedManagedPolicies: attachedPolicies(u.ManagedPolicies),
		PermissionsBoundary:     boundaryDetail(u.PermissionsBoundary),
		Tags:                    sortedTags(u.Tags),
	}
}

func groupDetailOf(a *accountState, g *Group) groupDetail {
	return groupDetail{
		Path:                    pathOrRoot(g.Path),
		GroupName:               g.Name,
		GroupID:                 a.GroupID(g.Name),
		Arn:                     a.arn("group", g.Path, g.Name),
		CreateDate:              isoDate(g.Created),
		GroupPolicyList:         inlineDetails(g.InlinePolicies),
		AttachedManagedPolicies: attachedPolicies(g.ManagedPolicies),
	}
}

func boundaryOf(r *Role) *permissionsBoundary { return boundaryDetail(r.PermissionsBoundary) }

// boundaryDetail is a user's or role's PermissionsBoundary element: absent
// when it has none.
func boundaryDetail(arn string) *permissionsBoundary {
	if arn == "" {
		return nil
	}
	return &permissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: arn}
}

func lastUsedOf(r *Role) roleLastUsed {
	if r.LastUsed == nil {
		return roleLastUsed{}
	}
	return roleLastUsed{LastUsedDate: isoDate(r.LastUsed.Date), Region: r.LastUsed.Region}
}

func roleDetailOf(a *accountState, r *Role) roleDetail {
	return roleDetail{
		Path:                     pathOrRoot(r.Path),
		RoleName:                 r.Name,
		RoleID:                   a.RoleID(r.Name),
		Arn:                      a.RoleARNOf(*r),
		CreateDate:               isoDate(r.Created),
		AssumeRolePolicyDocument: r.TrustPolicy.urlEncoded(),
		InstanceProfileList:      members[instanceProfile]{},
		RolePolicyList:           inlineDetails(r.InlinePolicies),
		AttachedManagedPolicies:  attachedPolicies(r.ManagedPolicies),
		PermissionsBoundary:      boundaryOf(r),
		Tags:                     sortedTags(r.Tags),
		RoleLastUsed:             lastUsedOf(r),
	}
}

// xmlRoleOf is r as GetRole answers it.
func xmlRoleOf(a *accountState, r *Role) xmlRole {
	lastUsed := lastUsedOf(r)
	return xmlRole{
		Path: pathOrRoot(r.Path), RoleName: r.Name, RoleID: a.RoleID(r.Name), Arn: a.RoleARNOf(*r), CreateDate: isoDate(r.Created),
		AssumeRolePolicyDocument: r.TrustPolicy.urlEncoded(),
		Description:              r.Description,
		MaxSessionDuration:       3600,
		PermissionsBoundary:      boundaryOf(r),
		Tags:                     sortedTags(r.Tags),
		RoleLastUsed:             &lastUsed,
	}
}

// localPolicies are the account's customer-managed policies as GAAD
// answers them.
func localPolicies(a *accountState) []managedPolicyDetail {
	var out []managedPolicyDetail
	for _, p := range a.Policies {
		arn := a.arn("policy", p.Path, p.Name)
		out = append(out, managedDetail(p, arn, a.PolicyID(p.Name), "v1", a.attachments[arn], a.boundaries[arn], p.Created))
	}
	return out
}

// awsPolicies are the AWS-managed policies attached to something in the
// account (GAAD lists only those).
func awsPolicies(a *accountState) []managedPolicyDetail {
	var out []managedPolicyDetail
	for _, m := range awsManagedCatalogue() {
		arn := m.arn()
		if a.attachments[arn] == 0 {
			continue
		}
		p := ManagedPolicy{Name: m.name, Path: m.path, Description: m.description, Created: m.created, Document: m.document()}
		out = append(out, managedDetail(p, arn, AWSManagedPolicyID(m.name), m.versionID, a.attachments[arn], a.boundaries[arn], m.updated))
	}
	return out
}

func managedDetail(p ManagedPolicy, arn, id, version string, attached, boundaries int, updated time.Time) managedPolicyDetail {
	return managedPolicyDetail{
		xmlPolicy: xmlPolicy{
			PolicyName:                    p.Name,
			PolicyID:                      id,
			Arn:                           arn,
			Path:                          pathOrRoot(p.Path),
			DefaultVersionID:              version,
			AttachmentCount:               attached,
			PermissionsBoundaryUsageCount: boundaries,
			IsAttachable:                  true,
			Description:                   p.Description,
			CreateDate:                    isoDate(p.Created),
			UpdateDate:                    isoDate(updated),
		},
		PolicyVersionList: members[policyVersion]{{
			Document:         p.Document.urlEncoded(),
			VersionID:        version,
			IsDefaultVersion: true,
			CreateDate:       isoDate(updated),
		}},
	}
}

func inlineDetails(ps []InlinePolicy) members[inlinePolicyDetail] {
	out := members[inlinePolicyDetail]{}
	for _, p := range ps {
		out = append(out, inlinePolicyDetail{PolicyName: p.Name, PolicyDocument: p.Document.urlEncoded()})
	}
	return out
}

func attachedPolicies(arns []string) members[attachedPolicy] {
	out := members[attachedPolicy]{}
	for _, arn := range arns {
		out = append(out, attachedPolicy{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
	}
	return out
}

func sortedTags(tags map[string]string) members[xmlTag] {
	if len(tags) == 0 {
		return nil
	}
	out := make(members[xmlTag], 0, len(tags))
	for k, v := range tags {
		out = append(out, xmlTag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func keyLastUsed(l *KeyLastUsed) accessKeyLastUsed {
	if l == nil {
		// What IAM answers for a key that was never used.
		return accessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	}
	return accessKeyLastUsed{LastUsedDate: isoDate(l.Date), ServiceName: l.Service, Region: l.Region}
}

// GAAD entity filters.
const (
	filterUser               = "User"
	filterGroup              = "Group"
	filterRole               = "Role"
	filterLocalManagedPolicy = "LocalManagedPolicy"
	filterAWSManagedPolicy   = "AWSManagedPolicy"
)

func getAccountAuthorizationDetails(c call) (any, *apiError) {
	all := []string{filterUser, filterRole, filterGroup, filterLocalManagedPolicy, filterAWSManagedPolicy}
	want := map[string]bool{}
	for _, f := range c.params.list("Filter") {
		known := false
		for _, k := range all {
			known = known || f == k
		}
		if !known {
			return nil, validationError("1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]", f, strings.Join(all, ", "))
		}
		want[f] = true
	}
	if len(want) == 0 {
		for _, k := range all {
			want[k] = true
		}
	}
	narrow := make([]string, 0, len(want))
	for f := range want {
		narrow = append(narrow, f)
	}
	sort.Strings(narrow)

	a := c.account
	local, aws := localPolicies(a), awsPolicies(a)
	// The lists are paged as one: users, groups, roles, then policies
	// (customer-managed, then AWS-managed).
	lens := [5]int{}
	if want[filterUser] {
		lens[0] = len(a.Users)
	}
	if want[filterGroup] {
		lens[1] = len(a.Groups)
	}
	if want[filterRole] {
		lens[2] = len(a.Roles)
	}
	if want[filterLocalManagedPolicy] {
		lens[3] = len(local)
	}
	if want[filterAWSManagedPolicy] {
		lens[4] = len(aws)
	}
	total := lens[0] + lens[1] + lens[2] + lens[3] + lens[4]
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: a.ID, Narrow: strings.Join(narrow, ",")}, total)
	if err != nil {
		return nil, err
	}
	res := gaadResult{
		IsTruncated:     pg.Truncated,
		Marker:          pg.Next,
		UserDetailList:  members[userDetail]{},
		GroupDetailList: members[groupDetail]{},
		RoleDetailList:  members[roleDetail]{},
		Policies:        members[managedPolicyDetail]{},
	}
	base := 0
	from, to := kit.Span(pg.Start, pg.End, base, lens[0])
	for i := from; i < to; i++ {
		res.UserDetailList = append(res.UserDetailList, userDetailOf(a, &a.Users[i]))
	}
	base += lens[0]
	from, to = kit.Span(pg.Start, pg.End, base, lens[1])
	for i := from; i < to; i++ {
		res.GroupDetailList = append(res.GroupDetailList, groupDetailOf(a, &a.Groups[i]))
	}
	base += lens[1]
	from, to = kit.Span(pg.Start, pg.End, base, lens[2])
	for i := from; i < to; i++ {
		res.RoleDetailList = append(res.RoleDetailList, roleDetailOf(a, &a.Roles[i]))
	}
	base += lens[2]
	from, to = kit.Span(pg.Start, pg.End, base, lens[3])
	res.Policies = append(res.Policies, local[from:to]...)
	base += lens[3]
	from, to = kit.Span(pg.Start, pg.End, base, lens[4])
	res.Policies = append(res.Policies, aws[from:to]...)
	return res, nil
}

// pathPrefix reads PathPrefix, "/" when absent.
func pathPrefix(p params) (string, *apiError) {
	if !p.has("PathPrefix") {
		return "/", nil
	}
	prefix := p.get("PathPrefix")
	if prefix == "" || prefix[0] != '/' || len(prefix) > 512 {
		return "", validationError("1 validation error detected: Value '%s' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*", prefix)
	}
	return prefix, nil
}

func listUsers(c call) (any, *apiError) {
	prefix, err := pathPrefix(c.params)
	if err != nil {
		return nil, err
	}
	var users []xmlUser
	a := c.account
	for _, u := range a.Users {
		if path := pathOrRoot(u.Path); strings.HasPrefix(path, prefix) {
			users = append(users, xmlUser{Path: path, UserName: u.Name, UserID: a.UserID(u.Name), Arn: a.arn("user", u.Path, u.Name), CreateDate: isoDate(u.Created)})
		}
	}
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: c.account.ID, Narrow: prefix}, len(users))
	if err != nil {
		return nil, err
	}
	return listUsersResult{Users: members[xmlUser](users[pg.Start:pg.End]), IsTruncated: pg.Truncated, Marker: pg.Next}, nil
}

func listRoles(c call) (any, *apiError) {
	prefix, err := pathPrefix(c.params)
	if err != nil {
		return nil, err
	}
	var roles []xmlRole
	for i := range c.account.Roles {
		if role := xmlRoleOf(c.account, &c.account.Roles[i]); strings.HasPrefix(role.Path, prefix) {
			role.PermissionsBoundary, role.Tags, role.RoleLastUsed = nil, nil, nil
			roles = append(roles, role)
		}
	}
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: c.account.ID, Narrow: prefix}, len(roles))
	if err != nil {
		return nil, err
	}
	return listRolesResult{Roles: members[xmlRole](roles[pg.Start:pg.End]), IsTruncated: pg.Truncated, Marker: pg.Next}, nil
}

// required reads a parameter the operation cannot do without.
func required(p params, name, field string) (string, *apiError) {
	v := p.get(name)
	if v == "" {
		return "", validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return v, nil
}

func getRole(c call) (any, *apiError) {
	name, err := required(c.params, "RoleName", "roleName")
	if err != nil {
		return nil, err
	}
	r, ok := c.account.roleByName[strings.ToLower(name)]
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return getRoleResult{Role: xmlRoleOf(c.account, r)}, nil
}

func listAccessKeys(c call) (any, *apiError) {
	name := c.params.get("UserName")
	if !c.params.has("UserName") {
		// Without UserName, IAM lists the keys of the calling user.
		name = principalUserName(c.principal)
		if name == "" {
			return nil, validationError("Must specify userName when calling with non-User credentials")
		}
	}
	u, ok := c.account.userByName[strings.ToLower(name)]
	if !ok {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	keys := make([]accessKeyMetadata, 0, len(u.AccessKeys))
	for _, k := range u.AccessKeys {
		keys = append(keys, accessKeyMetadata{UserName: u.Name, AccessKeyID: k.ID, Status: k.status(), CreateDate: isoDate(k.Created)})
	}
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: c.account.ID, Narrow: strings.ToLower(name)}, len(keys))
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{
		AccessKeyMetadata: members[accessKeyMetadata](keys[pg.Start:pg.End]),
		IsTruncated:       pg.Truncated,
		Marker:            pg.Next,
	}, nil
}

func getAccessKeyLastUsed(c call) (any, *apiError) {
	id, err := required(c.params, "AccessKeyId", "accessKeyId")
	if err != nil {
		return nil, err
	}
	k, ok := c.account.keys[id]
	if !ok {
		// A key of another account, or no key at all: IAM does not say which.
		return nil, accessDenied(c.principal, iamService, c.action, "access key "+id)
	}
	return getAccessKeyLastUsedResult{UserName: k.user.Name, AccessKeyLastUsed: keyLastUsed(k.key.LastUsed)}, nil
}

func listAccountAliases(c call) (any, *apiError) {
	var aliases []string
	if c.account.Alias != "" {
		aliases = append(aliases, c.account.Alias)
	}
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: c.account.ID}, len(aliases))
	if err != nil {
		return nil, err
	}
	return listAccountAliasesResult{AccountAliases: members[string](aliases[pg.Start:pg.End]), IsTruncated: pg.Truncated, Marker: pg.Next}, nil
}

// managedPolicy finds a managed policy the account can read by its ARN: one
// of its own customer-managed policies, or any AWS-managed policy of the
// catalogue, attached or not (GetPolicy answers for every AWS-managed
// policy; GetAccountAuthorizationDetails lists only those attached).
func managedPolicy(a *accountState, arn string) (managedPolicyDetail, bool) {
	for _, p := range localPolicies(a) {
		if p.Arn == arn {
			return p, true
		}
	}
	if m, ok := lookupAWSManagedARN(arn); ok {
		p := ManagedPolicy{Name: m.name, Path: m.path, Description: m.description, Created: m.created, Document: m.document()}
		return managedDetail(p, arn, AWSManagedPolicyID(m.name), m.versionID, a.attachments[arn], a.boundaries[arn], m.updated), true
	}
	return managedPolicyDetail{}, false
}

// policyARN reads PolicyArn: required, and an ARN.
func policyARN(p params) (string, *apiError) {
	arn, err := required(p, "PolicyArn", "policyArn")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
		return "", &apiError{status: http.StatusBadRequest, code: "InvalidInput", message: "ARN " + arn + " is not valid.", outcome: rejected}
	}
	return arn, nil
}

func getPolicy(c call) (any, *apiError) {
	arn, err := policyARN(c.params)
	if err != nil {
		return nil, err
	}
	p, ok := managedPolicy(c.account, arn)
	if !ok {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return getPolicyResult{Policy: p.xmlPolicy}, nil
}

func getPolicyVersion(c call) (any, *apiError) {
	arn, err := policyARN(c.params)
	if err != nil {
		return nil, err
	}
	version, err := required(c.params, "VersionId", "versionId")
	if err != nil {
		return nil, err
	}
	p, ok := managedPolicy(c.account, arn)
	if !ok {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	for _, v := range p.PolicyVersionList {
		if v.VersionID == version {
			return getPolicyVersionResult{PolicyVersion: v}, nil
		}
	}
	return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, version)
}
