package aws

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// The answers as a client reads them.

type wireAttached struct {
	PolicyName, PolicyArn string
}

type wireInline struct {
	PolicyName, PolicyDocument string
}

type gaadResponse struct {
	Result struct {
		IsTruncated bool
		Marker      string
		Users       []struct {
			UserName, UserId, Arn, Path, CreateDate string
			UserPolicyList                          []wireInline   `xml:"UserPolicyList>member"`
			GroupList                               []string       `xml:"GroupList>member"`
			AttachedManagedPolicies                 []wireAttached `xml:"AttachedManagedPolicies>member"`
			PermissionsBoundary                     *struct {
				PermissionsBoundaryType, PermissionsBoundaryArn string
			}
		} `xml:"UserDetailList>member"`
		Groups []struct {
			GroupName, GroupId, Arn string
			GroupPolicyList         []wireInline `xml:"GroupPolicyList>member"`
		} `xml:"GroupDetailList>member"`
		Roles []struct {
			RoleName, RoleId, Arn, Path, CreateDate, AssumeRolePolicyDocument string
			RolePolicyList                                                    []wireInline   `xml:"RolePolicyList>member"`
			AttachedManagedPolicies                                           []wireAttached `xml:"AttachedManagedPolicies>member"`
			PermissionsBoundary                                               struct {
				PermissionsBoundaryType, PermissionsBoundaryArn string
			}
			Tags         []struct{ Key, Value string } `xml:"Tags>member"`
			RoleLastUsed struct{ LastUsedDate, Region string }
		} `xml:"RoleDetailList>member"`
		Policies []struct {
			PolicyName, PolicyId, Arn, Path, DefaultVersionId string
			AttachmentCount, PermissionsBoundaryUsageCount    int
			IsAttachable                                      bool
			PolicyVersionList                                 []struct {
				Document, VersionId string
				IsDefaultVersion    bool
			} `xml:"PolicyVersionList>member"`
		} `xml:"Policies>member"`
	} `xml:"GetAccountAuthorizationDetailsResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// gaadAll pages GetAccountAuthorizationDetails to the end and returns the
// names of each list in the order received, and the number of pages.
func gaadAll(t *testing.T, c client, extra ...string) (users, groups, roles, policies []string, pages int) {
	t.Helper()
	marker := ""
	for {
		kv := append([]string{}, extra...)
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		var resp gaadResponse
		c.call(iamForm("GetAccountAuthorizationDetails", kv...), &resp)
		pages++
		r := resp.Result
		for _, u := range r.Users {
			users = append(users, u.UserName)
		}
		for _, g := range r.Groups {
			groups = append(groups, g.GroupName)
		}
		for _, x := range r.Roles {
			roles = append(roles, x.RoleName)
		}
		for _, p := range r.Policies {
			policies = append(policies, p.Arn)
		}
		if !r.IsTruncated {
			if r.Marker != "" {
				t.Errorf("page %d: Marker %q without IsTruncated", pages, r.Marker)
			}
			return
		}
		if r.Marker == "" {
			t.Fatalf("page %d: IsTruncated without a Marker", pages)
		}
		marker = r.Marker
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

// expected lists what GAAD must return for an account: its users, groups
// and roles, its customer-managed policies and the AWS-managed policies
// attached to something.
func expected(a Account) (users, groups, roles, local, aws []string) {
	for _, u := range a.Users {
		users = append(users, u.Name)
	}
	for _, g := range a.Groups {
		groups = append(groups, g.Name)
	}
	attached := map[string]bool{}
	for _, r := range a.Roles {
		roles = append(roles, r.Name)
		for _, p := range r.ManagedPolicies {
			attached[p] = true
		}
	}
	for _, u := range a.Users {
		for _, p := range u.ManagedPolicies {
			attached[p] = true
		}
	}
	for _, g := range a.Groups {
		for _, p := range g.ManagedPolicies {
			attached[p] = true
		}
	}
	for _, p := range a.Policies {
		local = append(local, a.PolicyARN(p.Name))
	}
	for _, n := range AWSManagedPolicyNames() {
		if attached[AWSManagedPolicyARN(n)] {
			aws = append(aws, AWSManagedPolicyARN(n))
		}
	}
	return
}

func TestGAADPaging(t *testing.T) {
	e := mustEstate(t, "../../testdata/estates/two-accounts.yaml")
	srv := NewServer(e, Options{PageSize: 2})
	for _, a := range e.Accounts {
		t.Run(a.ID, func(t *testing.T) {
			c := client{t, srv, a}
			users, groups, roles, policies, pages := gaadAll(t, c)
			wu, wg, wr, wl, wa := expected(a)
			total := len(wu) + len(wg) + len(wr) + len(wl) + len(wa)
			check := func(what string, got, want []string) {
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %v, want each of %v exactly once, in order", what, got, want)
				}
			}
			check("users", users, wu)
			check("groups", groups, wg)
			check("roles", roles, wr)
			check("policies", policies, append(wl, wa...))
			if want := (total + 1) / 2; pages != want {
				t.Errorf("%d pages for %d entries at 2 a page, want %d", pages, total, want)
			}
			// MaxItems lowers the page size but cannot raise it.
			_, _, _, _, pages1 := gaadAll(t, c, "MaxItems", "1")
			_, _, _, _, pages1000 := gaadAll(t, c, "MaxItems", "1000")
			if pages1 != total || pages1000 != pages {
				t.Errorf("pages with MaxItems 1: %d (want %d); with MaxItems 1000: %d (want %d)", pages1, total, pages1000, pages)
			}
		})
	}
}

func TestGAADFilters(t *testing.T) {
	e := mustEstate(t, "../../testdata/estates/two-accounts.yaml")
	a := e.Accounts[0]
	c := client{t, NewServer(e, Options{PageSize: 3}), a}
	wu, wg, wr, wl, wa := expected(a)
	cases := []struct {
		filters                      []string
		users, groups, roles, polics []string
	}{
		{nil, wu, wg, wr, append(slices.Clone(wl), wa...)},
		{[]string{"Role"}, nil, nil, wr, nil},
		{[]string{"User", "Group"}, wu, wg, nil, nil},
		{[]string{"LocalManagedPolicy"}, nil, nil, nil, wl},
		{[]string{"AWSManagedPolicy"}, nil, nil, nil, wa},
		{[]string{"AWSManagedPolicy", "Role", "LocalManagedPolicy"}, nil, nil, wr, append(slices.Clone(wl), wa...)},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.filters, "+"), func(t *testing.T) {
			var kv []string
			for i, f := range tc.filters {
				kv = append(kv, "Filter.member."+string(rune('1'+i)), f)
			}
			users, groups, roles, policies, _ := gaadAll(t, c, kv...)
			if !slices.Equal(users, tc.users) || !slices.Equal(groups, tc.groups) || !slices.Equal(roles, tc.roles) || !slices.Equal(policies, tc.polics) {
				t.Errorf("got users %v groups %v roles %v policies %v\nwant users %v groups %v roles %v policies %v",
					users, groups, roles, policies, tc.users, tc.groups, tc.roles, tc.polics)
			}
		})
	}
	// The SDK sends an empty filter list as "Filter=": all entities.
	users, _, _, _, _ := gaadAll(t, c, "Filter", "")
	if !slices.Equal(users, wu) {
		t.Errorf("Filter= : users %v, want %v", users, wu)
	}
}

func TestGAADDetails(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	c := client{t, NewServer(e, Options{}), prod}
	var resp gaadResponse
	c.call(iamForm("GetAccountAuthorizationDetails"), &resp)
	r := resp.Result
	if r.IsTruncated || resp.RequestID == "" {
		t.Fatalf("IsTruncated %v, RequestId %q", r.IsTruncated, resp.RequestID)
	}
	decode := func(what, enc string) string {
		t.Helper()
		if strings.ContainsAny(enc, " +{\"") {
			t.Errorf("%s is not URL-encoded: %s", what, enc)
		}
		doc, err := url.PathUnescape(enc)
		if err != nil || !json.Valid([]byte(doc)) {
			t.Errorf("%s: PathUnescape gives %q, %v: want JSON", what, doc, err)
		}
		return doc
	}
	for _, role := range r.Roles {
		want, _ := prod.Role(role.RoleName)
		if got := decode(role.RoleName+" trust policy", role.AssumeRolePolicyDocument); got != string(want.TrustPolicy) {
			t.Errorf("%s trust policy = %s, want %s", role.RoleName, got, want.TrustPolicy)
		}
		if role.Arn != prod.RoleARN(role.RoleName) || role.RoleId != prod.RoleID(role.RoleName) || role.Path != want.Path {
			t.Errorf("%s: Arn %s RoleId %s Path %s", role.RoleName, role.Arn, role.RoleId, role.Path)
		}
		if want.LastUsed == nil && role.RoleLastUsed.LastUsedDate != "" || want.LastUsed != nil && role.RoleLastUsed.LastUsedDate != want.LastUsed.Date.Format(time.RFC3339) {
			t.Errorf("%s: RoleLastUsed %+v, want %+v", role.RoleName, role.RoleLastUsed, want.LastUsed)
		}
		for i, p := range role.RolePolicyList {
			if got := decode(role.RoleName+" inline "+p.PolicyName, p.PolicyDocument); got != string(want.InlinePolicies[i].Document) {
				t.Errorf("%s inline %s = %s", role.RoleName, p.PolicyName, got)
			}
		}
		if len(role.AttachedManagedPolicies) != len(want.ManagedPolicies) {
			t.Errorf("%s: attached %v, want %v", role.RoleName, role.AttachedManagedPolicies, want.ManagedPolicies)
		}
		if role.RoleName == "data-science-notebook" {
			if role.PermissionsBoundary.PermissionsBoundaryArn != prod.PolicyARN("boundary-no-iam") || role.PermissionsBoundary.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
				t.Errorf("boundary %+v", role.PermissionsBoundary)
			}
			if len(role.Tags) != 2 || role.Tags[0].Key != "cost-center" || role.Tags[0].Value != "4410" {
				t.Errorf("tags %+v, want cost-center=4410 first (sorted)", role.Tags)
			}
		}
		if role.RoleName == "bedrock-agent-admin" && (len(role.AttachedManagedPolicies) != 1 || role.AttachedManagedPolicies[0] != (wireAttached{"AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"})) {
			t.Errorf("bedrock-agent-admin attached %+v", role.AttachedManagedPolicies)
		}
	}
	for _, u := range r.Users {
		if u.UserName == "alice.nguyen" && (len(u.GroupList) != 1 || u.GroupList[0] != "platform-admins" || u.Arn != "arn:aws:iam::111111111111:user/people/alice.nguyen") {
			t.Errorf("alice: %+v", u)
		}
		if u.UserId != prod.UserID(u.UserName) {
			t.Errorf("%s: UserId %s", u.UserName, u.UserId)
		}
	}
	counts := map[string]int{}
	for _, p := range r.Policies {
		counts[p.PolicyName] = p.AttachmentCount
		if len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion || p.PolicyVersionList[0].VersionId != p.DefaultVersionId || !p.IsAttachable {
			t.Errorf("%s: versions %+v, default %s", p.PolicyName, p.PolicyVersionList, p.DefaultVersionId)
		}
		decode(p.PolicyName, p.PolicyVersionList[0].Document)
		if (p.PolicyName == "boundary-no-iam" || p.PolicyName == "boundary-agents-read-only") && (p.PermissionsBoundaryUsageCount != 1 || p.AttachmentCount != 0) {
			t.Errorf("%s: attachments %d, boundary uses %d; want 0, 1", p.PolicyName, p.AttachmentCount, p.PermissionsBoundaryUsageCount)
		}
	}
	// AdministratorAccess: bedrock-agent-admin, break-glass-admin,
	// agent-sandbox-analyst, agent-sandbox-auditor, ops-admin,
	// billing-ledger-lambda and the platform-admins and oncall-admins
	// groups; deploy-passrole: two roles and one user.
	if counts["AdministratorAccess"] != 8 || counts["deploy-passrole"] != 3 {
		t.Errorf("attachment counts %v", counts)
	}
	if _, ok := counts["IAMFullAccess"]; ok {
		t.Error("IAMFullAccess is attached to nothing in acme-prod but is listed")
	}
}

// TestDocumentsWithSpaces checks a document written with spaces goes out
// with %20, never +.
func TestDocumentsWithSpaces(t *testing.T) {
	e := mustDemo(t)
	dev, _ := e.Account("222222222222")
	c := client{t, NewServer(e, Options{}), dev}
	w := c.do(iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Role"))
	body := w.Body.String()
	want := percentEncode(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}`, false)
	if !strings.Contains(body, want) || !strings.Contains(want, "%20") {
		t.Errorf("the summarizer's inline policy is not in the answer as %s", want)
	}
	if strings.Contains(body, "+") {
		t.Error("the answer holds a +: spaces must be %20")
	}
}

