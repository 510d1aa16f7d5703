package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
	is := newIAMScan(nil, clients{}, sc, "111111111111", "", nil)
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
	is := newIAMScan(nil, clients{}, sc, "111111111111", "", nil)
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
	if len(in) != 1 || in[0].From != "aws:principal:unknown" || in[0].Attrs["unreadable_trust_policy"] != true || in[0].Attrs[inventory.AttrTrust] != inventory.TrustUnknown {
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
	is := newIAMScan(nil, clients{}, sc, "111111111111", "", nil)
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

// Each can_assume edge carries its trust class and reason, and its
// conditions (operator, key, values), the external id's value withheld;
// an account the scan covers is the owner's, any other a third party.
func TestTrustEdgesAreClassified(t *testing.T) {
	const externalID = "Xq7-external-id-value"
	tests := []struct {
		name     string
		trust    string
		ours     []string
		from     string
		class    string
		reason   string
		conds    int // conditions on the edge
		withheld bool
	}{
		{
			name:  "GitHub without sub",
			trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`,
			from:  "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com", class: inventory.TrustOpen, reason: "token.actions.githubusercontent.com:sub", conds: 1,
		},
		{
			name:  "third party with an external id",
			trust: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"` + externalID + `"}}}}`,
			from:  "arn:aws:iam::999988887777:root", class: inventory.TrustConstrained, reason: "sts:ExternalId", conds: 1, withheld: true,
		},
		{
			name:  "another account, not scanned",
			trust: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}}`,
			from:  "arn:aws:iam::222222222222:role/ci", class: inventory.TrustOpen, reason: "222222222222",
		},
		{
			name:  "another account the scan covers",
			trust: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}}`,
			ours:  []string{"222222222222"},
			from:  "arn:aws:iam::222222222222:role/ci", class: inventory.TrustConstrained, reason: "aam scans",
		},
		{
			// Two statements for one principal: the edge is the worse.
			name: "two statements, one unguarded",
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}},
				{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:TagSession"},
				{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			from: "aws:service:bedrock.amazonaws.com", class: inventory.TrustServiceUnguarded, reason: "aws:SourceAccount", conds: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store, sc := beginTestScan(t)
			ours := func(a string) bool { return slices.Contains(tt.ours, a) }
			is := newIAMScan(nil, clients{}, sc, "111111111111", "", ours)
			role := types.RoleDetail{Arn: ptr("arn:aws:iam::111111111111:role/r"), RoleName: ptr("r"), AssumeRolePolicyDocument: ptr(tt.trust)}
			if err := is.role(ctx, role); err != nil {
				t.Fatal(err)
			}
			if err := sc.CompleteScope(ctx, is.scope.Scope()); err != nil {
				t.Fatal(err)
			}
			if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
				t.Fatal(err)
			}
			_, in, err := store.EdgesOf(ctx, "arn:aws:iam::111111111111:role/r")
			if err != nil {
				t.Fatal(err)
			}
			if len(in) != 1 || in[0].From != tt.from {
				t.Fatalf("trust edges %+v, want one from %s", in, tt.from)
			}
			attrs := in[0].Attrs
			if attrs[inventory.AttrTrust] != tt.class {
				t.Errorf("trust = %v (%v), want %s", attrs[inventory.AttrTrust], attrs[inventory.AttrTrustReason], tt.class)
			}
			if r, _ := attrs[inventory.AttrTrustReason].(string); !strings.Contains(r, tt.reason) {
				t.Errorf("trust_reason %q does not say %q", r, tt.reason)
			}
			conds, _ := attrs[inventory.AttrConditions].([]any)
			if len(conds) != tt.conds {
				t.Errorf("conditions = %v, want %d", attrs[inventory.AttrConditions], tt.conds)
			}
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["operator"] == nil || m["key"] == nil || (m["values"] == nil) == (m["withheld"] == nil) {
					t.Errorf("condition %v: want operator, key, and values or withheld", c)
				}
				if tt.withheld && m["withheld"] != float64(1) {
					t.Errorf("condition %v: want the external id withheld", c)
				}
			}
			text, err := json.Marshal(attrs)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(text), externalID) {
				t.Errorf("the edge holds the external id's value: %s", text)
			}
		})
	}
}
