package inventory_test

import (
	"context"
	"testing"

	"github.com/aam-dev/aam/inventory"
	it "github.com/aam-dev/aam/inventory/inventorytest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	globalScope = inventory.Scope{Provider: "aws", Tenant: "111", Name: inventory.GlobalScope}
	regionScope = inventory.Scope{Provider: "aws", Tenant: "111", Name: "us-east-1/lambda"}
	otherTenant = inventory.Scope{Provider: "aws", Tenant: "222", Name: inventory.GlobalScope}
)

func hop(id, method, levelCap string) inventory.EscalationHop {
	return inventory.EscalationHop{ID: id, Edge: inventory.EdgeCanEscalate, Method: method, LevelCap: levelCap}
}

func TestEffectiveAccess(t *testing.T) {
	const (
		a, b, c, d = "role/a", "role/b", "role/c", "role/d"
		secret     = "secret/provider-key"
		bucket     = "bucket"
		assume     = "sts:AssumeRole"
		update     = "lambda:UpdateFunctionCode"
		bedrock    = "iam:PassRole+bedrock:CreateAgent"
		put        = "iam:PutRolePolicy"
	)
	// floored is e with a level floor: its caller writes the target's
	// permissions.
	floored := func(e inventory.Edge, floor string) inventory.Edge {
		e.Attrs[inventory.AttrLevelFloor] = floor
		return e
	}
	floorHop := func(h inventory.EscalationHop, floor string) inventory.EscalationHop {
		h.LevelFloor = floor
		return h
	}
	ids := func(xs ...string) []any {
		var out []any
		for _, x := range xs {
			out = append(out, it.Identity(x, "iam_role"))
		}
		return out
	}
	tests := []struct {
		name  string
		rows  []any
		start string
		want  inventory.EffectiveAccess
	}{{
		name:  "own access only",
		rows:  append(ids(a), it.Access(a, bucket, inventory.LevelWrite)),
		start: a,
		want:  inventory.EffectiveAccess{Own: inventory.LevelWrite, Level: inventory.LevelWrite},
	}, {
		name:  "no access at all",
		rows:  ids(a),
		start: a,
		want:  inventory.EffectiveAccess{},
	}, {
		name: "one step to admin",
		rows: append(ids(a, b), it.Access(a, bucket, inventory.LevelWrite), it.Access(b, "*", inventory.LevelAdmin),
			it.Escalation(a, b, assume, "")),
		start: a,
		want:  inventory.EffectiveAccess{Own: inventory.LevelWrite, Level: inventory.LevelAdmin, Path: []inventory.EscalationHop{hop(b, assume, "")}},
	}, {
		name: "a step to less than its own access is not taken",
		rows: append(ids(a, b), it.Access(a, "*", inventory.LevelAdmin), it.Access(b, bucket, inventory.LevelRead),
			it.Escalation(a, b, assume, "")),
		start: a,
		want:  inventory.EffectiveAccess{Own: inventory.LevelAdmin, Level: inventory.LevelAdmin},
	}, {
		name: "a chain of two steps",
		rows: append(ids(a, b, c), it.Access(a, bucket, inventory.LevelRead), it.Access(b, bucket, inventory.LevelWrite),
			it.Access(c, "*", inventory.LevelAdmin), it.Escalation(a, b, update, ""), it.Escalation(b, c, assume, "")),
		start: a,
		want: inventory.EffectiveAccess{Own: inventory.LevelRead, Level: inventory.LevelAdmin,
			Path: []inventory.EscalationHop{hop(b, update, ""), hop(c, assume, "")}},
	}, {
		name: "a capped step gives at most its cap and goes no further",
		rows: append(ids(a, b, c), it.Access(a, bucket, inventory.LevelRead), it.Access(b, "*", inventory.LevelAdmin),
			it.Access(c, "*", inventory.LevelAdmin), it.Escalation(a, b, bedrock, inventory.LevelWrite), it.Escalation(b, c, assume, "")),
		start: a,
		want: inventory.EffectiveAccess{Own: inventory.LevelRead, Level: inventory.LevelWrite,
			Path: []inventory.EscalationHop{hop(b, bedrock, inventory.LevelWrite)}},
	}, {
		name:  "a cap above the target's access gives the target's access",
		rows:  append(ids(a, b), it.Access(b, bucket, inventory.LevelRead), it.Escalation(a, b, bedrock, inventory.LevelAdmin)),
		start: a,
		want: inventory.EffectiveAccess{Level: inventory.LevelRead,
			Path: []inventory.EscalationHop{hop(b, bedrock, inventory.LevelAdmin)}},
	}, {
		name: "the same target capped and not: the whole access wins",
		rows: append(ids(a, b, c), it.Access(c, "*", inventory.LevelAdmin), it.Escalation(a, c, bedrock, inventory.LevelRead),
			it.Escalation(a, b, assume, ""), it.Escalation(b, c, assume, "")),
		start: a,
		want: inventory.EffectiveAccess{Level: inventory.LevelAdmin,
			Path: []inventory.EscalationHop{hop(b, assume, ""), hop(c, assume, "")}},
	}, {
		name: "ties go to the shortest path",
		rows: append(ids(a, b, c, d), it.Access(b, "*", inventory.LevelAdmin), it.Access(d, "*", inventory.LevelAdmin),
			it.Escalation(a, c, assume, ""), it.Escalation(c, b, assume, ""), it.Escalation(a, d, update, "")),
		start: a,
		want:  inventory.EffectiveAccess{Level: inventory.LevelAdmin, Path: []inventory.EscalationHop{hop(d, update, "")}},
	}, {
		name: "ties of the same length go to the least id",
		rows: append(ids(a, b, c), it.Access(b, "*", inventory.LevelAdmin), it.Access(c, "*", inventory.LevelAdmin),
			it.Escalation(a, c, assume, ""), it.Escalation(a, b, update, "")),
		start: a,
		want:  inventory.EffectiveAccess{Level: inventory.LevelAdmin, Path: []inventory.EscalationHop{hop(b, update, "")}},
	}, {
		name: "a cycle ends",
		rows: append(ids(a, b, c), it.Access(a, bucket, inventory.LevelRead), it.Access(c, bucket, inventory.LevelWrite),
			it.Escalation(a, b, assume, ""), it.Escalation(b, a, assume, ""), it.Escalation(b, c, assume, ""), it.Escalation(c, a, assume, "")),
		start: a,
		want: inventory.EffectiveAccess{Own: inventory.LevelRead, Level: inventory.LevelWrite,
			Path: []inventory.EscalationHop{hop(b, assume, ""), hop(c, assume, "")}},
	}, {
		name:  "a cycle without access",
		rows:  append(ids(a, b), it.Escalation(a, b, assume, ""), it.Escalation(b, a, assume, "")),
		start: a,
		want:  inventory.EffectiveAccess{},
	}, {
		name: "a credential reached gives no level",
		rows: append(ids(a), it.Credential(secret, true), it.Access(a, bucket, inventory.LevelRead),
			it.Escalation(a, secret, "secretsmanager:GetSecretValue", "")),
		start: a,
		want:  inventory.EffectiveAccess{Own: inventory.LevelRead, Level: inventory.LevelRead},
	}, {
		name: "an unknown level ranks above admin",
		rows: append(ids(a, b, c), it.Access(b, "*", inventory.LevelAdmin), it.Access(c, "x", inventory.LevelUnknown),
			it.Escalation(a, b, assume, ""), it.Escalation(a, c, assume, "")),
		start: a,
		want:  inventory.EffectiveAccess{Level: inventory.LevelUnknown, Path: []inventory.EscalationHop{hop(c, assume, "")}},
	}, {
		name: "a step with a level floor gives the floor above the target's access",
		rows: append(ids(a, b), it.Access(a, bucket, inventory.LevelRead), it.Access(b, bucket, inventory.LevelRead),
			floored(it.Escalation(a, b, put, ""), inventory.LevelAdmin)),
		start: a,
		want:  inventory.EffectiveAccess{Own: inventory.LevelRead, Level: inventory.LevelAdmin, Path: []inventory.EscalationHop{floorHop(hop(b, put, ""), inventory.LevelAdmin)}},
	}, {
		name: "a floor below the target's access gives the target's access",
		rows: append(ids(a, b), it.Access(b, "*", inventory.LevelWrite),
			floored(it.Escalation(a, b, put, ""), inventory.LevelRead)),
		start: a,
		want:  inventory.EffectiveAccess{Level: inventory.LevelWrite, Path: []inventory.EscalationHop{floorHop(hop(b, put, ""), inventory.LevelRead)}},
	}, {
		name: "a level cap still caps a step with a floor",
		rows: append(ids(a, b), it.Access(b, bucket, inventory.LevelRead),
			floored(it.Escalation(a, b, bedrock, inventory.LevelWrite), inventory.LevelAdmin)),
		start: a,
		want:  inventory.EffectiveAccess{Level: inventory.LevelWrite, Path: []inventory.EscalationHop{floorHop(hop(b, bedrock, inventory.LevelWrite), inventory.LevelAdmin)}},
	}, {
		name: "steps go on past a step with a floor",
		rows: append(ids(a, b, c), it.Access(b, bucket, inventory.LevelRead), it.Access(c, "*", inventory.LevelUnknown),
			floored(it.Escalation(a, b, put, ""), inventory.LevelAdmin), it.Escalation(b, c, assume, "")),
		start: a,
		want: inventory.EffectiveAccess{Level: inventory.LevelUnknown,
			Path: []inventory.EscalationHop{floorHop(hop(b, put, ""), inventory.LevelAdmin), hop(c, assume, "")}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openStore(t)
			g := (&it.Graph{}).Add(globalScope, tt.rows...)
			if err := it.WriteScan(ctx, s, g); err != nil {
				t.Fatal(err)
			}
			got, err := s.EffectiveAccessOf(ctx, []string{tt.start})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]inventory.EffectiveAccess{tt.start: tt.want}, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("effective access (-want +got):\n%s", diff)
			}
		})
	}
}

