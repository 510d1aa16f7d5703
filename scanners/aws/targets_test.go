package aws_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// labTarget addresses account a of an estate at endpoint, with its own
// credentials.
func labTarget(a labaws.Account, endpoint string, regions ...string) scanners.Target {
	return scanners.Target{Provider: awsscan.ProviderName, Tenant: a.ID, Label: a.Alias, Endpoint: endpoint, Regions: regions,
		Credentials: map[string]string{"access_key_id": a.AccessKeyID, "secret_access_key": a.SecretAccessKey}}
}

// labTargets addresses every account of the estate at endpoint.
func labTargets(e *lab.Estate, endpoint string, regions ...string) []scanners.Target {
	var ts []scanners.Target
	for _, a := range e.AWS.Accounts {
		ts = append(ts, labTarget(a, endpoint, regions...))
	}
	return ts
}

// cleanScan scans and fails the test on any error or recorded failure; it
// returns the scopes completed.
func cleanScan(t *testing.T, cfg awsscan.Config, opts scanners.Options) (scanResult, []inventory.Scope) {
	t.Helper()
	res := scan(t, context.Background(), cfg, opts)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("scan errors: %+v", errs)
	}
	scopes, err := res.store.CompletedScopes(context.Background(), res.scanID)
	if err != nil {
		t.Fatal(err)
	}
	return res, scopes
}

// tlsLab serves the estate over TLS under the lab's throwaway CA, and
// returns the AWS endpoint and the pool that trusts it.
func tlsLab(t *testing.T, e *lab.Estate) (string, *x509.CertPool) {
	t.Helper()
	l := startLab(t, e, lab.Options{PageSize: 2, TLS: true})
	if !strings.HasPrefix(l.URL("aws"), "https://") {
		t.Fatalf("the lab serves %s, want https", l.URL("aws"))
	}
	return l.URL("aws"), l.RootCAs()
}

// The demo's hand-off over TLS: the lab's CA goes to the loopback-only
// transport, and the scan finds what it finds over plain HTTP.
func TestHandOffOverTLS(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	plain := startLab(t, e, lab.Options{PageSize: 2})
	want := readGraph(t, scan(t, context.Background(), awsscan.Config{}, labOptions(plain, testOptions(4))).store).fingerprint()
	secure := startLab(t, e, lab.Options{PageSize: 2, TLS: true})
	res, scopes := cleanScan(t, awsscan.Config{}, labOptions(secure, testOptions(4)))
	if len(scopes) != len(accountScopes("us-east-1"))*len(e.AWS.Accounts) {
		t.Errorf("completed scopes = %v", scopes)
	}
	if got := readGraph(t, res.store).fingerprint(); got != want {
		t.Error("the scan over TLS found another graph than over plain HTTP")
	}
	if secure.Stats().Total() == 0 {
		t.Error("the TLS lab answered no call")
	}
}

// Targets are scanned instead of aam.yaml's accounts, and neither the
// user's profiles nor the AWS_* variables are read.
func TestTargetsReplaceTheConfiguredAccounts(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	srv := startLab(t, e, lab.Options{PageSize: 2})
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_PROFILE": "nowhere", "AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG1", "AWS_SECRET_ACCESS_KEY": "wrong",
		"AWS_ENDPOINT_URL": "http://192.0.2.1:1", "AWS_REGION": "eu-west-3",
	} {
		t.Setenv(k, v)
	}
	cfg := awsscan.Config{
		Regions:     []string{"us-east-1"},
		EndpointURL: "http://192.0.2.1:2",
		Accounts:    []awsscan.AccountConfig{{Profile: "nowhere"}, {RoleARN: "arn:aws:iam::999999999999:role/elsewhere"}},
	}
	opts := testOptions(4)
	opts.Targets = append(labTargets(e, srv.URL("aws")), scanners.Target{Provider: "gcp", Tenant: "a-project", Endpoint: "http://192.0.2.1:3"})
	res, scopes := cleanScan(t, cfg, opts)
	if len(scopes) != len(accountScopes("us-east-1"))*len(e.AWS.Accounts) {
		t.Errorf("completed scopes = %v, want every scope of each target", scopes)
	}
	checkEstate(t, e, readGraph(t, res.store))
}