type listAccessKeysResponse struct {
	Result struct {
		Keys []struct {
			UserName, AccessKeyId, Status, CreateDate string
		} `xml:"AccessKeyMetadata>member"`
		IsTruncated bool
		Marker      string
	} `xml:"ListAccessKeysResult"`
}

func TestListAccessKeys(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	c := client{t, NewServer(e, Options{PageSize: 1}), prod}
	var ids []string
	marker := ""
	for page := 0; ; page++ {
		kv := []string{"UserName", "etl-service"}
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		var resp listAccessKeysResponse
		c.call(iamForm("ListAccessKeys", kv...), &resp)
		for _, k := range resp.Result.Keys {
			if k.UserName != "etl-service" || k.Status != KeyActive || k.CreateDate == "" {
				t.Errorf("key %+v", k)
			}
			ids = append(ids, k.AccessKeyId)
		}
		if !resp.Result.IsTruncated {
			break
		}
		marker = resp.Result.Marker
	}
	if want := []string{"AKIA2EJCYWH7FXBIAIFU", "AKIAU3IED7WV6A772PA5"}; !slices.Equal(ids, want) {
		t.Errorf("keys %v, want %v", ids, want)
	}

	var old listAccessKeysResponse
	c.call(iamForm("ListAccessKeys", "UserName", "ci-legacy-deployer"), &old)
	if len(old.Result.Keys) != 1 || old.Result.Keys[0].CreateDate != "2024-06-01T09:12:44Z" {
		t.Errorf("ci-legacy-deployer keys %+v", old.Result.Keys)
	}

	w := c.do(iamForm("ListAccessKeys", "UserName", "nobody"))
	if e := decodeError(t, w); w.Code != http.StatusNotFound || e.Code != "NoSuchEntity" || e.Message != "The user with name nobody cannot be found." {
		t.Errorf("unknown user: %d %+v", w.Code, e)
	}
	// Without UserName IAM lists the caller's keys; the scanner user is
	// not in the estate.
	w = c.do(iamForm("ListAccessKeys"))
	if e := decodeError(t, w); e.Code != "NoSuchEntity" || !strings.Contains(e.Message, "aam-scanner") {
		t.Errorf("no UserName: %d %+v", w.Code, e)
	}
}

