package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/posture"
	"go.yaml.in/yaml/v3"
)

// demoPostureAt is the time the demo's posture is evaluated at: the demo
// estate's dates are set against it.
const demoPostureAt = "2026-11-26T12:00:00Z"

// demoExpectation is testdata/posture-demo/ID.yaml: what the demo estate
// plants for one control, a case that must be found and one that must not.
type demoExpectation struct {
	// Found are subject ids the control must report (status fail).
	Found []string `yaml:"found"`
	// NotFound are subject ids the control must not report: the correct
	// cases planted next to the mistakes.
	NotFound []string `yaml:"not_found"`
	// Why says what is planted, for the reader.
	Why string `yaml:"why"`
}

// TestDemoPlantsEveryControl checks that the demo estate plants, for every
// built-in control, a case that must be found and one that must not, and
// that aam posture finds exactly what is planted: each planted mistake as a
// finding of its control, nothing on the correct cases.
func TestDemoPlantsEveryControl(t *testing.T) {
	db, _ := demoDB(t)
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"posture", "--db", db, "--at", demoPostureAt, "-o", "json"}, &cli.IOStreams{Out: &out, ErrOut: &errOut})
	if code != 0 {
		t.Fatalf("aam posture exited %d: %s", code, errOut.String())
	}
	var rep struct {
		Findings []posture.Finding `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	found := map[string]map[string]bool{}
	for _, f := range rep.Findings {
		if f.Status != posture.StatusFail {
			t.Errorf("%s: %s is not evaluable on the demo (%s): the demo scan is complete, nothing should be unknown", f.ControlID, f.SubjectID, f.Message)
			continue
		}
		if found[f.ControlID] == nil {
			found[f.ControlID] = map[string]bool{}
		}
		found[f.ControlID][f.SubjectID] = true
	}
	cat, err := posture.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cat.Controls {
		t.Run(c.ID, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "posture-demo", c.ID+".yaml"))
			if err != nil {
				t.Fatalf("no demo expectation for %s: plant a case that must be found and one that must not in lab/estates/demo.yaml, and list them in testdata/posture-demo/%s.yaml (%v)", c.ID, c.ID, err)
			}
			var want demoExpectation
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if len(want.Found) == 0 || len(want.NotFound) == 0 {
				t.Fatalf("the demo must plant at least one case found and one not found for %s (found %d, not_found %d)", c.ID, len(want.Found), len(want.NotFound))
			}
			for _, id := range want.Found {
				if !found[c.ID][id] {
					t.Errorf("planted mistake %s is not reported by %s", id, c.ID)
				}
			}
			for _, id := range want.NotFound {
				if found[c.ID][id] {
					t.Errorf("correct case %s is reported by %s", id, c.ID)
				}
			}
			var extra []string
			listed := map[string]bool{}
			for _, id := range want.Found {
				listed[id] = true
			}
			for id := range found[c.ID] {
				if !listed[id] {
					extra = append(extra, id)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("%s reports subjects the expectation does not list (add them to found if they are planted mistakes):\n  %s", c.ID, strings.Join(extra, "\n  "))
			}
		})
	}
}
