package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/internal/sarifcheck"
)

// TestDemoSARIFMultitool validates the demo's SARIF, as aam posture -o
// sarif writes it, with Microsoft's SARIF Multitool against the schema and
// GitHub's rules.
func TestDemoSARIFMultitool(t *testing.T) {
	tool := sarifcheck.Tool(t)
	db, _ := demoDB(t)
	out := filepath.Join(t.TempDir(), "aam.sarif")
	var stdout, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"posture", "--db", db, "--at", demoPostureAt, "-o", "sarif", "--out", out}, &cli.IOStreams{Out: &stdout, ErrOut: &errOut})
	if code != 0 {
		t.Fatalf("aam posture -o sarif exited %d: %s", code, errOut.String())
	}
	sarifcheck.Check(t, tool, out, map[string]string{
		// A test binary's version is "dev", which is not numeric; a
		// release's is.
		"SARIF2005": "a development build's version, dev, is not numeric",
	})
}

// TestDemoSARIFRuns checks that the demo's SARIF has one run per tenant,
// each with its own category, and a result per finding.
func TestDemoSARIFRuns(t *testing.T) {
	db, _ := demoDB(t)
	run := func(format string) []byte {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), []string{"posture", "--db", db, "--at", demoPostureAt, "-o", format}, &cli.IOStreams{Out: &out, ErrOut: &errOut})
		if code != 0 {
			t.Fatalf("aam posture -o %s exited %d: %s", format, code, errOut.String())
		}
		return out.Bytes()
	}
	var rep struct {
		Findings []struct {
			Provider, Tenant string
		} `json:"findings"`
		Coverage struct {
			Scopes []struct{ Provider, Tenant string }
		} `json:"coverage"`
	}
	if err := json.Unmarshal(run("json"), &rep); err != nil {
		t.Fatal(err)
	}
	perTenant := map[string]int{}
	for _, s := range rep.Coverage.Scopes {
		perTenant["aam/"+s.Provider+"/"+s.Tenant+"/"] += 0
	}
	for _, f := range rep.Findings {
		perTenant["aam/"+f.Provider+"/"+f.Tenant+"/"]++
	}
	var doc struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []json.RawMessage   `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(run("sarif"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != len(perTenant) {
		t.Errorf("%d runs, want one per tenant: %v", len(doc.Runs), perTenant)
	}
	for _, r := range doc.Runs {
		want, ok := perTenant[r.AutomationDetails.ID]
		if !ok || len(r.Results) != want {
			t.Errorf("run %s has %d results, want %d (known tenant: %t)", r.AutomationDetails.ID, len(r.Results), want, ok)
		}
	}
}
