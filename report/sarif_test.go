package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/sarifcheck"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
)

// sarifDoc is the part of a SARIF log the assertions read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				Version         string `json:"version"`
				SemanticVersion string `json:"semanticVersion"`
				InformationURI  string `json:"informationUri"`
				Rules           []struct {
					ID               string                          `json:"id"`
					Name             string                          `json:"name"`
					ShortDescription struct{ Text string }           `json:"shortDescription"`
					FullDescription  struct{ Text string }           `json:"fullDescription"`
					Help             struct{ Text, Markdown string } `json:"help"`
					Default          struct{ Level string }          `json:"defaultConfiguration"`
					Properties       struct {
						SecuritySeverity string   `json:"security-severity"`
						Tags             []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		OriginalURIBaseIDs map[string]json.RawMessage `json:"originalUriBaseIds"`
		Invocations        []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			Notifications       []struct {
				Level   string                `json:"level"`
				Message struct{ Text string } `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string                `json:"ruleId"`
			RuleIndex int                   `json:"ruleIndex"`
			Kind      string                `json:"kind"`
			Level     string                `json:"level"`
			Message   struct{ Text string } `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name               string `json:"name"`
					FullyQualifiedName string `json:"fullyQualifiedName"`
					Kind               string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Suppressions        []struct {
				Kind, Status, Justification string
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

func renderSARIF(t *testing.T, s report.SARIF, rep *posture.Report) ([]byte, sarifDoc) {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Render(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("the SARIF is not JSON: %v", err)
	}
	return buf.Bytes(), doc
}

// TestSARIFForGitHub checks, one by one, what GitHub code scanning needs
// of the SARIF, on the fixture's findings.
func TestSARIFForGitHub(t *testing.T) {
	fx := newFixture(t, "deploy/aam.yaml")
	_, doc := renderSARIF(t, report.SARIF{}, fx.rep)
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif-2.1.0") {
		t.Errorf("version %q, $schema %q: want SARIF 2.1.0", doc.Version, doc.Schema)
	}

	t.Run("one run per tenant with its own category", func(t *testing.T) {
		want := []string{"aam/aws/" + tenantA + "/", "aam/aws/" + tenantB + "/"}
		if len(doc.Runs) != len(want) {
			t.Fatalf("%d runs, want %d (one per tenant)", len(doc.Runs), len(want))
		}
		for i, run := range doc.Runs {
			if run.AutomationDetails.ID != want[i] {
				t.Errorf("run %d automationDetails.id = %q, want %q", i, run.AutomationDetails.ID, want[i])
			}
			tenant := strings.Split(want[i], "/")[2]
			for _, res := range run.Results {
				fqn := res.Locations[0].LogicalLocations[0].FullyQualifiedName
				if fx.findings[fqn].Tenant != tenant {
					t.Errorf("run of %s holds a result about %s of tenant %q", tenant, fqn, fx.findings[fqn].Tenant)
				}
			}
		}
		// Every finding, active or suppressed, is a result in its
		// tenant's run.
		var n int
		for _, run := range doc.Runs {
			n += len(run.Results)
		}
		if want := len(fx.tri.Active) + len(fx.tri.Suppressed); n != want {
			t.Errorf("%d results, want %d (the active findings and the suppressed ones)", n, want)
		}
	})

	t.Run("tool driver", func(t *testing.T) {
		d := doc.Runs[0].Tool.Driver
		if d.Name != "aam" || d.Version != "1.4.0" || d.SemanticVersion != "1.4.0" || !strings.HasPrefix(d.InformationURI, "https://") {
			t.Errorf("driver name %q version %q semanticVersion %q informationUri %q", d.Name, d.Version, d.SemanticVersion, d.InformationURI)
		}
	})

	for _, run := range doc.Runs {
		rules := run.Tool.Driver.Rules
		t.Run(run.AutomationDetails.ID+" rules", func(t *testing.T) {
			if len(rules) != len(fx.controls) {
				t.Errorf("%d rules, want one per control (%d)", len(rules), len(fx.controls))
			}
			ranges := map[posture.Severity][2]float64{
				posture.SeverityCritical: {9.0, 10.0}, posture.SeverityHigh: {7.0, 8.9},
				posture.SeverityMedium: {4.0, 6.9}, posture.SeverityLow: {0.1, 3.9},
			}
			for _, r := range rules {
				c := fx.controls[r.ID]
				if c == nil {
					t.Errorf("rule %s is no control of the report", r.ID)
					continue
				}
				if r.Name == "" || r.ShortDescription.Text == "" || r.FullDescription.Text != c.Rationale {
					t.Errorf("%s: name %q, shortDescription %q, fullDescription %q: want a name, the title and the rationale", r.ID, r.Name, r.ShortDescription.Text, r.FullDescription.Text)
				}
				if !strings.Contains(r.Help.Text, c.Rationale) || !strings.Contains(r.Help.Text, c.Remediation) || !strings.Contains(r.Help.Markdown, c.Remediation) {
					t.Errorf("%s: help %q / markdown %q lack the rationale or the remediation", r.ID, r.Help.Text, r.Help.Markdown)
				}
				v, err := strconv.ParseFloat(r.Properties.SecuritySeverity, 64)
				rg := ranges[c.Severity]
				if err != nil || v < rg[0] || v > rg[1] {
					t.Errorf("%s (%s): security-severity %q, want a number in %v", r.ID, c.Severity, r.Properties.SecuritySeverity, rg)
				}
				tags := strings.Join(r.Properties.Tags, " ")
				if len(r.Properties.Tags) == 0 || r.Properties.Tags[0] != "security" {
					t.Errorf("%s: tags %v, want security first", r.ID, r.Properties.Tags)
				}
				for _, m := range c.Mappings.OWASPNHI {
					if !strings.Contains(tags, "owasp-nhi:"+m) {
						t.Errorf("%s: tags %v lack owasp-nhi:%s", r.ID, r.Properties.Tags, m)
					}
				}
				for _, m := range c.Mappings.OWASPAgentic {
					if !strings.Contains(tags, "owasp-agentic:"+m) {
						t.Errorf("%s: tags %v lack owasp-agentic:%s", r.ID, r.Properties.Tags, m)
					}
				}
				for _, m := range c.Mappings.CISAWS {
					if !strings.Contains(tags, "cis-aws-"+posture.CISAWSVersion+":"+m) {
						t.Errorf("%s: tags %v lack cis-aws-%s:%s", r.ID, r.Properties.Tags, posture.CISAWSVersion, m)
					}
				}
			}
		})

		t.Run(run.AutomationDetails.ID+" results", func(t *testing.T) {
			if _, ok := run.OriginalURIBaseIDs["%SRCROOT%"]; !ok {
				t.Errorf("originalUriBaseIds %v lack %%SRCROOT%%", run.OriginalURIBaseIDs)
			}
			seen := map[string]bool{}
			for _, res := range run.Results {
				if len(res.Locations) != 1 || len(res.Locations[0].LogicalLocations) != 1 {
					t.Fatalf("%s: want one location with one logical location, got %+v", res.RuleID, res.Locations)
				}
				loc := res.Locations[0]
				al := loc.PhysicalLocation.ArtifactLocation
				u, err := url.Parse(al.URI)
				if err != nil || u.IsAbs() || strings.HasPrefix(al.URI, "/") || al.URI != "deploy/aam.yaml" || al.URIBaseID != "%SRCROOT%" {
					t.Errorf("%s: artifactLocation %+v, want the relative config path deploy/aam.yaml under %%SRCROOT%%", res.RuleID, al)
				}
				if loc.PhysicalLocation.Region.StartLine < 1 {
					t.Errorf("%s: region.startLine %d, want ≥ 1", res.RuleID, loc.PhysicalLocation.Region.StartLine)
				}
				ll := loc.LogicalLocations[0]
				f, ok := fx.findings[ll.FullyQualifiedName]
				if !ok {
					t.Errorf("%s: logical location %q is no finding's subject", res.RuleID, ll.FullyQualifiedName)
					continue
				}
				if ll.Name != f.SubjectName || ll.Kind != f.SubjectKind {
					t.Errorf("%s: logical location name %q kind %q, want %q %q", res.RuleID, ll.Name, ll.Kind, f.SubjectName, f.SubjectKind)
				}
				if !strings.Contains(res.Message.Text, f.SubjectID) || !strings.Contains(res.Message.Text, f.Message) {
					t.Errorf("%s: message %q lacks the subject id or the finding's message", res.RuleID, res.Message.Text)
				}
				if res.PartialFingerprints[report.SARIFFingerprintKey] != f.Fingerprint {
					t.Errorf("%s: partialFingerprints %v, want %s = %s", res.RuleID, res.PartialFingerprints, report.SARIFFingerprintKey, f.Fingerprint)
				}
				if seen[f.Fingerprint] {
					t.Errorf("fingerprint %s twice in one run", f.Fingerprint)
				}
				seen[f.Fingerprint] = true
				if rules[res.RuleIndex].ID != res.RuleID {
					t.Errorf("%s: ruleIndex %d names rule %s", res.RuleID, res.RuleIndex, rules[res.RuleIndex].ID)
				}
				switch {
				case f.Status == posture.StatusUnknown:
					if res.Kind != "review" || res.Level != "none" {
						t.Errorf("not evaluable %s: kind %q level %q, want review / none", f.SubjectID, res.Kind, res.Level)
					}
				case res.Kind != "fail" || res.Level == "none":
					t.Errorf("failing %s: kind %q level %q, want fail with a level", f.SubjectID, res.Kind, res.Level)
				}
				suppressed := false
				for _, s := range fx.tri.Suppressed {
					suppressed = suppressed || s.Finding.Fingerprint == f.Fingerprint
				}
				if suppressed != (len(res.Suppressions) == 1 && res.Suppressions[0].Status == "accepted" && res.Suppressions[0].Justification != "") {
					t.Errorf("%s: suppressions %+v, want one accepted with a justification only when the baseline suppresses it (%t)", f.SubjectID, res.Suppressions, suppressed)
				}
			}
		})
	}

	t.Run("a failed scope is a notification of its tenant's run", func(t *testing.T) {
		has := func(i int) bool {
			for _, n := range doc.Runs[i].Invocations[0].Notifications {
				if n.Level == "error" && strings.Contains(n.Message.Text, "us-west-2/bedrock-agent failed") && strings.Contains(n.Message.Text, "ListAgents") {
					return true
				}
			}
			return false
		}
		if has(0) || !has(1) {
			t.Errorf("failed scope of %s: in run 0 %t, in run 1 %t; want only in run 1", tenantB, has(0), has(1))
		}
	})
}

// TestSARIFPlaceholderAndLimits checks the placeholder file without a
// config path, the version of a development build, and the cuts to
// GitHub's limits, each said in a notification.
func TestSARIFPlaceholderAndLimits(t *testing.T) {
	fx := newFixture(t, "")
	fx.rep.Version = "dev"
	_, doc := renderSARIF(t, report.SARIF{MaxRuns: 1, MaxResults: 1}, fx.rep)
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs with MaxRuns 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	if d := run.Tool.Driver; d.Version != "dev" || d.SemanticVersion != "" {
		t.Errorf("dev build: version %q semanticVersion %q, want dev and none", d.Version, d.SemanticVersion)
	}
	if len(run.Results) != 1 {
		t.Fatalf("%d results with MaxResults 1", len(run.Results))
	}
	if uri := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != report.SARIFPlaceholderURI {
		t.Errorf("uri %q without a config path, want the placeholder %s", uri, report.SARIFPlaceholderURI)
	}
	// The most severe is kept.
	if run.Results[0].RuleID != "AAM-101" {
		t.Errorf("kept %s, want the critical AAM-101", run.Results[0].RuleID)
	}
	var results, runs bool
	for _, n := range run.Invocations[0].Notifications {
		results = results || strings.Contains(n.Message.Text, "1 of the 2 results")
		runs = runs || strings.Contains(n.Message.Text, "left out: aws/"+tenantB)
	}
	if !results || !runs {
		t.Errorf("notifications %+v: want the results cut (%t) and the tenant left out (%t) said", run.Invocations[0].Notifications, results, runs)
	}
}

// TestSARIFMultitool validates the golden SARIF with Microsoft's SARIF
// Multitool, against the schema and GitHub's rules; and checks first that
// the harness sees a broken file, so that a silent tool cannot pass.
func TestSARIFMultitool(t *testing.T) {
	tool := sarifcheck.Tool(t)
	broken := filepath.Join(t.TempDir(), "broken.sarif")
	if err := os.WriteFile(broken, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"A","message":{"text":"m."},"unknownProperty":1}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := sarifcheck.Validate(t.Context(), tool, broken)
	if err != nil {
		t.Fatal(err)
	}
	var schema, github bool
	for _, p := range problems {
		schema = schema || (p.Level == "error" && strings.HasPrefix(p.RuleID, "JSON"))
		github = github || p.GitHub()
	}
	if !schema || !github {
		t.Fatalf("the multitool on a broken file: schema error %t, GitHub rule %t, want both: %v", schema, github, problems)
	}
	sarifcheck.Check(t, tool, filepath.Join("testdata", "report.sarif"), nil)
	empty, _ := renderSARIF(t, report.SARIF{}, emptyReport())
	file := filepath.Join(t.TempDir(), "empty.sarif")
	if err := os.WriteFile(file, empty, 0o644); err != nil {
		t.Fatal(err)
	}
	sarifcheck.Check(t, tool, file, nil)
}

// TestSARIFFileURI checks the file every result points at: relative to
// the repository root, escaped, or the placeholder.
func TestSARIFFileURI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "aam.yaml"},
		{"aam.yaml", "aam.yaml"},
		{"deploy/aam.yaml", "deploy/aam.yaml"},
		{"./deploy/../aam.yaml", "aam.yaml"},
		{"my config/aam prod.yaml", "my%20config/aam%20prod.yaml"},
		{`deploy\aam.yaml`, "deploy/aam.yaml"},
		{"../elsewhere/aam.yaml", report.SARIFPlaceholderURI},
		{"/etc/aam/aam.yaml", report.SARIFPlaceholderURI},
		{"C:/aam/aam.yaml", report.SARIFPlaceholderURI},
		{".", report.SARIFPlaceholderURI},
	} {
		if got := report.SARIFFileURI(tc.in); got != tc.want {
			t.Errorf("SARIFFileURI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