func TestGetAccessKeyLastUsed(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	c := client{t, NewServer(e, Options{}), prod}
	type lastUsed struct {
		Result struct {
			UserName string
			Last     struct {
				LastUsedDate, ServiceName, Region string
			} `xml:"AccessKeyLastUsed"`
		} `xml:"GetAccessKeyLastUsedResult"`
	}
	var used lastUsed
	c.call(iamForm("GetAccessKeyLastUsed", "AccessKeyId", "AKIAMWW3HHRILCG6CVE4"), &used)
	if r := used.Result; r.UserName != "ci-legacy-deployer" || r.Last.LastUsedDate != "2026-11-25T06:30:00Z" || r.Last.ServiceName != "cloudformation" || r.Last.Region != "us-east-1" {
		t.Errorf("used key: %+v", r)
	}
	w := c.do(iamForm("GetAccessKeyLastUsed", "AccessKeyId", "AKIA47GNNJ3AUNZ5UHNK"))
	if strings.Contains(w.Body.String(), "LastUsedDate") {
		t.Errorf("a never-used key has a LastUsedDate: %s", w.Body)
	}
	var never lastUsed
	c.call(iamForm("GetAccessKeyLastUsed", "AccessKeyId", "AKIA47GNNJ3AUNZ5UHNK"), &never)
	if r := never.Result; r.UserName != "bedrock-batch-bot" || r.Last.ServiceName != "N/A" || r.Last.Region != "N/A" {
		t.Errorf("never-used key: %+v, want ServiceName and Region N/A", r)
	}
	// A key of the dev account, asked from prod.
	w = c.do(iamForm("GetAccessKeyLastUsed", "AccessKeyId", "AKIAY63BZ7WIU6AHP4ZJ"))
	if e := decodeError(t, w); w.Code != http.StatusForbidden || e.Code != "AccessDenied" {
		t.Errorf("other account's key: %d %+v", w.Code, e)
	}
}

func TestListUsersRolesAndGetRole(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	srv := NewServer(e, Options{PageSize: 4})
	c := client{t, srv, prod}

	type listRoles struct {
		Result struct {
			Roles []struct {
				RoleName, Arn, AssumeRolePolicyDocument string
				MaxSessionDuration                      int
			} `xml:"Roles>member"`
			IsTruncated bool
			Marker      string
		} `xml:"ListRolesResult"`
	}
	var names []string
	marker := ""
	for {
		kv := []string{}
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		w := c.do(iamForm("ListRoles", kv...))
		for _, absent := range []string{"RoleLastUsed", "<Tags>", "PermissionsBoundary"} {
			if strings.Contains(w.Body.String(), absent) {
				t.Errorf("ListRoles answers %s; the real API leaves it out", absent)
			}
		}
		var resp listRoles
		c.call(iamForm("ListRoles", kv...), &resp)
		for _, r := range resp.Result.Roles {
			names = append(names, r.RoleName)
			if r.MaxSessionDuration != 3600 || r.AssumeRolePolicyDocument == "" {
				t.Errorf("role %+v", r)
			}
		}
		if !resp.Result.IsTruncated {
			break
		}
		marker = resp.Result.Marker
	}
	if len(names) != len(prod.Roles) {
		t.Errorf("ListRoles gave %v, want the %d roles", names, len(prod.Roles))
	}

	var svc listRoles
	c.call(iamForm("ListRoles", "PathPrefix", "/service-role/"), &svc)
	var want []string
	for _, r := range prod.Roles {
		if strings.HasPrefix(r.Path, "/service-role/") {
			want = append(want, r.Name)
		}
	}
	if len(svc.Result.Roles) != len(want) || len(want) < 2 {
		t.Errorf("roles under /service-role/: %d, want %d (%v)", len(svc.Result.Roles), len(want), want)
	}

	type listUsers struct {
		Result struct {
			Users []struct{ UserName, UserId, Path string } `xml:"Users>member"`
		} `xml:"ListUsersResult"`
	}
	var lu listUsers
	c.call(iamForm("ListUsers", "PathPrefix", "/agents/"), &lu)
	if len(lu.Result.Users) != 1 || lu.Result.Users[0].UserName != "support-agent-bot" {
		t.Errorf("users under /agents/: %+v", lu.Result.Users)
	}

	type getRole struct {
		Role struct {
			RoleName, Arn, Description string
			Tags                       []struct{ Key, Value string } `xml:"Tags>member"`
			RoleLastUsed               struct{ LastUsedDate, Region string }
		} `xml:"GetRoleResult>Role"`
	}
	var gr getRole
	c.call(iamForm("GetRole", "RoleName", "Bedrock-Agent-Admin"), &gr)
	if r := gr.Role; r.RoleName != "bedrock-agent-admin" || len(r.Tags) != 2 || r.RoleLastUsed.LastUsedDate != "2026-11-25T21:14:00Z" || r.Description == "" {
		t.Errorf("GetRole: %+v", r)
	}
	w := c.do(iamForm("GetRole", "RoleName", "legacy-app-ec2"))
	if !strings.Contains(w.Body.String(), "<RoleLastUsed></RoleLastUsed>") {
		t.Errorf("a never-used role: want an empty RoleLastUsed, got %s", w.Body)
	}
	w = c.do(iamForm("GetRole", "RoleName", "ghost"))
	if e := decodeError(t, w); w.Code != http.StatusNotFound || e.Code != "NoSuchEntity" || e.Message != "The role with name ghost cannot be found." {
		t.Errorf("unknown role: %d %+v", w.Code, e)
	}

	type aliases struct {
		Aliases []string `xml:"ListAccountAliasesResult>AccountAliases>member"`
	}
	var al aliases
	c.call(iamForm("ListAccountAliases"), &al)
	if !slices.Equal(al.Aliases, []string{"acme-prod"}) {
		t.Errorf("aliases %v", al.Aliases)
	}
}

