package lab

import (
	"sort"
	"strings"
	"time"
)

// model is the server's read-only view of an estate, with every answer's
// records built once, so that a page costs a slice and not a rebuild.
type model struct {
	accounts []*accountModel
	byKey    map[string]*accountModel // scanner access key id -> account
}

type accountModel struct {
	id        string
	alias     string
	keyID     string
	secret    string
	principal string
	callerID  string // GetCallerIdentity UserId

	users         []*userModel
	groups        []groupDetail
	roles         []*roleModel
	localPolicies []managedPolicyDetail
	awsPolicies   []managedPolicyDetail

	userByName map[string]*userModel // lower-case name
	roleByName map[string]*roleModel // lower-case name
	keys       map[string]keyModel   // user access key id

	regions map[string]*regionModel // by region name
}

type userModel struct {
	detail userDetail
	keys   []accessKeyMetadata
}

type roleModel struct {
	detail roleDetail
	role   xmlRole  // as GetRole answers it
	trust  Document // the trust policy, for AssumeRole
}

type keyModel struct {
	userName string
	lastUsed accessKeyLastUsed
}

// newModel indexes e. It tolerates an estate that was not validated: the
// first of duplicated names or key ids wins.
func newModel(e *Estate) *model {
	m := &model{byKey: map[string]*accountModel{}}
	if e == nil {
		return m
	}
	for _, a := range e.Accounts {
		am := newAccountModel(a)
		m.accounts = append(m.accounts, am)
		if _, dup := m.byKey[am.keyID]; am.keyID != "" && !dup {
			m.byKey[am.keyID] = am
		}
	}
	return m
}

func (m *model) account(id string) *accountModel {
	for _, a := range m.accounts {
		if a.id == id {
			return a
		}
	}
	return nil
}

