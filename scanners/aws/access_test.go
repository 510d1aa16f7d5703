package aws_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// The effective access of testdata/estates/access.yaml, read through the
// real IAM client from the lab one entity a page: boundaries on a role and
// a user (UserDetail.PermissionsBoundary), groups with their members, a
// Deny carved out of a group's access, and access on oneself.
func TestEffectiveAccessThroughTheSDK(t *testing.T) {
	e := loadEstate(t, "access.yaml")
	srv := startLab(t, e, lab.Options{PageSize: 1})
	res := scan(t, context.Background(), awsscan.Config{Services: []string{awsscan.ServiceIAM}}, labOptions(srv, testOptions(2)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("scan errors: %+v", errs)
	}
	g := readGraph(t, res.store)
	checkEstate(t, e, g)
	a := e.AWS.Accounts[0]
	if got, want := srv.Stats().Calls["aws/iam:GetAccountAuthorizationDetails"], detailEntries(a); got != want {
		t.Errorf("GetAccountAuthorizationDetails calls = %d, want %d (one entity a page)", got, want)
	}

	const (
		all      = "aws:444444444444:resource/*"
		boundary = "arn:aws:iam::444444444444:policy/boundaries/boundary-read"
		admin    = "arn:aws:iam::aws:policy/AdministratorAccess"
	)
	payroll := []any{map[string]any{"actions": []any{"s3:GetObject"}, "resources": []any{"arn:aws:s3:::acme-payroll/*"}, "source": boundary}}
	tests := []struct {
		name, from, to string
		level          string
		boundary       any
		sources        []any
		exceptions     any
		self           any
	}{
		{"a role's boundary caps AdministratorAccess at read, its Deny an exception",
			a.RoleARN("capped-admin"), all, "read", boundary, []any{admin}, payroll, nil},
		{"a user's boundary caps AdministratorAccess at read",
			a.UserARN("bounded-user"), all, "read", boundary, []any{admin}, payroll, nil},
		{"an AWS-managed boundary GetAccountAuthorizationDetails does not list is read with GetPolicyVersion",
			a.RoleARN("aws-bounded-admin"), all, "read", "arn:aws:iam::aws:policy/ReadOnlyAccess", []any{admin}, nil, nil},
		{"admin through a group alone, except the payroll bucket",
			a.UserARN("oncall"), all, "admin", nil, []any{"group:admins/" + admin},
			[]any{map[string]any{"actions": []any{"s3:*"}, "resources": []any{"arn:aws:s3:::acme-payroll", "arn:aws:s3:::acme-payroll/*"}, "source": "group:admins/inline:no-payroll"}}, nil},
		{"managing one's own credentials is write on oneself",
			a.UserARN("sam"), "arn:aws:iam::*:user/${aws:username}", "write", nil, []any{a.PolicyARN("self-manage-credentials")}, nil, true},
		{"and reading the account's users and password policy is read",
			a.UserARN("sam"), all, "read", nil, []any{a.PolicyARN("self-manage-credentials")}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edge, ok := g.edges[edgeKey(tt.from, inventory.EdgeCanAccess, tt.to)]
			if !ok {
				t.Fatalf("no can_access edge %s -> %s", tt.from, tt.to)
			}
			at := edge.Attrs
			if at[inventory.AttrLevel] != tt.level || at[inventory.AttrBoundary] != tt.boundary || !slices.Equal(at[inventory.AttrSources].([]any), tt.sources) ||
				!jsonEqual(at[inventory.AttrExceptions], tt.exceptions) || at["self"] != tt.self {
				t.Errorf("edge attrs %v\nwant level %s boundary %v sources %v exceptions %v self %v", at, tt.level, tt.boundary, tt.sources, tt.exceptions, tt.self)
			}
		})
	}

	// One boundary document was not listed: one GetPolicy, one GetPolicyVersion.
	for _, op := range []string{"aws/iam:GetPolicy", "aws/iam:GetPolicyVersion"} {
		if got := srv.Stats().Calls[op]; got != 1 {
			t.Errorf("%s calls = %d, want 1", op, got)
		}
	}
	for _, id := range []string{a.RoleARN("capped-admin"), a.UserARN("sam")} {
		if ne := g.nodes[id].Attrs[inventory.AttrNotEvaluated]; !jsonEqual(ne, []any{"service_control_policies", "resource_control_policies", "resource_based_policies", "session_policies"}) {
			t.Errorf("%s not_evaluated = %v", id, ne)
		}
	}
	grp := g.nodes[a.GroupARN("admins")]
	if grp.Attrs["path"] != "/ops/" || !jsonEqual(grp.Attrs["policies"], []any{"inline:no-payroll", admin}) {
		t.Errorf("group admins = %+v", grp)
	}
	// A group is no principal: its policies are on its members' edges only.
	if out, _, _ := res.store.EdgesOf(context.Background(), a.GroupARN("admins")); len(out) != 0 {
		t.Errorf("group admins has edges of its own: %+v", out)
	}
}

// jsonEqual compares two values as their JSON forms.
func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// When the boundary's document cannot be read (GetPolicyVersion denied),
// the boundary is not applied: the role stays admin, says why, marks the
// document unknown, and the scan records a warning; the scope completes.
func TestBoundaryDocumentDenied(t *testing.T) {
	e := loadEstate(t, "access.yaml")
	srv := startLab(t, e, lab.Options{DenyOps: []string{"aws:iam:GetPolicyVersion"}})
	res := scan(t, context.Background(), awsscan.Config{Services: []string{awsscan.ServiceIAM}}, labOptions(srv, testOptions(2)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
	if len(errs) != 1 || errs[0].Operation != "iam:GetPolicyVersion" || !errs[0].Warning || errs[0].Class != "denied" {
		t.Fatalf("scan errors %+v, want one denied warning of iam:GetPolicyVersion", errs)
	}
	if scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID); len(scopes) != len(accountScopes()) {
		t.Errorf("completed scopes %v, want the account's IAM and its service credentials", scopes)
	}
	g := readGraph(t, res.store)
	a := e.AWS.Accounts[0]
	role := g.nodes[a.RoleARN("aws-bounded-admin")]
	if role.Attrs[inventory.AttrBoundary] != "arn:aws:iam::aws:policy/ReadOnlyAccess" || role.Attrs["boundary_not_applied"] == nil ||
		!jsonEqual(role.Attrs[inventory.AttrUnknown], map[string]any{"boundary_document": "denied: iam:GetPolicyVersion"}) {
		t.Errorf("aws-bounded-admin attrs %v: want its boundary named, not applied, its document unknown", role.Attrs)
	}
	edge := g.edges[edgeKey(a.RoleARN("aws-bounded-admin"), inventory.EdgeCanAccess, "aws:444444444444:resource/*")]
	if edge.Attrs[inventory.AttrLevel] != "admin" || edge.Attrs[inventory.AttrBoundary] != nil {
		t.Errorf("aws-bounded-admin access %v, want admin with no boundary", edge.Attrs)
	}
	// The customer-managed boundary came with GetAccountAuthorizationDetails.
	capped := g.edges[edgeKey(a.RoleARN("capped-admin"), inventory.EdgeCanAccess, "aws:444444444444:resource/*")]
	if capped.Attrs[inventory.AttrLevel] != "read" {
		t.Errorf("capped-admin access %v, want read", capped.Attrs)
	}
}