type callerIdentity struct {
	Xmlns  string `xml:"xmlns,attr"`
	Result struct {
		Arn, UserId, Account string
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func TestGetCallerIdentity(t *testing.T) {
	e := mustDemo(t)
	srv := NewServer(e, Options{DenyAccounts: []string{"111111111111"}})
	for _, a := range e.Accounts {
		c := client{t, srv, a}
		w := c.do(url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}})
		var resp callerIdentity
		c.call(url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}, &resp)
		r := resp.Result
		if r.Account != a.ID || r.Arn != a.CallerARN() || resp.Xmlns != stsNamespace || resp.RequestID == "" {
			t.Errorf("%v: %+v", a, resp)
		}
		if w.Header().Get("x-amzn-RequestId") == "" || w.Header().Get("Content-Type") != "text/xml" {
			t.Errorf("headers %v", w.Header())
		}
		switch a.ID {
		case "111111111111":
			if r.UserId != a.UserID("aam-scanner") || !strings.HasPrefix(r.UserId, "AIDA") {
				t.Errorf("UserId %s, want the scanner user's id", r.UserId)
			}
		case "222222222222":
			if r.UserId != a.RoleID("aam-scanner")+":aam-lab-session" {
				t.Errorf("UserId %s, want ROLEID:session for an assumed role", r.UserId)
			}
		}
	}
}

func TestRejections(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	stranger := Account{ID: "999999999999", AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}
	wrongSecret := prod
	wrongSecret.SecretAccessKey = "not-the-secret"

	signed := func(a Account, service string, form url.Values) *http.Request {
		return newQuery(a.AccessKeyID, a.SecretAccessKey, service, form)
	}
	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		msg    string
	}{
		{"unknown parameter", func() *http.Request {
			return signed(prod, iamService, iamForm("ListRoles", "RoleName", "x"))
		}, 400, "ValidationError", "RoleName"},
		{"bad list index", func() *http.Request {
			return signed(prod, iamService, iamForm("GetAccountAuthorizationDetails", "Filter.member.x", "Role"))
		}, 400, "ValidationError", "Filter.member.x"},
		{"unknown action", func() *http.Request {
			return signed(prod, iamService, iamForm("DeleteEverything"))
		}, 400, "InvalidAction", "Could not find operation DeleteEverything for version 2010-05-08"},
		{"IAM action with the STS version", func() *http.Request {
			return signed(prod, stsService, url.Values{"Action": {"ListRoles"}, "Version": {stsVersion}})
		}, 400, "InvalidAction", "ListRoles"},
		{"unknown version", func() *http.Request {
			return signed(prod, iamService, url.Values{"Action": {"ListRoles"}, "Version": {"2099-01-01"}})
		}, 400, "InvalidAction", "2099-01-01"},
		{"no action", func() *http.Request {
			return signed(prod, iamService, url.Values{"Version": {iamVersion}})
		}, 400, "MissingAction", ""},
		{"credential scoped to sts", func() *http.Request {
			return signed(prod, stsService, iamForm("ListRoles"))
		}, 403, "SignatureDoesNotMatch", "'iam'"},
		{"bad signature", func() *http.Request {
			return signed(wrongSecret, iamService, iamForm("ListRoles"))
		}, 403, "SignatureDoesNotMatch", "signature we calculated does not match"},
		{"body changed after signing", func() *http.Request {
			r := signed(prod, iamService, iamForm("ListRoles"))
			body := iamForm("ListUsers").Encode()
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			return r
		}, 403, "SignatureDoesNotMatch", ""},
		{"unknown key", func() *http.Request {
			return signed(stranger, iamService, iamForm("ListRoles"))
		}, 403, "InvalidClientTokenId", "security token included in the request is invalid"},
		{"no authorization", func() *http.Request {
			r := signed(prod, iamService, iamForm("ListRoles"))
			r.Header.Del("Authorization")
			return r
		}, 403, "MissingAuthenticationToken", ""},
		{"GET", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "http://127.0.0.1/?Action=ListRoles&Version=2010-05-08", nil)
		}, 405, "MethodNotAllowed", "POST"},
		{"JSON body", func() *http.Request {
			r := signed(prod, iamService, iamForm("ListRoles"))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return r
		}, 400, "MalformedQueryString", "x-www-form-urlencoded"},
		{"bad marker", func() *http.Request {
			return signed(prod, iamService, iamForm("ListRoles", "Marker", "bm90LWEtbWFya2Vy"))
		}, 400, "ValidationError", "Marker"},
		{"marker of another list", func() *http.Request {
			return signed(prod, iamService, iamForm("ListRoles", "Marker", kit.PageFrom(kit.List{Op: "ListUsers", Tenant: prod.ID, Narrow: "/"}, 0, 1, 2).Next))
		}, 400, "ValidationError", "Marker"},
		{"MaxItems 0", func() *http.Request {
			return signed(prod, iamService, iamForm("ListUsers", "MaxItems", "0"))
		}, 400, "ValidationError", "maxItems"},
		{"list parameter with a value", func() *http.Request {
			return signed(prod, iamService, iamForm("GetAccountAuthorizationDetails", "Filter", "Role"))
		}, 400, "ValidationError", "Filter.member.1"},
		{"unknown filter", func() *http.Request {
			return signed(prod, iamService, iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Roles"))
		}, 400, "ValidationError", "enum value set"},
		{"repeated parameter", func() *http.Request {
			f := iamForm("GetRole", "RoleName", "a")
			f.Add("RoleName", "b")
			return signed(prod, iamService, f)
		}, 400, "ValidationError", "given 2 times"},
		{"missing required parameter", func() *http.Request {
			return signed(prod, iamService, iamForm("GetRole"))
		}, 400, "ValidationError", "roleName"},
		{"parameter to a call that takes none", func() *http.Request {
			return signed(prod, stsService, url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}, "RoleArn": {"x"}})
		}, 400, "ValidationError", "takes no parameters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(e, Options{})
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, tc.req())
			got := decodeError(t, w)
			if w.Code != tc.status || got.Code != tc.code || !strings.Contains(got.Message, tc.msg) || got.Type != "Sender" {
				t.Errorf("got %d %s %q, want %d %s containing %q", w.Code, got.Code, got.Message, tc.status, tc.code, tc.msg)
			}
			if got.Xmlns != iamNamespace && got.Xmlns != stsNamespace {
				t.Errorf("namespace %q", got.Xmlns)
			}
			if st := srv.Stats(); st.Rejected != 1 || st.Throttled != 0 || st.Denied != 0 {
				t.Errorf("stats %+v, want one rejected request", st)
			}
		})
	}
}

