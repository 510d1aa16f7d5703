package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/internal/junitcheck"
	"github.com/aam-dev/aam/report"
)

// demoPosture runs aam posture on the demo in format and returns what it
// wrote to standard output.
func demoPosture(t *testing.T, db, format string, extra ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"posture", "--db", db, "--at", demoPostureAt, "-o", format}, extra...)
	if code := cli.Run(context.Background(), args, &cli.IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("aam posture -o %s exited %d: %s", format, code, errOut.String())
	}
	return out.Bytes()
}

// TestDemoJUnitSchema validates the demo's JUnit, as aam posture -o junit
// writes it, against aam's JUnit schema and the upstream ones.
func TestDemoJUnitSchema(t *testing.T) {
	xmllint, xsds := junitcheck.Tools(t)
	db, _ := demoDB(t)
	out := filepath.Join(t.TempDir(), "posture.xml")
	demoPosture(t, db, "junit", "--out", out)
	junitcheck.Check(t, xmllint, xsds, out)
}

// TestDemoMarkdownAndCSV checks the demo's Markdown and CSV against its
// JSON: a CSV row per finding, and a Markdown table row per finding (or
// counted as left out), under GitHub's limit.
func TestDemoMarkdownAndCSV(t *testing.T) {
	db, _ := demoDB(t)
	var rep struct {
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
		Triage struct {
			Suppressed []json.RawMessage `json:"suppressed"`
		} `json:"triage"`
	}
	if err := json.Unmarshal(demoPosture(t, db, "json"), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("the demo has no findings: the checks below would prove nothing")
	}
	recs, err := csv.NewReader(bytes.NewReader(demoPosture(t, db, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(rep.Findings) + len(rep.Triage.Suppressed); len(recs)-1 != want {
		t.Errorf("CSV has %d rows, want one per finding (%d)", len(recs)-1, want)
	}
	md := string(demoPosture(t, db, "markdown"))
	if n := utf8.RuneCountInString(md); n > report.DefaultMarkdownLimit {
		t.Errorf("Markdown of %d characters, over %d", n, report.DefaultMarkdownLimit)
	}
	start := strings.Index(md, "### Findings")
	end := strings.Index(md, "\n### Coverage")
	if start < 0 || end < start {
		t.Fatalf("no findings or coverage section:\n%s", md)
	}
	section := md[start:end]
	rows := strings.Count(section, "\n| ") - 1 // less the header row
	// A demo grown past a comment's size leaves findings out, and says
	// how many: together they are every finding.
	left := 0
	if m := regexp.MustCompile(`\*\*(\d+) findings left out\*\*`).FindStringSubmatch(section); m != nil {
		left, _ = strconv.Atoi(m[1])
	}
	if rows+left != len(rep.Findings) || rows == 0 {
		t.Errorf("Markdown lists %d findings and leaves out %d, the JSON has %d", rows, left, len(rep.Findings))
	}
}
