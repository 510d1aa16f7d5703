package aws

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
	"go.yaml.in/yaml/v3"
)

// signedAt is the clock of the test signer.
var signedAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// signV4 signs r (whose body is body) the way the AWS SDK for Go does for a
// query-protocol call: host, content-length, content-type and x-amz-date
// signed, region us-east-1.
func signV4(r *http.Request, body, akid, secret, service string) {
	signWith(r, body, credentials{akid: akid, secret: secret}, service, "us-east-1")
}

// credentials sign requests: an account's scanner key, or session
// credentials (with a token) AssumeRole issued.
type credentials struct {
	akid, secret, token string
}

func scannerCredentials(a Account) credentials {
	return credentials{akid: a.AccessKeyID, secret: a.SecretAccessKey}
}

// signWith signs r for service in region: host and x-amz-date, the
// content headers when there is a body, and the session token when there
// is one.
func signWith(r *http.Request, body string, cred credentials, service, region string) {
	amzDate := signedAt.Format(amzDateFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	signed := []string{"host", "x-amz-date"}
	if body != "" || r.Method == http.MethodPost {
		signed = []string{"content-length", "content-type", "host", "x-amz-date"}
	}
	if cred.token != "" {
		r.Header.Set(securityTokenHeader, cred.token)
		signed = append(signed, "x-amz-security-token")
	}
	h := sigV4Header{
		accessKeyID:   cred.akid,
		date:          amzDate[:8],
		region:        region,
		service:       service,
		signedHeaders: signed,
	}
	canonical := canonicalRequest(r, h.signedHeaders, sha256Hex([]byte(body)))
	sig := sigV4Signature(cred.secret, h, amzDate, canonical)
	r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		sigV4Algorithm, cred.akid, h.scope(), strings.Join(h.signedHeaders, ";"), sig))
}

// restClient calls a Server's rest-json services in process.
type restClient struct {
	t      testing.TB
	srv    http.Handler
	cred   credentials
	region string
}

func newRESTClient(t testing.TB, srv http.Handler, a Account, region string) restClient {
	return restClient{t: t, srv: srv, cred: scannerCredentials(a), region: region}
}

// request builds a signed rest-json request; path is the escaped path and
// query.
func (c restClient) request(service, method, pathAndQuery, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://127.0.0.1:4566"+pathAndQuery, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	signWith(r, body, c.cred, service, c.region)
	return r
}

func (c restClient) do(service, method, pathAndQuery, body string) *httptest.ResponseRecorder {
	c.t.Helper()
	w := httptest.NewRecorder()
	c.srv.ServeHTTP(w, c.request(service, method, pathAndQuery, body))
	return w
}

// call sends a request and decodes a 200 answer into out.
func (c restClient) call(service, method, pathAndQuery, body string, out any) {
	c.t.Helper()
	w := c.do(service, method, pathAndQuery, body)
	if w.Code != http.StatusOK {
		c.t.Fatalf("%s %s: status %d, body %s", method, pathAndQuery, w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		c.t.Errorf("%s %s: Content-Type %q", method, pathAndQuery, ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
		c.t.Fatalf("%s %s: decode: %v\n%s", method, pathAndQuery, err, w.Body)
	}
}

// restError is a rest-json error as the AWS SDKs read it: the code from
// X-Amzn-ErrorType, the message from the body's message (or Message).
type restError struct {
	status  int
	code    string
	message string
}

func decodeRESTError(t testing.TB, w *httptest.ResponseRecorder) restError {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, w.Body)
	}
	msg, _ := body["message"].(string)
	if msg == "" {
		msg, _ = body["Message"].(string)
	}
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Error("error without x-amzn-RequestId")
	}
	return restError{status: w.Code, code: w.Header().Get("X-Amzn-ErrorType"), message: msg}
}

// newQuery builds a signed query-protocol request.
func newQuery(akid, secret, service string, form url.Values) *http.Request {
	return newSignedQuery(credentials{akid: akid, secret: secret}, service, form)
}

// newSignedQuery builds a query-protocol request signed with cred.
func newSignedQuery(cred credentials, service string, form url.Values) *http.Request {
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	signWith(r, body, cred, service, "us-east-1")
	return r
}

// iamForm is an IAM form: Action, Version and name/value pairs.
func iamForm(action string, kv ...string) url.Values {
	f := url.Values{"Action": {action}, "Version": {iamVersion}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// client calls a Server in process as one account's scanner.
type client struct {
	t       *testing.T
	srv     http.Handler
	account Account
}

func (c client) do(form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	service := iamService
	if form.Get("Version") == stsVersion {
		service = stsService
	}
	w := httptest.NewRecorder()
	c.srv.ServeHTTP(w, newQuery(c.account.AccessKeyID, c.account.SecretAccessKey, service, form))
	return w
}

// call sends form and decodes a 200 answer into out.
func (c client) call(form url.Values, out any) {
	c.t.Helper()
	w := c.do(form)
	if w.Code != http.StatusOK {
		c.t.Fatalf("%s: status %d, body %s", form.Get("Action"), w.Code, w.Body)
	}
	if err := xml.Unmarshal(w.Body.Bytes(), out); err != nil {
		c.t.Fatalf("%s: decode: %v\n%s", form.Get("Action"), err, w.Body)
	}
}

// wireError is the query protocol error envelope as a client reads it.
type wireError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) wireError {
	t.Helper()
	var e wireError
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("decode error envelope: %v\n%s", err, w.Body)
	}
	if e.RequestID == "" || e.RequestID != w.Header().Get("x-amzn-RequestId") {
		t.Errorf("error RequestId %q, header %q: want the same non-empty id", e.RequestID, w.Header().Get("x-amzn-RequestId"))
	}
	return e
}

func mustEstate(t testing.TB, path string) *Estate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseEstate(data)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// demoEstateFile is the lab's demo estate, a version-2 file whose aws
// section this package serves.
const demoEstateFile = "../estates/demo.yaml"

func mustDemo(t testing.TB) *Estate {
	t.Helper()
	data, err := os.ReadFile(demoEstateFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version int    `yaml:"version"`
		AWS     Estate `yaml:"aws"`
	}
	if err := kit.DecodeStrict(data, &f); err != nil {
		t.Fatal(err)
	}
	if err := f.AWS.Prepare(); err != nil {
		t.Fatal(err)
	}
	return &f.AWS
}

// estateSecrets lists every secret of an estate: scanner secrets, and the
// secrets of user access keys and service-specific credentials.
func estateSecrets(e *Estate) (scanner, users []string) {
	for _, a := range e.Accounts {
		scanner = append(scanner, a.SecretAccessKey)
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				if k.Secret != "" {
					users = append(users, k.Secret.Reveal())
				}
			}
			for _, c := range u.ServiceCredentials {
				if c.Secret != "" {
					users = append(users, c.Secret.Reveal())
				}
			}
		}
	}
	return scanner, users
}

func yamlUnmarshalStrict(src string, out any) error {
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	return dec.Decode(out)
}