// Completing any scope of a tenant recomputes its identities: a region that
// no longer has a step takes the level it gave away, and one that has a
// new step gives it, whatever scope holds the identities.
func TestEffectiveAccessRecomputedWhenAnyScopeCompletes(t *testing.T) {
	const a, b, fnRole = "role/a", "role/b", "role/fn"
	ctx := context.Background()
	s, _ := openStore(t)
	level := func(when string, want string) {
		t.Helper()
		got, err := s.EffectiveAccessOf(ctx, []string{a})
		if err != nil {
			t.Fatal(err)
		}
		if got[a].Level != want {
			t.Errorf("%s: level of %s = %q (path %v), want %q", when, a, got[a].Level, got[a].Path, want)
		}
	}
	identities := (&it.Graph{}).Add(globalScope, it.Identity(a, "iam_role"), it.Identity(b, "iam_role"), it.Identity(fnRole, "iam_role"),
		it.Access(a, "bucket", inventory.LevelRead), it.Access(fnRole, "*", inventory.LevelAdmin))
	step := (&it.Graph{}).Add(regionScope, it.Escalation(a, fnRole, "lambda:UpdateFunctionCode", ""))
	for scope, es := range step.Edges {
		identities.Edges[scope] = es
	}
	if err := it.WriteScan(ctx, s, identities); err != nil {
		t.Fatal(err)
	}
	level("both scopes complete", inventory.LevelAdmin)

	// The region completes again without the step; the global scope is not
	// completed in this scan.
	if err := it.WriteScan(ctx, s, &it.Graph{}, regionScope); err != nil {
		t.Fatal(err)
	}
	level("the region completes without the step", inventory.LevelRead)

	// The step comes back in the region alone.
	if err := it.WriteScan(ctx, s, step, regionScope); err != nil {
		t.Fatal(err)
	}
	level("the region completes with the step again", inventory.LevelAdmin)

	// A region of agents only (no identity, step or access) completing
	// leaves the levels as they are.
	agents := inventory.Scope{Provider: "aws", Tenant: "111", Name: "us-east-1/bedrock-agent"}
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(agents, inventory.Node{ID: "agent/x", Kind: inventory.KindAgent},
		inventory.Edge{From: "agent/x", To: a, Kind: inventory.EdgeRunsAs}), agents); err != nil {
		t.Fatal(err)
	}
	level("a region of agents completes", inventory.LevelAdmin)

	// Another tenant completing leaves this one's levels alone.
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(otherTenant, it.Identity("role/other", "iam_role")), otherTenant); err != nil {
		t.Fatal(err)
	}
	level("another tenant completes", inventory.LevelAdmin)

	// The target's access goes: the global scope completes with fnRole
	// holding nothing.
	g := (&it.Graph{}).Add(globalScope, it.Identity(a, "iam_role"), it.Identity(fnRole, "iam_role"), it.Access(a, "bucket", inventory.LevelRead))
	if err := it.WriteScan(ctx, s, g, globalScope); err != nil {
		t.Fatal(err)
	}
	level("the target loses its access", inventory.LevelRead)
}

