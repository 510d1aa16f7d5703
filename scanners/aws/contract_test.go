package aws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// The contract tests replay provider-written IAM payloads
// (testdata/iam/SOURCES.md) through the real SDK clients into the scanner.

const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`

const noAccessKeys = `<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>false</IsTruncated></ListAccessKeysResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</ListAccessKeysResponse>`

// noServiceCredentials is an empty ListServiceSpecificCredentials answer,
// in the shape of the SDK's response snapshot.
const noServiceCredentials = `<ListServiceSpecificCredentialsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListServiceSpecificCredentialsResult><IsTruncated>false</IsTruncated><ServiceSpecificCredentials/></ListServiceSpecificCredentialsResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</ListServiceSpecificCredentialsResponse>`

const neverUsed = `<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccessKeyLastUsedResult>
    <AccessKeyLastUsed><Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>
    <UserName>Bob</UserName>
  </GetAccessKeyLastUsedResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetAccessKeyLastUsedResponse>`

func readPayload(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "iam", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var policyElement = regexp.MustCompile(`(<(?:PolicyDocument|AssumeRolePolicyDocument|Document)>)([^<]*)(</)`)

// urlEncodeDocuments turns the docs' plain policy documents into what the
// live API sends: RFC 3986 percent-encoded text.
func urlEncodeDocuments(xml string) string {
	return policyElement.ReplaceAllStringFunc(xml, func(m string) string {
		parts := policyElement.FindStringSubmatch(m)
		return parts[1] + strings.ReplaceAll(url.QueryEscape(parts[2]), "+", "%20") + parts[3]
	})
}

// replay answers each call with a recorded payload.
func replay(t *testing.T, details string, detailsStatus int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDCONTRACT/") {
			t.Errorf("%s not signed by the SDK: %q", r.Form.Get("Action"), r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "text/xml")
		switch r.Form.Get("Action") {
		case "GetCallerIdentity":
			fmt.Fprint(w, callerIdentity)
		case "GetAccountAuthorizationDetails":
			w.WriteHeader(detailsStatus)
			fmt.Fprint(w, details)
		case "ListAccessKeys":
			if r.Form.Get("UserName") == "Bob" {
				fmt.Fprint(w, readPayload(t, "ListAccessKeys.xml"))
			} else {
				fmt.Fprint(w, noAccessKeys)
			}
		case "ListServiceSpecificCredentials":
			fmt.Fprint(w, noServiceCredentials)
		case "GetAccessKeyLastUsed":
			if r.Form.Get("AccessKeyId") == "AKIAIOSFODNN7EXAMPLE" {
				fmt.Fprint(w, readPayload(t, "GetAccessKeyLastUsed.xml"))
			} else {
				fmt.Fprint(w, neverUsed)
			}
		default:
			t.Errorf("unexpected call %s", r.Form.Get("Action"))
			http.Error(w, "unexpected", http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// contractScan scans service (IAM, an agent service) of the one account
// served at endpoint.
func contractScan(t *testing.T, endpoint, service string) scanResult {
	t.Helper()
	opts := testOptions(2)
	opts.Targets = []scanners.Target{{Provider: awsscan.ProviderName, Label: "contract", Endpoint: endpoint, Regions: []string{"us-east-1"},
		Credentials: map[string]string{"access_key_id": "AKIDCONTRACT", "secret_access_key": "contract-secret"}}}
	return scan(t, context.Background(), awsscan.Config{Services: []string{service}}, opts)
}

func TestContractGetAccountAuthorizationDetails(t *testing.T) {
	docs := readPayload(t, "GetAccountAuthorizationDetails.xml")
	for name, body := range map[string]string{"as documented": docs, "url-encoded as live": urlEncodeDocuments(docs)} {
		t.Run(name, func(t *testing.T) {
			srv := replay(t, body, http.StatusOK)
			res := contractScan(t, srv.URL, awsscan.ServiceIAM)
			if res.err != nil {
				t.Fatal(res.err)
			}
			if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
				t.Fatalf("scan errors: %+v", errs)
			}
			g := readGraph(t, res.store)
			const acct = "123456789012"
			for _, u := range []string{"Alice", "Bob", "Charlie", "Danielle", "Elaine"} {
				n, ok := g.nodes["arn:aws:iam::"+acct+":user/"+u]
				if !ok || n.Tenant != acct || n.Attrs["type"] != "iam_user" {
					t.Errorf("user %s = %+v", u, n)
				}
			}
			role := "arn:aws:iam::" + acct + ":role/EC2role"
			if n := g.nodes[role]; !n.Created.Equal(time.Date(2014, 7, 30, 17, 9, 20, 0, time.UTC)) {
				t.Errorf("EC2role created %s", n.Created)
			}
			if _, ok := g.edges[edgeKey("aws:service:ec2.amazonaws.com", inventory.EdgeCanAssume, role)]; !ok {
				t.Error("EC2role's trust of ec2.amazonaws.com missing")
			}
			all := "aws:" + acct + ":resource/*"
			for who, want := range map[string]string{
				"user/Alice":   "admin", // group Admins: Allow * on *
				"user/Bob":     "admin", // Admins, and a Deny on aws-portal:* that cannot narrow "*"
				"user/Charlie": "write", // group Dev: PowerUser-style NotAction iam:*
				"user/Elaine":  "admin", // Finance and Admins
				"role/EC2role": "write", // s3:* and dynamodb:*
			} {
				e, ok := g.edges[edgeKey("arn:aws:iam::"+acct+":"+who, inventory.EdgeCanAccess, all)]
				if !ok || e.Attrs["level"] != want {
					t.Errorf("%s access to every resource: %v, want level %s", who, e.Attrs, want)
				}
			}
			bob := "arn:aws:iam::" + acct + ":user/Bob"
			k1 := g.nodes[awsscan.AccessKeyID("AKIAIOSFODNN7EXAMPLE")]
			if k1.Attrs["status"] != "Active" || !k1.LastUsed.Equal(time.Date(2015, 3, 13, 10, 45, 0, 0, time.UTC)) || k1.Attrs["last_used_service"] != "s3" || k1.Attrs["last_used_region"] != "us-west-2" {
				t.Errorf("key AKIAIOSFODNN7EXAMPLE = %+v", k1)
			}
			k2 := g.nodes[awsscan.AccessKeyID("AKIAI44QH8DHBEXAMPLE")]
			if k2.Attrs["status"] != "Inactive" || k2.Attrs["never_used"] != true || !k2.LastUsed.IsZero() {
				t.Errorf("key AKIAI44QH8DHBEXAMPLE = %+v", k2)
			}
			for _, k := range []string{"AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"} {
				if _, ok := g.edges[edgeKey(bob, inventory.EdgeHasCredential, awsscan.AccessKeyID(k))]; !ok {
					t.Errorf("Bob has_credential %s missing", k)
				}
			}
		})
	}
}

func TestContractAccessDenied(t *testing.T) {
	srv := replay(t, readPayload(t, "Error_AccessDenied.xml"), http.StatusForbidden)
	res := contractScan(t, srv.URL, awsscan.ServiceIAM)
	if res.err != nil {
		t.Fatal(res.err)
	}
	errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
	const envelope = "AccessDenied: User: arn:aws:iam::123456789012:user/Bob is not authorized"
	if len(errs) != 3 || errs[0].Tenant != "123456789012" || errs[0].Scope != inventory.GlobalScope || !strings.HasPrefix(errs[0].Message, envelope) {
		t.Fatalf("scan errors = %+v, want the AccessDenied envelope's code and message, then the service credentials' scope's", errs)
	}
	// The service-specific credentials belong to the users GAAD did not
	// return: their scope says so, with the same class and envelope.
	if se := errs[1]; se.Scope != awsscan.ServiceCredentialsScope || se.Class != "denied" || !strings.HasPrefix(se.Message, "the account's users could not be read") || !strings.Contains(se.Message, envelope) {
		t.Errorf("service credentials' error = %+v", se)
	}
	// So do the escalation paths, worked out from the same identities.
	if se := errs[2]; se.Scope != awsscan.EscalationScope || se.Class != "denied" || !strings.HasPrefix(se.Message, "the account's IAM could not be read") || !strings.Contains(se.Message, envelope) {
		t.Errorf("escalation paths' error = %+v", se)
	}
	if scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID); len(scopes) != 0 {
		t.Errorf("completed scopes = %v after AccessDenied", scopes)
	}
}
