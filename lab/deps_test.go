package lab

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportsNoProviderSDK keeps the lab independent of the code it
// checks: no provider SDK, and nothing of the scanners or the inventory.
func TestImportsNoProviderSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/aam-dev/aam/lab").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/aam-dev/aam/lab") {
		t.Fatalf("go list -deps did not list the lab itself: %v", deps)
	}
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d, "github.com/aws/"),
			strings.HasPrefix(d, "github.com/aam-dev/aam/scanners"),
			strings.HasPrefix(d, "github.com/aam-dev/aam/inventory"):
			t.Errorf("the lab depends on %s", d)
		case d != "go.yaml.in/yaml/v3" && d != "github.com/aam-dev/aam/lab":
			t.Errorf("the lab depends on %s: only the standard library and go.yaml.in/yaml/v3 are allowed", d)
		}
	}
}
