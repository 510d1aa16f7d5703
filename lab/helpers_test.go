package lab

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// signedAt is the clock of the test signer.
var signedAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// signV4 signs r (whose body is body) the way the AWS SDK for Go does for a
// query-protocol call: host, content-length, content-type and x-amz-date
// signed, region us-east-1.
func signV4(r *http.Request, body, akid, secret, service string) {
	amzDate := signedAt.Format(amzDateFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	h := sigV4Header{
		accessKeyID:   akid,
		date:          amzDate[:8],
		region:        "us-east-1",
		service:       service,
		signedHeaders: []string{"content-length", "content-type", "host", "x-amz-date"},
	}
	canonical := canonicalRequest(r, h.signedHeaders, sha256Hex([]byte(body)))
	sig := sigV4Signature(secret, h, amzDate, canonical)
	r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		sigV4Algorithm, akid, h.scope(), strings.Join(h.signedHeaders, ";"), sig))
}

// newQuery builds a signed query-protocol request.
func newQuery(akid, secret, service string, form url.Values) *http.Request {
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	signV4(r, body, akid, secret, service)
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
	e, err := LoadEstate(path)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustDemo(t testing.TB) *Estate {
	t.Helper()
	e, err := DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// estateSecrets lists every secret of an estate: scanner secrets and user
// access key secrets.
func estateSecrets(e *Estate) (scanner, users []string) {
	for _, a := range e.Accounts {
		scanner = append(scanner, a.SecretAccessKey)
		for _, u := range a.Users {
			for _, k := range u.AccessKeys {
				if k.Secret != "" {
					users = append(users, k.Secret)
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
