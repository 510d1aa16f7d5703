package lab

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aam-dev/aam/lab/aws"
)

// asVersion2 wraps a version-1 estate (top-level accounts:) into its
// version-2 form: version: 2 and the same text under aws:.
func asVersion2(v1 []byte) []byte {
	var b bytes.Buffer
	b.WriteString("version: 2\naws:\n")
	for _, l := range strings.Split(string(v1), "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString("  ")
		}
		b.WriteString(l + "\n")
	}
	return b.Bytes()
}

func TestVersion1IsTheAWSSection(t *testing.T) {
	for _, f := range []string{"../testdata/estates/small.yaml", "../testdata/estates/two-accounts.yaml", "../testdata/estates/agents-3.yaml"} {
		v1, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e1, err := ParseEstate(v1)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		e2, err := ParseEstate(asVersion2(v1))
		if err != nil {
			t.Fatalf("%s as version 2: %v", f, err)
		}
		if e1.AWS == nil || len(e1.AWS.Accounts) == 0 {
			t.Fatalf("%s: no AWS accounts read", f)
		}
		if !reflect.DeepEqual(e1, e2) {
			t.Errorf("%s: the version-1 and version-2 forms read differently", f)
		}
	}
}

func TestParseEstateVersions(t *testing.T) {
	v1, err := os.ReadFile("../testdata/estates/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := string(asVersion2(v1))
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "# nothing\n", []string{"estate is empty"}},
		{"no version", "aws:\n  accounts: []\n", []string{"no version", "version: 2"}},
		{"version 3", strings.Replace(v2, "version: 2", "version: 3", 1), []string{"version 3 is not supported"}},
		{"explicit version 1", strings.Replace(v2, "version: 2", "version: 1", 1), []string{"version-1 estate has no version key"}},
		{"version not a number", strings.Replace(v2, "version: 2", "version: two", 1), []string{"version must be a number"}},
		{"provider not emulated", v2 + "azure:\n  subscriptions: []\n", []string{"line ", `no provider "azure"`, "aws"}},
		{"no section", "version: 2\n", []string{"no provider section"}},
		{"unknown field in a section", strings.Replace(v2, "  accounts:", "  colour: blue\n  accounts:", 1), []string{"field colour not found", "remove the field"}},
		{"broken YAML", v2 + "aws: [unclosed\n", []string{"line ", "fix the YAML syntax"}},
		{"version given twice", "version: 2\nversion: 2\naws: {}\n", []string{"line 2", "version is given twice (first on line 1)"}},
		{"a section given twice", v2 + "aws:\n  accounts: []\n", []string{"aws is given twice"}},
		{"a list where a mapping goes", "version: 2\naws:\n  accounts:\n    - id: [CANARY-aam-x]\n", []string{"line 4", "cannot unmarshal", "a value of the right kind"}},
		{"invalid aws section", "version: 2\naws:\n  accounts: []\n", []string{"aws section", "no accounts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEstate([]byte(tc.yaml))
			if err == nil {
				t.Fatal("accepted, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "CANARY") {
				t.Errorf("error quotes a secret: %q", err)
			}
		})
	}
}

func TestDemoEstate(t *testing.T) {
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(DemoEstateYAML(), []byte("\nversion: 2\naws:\n")) {
		t.Error("the demo estate is not a version-2 file")
	}
	if got := e.Providers(); !reflect.DeepEqual(got, []string{"aws"}) || e.Tenants() != 2 {
		t.Errorf("demo providers %v, %d tenants: want [aws] and 2", got, e.Tenants())
	}
}

func TestGeneratedEstateYAMLRoundTrips(t *testing.T) {
	e := Generate(GenerateOptions{Accounts: 2, AgentsPerAccount: 6, Seed: 3})
	raw, err := e.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("version: 2\naws:\n")) {
		t.Errorf("a generated estate is not written as version 2: %.40q", raw)
	}
	back, err := ParseEstate(raw)
	if err != nil {
		t.Fatalf("the rendered estate does not parse: %v", err)
	}
	again, err := back.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again) {
		t.Error("rendering the parsed estate gives different YAML")
	}
}

func TestFaultSwitchSpecs(t *testing.T) {
	deny, err := parseDeny([]string{"aws:111111111111", "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"111111111111", "222222222222"}; !reflect.DeepEqual(deny["aws"], want) {
		t.Errorf("deny = %v, want aws: %v (a bare account id means AWS)", deny, want)
	}
	ops, err := parseDenyOps([]string{"aws:lambda:GetFunctionConfiguration"})
	if err != nil || !reflect.DeepEqual(ops["aws"], []string{"lambda:GetFunctionConfiguration"}) {
		t.Errorf("deny-op = %v, %v", ops, err)
	}
	for _, tc := range []struct {
		deny, ops []string
		want      string
	}{
		{deny: []string{"acme-prod"}, want: "name the provider and tenant"},
		{deny: []string{"gcp:my-project"}, want: `no provider "gcp"`},
		{deny: []string{"aws:"}, want: "no tenant"},
		{ops: []string{"aws:GetFunctionConfiguration"}, want: "provider:service:Operation"},
		{ops: []string{"lambda:GetFunctionConfiguration"}, want: "provider:service:Operation"},
		{ops: []string{"gcp:iam:ListServiceAccounts"}, want: `no provider "gcp"`},
	} {
		_, err1 := parseDeny(tc.deny)
		_, err2 := parseDenyOps(tc.ops)
		err := errors.Join(err1, err2)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("deny %v, deny-op %v: error %v, want %q", tc.deny, tc.ops, err, tc.want)
		}
	}
}

