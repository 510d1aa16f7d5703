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
