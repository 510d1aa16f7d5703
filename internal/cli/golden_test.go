package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files of the demo's outputs under testdata/golden")
	// updateGraph rewrites demo-graph.txt, the graph taken before the lab
	// and scanners moved: what aam finds is meant to stay, so -update
	// leaves it alone.
	updateGraph = flag.Bool("update-graph", false, "rewrite testdata/golden/demo-graph.txt (what the demo finds)")
)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	compareGolden(t, name, got, *update, "-update")
}

// compareGolden compares got with testdata/golden/name, or rewrites it
// when rewrite is set (by the flag named).
func compareGolden(t *testing.T, name string, got []byte, rewrite bool, flagName string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./internal/cli -run %s %s to write it", err, t.Name(), flagName)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/cli -run %s %s rewrites it, then review the diff):\n%s",
			path, t.Name(), flagName, lineDiff(string(want), string(got)))
	}
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	w, g := map[string]int{}, map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		w[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		g[l]++
	}
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if g[l] < w[l] {
			out = append(out, "- "+l)
			g[l]++
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] < g[l] {
			out = append(out, "+ "+l)
			w[l]++
		}
	}
	if len(out) > 60 {
		out = append(out[:60], fmt.Sprintf("... and %d more", len(out)-60))
	}
	return strings.Join(out, "\n")
}

// demoDB runs aam scan --demo into a new database and returns its path and
// what the scan printed.
func demoDB(t *testing.T) (db string, stdout string) {
	t.Helper()
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(t.TempDir(), "fingerprint.key"))
	db = filepath.Join(t.TempDir(), "aam.db")
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"scan", "--demo", "--db", db}, &cli.IOStreams{Out: &out, ErrOut: &errOut})
	if code != 0 {
		t.Fatalf("aam scan --demo exited %d:\n%s%s", code, out.String(), errOut.String())
	}
	return db, out.String()
}

// TestDemoGraphGolden keeps what the demo finds: every current node's id and
// kind and every current edge's endpoints and kind.
func TestDemoGraphGolden(t *testing.T) {
	db, _ := demoDB(t)
	store, err := inventory.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	nodes, err := store.Nodes(ctx, inventory.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, n := range nodes {
		lines = append(lines, fmt.Sprintf("node %s %s", n.Kind, n.ID))
		out, _, err := store.EdgesOf(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out {
			lines = append(lines, fmt.Sprintf("edge %s -%s-> %s", e.From, e.Kind, e.To))
		}
	}
	if len(nodes) < 50 {
		t.Fatalf("the demo found %d nodes: too few for the golden file to mean anything", len(nodes))
	}
	sort.Strings(lines)
	compareGolden(t, "demo-graph.txt", []byte(strings.Join(lines, "\n")+"\n"), *updateGraph, "-update-graph")
}
