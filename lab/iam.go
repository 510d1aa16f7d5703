package lab

import (
	"sort"
	"strings"
)

// IAM operations (query protocol, Version 2010-05-08), written from the IAM
// API Reference and checked against the botocore model and the SDK's wire
// snapshots. Policy documents go out URL-encoded, as IAM sends them.

// call is one authenticated, validated request to an operation.
type call struct {
	action  string
	account *accountModel // the account the caller acts in
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
	Tags                    members[xmlTag] `xml:",omitempty"`
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

type managedPolicyDetail struct {
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
	PolicyVersionList             members[policyVersion]
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

type listAccountAliasesResult struct {
	AccountAliases members[string]
	IsTruncated    bool
	Marker         string `xml:",omitempty"`
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
	// The lists are paged as one: users, groups, roles, then policies
	// (customer-managed, then AWS-managed).
	lens := [5]int{}
	if want[filterUser] {
		lens[0] = len(a.users)
	}
	if want[filterGroup] {
		lens[1] = len(a.groups)
	}
	if want[filterRole] {
		lens[2] = len(a.roles)
	}
	if want[filterLocalManagedPolicy] {
		lens[3] = len(a.localPolicies)
	}
	if want[filterAWSManagedPolicy] {
		lens[4] = len(a.awsPolicies)
	}
	total := lens[0] + lens[1] + lens[2] + lens[3] + lens[4]
	pg, err := paginate(c.params, c.pageSize, listScope{c.action, a.id, strings.Join(narrow, ",")}, total)
	if err != nil {
		return nil, err
	}
	res := gaadResult{
		IsTruncated:     pg.truncated,
		Marker:          pg.marker,
		UserDetailList:  members[userDetail]{},
		GroupDetailList: members[groupDetail]{},
		RoleDetailList:  members[roleDetail]{},
		Policies:        members[managedPolicyDetail]{},
	}
	base := 0
	from, to := span(pg.start, pg.end, base, lens[0])
	for _, u := range a.users[from:to] {
		res.UserDetailList = append(res.UserDetailList, u.detail)
	}
	base += lens[0]
	from, to = span(pg.start, pg.end, base, lens[1])
	res.GroupDetailList = append(res.GroupDetailList, a.groups[from:to]...)
	base += lens[1]
	from, to = span(pg.start, pg.end, base, lens[2])
	for _, r := range a.roles[from:to] {
		res.RoleDetailList = append(res.RoleDetailList, r.detail)
	}
	base += lens[2]
	from, to = span(pg.start, pg.end, base, lens[3])
	res.Policies = append(res.Policies, a.localPolicies[from:to]...)
	base += lens[3]
	from, to = span(pg.start, pg.end, base, lens[4])
	res.Policies = append(res.Policies, a.awsPolicies[from:to]...)
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
	for _, u := range c.account.users {
		if strings.HasPrefix(u.detail.Path, prefix) {
			d := u.detail
			users = append(users, xmlUser{Path: d.Path, UserName: d.UserName, UserID: d.UserID, Arn: d.Arn, CreateDate: d.CreateDate})
		}
	}
	pg, err := paginate(c.params, c.pageSize, listScope{c.action, c.account.id, prefix}, len(users))
	if err != nil {
		return nil, err
	}
	return listUsersResult{Users: members[xmlUser](users[pg.start:pg.end]), IsTruncated: pg.truncated, Marker: pg.marker}, nil
}

func listRoles(c call) (any, *apiError) {
	prefix, err := pathPrefix(c.params)
	if err != nil {
		return nil, err
	}
	var roles []xmlRole
	for _, r := range c.account.roles {
		if strings.HasPrefix(r.role.Path, prefix) {
			role := r.role
			role.PermissionsBoundary, role.Tags, role.RoleLastUsed = nil, nil, nil
			roles = append(roles, role)
		}
	}
	pg, err := paginate(c.params, c.pageSize, listScope{c.action, c.account.id, prefix}, len(roles))
	if err != nil {
		return nil, err
	}
	return listRolesResult{Roles: members[xmlRole](roles[pg.start:pg.end]), IsTruncated: pg.truncated, Marker: pg.marker}, nil
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
	return getRoleResult{Role: r.role}, nil
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
	pg, err := paginate(c.params, c.pageSize, listScope{c.action, c.account.id, strings.ToLower(name)}, len(u.keys))
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{
		AccessKeyMetadata: members[accessKeyMetadata](u.keys[pg.start:pg.end]),
		IsTruncated:       pg.truncated,
		Marker:            pg.marker,
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
	return getAccessKeyLastUsedResult{UserName: k.userName, AccessKeyLastUsed: k.lastUsed}, nil
}

func listAccountAliases(c call) (any, *apiError) {
	var aliases []string
	if c.account.alias != "" {
		aliases = append(aliases, c.account.alias)
	}
	pg, err := paginate(c.params, c.pageSize, listScope{c.action, c.account.id, ""}, len(aliases))
	if err != nil {
		return nil, err
	}
	return listAccountAliasesResult{AccountAliases: members[string](aliases[pg.start:pg.end]), IsTruncated: pg.truncated, Marker: pg.marker}, nil
}
