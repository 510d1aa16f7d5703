package posture

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// driftChange is the second scan of the drift benchmark: a day later, 1%
// more units (770 agents and their roles, Lambdas and keys), one user key
// in a hundred rotated, and the mistakes of one ten-unit block in ten fixed.
var driftChange = estateChange{later: 24 * time.Hour, added: benchUnits / 100, rotate: 100, fix: 10}

// BenchmarkDriftMillion times what aam diff reads on the large estate of
// BenchmarkEvaluateMillion after a second scan: the node drift
// (inventory.Store.Drift) and the findings drift (CompareFindings), each
// with its peak Go heap. The two-scan estate is built once into
// $AAM_DRIFT_BENCH_DB when set (and reused): a copy of
// $AAM_POSTURE_BENCH_DB (built first when missing), evaluated and stored,
// then scanned again with driftChange and evaluated and stored again; the
// second scan's write time is logged. Without $AAM_DRIFT_BENCH_DB the
// benchmark does nothing: the estate takes about a minute to build.
//
//	AAM_POSTURE_BENCH_DB=/tmp/posture-1m.db AAM_DRIFT_BENCH_DB=/tmp/drift-1m.db go test ./posture -run '^$' -bench DriftMillion -benchtime 5x
//
// aam diff --db /tmp/drift-1m.db then runs the whole command on it.
func BenchmarkDriftMillion(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("AAM_DRIFT_BENCH_DB")
	if path == "" {
		b.Skip("set AAM_DRIFT_BENCH_DB to a path to build the two-scan estate in (and AAM_POSTURE_BENCH_DB to reuse the one-scan estate)")
	}
	if _, err := os.Stat(path); err != nil {
		if err := writeDriftEstate(b, ctx, path); err != nil {
			b.Fatal(err)
		}
	}
	store, err := inventory.OpenReadOnlyWith(ctx, path, inventory.ReadOptions{MapBytes: MapBytes})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	scans, err := store.CompleteScans(ctx, 2)
	if err != nil || len(scans) < 2 {
		b.Fatalf("%s has %d complete scans (%v): remove it to build it again", path, len(scans), err)
	}
	from, to := scans[1].ID, scans[0].ID
	b.Run("nodes", func(b *testing.B) {
		var d inventory.NodeDrift
		peak := peakHeap(b, func() {
			for range b.N {
				if d, err = store.Drift(ctx, from, to, inventory.DriftKinds); err != nil {
					b.Fatal(err)
				}
			}
		})
		if len(d.New) == 0 || len(d.Gone) == 0 {
			b.Fatalf("no node drift: %d new, %d gone", len(d.New), len(d.Gone))
		}
		b.ReportMetric(float64(len(d.New)), "new")
		b.ReportMetric(float64(len(d.Gone)), "gone")
		b.ReportMetric(peak, "peak-heap-MiB")
	})
	b.Run("findings", func(b *testing.B) {
		var d FindingsDrift
		peak := peakHeap(b, func() {
			for range b.N {
				if d, err = CompareFindings(ctx, store, from, to); err != nil {
					b.Fatal(err)
				}
			}
		})
		if !d.Compared() || len(d.New) == 0 || len(d.Resolved) == 0 {
			b.Fatalf("no findings drift: compared %v, %d new, %d resolved", d.Compared(), len(d.New), len(d.Resolved))
		}
		b.ReportMetric(float64(len(d.New)), "new")
		b.ReportMetric(float64(len(d.Resolved)), "resolved")
		b.ReportMetric(peak, "peak-heap-MiB")
	})
}

// peakHeap runs f between the benchmark's timer start and stop and returns
// the highest Go heap in use meanwhile, in MiB.
func peakHeap(b *testing.B, f func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	f()
	b.StopTimer()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}

// writeDriftEstate builds the drift benchmark's two scans at path, each
// evaluated and its findings stored as aam posture stores them.
func writeDriftEstate(b *testing.B, ctx context.Context, path string) error {
	first := os.Getenv("AAM_POSTURE_BENCH_DB")
	if first == "" {
		first = filepath.Join(b.TempDir(), "aam.db")
	}
	if _, err := os.Stat(first); err != nil {
		if _, err := writeLargeEstate(ctx, first, benchUnits, estateChange{}); err != nil {
			return err
		}
	}
	// A store open for writing and closed again is migrated and leaves no
	// write-ahead log to copy; a migration is not counted in the second
	// scan's time.
	start := time.Now()
	if s, err := inventory.Open(ctx, first); err != nil {
		return err
	} else if err := s.Close(); err != nil {
		return err
	}
	b.Logf("opened (and migrated) %s in %s", first, time.Since(start).Round(time.Millisecond))
	if err := copyFile(first, path); err != nil {
		return err
	}
	if err := evaluateAndSave(ctx, path, testNow); err != nil {
		return err
	}
	start = time.Now()
	rows, err := writeLargeEstate(ctx, path, benchUnits, driftChange)
	if err != nil {
		return err
	}
	b.Logf("wrote the second scan, %d nodes and edges, in %s", rows, time.Since(start).Round(time.Millisecond))
	return evaluateAndSave(ctx, path, testNow.Add(driftChange.later))
}

// evaluateAndSave evaluates the built-in controls on the last scan at path
// and stores the findings.
func evaluateAndSave(ctx context.Context, path string, now time.Time) error {
	cat, err := Builtin()
	if err != nil {
		return err
	}
	ro, err := inventory.OpenReadOnlyWith(ctx, path, inventory.ReadOptions{MapBytes: MapBytes})
	if err != nil {
		return err
	}
	ev, err := Evaluate(ctx, ro, cat, Options{Now: now})
	ro.Close()
	if err != nil {
		return err
	}
	w, err := inventory.Open(ctx, path)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = Save(ctx, w, NewReport(ev, (*Baseline)(nil).Apply(ev.Findings, now), ""))
	return err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
