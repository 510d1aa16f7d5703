package lab

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/aam-dev/aam"

// labPackages lists the lab's packages and, for each, its non-standard
// dependencies, as go list -deps sees them.
func labPackages(t *testing.T) map[string][]string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command on PATH: the dependency rules cannot be checked")
	}
	out, err := exec.Command(goCmd, "list", "-f", "{{.ImportPath}}", module+"/lab/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := map[string][]string{}
	for _, p := range strings.Fields(string(out)) {
		// -test: what the package's tests import counts too.
		deps, err := exec.Command(goCmd, "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps -test %s: %v\n%s", p, err, deps)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(deps)), "\n") {
			// "pkg [pkg.test]" is pkg as its tests build it; "pkg.test" the test main.
			d, _, _ := strings.Cut(line, " ")
			d = strings.TrimSuffix(d, ".test")
			if d != "" && !seen[d] {
				seen[d] = true
				pkgs[p] = append(pkgs[p], d)
			}
		}
	}
	return pkgs
}

// provider is the lab provider folder a package is in ("aws" for lab/aws
// and below), or "" for the lab itself and its shared machinery.
func provider(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, module+"/lab/")
	if !ok || strings.HasPrefix(rest, "internal/") {
		return ""
	}
	p, _, _ := strings.Cut(rest, "/")
	return p
}

// TestDependencyRules keeps the lab independent of the code it checks:
// no lab package, nor its tests, imports a provider SDK, the scanners or
// the inventory;
// the shared machinery imports no provider folder; and provider folders do
// not import each other.
func TestDependencyRules(t *testing.T) {
	pkgs := labPackages(t)
	for _, want := range []string{module + "/lab", module + "/lab/aws", module + "/lab/internal/kit"} {
		if _, ok := pkgs[want]; !ok {
			t.Fatalf("go list did not list %s: %v", want, pkgs)
		}
	}
	for pkg, deps := range pkgs {
		for _, d := range deps {
			switch {
			case d == pkg:
			case strings.HasPrefix(d, module+"/scanners"), strings.HasPrefix(d, module+"/inventory"), strings.HasPrefix(d, module+"/internal/"):
				t.Errorf("%s depends on %s: the lab shares no code with the scanners or the inventory", pkg, d)
			case strings.HasPrefix(d, module+"/lab"):
				if pkg == module+"/lab" {
					continue // the lab composes its providers
				}
				if dp := provider(d); dp != "" && dp != provider(pkg) {
					t.Errorf("%s depends on %s: lab provider folders do not import each other (and the shared kit imports none)", pkg, d)
				}
			case d == "go.yaml.in/yaml/v3":
			default:
				t.Errorf("%s depends on %s: only the standard library, go.yaml.in/yaml/v3 and the lab's own packages are allowed (no provider SDK)", pkg, d)
			}
		}
	}
}