func TestThrottling(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")

	t.Run("every third call", func(t *testing.T) {
		srv := NewServer(e, Options{ThrottleEvery: 3})
		c := client{t, srv, prod}
		var codes []int
		for i := range 9 {
			// Distinct requests, so no retry rule applies.
			w := c.do(iamForm("GetRole", "RoleName", prod.Roles[i].Name))
			codes = append(codes, w.Code)
			if w.Code == http.StatusBadRequest {
				if e := decodeError(t, w); e.Code != "Throttling" || e.Message != "Rate exceeded" || e.Type != "Sender" {
					t.Errorf("throttling error %+v", e)
				}
			}
		}
		if want := []int{200, 200, 400, 200, 200, 400, 200, 200, 400}; !slices.Equal(codes, want) {
			t.Errorf("status codes %v, want %v", codes, want)
		}
		st := srv.Stats()
		if st.Throttled != 3 || st.Calls["aws/iam:GetRole"] != 9 {
			t.Errorf("stats %+v: want 3 throttled of 9 calls", st)
		}
	})

	t.Run("same request never twice in a row", func(t *testing.T) {
		srv := NewServer(e, Options{ThrottleEvery: 1})
		c := client{t, srv, prod}
		form := iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "Role")
		var codes []int
		for range 4 {
			codes = append(codes, c.do(form).Code)
		}
		if want := []int{400, 200, 400, 200}; !slices.Equal(codes, want) {
			t.Errorf("status codes %v, want %v", codes, want)
		}
		// The same body from another account is another request.
		dev, _ := e.Account("222222222222")
		if w := (client{t, srv, dev}).do(form); w.Code != http.StatusBadRequest {
			t.Errorf("another account's request: %d, want it throttled", w.Code)
		}
	})

	t.Run("switch at runtime", func(t *testing.T) {
		srv := NewServer(e, Options{})
		c := client{t, srv, prod}
		srv.Faults().SetThrottleEvery(2)
		a, b := c.do(iamForm("ListRoles")).Code, c.do(iamForm("ListUsers")).Code
		srv.Faults().SetThrottleEvery(0)
		d := c.do(iamForm("ListAccountAliases")).Code
		if a != 200 || b != 400 || d != 200 {
			t.Errorf("codes %d %d %d, want 200 400 200", a, b, d)
		}
	})
}

func TestDeniedAccount(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	dev, _ := e.Account("222222222222")
	srv := NewServer(e, Options{})
	srv.Faults().SetTenantDenied(prod.ID, true)

	w := (client{t, srv, prod}).do(iamForm("GetAccountAuthorizationDetails"))
	got := decodeError(t, w)
	want := "User: arn:aws:iam::111111111111:user/aam-scanner is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *"
	if w.Code != http.StatusForbidden || got.Code != "AccessDenied" || got.Message != want {
		t.Errorf("denied: %d %+v", w.Code, got)
	}
	if w := (client{t, srv, prod}).do(url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}); w.Code != http.StatusOK {
		t.Errorf("GetCallerIdentity of a denied account: %d, want 200", w.Code)
	}
	if w := (client{t, srv, dev}).do(iamForm("ListRoles")); w.Code != http.StatusOK {
		t.Errorf("another account: %d, want 200", w.Code)
	}
	srv.Faults().SetTenantDenied(prod.ID, false)
	if w := (client{t, srv, prod}).do(iamForm("ListRoles")); w.Code != http.StatusOK {
		t.Errorf("after SetDenied false: %d, want 200", w.Code)
	}
	st := srv.Stats()
	if st.Denied != 1 || st.Calls["aws/iam:GetAccountAuthorizationDetails"] != 1 || st.Calls["aws/sts:GetCallerIdentity"] != 1 || st.Calls["aws/iam:ListRoles"] != 2 {
		t.Errorf("stats %+v", st)
	}
	srv.ResetStats()
	if st := srv.Stats(); len(st.Calls) != 0 || st.Denied != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

