// Package junitcheck validates JUnit XML with xmllint against the common
// JUnit schema, windyroad's JUnit.xsd (github.com/windyroad/JUnit-Schema,
// Apache-2.0), for the tests of the reports that write JUnit.
//
// The schema is not kept in this repository (third-party files stay out of
// it): .ci/run fetches it, pinned to a commit, and points AAM_JUNIT_XSD at
// it.
package junitcheck

import (
	"os"
	"os/exec"
	"testing"
)

// Environment variables the tests read.
const (
	// EnvXSD is the path of windyroad's JUnit.xsd.
	EnvXSD = "AAM_JUNIT_XSD"
	// EnvRequire, set to 1, makes a missing xmllint or schema a failure
	// instead of a skip (CI sets it, so that validation never silently
	// stops).
	EnvRequire = "AAM_REQUIRE_XMLLINT"
)

// Tools returns xmllint's path and the schema's; without them it skips the
// test, or fails it when EnvRequire is 1.
func Tools(t testing.TB) (xmllint, xsd string) {
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
	xsd = os.Getenv(EnvXSD)
	if xsd == "" {
		missing("%s is unset: point it at windyroad's JUnit.xsd (github.com/windyroad/JUnit-Schema) to validate the JUnit XML (.ci/run does)", EnvXSD)
	}
	if _, err := os.Stat(xsd); err != nil {
		missing("%s=%s: %v: fetch windyroad's JUnit.xsd there", EnvXSD, xsd, err)
	}
	return xmllint, xsd
}

// Check validates file against the schema and fails the test with
// xmllint's complaints.
func Check(t testing.TB, xmllint, xsd, file string) {
	t.Helper()
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Errorf("%s does not validate against %s: %v\n%s", file, xsd, err, out)
	}
}
