package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aam-dev/aam/internal/junitcheck"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
)

// manyFindings is a report with n failing findings about n agents, each
// with a long message, and a hint where the full report is; edit, when
// not nil, changes each finding first.
func manyFindings(n int, edit func(*posture.Finding)) *posture.Report {
	ctl := &posture.Control{ID: "AAM-201", Title: "Agent's identity holds admin", Severity: posture.SeverityHigh, Providers: []string{"aws"},
		Remediation: "Narrow the identity's policy to the actions the agent's tools need."}
	var fs []posture.Finding
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("arn:aws:bedrock:us-east-1:111111111111:agent/AGENT%05d", i)
		fs = append(fs, posture.Finding{ControlID: ctl.ID, Fingerprint: posture.Fingerprint(ctl.ID, id, nil), Status: posture.StatusFail,
			Severity: posture.SeverityHigh, SubjectID: id, SubjectKind: "agent", SubjectName: fmt.Sprintf("agent-%05d", i), Provider: "aws", Tenant: tenantA,
			Message: "the agent's role agent-role-" + strconv.Itoa(i) + " holds AdministratorAccess through an inline policy that allows every action (ü)"})
	}
	ev := &posture.Evaluation{ScanID: 3, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Findings: fs, Controls: []*posture.ControlOutcome{{Control: ctl, Failed: n}},
		Coverage: posture.Coverage{Scopes: []posture.ScopeCoverage{{Provider: "aws", Tenant: tenantA, Scope: "global", State: posture.ScopeComplete}}}}
	if edit != nil {
		for i := range fs {
			edit(&fs[i])
		}
	}
	var none *posture.Baseline
	rep := reportOf(ev, none.Apply(fs, ev.Now), "")
	rep.Stored, rep.FullReportHint = true, "the full report is aam-posture.json"
	return rep
}

var leftOutLine = regexp.MustCompile(`\*\*(\d+) findings left out\*\* to fit GitHub's comment limit: the full report is aam-posture\.json\.`)

// TestMarkdownTruncates renders thousands of findings: the document stays
// under the limit in characters, and says how many findings it left out,
// which is exactly how many rows it lacks.
func TestMarkdownTruncates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		limit int
	}{
		{"default limit", 3000, 0},
		{"small limit", 500, 8000},
		{"fits", 20, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (report.Markdown{Limit: tc.limit}).Render(context.Background(), &buf, manyFindings(tc.n, nil)); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			limit := tc.limit
			if limit == 0 {
				limit = report.DefaultMarkdownLimit
			}
			if n := utf8.RuneCountInString(out); n > limit {
				t.Errorf("%d characters, over the limit %d", n, limit)
			}
			if report.DefaultMarkdownLimit >= report.GitHubCommentLimit {
				t.Errorf("the default limit %d leaves no margin under GitHub's %d", report.DefaultMarkdownLimit, report.GitHubCommentLimit)
			}
			rows := strings.Count(out, "| high | AAM-201 ")
			m := leftOutLine.FindStringSubmatch(out)
			if tc.n == 20 {
				if m != nil || rows != 20 {
					t.Errorf("20 findings fit, yet %d rows and left-out line %v", rows, m)
				}
				return
			}
			if m == nil {
				t.Fatalf("no left-out line in a truncated report (%d rows)", rows)
			}
			left, _ := strconv.Atoi(m[1])
			if rows == 0 || rows+left != tc.n {
				t.Errorf("%d rows shown + %d left out, want %d findings", rows, left, tc.n)
			}
			if !strings.Contains(out, "### Coverage") {
				t.Error("the coverage section was cut: it must always be there")
			}
		})
	}
}