func TestInFlightHighWaterMark(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	const n = 8
	srv := NewServer(e, Options{Latency: 150 * time.Millisecond})
	c := client{t, srv, prod}
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = newQuery(prod.AccessKeyID, prod.SecretAccessKey, iamService, iamForm("ListRoles"))
	}
	start := time.Now()
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, reqs[i])
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := srv.Stats()
	if st.MaxInFlight != n || st.InFlight != 0 {
		t.Errorf("MaxInFlight %d InFlight %d, want %d and 0", st.MaxInFlight, st.InFlight, n)
	}
	if elapsed < 150*time.Millisecond {
		t.Errorf("%d requests took %v, less than the latency", n, elapsed)
	}
	for _, code := range codes {
		if code != http.StatusOK {
			t.Errorf("status %d", code)
		}
	}
	srv.Faults().SetLatency(0)
	if c.do(iamForm("ListRoles")).Code != http.StatusOK {
		t.Error("request after SetLatency(0) failed")
	}
}

func TestSetPageSize(t *testing.T) {
	e := mustDemo(t)
	prod, _ := e.Account("111111111111")
	srv := NewServer(e, Options{})
	c := client{t, srv, prod}
	_, _, _, _, pages := gaadAll(t, c)
	srv.SetPageSize(2)
	_, _, _, _, pages2 := gaadAll(t, c)
	if pages != 1 || pages2 < 10 {
		t.Errorf("pages at the default size %d (want 1), at 2 a page %d", pages, pages2)
	}
}

func TestStartServesLoopbackOnly(t *testing.T) {
	e := mustDemo(t)
	srv := NewServer(e, Options{})
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "not-an-address"} {
		if u, err := srv.Start(addr); err == nil {
			_ = srv.Close()
			t.Errorf("Start(%q) = %s, want it refused", addr, u)
		}
	}
	u, err := srv.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}()
	if !strings.HasPrefix(u, "http://127.0.0.1:") || srv.URL() != u {
		t.Errorf("Start = %s, URL = %s", u, srv.URL())
	}
	if _, err := srv.Start(""); err == nil {
		t.Error("a second Start succeeded")
	}
	prod, _ := e.Account("111111111111")
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}
	req, _ := http.NewRequest(http.MethodPost, u+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	signV4(req, form.Encode(), prod.AccessKeyID, prod.SecretAccessKey, stsService)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Account>111111111111</Account>") {
		t.Errorf("over HTTP: %d %s", resp.StatusCode, body)
	}
}

func TestInstructionsAndConfigFile(t *testing.T) {
	e := mustDemo(t)
	srv := NewServer(e, Options{})
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var prod Tenant
	for _, tn := range srv.Tenants() {
		if tn.ID == "111111111111" {
			prod = tn
		}
	}
	env := Instructions(prod, u, "")
	want := []string{
		"# aws account 111111111111 (acme-prod)",
		"export AWS_ACCESS_KEY_ID=AKIARFGTCV57QMSHCYC4",
		"export AWS_SECRET_ACCESS_KEY=CANARY-aam-0gTqjMK33zeaOxBnOM6TZ8RV",
		"export AWS_ENDPOINT_URL=" + u,
		"export AWS_REGION=us-east-1",
	}
	if !slices.Equal(env, want) {
		t.Errorf("Instructions = %v, want %v", env, want)
	}
	if tls := Instructions(prod, u, "/tmp/ca.pem"); tls[len(tls)-1] != "export AWS_CA_BUNDLE=/tmp/ca.pem" {
		t.Errorf("over TLS the instructions end %q, want the CA bundle", tls[len(tls)-1])
	}
	cfg := srv.AWSConfigFile("")
	for _, s := range []string{"[profile acme-prod]", "[profile acme-dev]", "endpoint_url = " + u, "aws_access_key_id = AKIA5Z52VGCT3QYC7MZW", "region = us-east-1"} {
		if !strings.Contains(cfg, s) {
			t.Errorf("config file lacks %q:\n%s", s, cfg)
		}
	}
	if strings.Contains(cfg, "ca_bundle") {
		t.Error("a config file for plain HTTP names a CA bundle")
	}
	if !strings.Contains(srv.AWSConfigFile("/tmp/ca.pem"), "ca_bundle = /tmp/ca.pem") {
		t.Error("a config file for TLS lacks its ca_bundle")
	}
	_, users := estateSecrets(e)
	for _, s := range users {
		if strings.Contains(cfg, s) || strings.Contains(strings.Join(env, "\n"), s) {
			t.Error("a user access key secret is in the config file or the environment")
		}
	}
}

// TestNoUserSecretOnTheWire calls every operation for every user and key
// and checks that no answer holds a user access key secret.
func TestNoUserSecretOnTheWire(t *testing.T) {
	e := mustDemo(t)
	_, secrets := estateSecrets(e)
	srv := NewServer(e, Options{PageSize: 3})
	for _, a := range e.Accounts {
		c := client{t, srv, a}
		forms := []url.Values{
			iamForm("GetAccountAuthorizationDetails"),
			iamForm("ListUsers"), iamForm("ListRoles"), iamForm("ListAccountAliases"),
			{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}},
			iamForm("ListServiceSpecificCredentials", "AllUsers", "true", "ServiceName", ServiceBedrock),
		}
		for _, u := range a.Users {
			forms = append(forms, iamForm("ListAccessKeys", "UserName", u.Name), iamForm("ListServiceSpecificCredentials", "UserName", u.Name))
			for _, k := range u.AccessKeys {
				forms = append(forms, iamForm("GetAccessKeyLastUsed", "AccessKeyId", k.ID))
			}
		}
		for _, r := range a.Roles {
			forms = append(forms, iamForm("GetRole", "RoleName", r.Name))
		}
		for _, f := range forms {
			w := c.do(f)
			if w.Code != http.StatusOK {
				t.Errorf("%v: %d %s", f, w.Code, w.Body)
			}
			for _, s := range secrets {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("%s answers a secret", f.Get("Action"))
				}
			}
		}
	}
}

// TestGAADListsAttachedAWSPolicies checks an AWS-managed policy used only
// as a permissions boundary is not listed, and one attached is, with its
// counts.
func TestGAADListsAttachedAWSPolicies(t *testing.T) {
	e, err := ParseEstate([]byte("accounts:" + validAccount + `
    roles:
      - name: bounded
        created: 2025-01-01T00:00:00Z
        trust_policy: '` + trust + `'
        managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
        permissions_boundary: arn:aws:iam::aws:policy/PowerUserAccess`))
	if err != nil {
		t.Fatal(err)
	}
	c := client{t, NewServer(e, Options{}), e.Accounts[0]}
	var resp gaadResponse
	c.call(iamForm("GetAccountAuthorizationDetails", "Filter.member.1", "AWSManagedPolicy"), &resp)
	p := resp.Result.Policies
	if len(p) != 1 || p[0].PolicyName != "ReadOnlyAccess" || p[0].AttachmentCount != 1 || p[0].Path != "/" || p[0].PolicyId != AWSManagedPolicyID("ReadOnlyAccess") {
		t.Errorf("policies %+v, want ReadOnlyAccess alone, attached once", p)
	}
}