// An agent reaches the effective level of the identity it runs as, not
// only what that identity holds itself.
func TestReachUsesEffectiveLevel(t *testing.T) {
	const agent, role, admin = "agent/x", "role/agent", "role/admin"
	ctx := context.Background()
	s, _ := openStore(t)
	g := (&it.Graph{}).Add(globalScope,
		inventory.Node{ID: agent, Kind: inventory.KindAgent},
		it.Identity(role, "iam_role"), it.Identity(admin, "iam_role"),
		inventory.Edge{From: agent, To: role, Kind: inventory.EdgeRunsAs},
		it.Access(role, "bucket", inventory.LevelWrite), it.Access(admin, "*", inventory.LevelAdmin),
		it.Escalation(role, admin, "sts:AssumeRole", ""))
	if err := it.WriteScan(ctx, s, g); err != nil {
		t.Fatal(err)
	}
	reach, err := s.ReachFrom(ctx, []string{agent}, inventory.ReachEdges, inventory.ReachDepth)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reach[agent] {
		got = append(got, r.To.ID+"="+r.Access)
	}
	if want := []string{role + "=" + inventory.LevelAdmin}; !cmp.Equal(got, want) {
		t.Errorf("reach of %s = %v, want %v", agent, got, want)
	}
}

// An identity that can step into another tenant's role takes that role's
// level when the other tenant completes after its own, and loses it when
// the other tenant's role loses its access.
func TestEffectiveAccessAcrossTenants(t *testing.T) {
	const a, b, c = "arn:aws:iam::111:role/a", "arn:aws:iam::222:role/b", "arn:aws:iam::333:role/c"
	ctx := context.Background()
	s, _ := openStore(t)
	level := func(when, want string) {
		t.Helper()
		got, err := s.EffectiveAccessOf(ctx, []string{a})
		if err != nil {
			t.Fatal(err)
		}
		if got[a].Level != want {
			t.Errorf("%s: level of %s = %q (path %v), want %q", when, a, got[a].Level, got[a].Path, want)
		}
	}
	third := inventory.Scope{Provider: "aws", Tenant: "333", Name: inventory.GlobalScope}
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(globalScope, it.Identity(a, "iam_role"),
		it.Access(a, "bucket", inventory.LevelRead), it.Escalation(a, b, "sts:AssumeRole", ""))); err != nil {
		t.Fatal(err)
	}
	level("its own tenant completes first", inventory.LevelRead)
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(otherTenant, it.Identity(b, "iam_role"),
		it.Access(b, "table", inventory.LevelWrite), it.Escalation(b, c, "sts:AssumeRole", ""))); err != nil {
		t.Fatal(err)
	}
	level("the tenant it steps into completes", inventory.LevelWrite)
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(third, it.Identity(c, "iam_role"), it.Access(c, "*", inventory.LevelAdmin))); err != nil {
		t.Fatal(err)
	}
	level("a tenant two steps away completes", inventory.LevelAdmin)
	if err := it.WriteScan(ctx, s, (&it.Graph{}).Add(third, it.Identity(c, "iam_role"))); err != nil {
		t.Fatal(err)
	}
	level("the tenant two steps away loses its access", inventory.LevelWrite)
}
