package aws

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// An attached policy whose document GetAccountAuthorizationDetails did not
// return is kept at its well-known level, or "unknown": never dropped, never
// taken for more or less than its name says.
func TestAttachedPolicyWithoutDocument(t *testing.T) {
	ctx := context.Background()
	store, sc := beginTestScan(t)
	tests := []struct {
		policy, want string
	}{
		{"arn:aws:iam::aws:policy/PowerUserAccess", "write"},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "read"},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "admin"},
		{"arn:aws:iam::111111111111:policy/custom-lost", "unknown"},
	}
	is := newIAMScan(nil, clients{}, sc, "111111111111", "")
	for i, tt := range tests {
		role := types.RoleDetail{Arn: ptr("arn:aws:iam::111111111111:role/r" + string(rune('a'+i))), RoleName: ptr("r"), AssumeRolePolicyDocument: ptr(`{"Version":"2012-10-17","Statement":[]}`),
			AttachedManagedPolicies: []types.AttachedPolicy{{PolicyArn: ptr(tt.policy)}}}
		if err := is.role(ctx, role); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.CompleteScope(ctx, is.scope.Scope()); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		out, _, err := store.EdgesOf(ctx, "arn:aws:iam::111111111111:role/r"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0].To != "aws:111111111111:resource/*" || out[0].Attrs["level"] != tt.want {
			t.Errorf("%s: edges %+v, want one to every resource at level %s", tt.policy, out, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// A document that cannot be read is recorded and stands in the graph as
// access of unknown level, or a trust from unknown principals: the rest of
// the account still becomes current.
func TestUnreadableDocumentsAreKeptAsUnknown(t *testing.T) {
	ctx := context.Background()
	store, sc := beginTestScan(t)
	is := newIAMScan(nil, clients{}, sc, "111111111111", "")
	role := types.RoleDetail{Arn: ptr("arn:aws:iam::111111111111:role/odd"), RoleName: ptr("odd"),
		AssumeRolePolicyDocument: ptr(`{"Statement": "not a statement"}`),
		RolePolicyList:           []types.PolicyDetail{{PolicyName: ptr("weird"), PolicyDocument: ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`)}}}
	if err := is.role(ctx, role); err != nil {
		t.Fatal(err)
	}
	if len(is.problems) != 2 {
		t.Fatalf("problems = %+v, want the trust policy and the inline policy", is.problems)
	}
	if err := sc.CompleteScope(ctx, is.scope.Scope()); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanPartial); err != nil {
		t.Fatal(err)
	}
	out, in, err := store.EdgesOf(ctx, "arn:aws:iam::111111111111:role/odd")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Attrs["level"] != "unknown" {
		t.Errorf("access edges = %+v, want one of unknown level", out)
	}
	if len(in) != 1 || in[0].From != "aws:principal:unknown" || in[0].Attrs["unreadable_trust_policy"] != true {
		t.Errorf("trust edges = %+v, want one from unknown principals", in)
	}
}

// beginTestScan opens a store in a temp dir and begins a scan on it.
func beginTestScan(t *testing.T) (*inventory.Store, *inventory.Scan) {
	t.Helper()
	store, err := inventory.Open(context.Background(), filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sc, err := store.BeginScan(context.Background(), inventory.ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return store, sc
}

// A user in a group GetAccountAuthorizationDetails did not describe (made
// while the scan paged) keeps access of unknown level through it, never
// none; a group it did describe gets a member_of edge.
func TestUserInGroupNotReturned(t *testing.T) {
	ctx := context.Background()
	store, sc := beginTestScan(t)
	is := newIAMScan(nil, clients{}, sc, "111111111111", "")
	is.details.GroupDetailList = []types.GroupDetail{{GroupName: ptr("known"), Arn: ptr("arn:aws:iam::111111111111:group/known")}}
	is.indexDetails()
	for _, g := range is.details.GroupDetailList {
		if err := is.group(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	user := types.UserDetail{Arn: ptr("arn:aws:iam::111111111111:user/u"), UserName: ptr("u"), GroupList: []string{"known", "made-while-paging"}}
	if err := is.user(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := sc.CompleteScope(ctx, is.scope.Scope()); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
	out, _, err := store.EdgesOf(ctx, "arn:aws:iam::111111111111:user/u")
	if err != nil {
		t.Fatal(err)
	}
	got := map[inventory.EdgeKind][]inventory.EdgeRecord{}
	for _, e := range out {
		got[e.Kind] = append(got[e.Kind], e)
	}
	if m := got[inventory.EdgeMemberOf]; len(m) != 1 || m[0].To != "arn:aws:iam::111111111111:group/known" {
		t.Errorf("member_of edges %+v, want the known group alone", m)
	}
	if a := got[inventory.EdgeCanAccess]; len(a) != 1 || a[0].Attrs[inventory.AttrLevel] != inventory.LevelUnknown ||
		fmt.Sprint(a[0].Attrs[inventory.AttrSources]) != "[group:made-while-paging]" {
		t.Errorf("access edges %+v, want unknown access through group:made-while-paging", a)
	}
}
