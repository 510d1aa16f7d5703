package cli_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyMainImportsTheCLI: domain packages never import the command
// line; only cmd/aam does (and the CLI's own tests).
func TestOnlyMainImportsTheCLI(t *testing.T) {
	const cli = "github.com/aam-dev/aam/internal/cli"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "github.com/aam-dev/aam/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list listed %d packages: too few to be real", len(lines))
	}
	importers := 0
	for _, line := range lines {
		f := strings.Fields(line)
		pkg := f[0]
		for _, imp := range f[1:] {
			if imp != cli {
				continue
			}
			switch pkg {
			case "github.com/aam-dev/aam/cmd/aam", cli:
				importers++
			default:
				t.Errorf("%s imports the CLI: domain packages never do", pkg)
			}
		}
	}
	if importers == 0 {
		t.Error("not even cmd/aam imports the CLI: the check reads nothing")
	}
}

// TestPostureFlowsOneWay: posture reads the inventory and knows nothing of
// the scanners, the lab, the renderers or the CLI; the renderers know the
// report posture builds and nothing of the store.
func TestPostureFlowsOneWay(t *testing.T) {
	forbidden := map[string][]string{
		"github.com/aam-dev/aam/posture": {"github.com/aam-dev/aam/scanners", "github.com/aam-dev/aam/lab", "github.com/aam-dev/aam/report", "github.com/aam-dev/aam/internal/cli"},
		"github.com/aam-dev/aam/report":  {"github.com/aam-dev/aam/scanners", "github.com/aam-dev/aam/lab", "github.com/aam-dev/aam/internal/cli"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 5 {
			t.Fatalf("%s has %d dependencies: too few for the check to read anything", pkg, len(deps))
		}
		for _, d := range deps {
			for _, b := range bad {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
	// The renderers take a posture.Report: they do not open the store.
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, "github.com/aam-dev/aam/report").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "github.com/aam-dev/aam/posture") {
		t.Fatalf("report does not import posture: the check reads nothing (%s)", out)
	}
	if strings.Contains(string(out), "github.com/aam-dev/aam/inventory") {
		t.Error("report imports the inventory: a renderer takes the report posture builds")
	}
}