// TestGAADUserBoundary checks a user's permissions boundary is in its
// UserDetail, as for a role, absent for a user without one, and counted
// on the policy.
func TestGAADUserBoundary(t *testing.T) {
	e, err := ParseEstate([]byte("accounts:" + validAccount + `
    policies:
      - name: cap
        created: 2025-01-01T00:00:00Z
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}'
    users:
      - name: bounded
        created: 2025-01-01T00:00:00Z
        permissions_boundary: arn:aws:iam::123456789012:policy/cap
      - name: free
        created: 2025-01-01T00:00:00Z`))
	if err != nil {
		t.Fatal(err)
	}
	c := client{t, NewServer(e, Options{}), e.Accounts[0]}
	var resp gaadResponse
	c.call(iamForm("GetAccountAuthorizationDetails"), &resp)
	r := resp.Result
	if len(r.Users) != 2 {
		t.Fatalf("users %+v, want 2", r.Users)
	}
	for _, u := range r.Users {
		b := u.PermissionsBoundary
		switch {
		case u.UserName == "bounded" && (b == nil || b.PermissionsBoundaryArn != "arn:aws:iam::123456789012:policy/cap" || b.PermissionsBoundaryType != "PermissionsBoundaryPolicy"):
			t.Errorf("bounded: boundary %+v", b)
		case u.UserName == "free" && b != nil:
			t.Errorf("free: boundary %+v, want none", b)
		}
	}
	if len(r.Policies) != 1 || r.Policies[0].PermissionsBoundaryUsageCount != 1 || r.Policies[0].AttachmentCount != 0 {
		t.Errorf("policies %+v, want cap used once as a boundary", r.Policies)
	}
	if _, err := ParseEstate([]byte("accounts:" + validAccount + `
    users:
      - name: bounded
        created: 2025-01-01T00:00:00Z
        permissions_boundary: arn:aws:iam::123456789012:policy/missing`)); err == nil || !strings.Contains(err.Error(), "permissions_boundary") {
		t.Errorf("a user's boundary naming no policy: error %v, want one about permissions_boundary", err)
	}
}