// TestMarkdownAgents gives each agent its worst finding: about the agent,
// or naming it among the ids a finding is about.
func TestMarkdownAgents(t *testing.T) {
	mk := func(ctl string, sev posture.Severity, st posture.Status, subject, kind, name string, about ...string) posture.Finding {
		return posture.Finding{ControlID: ctl, Fingerprint: posture.Fingerprint(ctl, subject, about), Status: st, Severity: sev,
			SubjectID: subject, SubjectKind: kind, SubjectName: name, Provider: "aws", Tenant: tenantA, About: about, Message: ctl + " on " + name}
	}
	fs := []posture.Finding{
		mk("AAM-301", posture.SeverityLow, posture.StatusFail, "agent/a", "agent", "alpha"),
		mk("AAM-302", posture.SeverityMedium, posture.StatusUnknown, "agent/b", "agent", "bravo"),
		// A critical finding about a role, naming agent alpha: alpha's worst.
		mk("AAM-303", posture.SeverityCritical, posture.StatusFail, "role/r", "identity", "shared-role", "agent/a"),
	}
	var ctls []*posture.ControlOutcome
	for _, id := range []string{"AAM-301", "AAM-302", "AAM-303"} {
		ctls = append(ctls, &posture.ControlOutcome{Control: &posture.Control{ID: id, Title: "t " + id, Providers: []string{"aws"}}})
	}
	ev := &posture.Evaluation{Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Findings: fs, Controls: ctls}
	var none *posture.Baseline
	var buf bytes.Buffer
	if err := (report.Markdown{}).Render(context.Background(), &buf, reportOf(ev, none.Apply(fs, ev.Now), "")); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"| alpha | aws/111111111111 | critical AAM-303: AAM-303 on shared-role | 2 |",
		"| bravo | aws/111111111111 | not evaluable (medium) AAM-302: AAM-302 on bravo | 1 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("agents lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "| shared-role | aws/") {
		t.Errorf("a role is listed among the agents:\n%s", out)
	}
}

// TestMarkdownEscapes keeps a name from breaking the table or injecting
// HTML into a comment.
func TestMarkdownEscapes(t *testing.T) {
	rep := manyFindings(1, func(f *posture.Finding) { f.SubjectName = "evil|<img src=x>\nname" })
	var buf bytes.Buffer
	if err := (report.Markdown{}).Render(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `evil\|&lt;img src=x&gt; name (agent)`) || strings.Contains(out, "<img") {
		t.Errorf("the name is not escaped:\n%s", out)
	}
}