func newAccountModel(a Account) *accountModel {
	am := &accountModel{
		id:         a.ID,
		alias:      a.Alias,
		keyID:      a.AccessKeyID,
		secret:     a.SecretAccessKey,
		principal:  a.CallerARN(),
		userByName: map[string]*userModel{},
		roleByName: map[string]*roleModel{},
		keys:       map[string]keyModel{},
		regions:    map[string]*regionModel{},
	}
	am.callerID = callerUserID(a, am.principal)
	for _, r := range a.Regions {
		if _, dup := am.regions[r.Name]; !dup {
			am.regions[r.Name] = newRegionModel(a.ID, r)
		}
	}

	attachments := map[string]int{}
	boundaries := map[string]int{}
	countAttachments := func(arns []string) {
		for _, arn := range arns {
			attachments[arn]++
		}
	}

	for _, u := range a.Users {
		countAttachments(u.ManagedPolicies)
		um := &userModel{detail: userDetail{
			Path:                    pathOrRoot(u.Path),
			UserName:                u.Name,
			UserID:                  a.UserID(u.Name),
			Arn:                     a.arn("user", u.Path, u.Name),
			CreateDate:              isoDate(u.Created),
			UserPolicyList:          inlineDetails(u.InlinePolicies),
			GroupList:               members[string](append([]string{}, u.Groups...)),
			AttachedManagedPolicies: attachedPolicies(u.ManagedPolicies),
			Tags:                    sortedTags(u.Tags),
		}}
		for _, k := range u.AccessKeys {
			um.keys = append(um.keys, accessKeyMetadata{UserName: u.Name, AccessKeyID: k.ID, Status: k.status(), CreateDate: isoDate(k.Created)})
			if _, dup := am.keys[k.ID]; !dup {
				am.keys[k.ID] = keyModel{userName: u.Name, lastUsed: keyLastUsed(k.LastUsed)}
			}
		}
		am.users = append(am.users, um)
		if _, dup := am.userByName[strings.ToLower(u.Name)]; !dup {
			am.userByName[strings.ToLower(u.Name)] = um
		}
	}

	for _, g := range a.Groups {
		countAttachments(g.ManagedPolicies)
		am.groups = append(am.groups, groupDetail{
			Path:                    pathOrRoot(g.Path),
			GroupName:               g.Name,
			GroupID:                 a.GroupID(g.Name),
			Arn:                     a.arn("group", g.Path, g.Name),
			CreateDate:              isoDate(g.Created),
			GroupPolicyList:         inlineDetails(g.InlinePolicies),
			AttachedManagedPolicies: attachedPolicies(g.ManagedPolicies),
		})
	}

	for _, r := range a.Roles {
		countAttachments(r.ManagedPolicies)
		var boundary *permissionsBoundary
		if r.PermissionsBoundary != "" {
			boundaries[r.PermissionsBoundary]++
			boundary = &permissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: r.PermissionsBoundary}
		}
		lastUsed := roleLastUsed{}
		if r.LastUsed != nil {
			lastUsed = roleLastUsed{LastUsedDate: isoDate(r.LastUsed.Date), Region: r.LastUsed.Region}
		}
		rm := &roleModel{detail: roleDetail{
			Path:                     pathOrRoot(r.Path),
			RoleName:                 r.Name,
			RoleID:                   a.RoleID(r.Name),
			Arn:                      a.arn("role", r.Path, r.Name),
			CreateDate:               isoDate(r.Created),
			AssumeRolePolicyDocument: r.TrustPolicy.urlEncoded(),
			InstanceProfileList:      members[instanceProfile]{},
			RolePolicyList:           inlineDetails(r.InlinePolicies),
			AttachedManagedPolicies:  attachedPolicies(r.ManagedPolicies),
			PermissionsBoundary:      boundary,
			Tags:                     sortedTags(r.Tags),
			RoleLastUsed:             lastUsed,
		}}
		rm.trust = r.TrustPolicy
		d := rm.detail
		rm.role = xmlRole{
			Path: d.Path, RoleName: d.RoleName, RoleID: d.RoleID, Arn: d.Arn, CreateDate: d.CreateDate,
			AssumeRolePolicyDocument: d.AssumeRolePolicyDocument,
			Description:              r.Description,
			MaxSessionDuration:       3600,
			PermissionsBoundary:      boundary,
			Tags:                     d.Tags,
			RoleLastUsed:             &lastUsed,
		}
		am.roles = append(am.roles, rm)
		if _, dup := am.roleByName[strings.ToLower(r.Name)]; !dup {
			am.roleByName[strings.ToLower(r.Name)] = rm
		}
	}

	for _, p := range a.Policies {
		arn := a.arn("policy", p.Path, p.Name)
		am.localPolicies = append(am.localPolicies, managedDetail(p, arn, a.PolicyID(p.Name), "v1", attachments[arn], boundaries[arn], p.Created))
	}
	for _, m := range awsManagedCatalogue() {
		arn := m.arn()
		if attachments[arn] == 0 {
			continue // GAAD lists the AWS-managed policies attached to something
		}
		p := ManagedPolicy{Name: m.name, Path: m.path, Description: m.description, Created: m.created, Document: m.document()}
		am.awsPolicies = append(am.awsPolicies, managedDetail(p, arn, AWSManagedPolicyID(m.name), m.versionID, attachments[arn], boundaries[arn], m.updated))
	}
	return am
}

func managedDetail(p ManagedPolicy, arn, id, version string, attached, boundaries int, updated time.Time) managedPolicyDetail {
	return managedPolicyDetail{
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
		PolicyVersionList: members[policyVersion]{{
			Document:         p.Document.urlEncoded(),
			VersionID:        version,
			IsDefaultVersion: true,
			CreateDate:       isoDate(updated),
		}},
	}
}

// callerUserID is the UserId GetCallerIdentity answers for principal: the
// user's or role's unique id (with the session name for an assumed role),
// or the account id for the root user.
func callerUserID(a Account, principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) == 6 {
		resource := parts[5]
		switch {
		case resource == "root":
			return a.ID
		case strings.HasPrefix(resource, "user/"):
			return a.UserID(resource[strings.LastIndexByte(resource, '/')+1:])
		case strings.HasPrefix(resource, "assumed-role/"):
			f := strings.Split(resource, "/")
			if len(f) >= 3 {
				return a.RoleID(f[len(f)-2]) + ":" + f[len(f)-1]
			}
		case strings.HasPrefix(resource, "role/"):
			return a.RoleID(resource[strings.LastIndexByte(resource, '/')+1:])
		}
	}
	return entityID("AIDA", a.ID, "principal", principal)
}

// principalUserName is the IAM user name of principal, or "" when it is
// not an IAM user.
func principalUserName(principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "user/") {
		return parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	}
	return ""
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
