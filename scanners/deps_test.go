package scanners_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The lab and the scanners are each written from the providers'
// documentation and share no code, so a misreading on one side is caught by
// the other (DESIGN.md section 5). The demo and the tests reach the lab
// through its one hand-off (internal/labscan), which no scanner imports
// either: a scanner sees a lab tenant as any other scanners.Target.
func TestScannersDoNotImportTheLab(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/aam-dev/aam/scanners/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps printed %d packages: too few to be real", len(deps))
	}
	for _, d := range deps {
		if d == "github.com/aam-dev/aam/lab" || strings.HasPrefix(d, "github.com/aam-dev/aam/lab/") || d == "github.com/aam-dev/aam/internal/labscan" {
			t.Errorf("scanners depend on %s", d)
		}
	}
}