// TestCSVParses reads the golden fixture's CSV back: a header, then one
// row per finding, active and suppressed, with its mappings.
func TestCSVParses(t *testing.T) {
	fx := newFixture(t, "")
	var buf bytes.Buffer
	if err := (report.CSV{}).Render(context.Background(), &buf, fx.rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(report.CSVHeader, ",") {
		t.Fatalf("header %v, want %v", recs[0], report.CSVHeader)
	}
	want := len(fx.tri.Active) + len(fx.tri.Suppressed)
	if len(recs)-1 != want || want != len(fx.findings) {
		t.Fatalf("%d rows, want one per finding (%d active + suppressed, %d evaluated)", len(recs)-1, want, len(fx.findings))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, rec := range recs[1:] {
		f, ok := fx.findings[rec[col["subject_id"]]]
		if !ok {
			t.Errorf("row about %s, which no finding is about", rec[col["subject_id"]])
			continue
		}
		c := fx.controls[f.ControlID]
		if rec[col["fingerprint"]] != f.Fingerprint || rec[col["control"]] != f.ControlID || rec[col["message"]] != f.Message ||
			rec[col["owasp_nhi"]] != strings.Join(c.Mappings.OWASPNHI, " ") || rec[col["cis_aws"]] != strings.Join(c.Mappings.CISAWS, " ") {
			t.Errorf("row %v does not match finding %+v", rec, f)
		}
	}
	marks := map[string]int{}
	for _, rec := range recs[1:] {
		marks[rec[col["suppression"]]]++
	}
	if marks["suppressed"] != len(fx.tri.Suppressed) || marks["expired"] != len(fx.tri.Expired) {
		t.Errorf("suppression column %v, want %d suppressed and %d expired", marks, len(fx.tri.Suppressed), len(fx.tri.Expired))
	}
}

// TestCSVFormula keeps a name an attacker chose from running as a
// spreadsheet formula.
func TestCSVFormula(t *testing.T) {
	rep := manyFindings(1, func(f *posture.Finding) { f.SubjectName = "=HYPERLINK(\"http://x\")" })
	var buf bytes.Buffer
	if err := (report.CSV{}).Render(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[1][7]; got != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("subject name %q: want it defused with a leading apostrophe", got)
	}
}

// TestJUnitSchema validates the golden JUnit file, and an empty
// inventory's, against aam's JUnit schema and the upstream ones.
func TestJUnitSchema(t *testing.T) {
	xmllint, xsds := junitcheck.Tools(t)
	junitcheck.Check(t, xmllint, xsds, filepath.Join("testdata", "report.junit.xml"))
	var buf bytes.Buffer
	if err := (report.JUnit{}).Render(context.Background(), &buf, emptyReport()); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.xml")
	if err := os.WriteFile(empty, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The empty inventory's cases are skipped. The copies of windyroad's
	// schema that registries ship are its 2011 version, which predates
	// the skipped element (the current one has it): that complaint alone
	// is expected from it; aam's and Jenkins' schemas must accept the
	// document whole.
	const noSkipped = "Element 'skipped': This element is not expected"
	for _, xsd := range xsds {
		out, err := junitcheck.Validate(xmllint, xsd, empty)
		if err == nil {
			continue
		}
		if filepath.Base(xsd) == "JUnit.xsd" && strings.Count(out, "Schemas validity error") == strings.Count(out, noSkipped) && strings.Contains(out, noSkipped) {
			t.Logf("%s predates <skipped>: %s", xsd, strings.TrimSpace(out))
			continue
		}
		t.Errorf("%s does not validate against %s: %v\n%s", empty, xsd, err, out)
	}
}

// TestJUnitCases reads the fixture's JUnit back: a suite per tenant, a
// case per control that applies, a failure where the tenant has a failing
// finding of the control, an error where it has only not-evaluable ones,
// and the suppressed finding nowhere a failure.
func TestJUnitCases(t *testing.T) {
	fx := newFixture(t, "")
	var buf bytes.Buffer
	if err := (report.JUnit{}).Render(context.Background(), &buf, fx.rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Type string `xml:"type,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// Expectations from the fixture's active findings.
	type key struct{ tenant, control string }
	fails, unknowns := map[key]int{}, map[key]int{}
	for _, f := range fx.tri.Active {
		if f.Status == posture.StatusUnknown {
			unknowns[key{f.Tenant, f.ControlID}]++
		} else {
			fails[key{f.Tenant, f.ControlID}]++
		}
	}
	suppressed := fx.tri.Suppressed[0].Finding
	if len(doc.Suites) != 2 {
		t.Fatalf("%d suites, want one per tenant (2)", len(doc.Suites))
	}
	for _, s := range doc.Suites {
		tenant := s.Name[strings.LastIndex(s.Name, "/")+1:]
		if s.Tests != len(s.Cases) || len(s.Cases) != len(fx.controls) {
			t.Errorf("suite %s: tests=%d, %d cases, want %d controls", s.Name, s.Tests, len(s.Cases), len(fx.controls))
		}
		nf, ne := 0, 0
		for _, c := range s.Cases {
			id := strings.Fields(c.Name)[0]
			k := key{tenant, id}
			if (c.Failure != nil) != (fails[k] > 0) {
				t.Errorf("suite %s case %s: failure %v, want one for %d failing findings", s.Name, id, c.Failure != nil, fails[k])
			}
			if fails[k] == 0 && unknowns[k] > 0 && (c.Error == nil || c.Error.Type != "not_evaluable") {
				t.Errorf("suite %s case %s: %d not-evaluable items yet no not_evaluable error", s.Name, id, unknowns[k])
			}
			if c.Failure != nil && strings.Contains(c.Failure.Text, suppressed.Fingerprint) {
				t.Errorf("the suppressed finding %s is a failure", suppressed.Fingerprint)
			}
			if c.Failure != nil {
				nf++
			}
			if c.Error != nil {
				ne++
			}
		}
		if s.Failures != nf || s.Errors != ne {
			t.Errorf("suite %s says %d failures %d errors, its cases %d and %d", s.Name, s.Failures, s.Errors, nf, ne)
		}
	}
}

// TestJUnitEscapes keeps a hostile message from breaking the XML: it reads
// back as written, line breaks included.
func TestJUnitEscapes(t *testing.T) {
	msg := "evil</failure><testcase name=\"x\"/> & \"q\"\nsecond line"
	rep := manyFindings(1, func(f *posture.Finding) { f.Message = msg })
	var buf bytes.Buffer
	if err := (report.JUnit{}).Render(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, buf.String())
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 || doc.Suites[0].Cases[0].Failure == nil ||
		!strings.Contains(doc.Suites[0].Cases[0].Failure.Text, msg) {
		t.Errorf("the message does not read back as written:\n%s", buf.String())
	}
}
