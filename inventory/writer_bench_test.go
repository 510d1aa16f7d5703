package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkWriter measures the batched writer: nodes + edges per second, for
// a fresh insert and for a re-scan that upserts the same rows, at 100,000 and
// 1,000,000 nodes with two edges each (so 300,000 and 3,000,000 entities).
// It reports entities/s and the process's peak RSS (VmHWM).
//
//	go test ./inventory -run '^$' -bench Writer -benchtime 1x
func BenchmarkWriter(b *testing.B) {
	for _, nodes := range []int{100_000, 1_000_000} {
		for _, mode := range []string{"fresh", "rescan"} {
			b.Run(fmt.Sprintf("%s/nodes=%d", mode, nodes), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					p := filepath.Join(b.TempDir(), "bench.db")
					s, err := Open(context.Background(), p)
					if err != nil {
						b.Fatal(err)
					}
					if mode == "rescan" {
						writeEstate(b, s, nodes)
					}
					b.StartTimer()
					start := time.Now()
					writeEstate(b, s, nodes)
					elapsed := time.Since(start)
					b.StopTimer()
					b.ReportMetric(float64(3*nodes)/elapsed.Seconds(), "entities/s")
					s.Close()
				}
				if rss := peakRSS(); rss > 0 {
					b.ReportMetric(float64(rss)/(1<<20), "peakRSS-MiB")
				}
			})
		}
	}
}

func writeEstate(b *testing.B, s *Store, nodes int) {
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, ScanInfo{Providers: []string{"aws"}})
	if err != nil {
		b.Fatal(err)
	}
	scope := Scope{Provider: "aws", Tenant: "111111111111", Name: GlobalScope}
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	id := func(i int) string { return "arn:aws:iam::111111111111:role/bench-role-" + strconv.Itoa(i) }
	for i := 0; i < nodes; i++ {
		err := sc.Node(ctx, scope, Node{
			ID: id(i), Kind: KindIdentity, Provider: "aws", Tenant: "111111111111",
			Name: "bench-role-" + strconv.Itoa(i), Created: created,
			Attrs: map[string]any{"path": "/", "type": "role"},
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, to := range []int{(i + 1) % nodes, (i + 7) % nodes} {
			if err := sc.Edge(ctx, scope, Edge{From: id(i), To: id(to), Kind: EdgeCanAssume, Attrs: map[string]any{"actions": []string{"sts:AssumeRole"}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := sc.CompleteScope(ctx, scope); err != nil {
		b.Fatal(err)
	}
	if err := sc.Finish(ctx, ScanOK); err != nil {
		b.Fatal(err)
	}
}

// peakRSS is the process's high-water resident set size in bytes (Linux).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