func TestTargetsRefused(t *testing.T) {
	const secret = "CANARY-target-secret"
	good := func() scanners.Target {
		return scanners.Target{Provider: "aws", Tenant: "111111111111", Label: "prod", Endpoint: "https://127.0.0.1:4566", Regions: []string{"us-east-1"},
			Credentials: map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": secret}}
	}
	tests := []struct {
		name   string
		change func(*scanners.Target)
		want   string
	}{
		{"no secret", func(t *scanners.Target) { delete(t.Credentials, "secret_access_key") }, `aws target "prod": its credentials lack "secret_access_key"`},
		{"empty key id", func(t *scanners.Target) { t.Credentials["access_key_id"] = "" }, `lacks "access_key_id"`},
		{"no credentials, named by tenant", func(t *scanners.Target) { t.Label, t.Credentials = "", nil }, `aws target "111111111111": its credentials lack "access_key_id"`},
		{"unknown key", func(t *scanners.Target) { t.Credentials["session_tokn"] = "x" }, `unknown credential "session_tokn": aws takes access_key_id and secret_access_key`},
		{"endpoint without scheme", func(t *scanners.Target) { t.Endpoint = "127.0.0.1:4566" }, `endpoint "127.0.0.1:4566" is not an http:// or https:// URL`},
		{"endpoint of another scheme", func(t *scanners.Target) { t.Endpoint = "ftp://lab" }, "is not an http:// or https:// URL"},
		{"bad region", func(t *scanners.Target) { t.Regions = []string{"useast1"} }, `"useast1" is not an AWS region name`},
		{"a user's ARN for a role", func(t *scanners.Target) { t.RoleARN = "arn:aws:iam::222222222222:user/alice" },
			`aws target "prod": role_arn "arn:aws:iam::222222222222:user/alice" is not an IAM role ARN (like arn:aws:iam::123456789012:role/aam-read)`},
		{"a role name for a role", func(t *scanners.Target) { t.RoleARN = "aam-read" }, `role_arn "aam-read" is not an IAM role ARN`},
		{"an external id without a role", func(t *scanners.Target) { t.ExternalID = secret }, `aws target "prod": external_id only used with role_arn: add the role to assume`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := good()
			tt.change(&tg)
			_, err := awsscan.New(awsscan.Config{}, scanners.Options{Targets: []scanners.Target{tg}})
			// "lack" matches "lack" and "lacks" alike.
			want := strings.Replace(tt.want, "lacks", "lack", 1)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("New = %v, want an error saying %s", err, want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error holds the secret: %v", err)
			}
		})
	}
	withRole := good()
	withRole.RoleARN, withRole.ExternalID = "arn:aws:iam::222222222222:role/aam-read", secret
	for _, tg := range []scanners.Target{good(), withRole} {
		if _, err := awsscan.New(awsscan.Config{}, scanners.Options{Targets: []scanners.Target{tg}}); err != nil {
			t.Errorf("a good target was refused: %v", err)
		}
	}
}

// The lab behind TLS with a throwaway CA: trusted through Options.RootCAs
// (Go reads SSL_CERT_FILE once per process), refused without it.
func TestTargetOverTLSTrustsRootCAs(t *testing.T) {
	e := loadEstate(t, "small.yaml")
	endpoint, pool := tlsLab(t, e)
	opts := testOptions(4)
	opts.Transport = nil // the transport the scanner builds itself
	opts.RootCAs = pool
	opts.Targets = labTargets(e, endpoint, "us-east-1")
	res, _ := cleanScan(t, awsscan.Config{}, opts)
	checkEstate(t, e, readGraph(t, res.store))

	opts.RootCAs = nil
	opts.MaxAttempts = 1
	res = scan(t, context.Background(), awsscan.Config{}, opts)
	errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
	if len(errs) != 1 || errs[0].Operation != "sts:GetCallerIdentity" || !strings.Contains(errs[0].Message, "certificate") || !strings.Contains(errs[0].Message, "AWS_CA_BUNDLE") {
		t.Fatalf("scan errors = %+v, want the certificate refused, with a hint", errs)
	}
	if scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID); len(scopes) != 0 {
		t.Errorf("completed scopes %v without a trusted endpoint", scopes)
	}
}

// The scanner holds its targets' credentials (in its options): printing it
// names the accounts, never their secrets.
func TestScannerPrintsNoSecret(t *testing.T) {
	const secret = "CANARY-target-secret"
	tg := scanners.Target{Provider: "aws", Tenant: "111111111111", Label: "prod", Endpoint: "https://127.0.0.1:4566",
		Credentials: map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": secret}}
	s, err := awsscan.New(awsscan.Config{}, scanners.Options{Targets: []scanners.Target{tg}})
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %v", s, s, s, *s)
	if strings.Contains(out, secret) || strings.Contains(out, "AKIAIOSFODNN7EXAMPLE") {
		t.Errorf("the scanner prints its target's credentials: %s", out)
	}
	if !strings.Contains(out, "prod") {
		t.Errorf("the scanner does not name its account: %s", out)
	}
}
