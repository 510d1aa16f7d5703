package junitcheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/junitcheck"
)

// TestSchema shows that aam's JUnit schema tells documents of the common
// format from broken ones: xmllint accepts each valid document and rejects
// each broken one, for the reason the case names.
func TestSchema(t *testing.T) {
	xmllint, _ := junitcheck.Tools(t)
	xsd := junitcheck.Schema(t)
	// suite wraps test cases in a testsuites document.
	suite := func(cases string) string {
		return `<testsuites><testsuite name="s" tests="1">` + cases + `</testsuite></testsuites>`
	}
	tests := []struct {
		name string
		doc  string
		// want is part of xmllint's complaint; empty for a valid document.
		want string
	}{
		{name: "empty testsuites", doc: `<testsuites/>`},
		{name: "lone testsuite", doc: `<testsuite name="s" tests="0"/>`},
		{name: "passing case", doc: suite(`<testcase name="t"/>`)},
		{name: "every element and attribute", doc: `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="all" tests="4" failures="1" errors="1" skipped="1" disabled="0" assertions="7" time="1.5" timestamp="2026-11-26T12:00:00Z">
  <testsuite name="s" tests="4" failures="1" errors="1" skipped="1" disabled="0" assertions="7" time="1.5" timestamp="2026-11-26T12:00:00" hostname="localhost" id="0" package="p" file="s_test.go">
    <properties>
      <property name="os" value="linux"/>
      <property name="empty" value=""/>
    </properties>
    <testcase name="passes" classname="p.S" time="0.25" assertions="3" file="s_test.go" line="12" status="run">
      <properties><property name="owner" value="team"/></properties>
      <system-out>out</system-out>
      <system-err>err</system-err>
    </testcase>
    <testcase name="fails" classname="p.S" time="0"><failure message="1 finding(s)" type="high">line one
line two &amp; &lt;three&gt;</failure></testcase>
    <testcase name="errs"><error message="boom" type="panic"/></testcase>
    <testcase name="skips"><skipped message="not scanned">why</skipped></testcase>
    <system-out>suite out</system-out>
    <system-err></system-err>
  </testsuite>
  <testsuite name="second" tests="0" id="1"/>
</testsuites>`},

		{name: "testcase without name", doc: suite(`<testcase classname="c"/>`), want: "The attribute 'name' is required but missing"},
		{name: "testcase with an empty name", doc: suite(`<testcase name=""/>`), want: "underruns the allowed minimum length"},
		{name: "testsuite without name", doc: `<testsuite tests="0"/>`, want: "The attribute 'name' is required but missing"},
		{name: "testsuite without tests", doc: `<testsuite name="s"/>`, want: "The attribute 'tests' is required but missing"},
		{name: "failure count not a number", doc: `<testsuite name="s" tests="1" failures="one"/>`, want: "'one' is not a valid value"},
		{name: "negative count", doc: `<testsuite name="s" tests="-1"/>`, want: "'-1' is not a valid value"},
		{name: "fractional count", doc: `<testsuites tests="1.5"/>`, want: "'1.5' is not a valid value"},
		{name: "time with a unit", doc: suite(`<testcase name="t" time="3s"/>`), want: "'3s' is not a valid value"},
		{name: "negative time", doc: suite(`<testcase name="t" time="-1"/>`), want: "less than the minimum value allowed"},
		{name: "timestamp not a date", doc: `<testsuite name="s" tests="0" timestamp="yesterday"/>`, want: "'yesterday' is not a valid value"},
		{name: "line zero", doc: suite(`<testcase name="t" line="0"/>`), want: "'0' is not a valid value"},
		{name: "system-out before the cases", doc: suite(`<system-out/><testcase name="t"/>`), want: "This element is not expected"},
		{name: "properties after the cases", doc: suite(`<testcase name="t"/><properties/>`), want: "This element is not expected"},
		{name: "system-err before system-out", doc: suite(`<system-err/><system-out/>`), want: "This element is not expected"},
		{name: "system-out before the failure", doc: suite(`<testcase name="t"><system-out/><failure/></testcase>`), want: "This element is not expected"},
		{name: "two results in a case", doc: suite(`<testcase name="t"><failure/><failure/></testcase>`), want: "This element is not expected"},
		{name: "failure and skipped in a case", doc: suite(`<testcase name="t"><skipped/><failure/></testcase>`), want: "This element is not expected"},
		{name: "unknown element in a case", doc: suite(`<testcase name="t"><flaky/></testcase>`), want: "This element is not expected"},
		{name: "unknown element in a suite", doc: suite(`<testcase name="t"/><summary/>`), want: "This element is not expected"},
		{name: "nested testsuite", doc: suite(`<testsuite name="inner" tests="0"/>`), want: "This element is not expected"},
		{name: "unknown attribute", doc: suite(`<testcase name="t" severity="high"/>`), want: "The attribute 'severity' is not allowed"},
		{name: "element inside a failure", doc: suite(`<testcase name="t"><failure><b>x</b></failure></testcase>`), want: "Element content is not allowed"},
		{name: "property without a value", doc: `<testsuite name="s" tests="0"><properties><property name="k"/></properties></testsuite>`, want: "The attribute 'value' is required but missing"},
		{name: "unknown root", doc: `<testrun/>`, want: "No matching global declaration"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".xml")
			if err := os.WriteFile(file, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := junitcheck.Validate(xmllint, xsd, file)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("case %d: rejected, want it accepted: %v\n%s", i, err, out)
			case tt.want != "" && err == nil:
				t.Errorf("case %d: accepted, want it rejected with %q\n%s", i, tt.want, out)
			case tt.want != "" && !strings.Contains(out, tt.want):
				t.Errorf("case %d: rejected, but xmllint does not say %q:\n%s", i, tt.want, out)
			}
		})
	}
}
