package aws_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// BenchmarkScanGeneratedEstate scans a generated estate of 100 agents (two
// accounts of 50) with 20 ms of latency on every call and 32 calls in
// flight, and reports the wall time, the calls made and the most in flight.
//
//	go test ./scanners/aws -run '^$' -bench ScanGenerated -benchtime 1x -v
func BenchmarkScanGeneratedEstate(b *testing.B) {
	for _, c := range []struct{ accounts, perAccount, concurrency int }{{2, 50, 32}, {2, 50, 8}} {
		b.Run(fmt.Sprintf("agents=%d/concurrency=%d", c.accounts*c.perAccount, c.concurrency), func(b *testing.B) {
			e := lab.Generate(lab.GenerateOptions{Accounts: c.accounts, AgentsPerAccount: c.perAccount, Region: "us-east-1", Seed: 1})
			for i := 0; i < b.N; i++ {
				srv := startLab(b, e, lab.Options{Latency: 20 * time.Millisecond})
				start := time.Now()
				res := scan(b, context.Background(), awsscan.Config{}, labOptions(srv, testOptions(c.concurrency)))
				wall := time.Since(start)
				if res.err != nil {
					b.Fatal(res.err)
				}
				if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
					b.Fatalf("scan errors: %+v", errs)
				}
				agents, _ := res.store.Nodes(context.Background(), inventory.NodeFilter{Kind: inventory.KindAgent})
				if len(agents) != c.accounts*c.perAccount {
					b.Fatalf("found %d agents, want %d", len(agents), c.accounts*c.perAccount)
				}
				st := srv.Stats()
				total := 0
				var ops []string
				for op, n := range st.Calls {
					total += n
					ops = append(ops, fmt.Sprintf("%s=%d", op, n))
				}
				sort.Strings(ops)
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(float64(total), "calls")
				b.ReportMetric(float64(st.MaxInFlight), "max-in-flight")
				b.Logf("%d agents, %d calls in %s, at most %d in flight: %s", len(agents), total, wall.Round(time.Millisecond), st.MaxInFlight, strings.Join(ops, " "))
			}
		})
	}
}
