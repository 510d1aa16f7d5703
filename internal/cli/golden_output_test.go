package cli_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestDemoOutputGolden keeps what a user reads after the demo, byte for
// byte: the scan summary, inventory list -o json and inventory show -o json
// of one agent. Only what differs from run to run is replaced (see
// normaliseRun).
func TestDemoOutputGolden(t *testing.T) {
	db, summary := demoDB(t)
	t.Run("scan", func(t *testing.T) {
		golden(t, "demo-scan.txt", normaliseRun(summary, db))
	})
	for _, c := range []struct {
		file string
		args []string
	}{
		{"demo-list.json", []string{"inventory", "list", "-o", "json"}},
		{"demo-show-support-agent.json", []string{"inventory", "show", "arn:aws:bedrock:us-east-1:111111111111:agent/KZ4QX7T2MB", "-o", "json"}},
	} {
		t.Run(strings.Join(c.args[:2], "_"), func(t *testing.T) {
			stdout, stderr, code := run(t, append(c.args, "--db", db)...)
			if code != 0 {
				t.Fatalf("aam %s exited %d:\n%s", strings.Join(c.args, " "), code, stderr)
			}
			golden(t, c.file, normaliseRun(stdout, db))
		})
	}
}

// runVaries is what legitimately differs between two runs of the demo, and
// what stands in its place in the golden files.
var runVaries = []struct {
	re   *regexp.Regexp
	with string
}{
	// The scan's elapsed time.
	{regexp.MustCompile(`(?m)^(Scan [0-9]+: [a-z]+ in )[0-9][0-9.hms]*,`), "${1}<elapsed>,"},
	// The lab's port.
	{regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`), "http://127.0.0.1:<port>"},
	// Ages counted back from today.
	{regexp.MustCompile(`"(age_days|days_since_use|secret_age_days)": [0-9]+`), `"$1": <days>`},
	{regexp.MustCompile(`\bage=[0-9]+d\b`), "age=<days>d"},
	// Fingerprints of inline secrets, keyed by the test's own fingerprint key.
	{regexp.MustCompile(`hmac-sha256:[0-9a-f]+`), "hmac-sha256:<fingerprint>"},
}

// normaliseRun replaces in out what varies between runs, and the database's
// temporary path with <db>.
func normaliseRun(out, db string) []byte {
	out = strings.ReplaceAll(out, db, "<db>")
	for _, v := range runVaries {
		out = v.re.ReplaceAllString(out, v.with)
	}
	return []byte(out)
}
