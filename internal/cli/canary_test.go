package cli_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
)

// demoCanaries are the secret values of the demo estate: every account's
// scanner secret, every user access key secret, every AgentCore API key and
// OAuth client secret, and every canary in a Lambda's or runtime's
// environment (which the APIs do return, and the scanner must not keep).
func demoCanaries(t *testing.T) []string {
	t.Helper()
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	envCanaries := 0
	addEnv := func(env map[string]string) {
		for _, v := range env {
			if strings.HasPrefix(v, "CANARY-") {
				secrets = append(secrets, v)
				envCanaries++
			}
		}
	}
	for _, a := range e.AWS.Accounts {
		secrets = append(secrets, a.SecretAccessKey)
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				secrets = append(secrets, k.Secret.Reveal())
			}
		}
		for _, r := range a.Regions {
			for _, l := range r.Lambdas {
				addEnv(l.Environment)
			}
			for _, rt := range r.AgentCore.Runtimes {
				addEnv(rt.Environment)
			}
			for _, p := range r.AgentCore.APIKeyProviders {
				secrets = append(secrets, p.APIKey.Reveal())
			}
			for _, p := range r.AgentCore.OAuth2Providers {
				secrets = append(secrets, p.ClientSecret.Reveal())
			}
		}
	}
	if len(secrets) < 4 || envCanaries < 3 {
		t.Fatalf("the demo estate has %d secrets (%d in environments): too few for this test to mean anything", len(secrets), envCanaries)
	}
	for _, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("canary %q is too short to be found reliably", s)
		}
	}
	return secrets
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Run(context.Background(), args, &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), code
}

// TestDemoCanariesStayOut checks that after aam scan --demo no secret value
// of the estate appears in the database, its WAL, stdout or stderr, nor in
// what the inventory commands print.
func TestDemoCanariesStayOut(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AAM_FINGERPRINT_KEY_FILE", filepath.Join(dir, "fingerprint.key"))
	db := filepath.Join(dir, "aam.db")
	// A reader holds the database open through the scan, so its WAL file
	// is still there to inspect afterwards.
	if _, _, code := run(t, "scan", "--demo", "--db", db); code != 0 {
		t.Fatalf("first scan exit %d", code)
	}
	reader, err := inventory.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.Query(context.Background(), "SELECT count(*) FROM nodes"); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, "scan", "--demo", "--db", db)
	if code != 0 {
		t.Fatalf("scan --demo exit %d: %s", code, stderr)
	}
	outputs := map[string]string{"scan stdout": stdout, "scan stderr": stderr}
	for _, args := range [][]string{
		{"inventory", "list", "-o", "json"},
		{"inventory", "list"},
		{"query", "SELECT * FROM nodes"},
		{"query", "SELECT * FROM edges"},
		{"query", "SELECT * FROM scan_errors"},
	} {
		o, e, code := run(t, append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%v exit %d: %s", args, code, e)
		}
		outputs[strings.Join(args, " ")] = o + e
	}
	// A finished scan checkpoints its WAL into the database file: whatever
	// the WAL held is there now, and whatever it still holds is read too.
	if wal, err := os.ReadFile(db + "-wal"); err == nil {
		outputs["WAL"] = string(wal)
	}
	main, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), "env_var_names") {
		t.Fatal("the database file holds no scanned attributes: the test would prove nothing about it")
	}
	outputs["database"] = string(main)

	// The scan did find the keys, environments and providers whose secrets
	// these are.
	for _, want := range []string{"aws:access-key:AKIA", "env_var_names", "apikeycredentialprovider", "oauth2credentialprovider"} {
		if !strings.Contains(outputs["inventory list -o json"], want) {
			t.Fatalf("no %s in the inventory: the scan found too little for the test to prove anything", want)
		}
	}
	// The fingerprint key lives outside the database, and never in it.
	keyHex, err := os.ReadFile(filepath.Join(dir, "fingerprint.key"))
	if err != nil {
		t.Fatalf("the scan made no fingerprint key file: %v", err)
	}
	rawKey, err := hex.DecodeString(strings.TrimSpace(string(keyHex)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(outputs["database"]+outputs["WAL"], string(rawKey)) || strings.Contains(outputs["database"]+outputs["WAL"], strings.TrimSpace(string(keyHex))) {
		t.Error("the fingerprint key is stored in the database")
	}
	for _, secret := range demoCanaries(t) {
		for where, text := range outputs {
			if strings.Contains(text, secret) {
				t.Errorf("a canary secret appears in the %s", where)
			}
		}
	}
}
