package cli_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aam-dev/aam/internal/cli"
	"go.yaml.in/yaml/v3"
)

// readmeBlock is the first ```yaml block after the heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %q section", heading)
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n")
	if start < 0 {
		t.Fatalf("no yaml block after %q", heading)
	}
	s = s[start+len("```yaml\n"):]
	end := strings.Index(s, "\n```")
	if end < 0 {
		t.Fatalf("unterminated yaml block after %q", heading)
	}
	return s[:end+1]
}

// TestCIRecipes parses the README's GitHub Actions workflow and GitLab CI
// job and runs their aam commands on the demo: the scan becomes the demo
// scan, the files go to a temporary folder; everything else is run as
// written, and each output is checked for what CI reads from it.
func TestCIRecipes(t *testing.T) {
	var gh struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
		Permissions map[string]string `yaml:"permissions"`
	}
	if err := yaml.Unmarshal([]byte(readmeBlock(t, "### GitHub Actions")), &gh); err != nil {
		t.Fatalf("the GitHub Actions workflow is not YAML: %v", err)
	}
	if len(gh.On) == 0 || len(gh.Jobs) != 1 || gh.Permissions["security-events"] != "write" {
		t.Fatalf("workflow: on %v, %d jobs, permissions %v", gh.On, len(gh.Jobs), gh.Permissions)
	}
	var ghCommands []string
	uses := map[string]bool{}
	for _, job := range gh.Jobs {
		for i, st := range job.Steps {
			run, hasRun := st["run"].(string)
			use, hasUses := st["uses"].(string)
			if hasRun == hasUses {
				t.Errorf("step %d has both or neither of run and uses: %v", i, st)
			}
			if hasUses {
				uses[strings.SplitN(use, "@", 2)[0]] = true
			}
			ghCommands = append(ghCommands, run)
		}
	}
	if !uses["github/codeql-action/upload-sarif"] {
		t.Error("the workflow does not upload the SARIF")
	}
	var gl map[string]struct {
		Script    []string `yaml:"script"`
		Artifacts struct {
			When    string            `yaml:"when"`
			Reports map[string]string `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := yaml.Unmarshal([]byte(readmeBlock(t, "### GitLab CI")), &gl); err != nil {
		t.Fatalf("the GitLab CI job is not YAML: %v", err)
	}
	job, ok := gl["aam-posture"]
	if !ok || job.Artifacts.Reports["junit"] == "" || job.Artifacts.When != "always" {
		t.Fatalf("GitLab job: %+v", gl)
	}

	db, _ := demoDB(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aam.yaml")
	if err := os.WriteFile(cfg, []byte("version: 1\nposture:\n  stale_after_days: 7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A baseline accepting today's findings, as the README says to start one.
	run(t, "posture", "--db", db, "--write-baseline", filepath.Join(dir, "aam-baseline.yaml"))
	ran := 0
	for _, recipe := range [][]string{ghCommands, job.Script} {
		for _, c := range recipe {
			f := strings.Fields(c)
			if len(f) == 0 || f[0] != "aam" {
				continue
			}
			args := f[1:]
			if args[0] == "scan" {
				continue // the demo's database stands for the scan
			}
			for i := range args {
				switch {
				case args[i] == "aam.db":
					args[i] = db
				case i > 0 && (args[i-1] == "--out" || args[i-1] == "--config" || args[i-1] == "--baseline"):
					args[i] = filepath.Join(dir, args[i])
				}
			}
			var out, errOut bytes.Buffer
			code := cli.Run(context.Background(), args, &cli.IOStreams{Out: &out, ErrOut: &errOut})
			if code != 0 {
				t.Errorf("%s: exit %d: %s", c, code, errOut.String())
			}
			ran++
		}
	}
	if ran < 5 {
		t.Fatalf("ran %d aam commands of the recipes: too few", ran)
	}
	md, err := os.ReadFile(filepath.Join(dir, "aam.md"))
	// The baseline accepts every judged finding: the summary counts them
	// as suppressed.
	if err != nil || utf8.RuneCount(md) == 0 || utf8.RuneCount(md) > 65536 || !regexp.MustCompile(`\| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \| [1-9]\d* \| \d+ \|`).Match(md) {
		t.Errorf("the job summary: %d characters, %v", utf8.RuneCount(md), err)
	}
	junit, err := os.ReadFile(filepath.Join(dir, "aam-junit.xml"))
	if err != nil || xml.Unmarshal(junit, new(struct{})) != nil || !bytes.Contains(junit, []byte("<testcase")) {
		t.Errorf("the JUnit report: %v", err)
	}
	sarif, err := os.ReadFile(filepath.Join(dir, "aam.sarif"))
	if err != nil || !bytes.Contains(sarif, []byte(`"version": "2.1.0"`)) {
		t.Errorf("the SARIF: %v", err)
	}
}
