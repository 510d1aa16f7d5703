package iampolicy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// generatedIdentities is an estate of roles and users shaped like a large
// account: most roles are service roles scoped to their own resources; a
// few may assume any role, pass roles to Lambda or hold
// AdministratorAccess; a tenth of the roles trust the account root; users
// read, a few are admins or may assume roles.
func generatedIdentities(tb testing.TB, roles, users int) []Identity {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	services := []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "bedrock.amazonaws.com"}
	var ids []Identity
	for i := range roles {
		name := fmt.Sprintf("role-%04d", i)
		var trust string
		switch x := r.IntN(10); {
		case x == 0:
			trust = trustOf(`{"AWS":"arn:aws:iam::` + acct + `:root"}`)
		case x == 1:
			trust = trustOf(`{"AWS":"` + arnOf("user", fmt.Sprintf("user-%04d", r.IntN(users))) + `"}`)
		default:
			trust = trustOf(`{"Service":"` + services[r.IntN(len(services))] + `"}`)
		}
		own := allow([]string{"s3:GetObject", "s3:PutObject"}, fmt.Sprintf("arn:aws:s3:::bucket-%04d/*", i), "")
		var policies []string
		switch x := r.IntN(100); {
		case x < 1:
			policies = []string{adminPolicy}
		case x < 3:
			policies = []string{own, allow([]string{"sts:AssumeRole"}, "*", "")}
		case x < 5:
			policies = []string{own, allow([]string{"iam:PassRole"}, arnOf("role", fmt.Sprintf("role-%04d", r.IntN(roles))), ""),
				allow([]string{"lambda:CreateFunction", "lambda:InvokeFunction"}, "*", "")}
		default:
			policies = []string{own}
		}
		ids = append(ids, ident(tb, "role", name, trust, "", policies...))
	}
	for i := range users {
		var policies []string
		switch x := r.IntN(100); {
		case x < 5:
			policies = []string{adminPolicy}
		case x < 15:
			policies = []string{allow([]string{"sts:AssumeRole"}, "*", "")}
		case x < 17:
			policies = []string{allow([]string{"iam:CreateAccessKey"}, arnOf("user", "*"), "")}
		default:
			policies = []string{allow([]string{"s3:Get*", "s3:List*"}, "*", "")}
		}
		ids = append(ids, ident(tb, "user", fmt.Sprintf("user-%04d", i), "", "", policies...))
	}
	return ids
}

// BenchmarkEscalations works out the can_escalate edges of a generated
// account of 5,000 roles and 1,000 users, writes them with the identities
// to a SQLite inventory in one completed scope, and reports the edges the
// store counts and the time of each phase.
//
//	go test ./scanners/aws/iampolicy -run '^$' -bench Escalations -benchtime 1x -v
func BenchmarkEscalations(b *testing.B) {
	ids := generatedIdentities(b, 5000, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		edges := Escalations(acct, ids)
		compute := time.Since(start)

		b.StopTimer()
		store, err := inventory.Open(ctx, filepath.Join(b.TempDir(), "aam.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start = time.Now()
		written := writeEscalations(b, store, ids, edges)
		write := time.Since(start)
		store.Close()

		methods := map[string]int{}
		for _, e := range edges {
			methods[e.Method]++
		}
		b.ReportMetric(float64(written), "edges")
		b.ReportMetric(compute.Seconds(), "compute-s")
		b.ReportMetric(write.Seconds(), "write-s")
		b.Logf("%d identities: %d edges worked out in %s, %d written in %s: %v", len(ids), len(edges), compute.Round(time.Millisecond),
			written, write.Round(time.Millisecond), methods)
	}
}

// writeEscalations writes the identities and edges in one scan and returns
// the can_escalate edges the store counts once the scope is complete.
func writeEscalations(tb testing.TB, s *inventory.Store, ids []Identity, edges []Escalation) int {
	tb.Helper()
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{Providers: []string{"aws"}})
	if err != nil {
		tb.Fatal(err)
	}
	scope := inventory.Scope{Provider: "aws", Tenant: acct, Name: inventory.GlobalScope}
	for _, id := range ids {
		if err := sc.Node(ctx, scope, inventory.Node{ID: id.ARN, Kind: inventory.KindIdentity, Provider: "aws", Tenant: acct, Name: id.ARN}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, e := range edges {
		attrs := map[string]any{inventory.AttrMethod: e.Method, inventory.AttrPermissions: e.Permissions, inventory.AttrConditional: e.Conditional}
		if err := sc.Edge(ctx, scope, inventory.Edge{From: e.From, To: e.To, Kind: inventory.EdgeCanEscalate, Attrs: attrs}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sc.CompleteScope(ctx, scope); err != nil {
		tb.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanOK); err != nil {
		tb.Fatal(err)
	}
	counts, err := s.EdgeCounts(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range counts {
		if c.Kind == string(inventory.EdgeCanEscalate) {
			return int(c.N)
		}
	}
	return 0
}