func TestStartRefusesUnknownFaultTargets(t *testing.T) {
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Deny: []string{"aws:999999999999"}}, "no such tenant: use one of 111111111111, 222222222222"},
		{Options{DenyOps: []string{"aws:lambda:GetFunctionConfigurationn"}}, "no such operation"},
		{Options{Addr: "192.0.2.1:0"}, "not a loopback address"},
	} {
		l, err := Start(e, tc.opts)
		if err == nil {
			l.Close()
			t.Errorf("%+v: started, want an error", tc.opts)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.want)
		}
	}
	if _, err := Start(&Estate{}, Options{}); err == nil {
		t.Error("an estate without providers started")
	}
}

func TestTargets(t *testing.T) {
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ts := l.Targets()
	if len(ts) != len(e.AWS.Accounts) {
		t.Fatalf("%d targets for %d accounts", len(ts), len(e.AWS.Accounts))
	}
	for i, tg := range ts {
		a := e.AWS.Accounts[i]
		if tg.Provider != "aws" || tg.Tenant != a.ID || tg.Label != a.ProfileName() || tg.Endpoint != l.URL("aws") || !strings.HasPrefix(tg.Endpoint, "http://127.0.0.1:") {
			t.Errorf("target %d = %+v", i, tg)
		}
		if tg.Credentials["access_key_id"] != a.AccessKeyID || tg.Credentials["secret_access_key"] != a.SecretAccessKey {
			t.Errorf("target %d does not carry the account's lab scanner credentials", i)
		}
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				for _, v := range tg.Credentials {
					if v == k.Secret.Reveal() {
						t.Errorf("target %d carries user %s's access key secret", i, u.Name)
					}
				}
			}
		}
		if len(tg.Regions) == 0 {
			t.Errorf("target %d has no regions", i)
		}
		if printed := fmt.Sprintf("%v %+v %#v %v", tg, tg, tg, []Target{tg}); strings.Contains(printed, a.SecretAccessKey) || !strings.Contains(printed, "secret_access_key") {
			t.Errorf("target %d prints as %s: want the credentials' names, never their values", i, printed)
		}
	}
}

// TestTLS serves over https under the lab's CA: a client given RootCAs
// reaches it, one without is refused for the certificate.
func TestTLS(t *testing.T) {
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(e, Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	url := l.URL(aws.Provider)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https on loopback", url)
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: l.RootCAs(), MinVersion: tls.VersionTLS12}}}
	resp, err := trusting.Post(url+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatalf("a client trusting the lab's CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned call answered %d, want 403 (missing authentication)", resp.StatusCode)
	}
	stranger := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	if resp, err := stranger.Get(url + "/"); err == nil {
		resp.Body.Close()
		t.Error("a client without the lab's CA connected")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the lab's CA failed with %v, want a certificate error", err)
	}
	if !bytes.Contains(l.CAPEM(), []byte("BEGIN CERTIFICATE")) || bytes.Contains(l.CAPEM(), []byte("PRIVATE KEY")) {
		t.Error("CAPEM is not a certificate alone")
	}
	if st := l.Stats(); st.Calls["aws/sts:GetCallerIdentity"] != 1 {
		t.Errorf("calls %v: want aws/sts:GetCallerIdentity counted once", st.Calls)
	}
}

// FuzzParseEstate feeds estate files of every version: no input panics, an
// error comes without an estate, and an estate that parses is written back
// as a version-2 file that parses to the same estate.
func FuzzParseEstate(f *testing.F) {
	for _, name := range []string{"small.yaml", "agents-3.yaml"} {
		if b, err := os.ReadFile("../testdata/estates/" + name); err == nil {
			f.Add(b)
			f.Add(asVersion2(b))
		}
	}
	f.Add([]byte("version: 2\n"))
	f.Add([]byte("version: 2\nversion: 3\n"))
	f.Add([]byte("version: two\naws: {}\n"))
	f.Add([]byte("version: 2\nazure: {}\n"))
	f.Add([]byte("d: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEstate(data)
		if err != nil {
			if e != nil {
				t.Fatal("ParseEstate returned an estate and an error")
			}
			if strings.Contains(err.Error(), "CANARY-aam-") && !strings.Contains(string(data), "CANARY-aam-") {
				t.Fatalf("the error invents a secret: %v", err)
			}
			return
		}
		if len(e.Providers()) == 0 {
			t.Fatal("an estate parsed without a provider")
		}
		raw, err := e.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseEstate(raw)
		if err != nil {
			t.Fatalf("the estate written back does not parse: %v", err)
		}
		if back.Tenants() != e.Tenants() {
			t.Fatalf("written back: %d tenants, want %d", back.Tenants(), e.Tenants())
		}
	})
}

func TestInstructions(t *testing.T) {
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(e, Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	text := l.Instructions("/tmp/aam-lab/ca.pem")
	for _, want := range []string{
		"lab serving aws at " + l.URL("aws") + "\n",
		"trusted through /tmp/aam-lab/ca.pem",
		"# aws account 111111111111 (acme-prod)\n",
		"export AWS_ENDPOINT_URL=" + l.URL("aws") + "\n",
		"export AWS_ACCESS_KEY_ID=" + e.AWS.Accounts[1].AccessKeyID + "\n",
		"export AWS_CA_BUNDLE=/tmp/aam-lab/ca.pem\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("instructions lack %q:\n%s", want, text)
		}
	}
	for _, a := range e.AWS.Accounts {
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				if k.Secret != "" && strings.Contains(text, k.Secret.Reveal()) {
					t.Errorf("the instructions hold user %s's access key secret", u.Name)
				}
			}
		}
	}
}