// TestGetPolicy checks GetPolicy and GetPolicyVersion answer for the
// account's own policies and for every AWS-managed one, attached or not
// (an AWS-managed boundary attached to nothing is not in GAAD's Policies),
// with the document URL-encoded, and NoSuchEntity or InvalidInput as IAM
// answers them.
func TestGetPolicy(t *testing.T) {
	e, err := ParseEstate([]byte("accounts:" + validAccount + `
    policies:
      - name: cap
        path: /boundaries/
        description: read only
        created: 2025-01-01T00:00:00Z
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}'
    roles:
      - name: audited
        created: 2025-01-01T00:00:00Z
        trust_policy: '` + trust + `'
        managed_policies: [arn:aws:iam::123456789012:policy/boundaries/cap]
        permissions_boundary: arn:aws:iam::aws:policy/SecurityAudit`))
	if err != nil {
		t.Fatal(err)
	}
	c := client{t, NewServer(e, Options{}), e.Accounts[0]}
	type policyResp struct {
		Policy struct {
			PolicyName, PolicyId, Arn, Path, DefaultVersionId, Description, CreateDate, UpdateDate string
			AttachmentCount, PermissionsBoundaryUsageCount                                         int
			IsAttachable                                                                           bool
		} `xml:"GetPolicyResult>Policy"`
	}
	type versionResp struct {
		Version struct {
			Document, VersionId, CreateDate string
			IsDefaultVersion                bool
		} `xml:"GetPolicyVersionResult>PolicyVersion"`
	}
	audit, _ := lookupAWSManaged("SecurityAudit")
	tests := []struct {
		arn, name, path, version string
		attached, bounds         int
		doc                      string
	}{
		{"arn:aws:iam::aws:policy/SecurityAudit", "SecurityAudit", "/", "v1", 0, 1, string(audit.document())},
		{"arn:aws:iam::123456789012:policy/boundaries/cap", "cap", "/boundaries/", "v1", 1, 0, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`},
	}
	for _, tt := range tests {
		var p policyResp
		c.call(iamForm("GetPolicy", "PolicyArn", tt.arn), &p)
		got := p.Policy
		if got.Arn != tt.arn || got.PolicyName != tt.name || got.Path != tt.path || got.DefaultVersionId != tt.version || !got.IsAttachable ||
			got.AttachmentCount != tt.attached || got.PermissionsBoundaryUsageCount != tt.bounds || got.PolicyId == "" || got.CreateDate == "" {
			t.Errorf("GetPolicy %s = %+v", tt.arn, got)
		}
		var v versionResp
		c.call(iamForm("GetPolicyVersion", "PolicyArn", tt.arn, "VersionId", got.DefaultVersionId), &v)
		if strings.ContainsAny(v.Version.Document, "{\" ") {
			t.Errorf("%s: document not URL-encoded: %s", tt.arn, v.Version.Document)
		}
		if doc, err := url.PathUnescape(v.Version.Document); err != nil || doc != tt.doc || v.Version.VersionId != tt.version || !v.Version.IsDefaultVersion {
			t.Errorf("GetPolicyVersion %s = %+v (%v)", tt.arn, v.Version, err)
		}
	}
	for _, tc := range []struct {
		form         url.Values
		status       int
		code, prefix string
	}{
		{iamForm("GetPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/nope"), http.StatusNotFound, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope does not exist"},
		{iamForm("GetPolicy", "PolicyArn", "arn:aws:iam::aws:policy/NotInTheCatalogue"), http.StatusNotFound, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NotInTheCatalogue does not exist"},
		{iamForm("GetPolicyVersion", "PolicyArn", "arn:aws:iam::aws:policy/SecurityAudit", "VersionId", "v9"), http.StatusNotFound, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/SecurityAudit version v9 does not exist"},
		{iamForm("GetPolicy", "PolicyArn", "cap"), http.StatusBadRequest, "InvalidInput", "ARN cap is not valid"},
		{iamForm("GetPolicy"), http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'policyArn'"},
		{iamForm("GetPolicyVersion", "PolicyArn", "arn:aws:iam::aws:policy/SecurityAudit"), http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'versionId'"},
	} {
		w := c.do(tc.form)
		if e := decodeError(t, w); w.Code != tc.status || e.Code != tc.code || !strings.HasPrefix(e.Message, tc.prefix) {
			t.Errorf("%v: %d %s %q, want %d %s %q...", tc.form, w.Code, e.Code, e.Message, tc.status, tc.code, tc.prefix)
		}
	}
}

// TestUnsignedRequestRouting: an unsigned request goes to the service
// whose paths it has, and one no service claims is not taken for Bedrock.
func TestUnsignedRequestRouting(t *testing.T) {
	srv := NewServer(mustDemo(t), Options{})
	for _, tc := range []struct {
		path, errType string
		status        int
	}{
		{"/agents/", "MissingAuthenticationTokenException", http.StatusForbidden},
		{"/2015-03-31/functions/f/configuration", "MissingAuthenticationTokenException", http.StatusForbidden},
		{"/subscriptions/0000/providers", "", http.StatusMethodNotAllowed}, // the query protocol's answer: POST / only
	} {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if w.Code != tc.status || w.Header().Get("X-Amzn-ErrorType") != tc.errType {
			t.Errorf("GET %s unsigned: %d %q, want %d %q", tc.path, w.Code, w.Header().Get("X-Amzn-ErrorType"), tc.status, tc.errType)
		}
	}
	for call := range srv.Stats().Calls {
		if strings.HasPrefix(call, "aws/bedrock-agent:") {
			t.Errorf("an unsigned call was taken for Bedrock: %s", call)
		}
	}
}

// TestStateWritesRaceNoReader changes the state while its answers are
// being read and encoded: run with -race, a handler that read the state
// outside its read lock is reported.
func TestStateWritesRaceNoReader(t *testing.T) {
	e := mustDemo(t)
	prod, region := prodRegion(t, e, "us-east-1")
	fn := region.Lambdas[0].Name
	srv := NewServer(e, Options{})
	c := newRESTClient(t, srv, prod, "us-east-1")
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			srv.state.update(func() {
				for _, a := range srv.state.accounts {
					for _, r := range a.regions {
						for _, l := range r.lambdas {
							l.Environment["ROTATION"] = fmt.Sprint(i)
						}
					}
				}
			})
		}
	}()
	for range 50 {
		if w := c.do("lambda", http.MethodGet, "/2015-03-31/functions/"+fn+"/configuration", ""); w.Code != http.StatusOK {
			t.Fatalf("GetFunctionConfiguration: %d %s", w.Code, w.Body)
		}
		if w := c.do("bedrock", http.MethodPost, "/agents/", "{}"); w.Code != http.StatusOK {
			t.Fatalf("ListAgents: %d %s", w.Code, w.Body)
		}
	}
	close(stop)
	<-done
}

// TestStateIsACopy: the state shares nothing with the estate it was built
// from, so a change to either never shows in the other.
func TestStateIsACopy(t *testing.T) {
	e := mustDemo(t)
	prod, region := prodRegion(t, e, "us-east-1")
	var fn *Lambda
	for i := range region.Lambdas {
		if len(region.Lambdas[i].Environment) > 0 {
			fn = &region.Lambdas[i]
		}
	}
	if fn == nil {
		t.Fatal("no Lambda with an environment in the demo's us-east-1")
	}
	srv := NewServer(e, Options{})
	for k := range fn.Environment {
		fn.Environment[k] = "changed-after-NewServer"
	}
	c := newRESTClient(t, srv, prod, "us-east-1")
	var got wireFunction
	c.call("lambda", http.MethodGet, "/2015-03-31/functions/"+fn.Name+"/configuration", "", &got)
	if len(got.Environment.Variables) == 0 {
		t.Fatal("no environment served")
	}
	for k, v := range got.Environment.Variables {
		if v == "changed-after-NewServer" {
			t.Errorf("%s: a change to the estate after NewServer is served", k)
		}
	}
}

// TestDeniedOperation: --deny-op refuses one operation for every account,
// over either protocol, and nothing else; a tenant denial still spares
// GetCallerIdentity, an operation denial does not.
func TestDeniedOperation(t *testing.T) {
	e := mustDemo(t)
	prod, region := prodRegion(t, e, "us-east-1")
	dev, _ := e.Account("222222222222")
	srv := NewServer(e, Options{DenyOps: []string{"iam:ListRoles", "lambda:GetFunctionConfiguration", "sts:GetCallerIdentity"}})
	for _, a := range []Account{prod, dev} {
		w := (client{t, srv, a}).do(iamForm("ListRoles"))
		if got := decodeError(t, w); w.Code != http.StatusForbidden || got.Code != "AccessDenied" {
			t.Errorf("%s ListRoles: %d %+v, want AccessDenied", a.ID, w.Code, got)
		}
		if w := (client{t, srv, a}).do(iamForm("ListUsers")); w.Code != http.StatusOK {
			t.Errorf("%s ListUsers: %d, want 200", a.ID, w.Code)
		}
		if w := (client{t, srv, a}).do(url.Values{"Action": {"GetCallerIdentity"}, "Version": {stsVersion}}); w.Code != http.StatusForbidden {
			t.Errorf("%s GetCallerIdentity denied by operation: %d, want 403", a.ID, w.Code)
		}
	}
	c := newRESTClient(t, srv, prod, "us-east-1")
	w := c.do("lambda", http.MethodGet, "/2015-03-31/functions/"+region.Lambdas[0].Name+"/configuration", "")
	if got := decodeRESTError(t, w); w.Code != http.StatusForbidden || got.code != "AccessDeniedException" {
		t.Errorf("GetFunctionConfiguration: %d %+v", w.Code, got)
	}
	if w := c.do("bedrock", http.MethodPost, "/agents/", "{}"); w.Code != http.StatusOK {
		t.Errorf("ListAgents: %d, want 200", w.Code)
	}
	if st := srv.Stats(); st.Denied != 5 {
		t.Errorf("%d calls denied, want 5 (two ListRoles, two GetCallerIdentity, one GetFunctionConfiguration)", st.Denied)
	}
	srv.Faults().SetOpDenied("iam:ListRoles", false)
	if w := (client{t, srv, prod}).do(iamForm("ListRoles")); w.Code != http.StatusOK {
		t.Errorf("ListRoles after the switch is lifted: %d", w.Code)
	}
}
