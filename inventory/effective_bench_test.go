package inventory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	it "github.com/aam-dev/aam/inventory/inventorytest"
)

// BenchmarkEffectiveAccessRecompute measures what recomputing a tenant's
// effective access adds to a scope's completion, on an estate of 5,000
// roles and 1,000 users where each user can take 5 steps to roles and
// every tenth role one more: scans that each complete one region of the
// tenant, either empty (its completion skips the recomputation: it holds
// no identity, step or access) or holding one step (it recomputes the
// tenant). It reports the time per completion and the users whose level a
// step raises.
//
//	go test ./inventory -run '^$' -bench EffectiveAccessRecompute -benchtime 5x
func BenchmarkEffectiveAccessRecompute(b *testing.B) {
	const roles, users = 5000, 1000
	role := func(i int) string { return fmt.Sprintf("arn:aws:iam::111:role/r%05d", i%roles) }
	user := func(u int) string { return fmt.Sprintf("arn:aws:iam::111:user/u%04d", u) }
	for _, region := range []string{"empty", "with-a-step"} {
		b.Run("region="+region, func(b *testing.B) {
			ctx := context.Background()
			s, _ := openStore(b)
			g := &it.Graph{}
			levels := []string{inventory.LevelRead, inventory.LevelWrite, inventory.LevelAdmin}
			for i := range roles {
				g.Add(globalScope, it.Identity(role(i), "iam_role"), it.Access(role(i), fmt.Sprintf("arn:aws:s3:::b%05d", i), levels[i%3]))
				if i%10 == 0 {
					g.Add(globalScope, it.Escalation(role(i), role(i+1), "sts:AssumeRole", ""))
				}
			}
			for u := range users {
				g.Add(globalScope, it.Identity(user(u), "iam_user"), it.Access(user(u), "arn:aws:s3:::shared", inventory.LevelRead))
				for k := range 5 {
					g.Add(globalScope, it.Escalation(user(u), role(u*5+k), "sts:AssumeRole", ""))
				}
			}
			if err := it.WriteScan(ctx, s, g); err != nil {
				b.Fatal(err)
			}
			inRegion := &it.Graph{}
			if region != "empty" {
				inRegion.Add(regionScope, it.Escalation(role(1), role(2), "lambda:UpdateFunctionCode", ""))
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if err := it.WriteScan(ctx, s, inRegion, regionScope); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/completion")
			b.StopTimer()
			ids := make([]string, users)
			for u := range users {
				ids[u] = user(u)
			}
			eff, err := s.EffectiveAccessOf(ctx, ids)
			if err != nil {
				b.Fatal(err)
			}
			raised := 0
			for _, e := range eff {
				if len(e.Path) > 0 {
					raised++
				}
			}
			b.ReportMetric(float64(raised), "users-raised")
		})
	}
}
