package aws_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// writeCABundle writes a PEM file with one self-signed certificate.
func writeCABundle(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "aam test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// standardChain sets the environment of the standard credential chain, as
// a user runs it, to reach account a at endpoint, with a corporate CA bundle
// that does not sign the endpoint; no file of the user's is read.
func standardChain(t *testing.T, a labaws.Account, endpoint string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_PROFILE": "", "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": a.AccessKeyID, "AWS_SECRET_ACCESS_KEY": a.SecretAccessKey, "AWS_ENDPOINT_URL": endpoint,
		"AWS_CA_BUNDLE": writeCABundle(t),
	} {
		t.Setenv(k, v)
	}
}

// The standard credential chain, as a user runs it: credentials and
// endpoint from the environment, and a corporate CA bundle (AWS_CA_BUNDLE),
// which the SDK can only apply to its own HTTP client.
func TestStandardChainWithCABundle(t *testing.T) {
	e := loadEstate(t, "small.yaml")
	srv := startLab(t, e, lab.Options{PageSize: 2})
	standardChain(t, e.AWS.Accounts[0], srv.URL("aws"))
	opts := testOptions(4)
	opts.Transport = nil // the SDK's own client, as aam scan uses it
	res := scan(t, context.Background(), awsscan.Config{}, opts)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("scan errors: %+v", errs)
	}
	checkEstate(t, e, readGraph(t, res.store))
	// The limiter still bounds the SDK's own client.
	if st := srv.Stats(); st.MaxInFlight > 4 {
		t.Errorf("%d calls in flight with a limit of 4", st.MaxInFlight)
	}
}

// The standard chain's own client trusts Options.RootCAs too, in place of
// an AWS_CA_BUNDLE that does not sign the endpoint.
func TestStandardChainTrustsRootCAs(t *testing.T) {
	e := loadEstate(t, "small.yaml")
	endpoint, pool := tlsLab(t, e)
	a := e.AWS.Accounts[0]
	standardChain(t, a, endpoint)
	opts := testOptions(4)
	opts.Transport = nil
	opts.RootCAs = pool
	_, scopes := cleanScan(t, awsscan.Config{}, opts)
	if len(scopes) != len(accountScopes("us-east-1")) {
		t.Errorf("completed scopes %v, want every scope of %s", scopes, a.ID)
	}
	for _, sc := range scopes {
		if sc.Tenant != a.ID || !slices.Contains(accountScopes("us-east-1"), sc.Name) {
			t.Errorf("completed scope %v is not %s's", sc, a.ID)
		}
	}
}
