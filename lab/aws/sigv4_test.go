package aws

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The AWS SigV4 test suite's documented values ("Signature Version 4 test
// suite", AWS General Reference): credentials, date and the expected
// Authorization header of each example. The verifier is checked against
// these published signatures, not against the lab's own signer.
const (
	vectorKeyID  = "AKIDEXAMPLE"
	vectorSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	vectorDate   = "20150830T123600Z"
	vectorScope  = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
)

func TestSigV4Vectors(t *testing.T) {
	cases := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		signed      string
		signature   string
	}{
		{
			name: "get-vanilla", method: http.MethodGet, target: "/",
			signed: "host;x-amz-date", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "get-vanilla-query-order-key-case", method: http.MethodGet, target: "/?Param2=value2&Param1=value1",
			signed: "host;x-amz-date", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			name: "post-x-www-form-urlencoded", method: http.MethodPost, target: "/",
			contentType: "application/x-www-form-urlencoded", body: "Param1=value1",
			signed: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newReq := func(signature string) (*http.Request, sigV4Header) {
				r := httptest.NewRequest(tc.method, "http://example.amazonaws.com"+tc.target, strings.NewReader(tc.body))
				r.Header.Set("X-Amz-Date", vectorDate)
				if tc.contentType != "" {
					r.Header.Set("Content-Type", tc.contentType)
				}
				authz := "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=" + tc.signed + ", Signature=" + signature
				h, err := parseSigV4Header(authz)
				if err != nil {
					t.Fatalf("parse %q: %v", authz, err)
				}
				return r, h
			}
			r, h := newReq(tc.signature)
			if h.accessKeyID != vectorKeyID || h.date != "20150830" || h.region != "us-east-1" || h.service != "service" {
				t.Errorf("parsed header %+v", h)
			}
			if err := verifySigV4(r, []byte(tc.body), h, vectorSecret); err != nil {
				t.Errorf("documented signature rejected: %v", err)
			}
			r, h = newReq(tc.signature)
			if err := verifySigV4(r, []byte(tc.body), h, "wrong"+vectorSecret); err == nil || err.code != "SignatureDoesNotMatch" {
				t.Errorf("wrong secret: got %v, want SignatureDoesNotMatch", err)
			}
			const hexDigits = "0123456789abcdef"
			last := strings.IndexByte(hexDigits, tc.signature[63])
			r, h = newReq(tc.signature[:63] + string(hexDigits[(last+1)%16]))
			if err := verifySigV4(r, []byte(tc.body), h, vectorSecret); err == nil || err.code != "SignatureDoesNotMatch" {
				t.Errorf("tampered signature: got %v, want SignatureDoesNotMatch", err)
			}
			if tc.body != "" {
				r, h = newReq(tc.signature)
				if err := verifySigV4(r, []byte(tc.body+"&Param2=x"), h, vectorSecret); err == nil {
					t.Error("a changed body passed verification")
				}
			}
		})
	}
}

// TestSigV4CanonicalRequestVector checks the canonical request of
// get-vanilla against its documented SHA-256.
func TestSigV4CanonicalRequestVector(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
	r.Header.Set("X-Amz-Date", vectorDate)
	canonical := canonicalRequest(r, []string{"host", "x-amz-date"}, sha256Hex(nil))
	const want = "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
	if got := sha256Hex([]byte(canonical)); got != want {
		t.Errorf("canonical request hash %s, want %s\n%s", got, want, canonical)
	}
}

func TestSigV4Checks(t *testing.T) {
	cases := []struct {
		name   string
		authz  string
		amz    string
		sha256 string
		code   string
	}{
		{"not sigv4", "AWS AKID:sig", vectorDate, "", "IncompleteSignature"},
		{"no signature", "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=host", vectorDate, "", "IncompleteSignature"},
		{"short credential", "AWS4-HMAC-SHA256 Credential=AKID/20150830, SignedHeaders=host, Signature=00", vectorDate, "", "IncompleteSignature"},
		{"no date", "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=host, Signature=00", "", "", "IncompleteSignature"},
		{"scope date differs", "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=host, Signature=00", "20150831T000000Z", "", "SignatureDoesNotMatch"},
		{"payload hash differs", "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=host, Signature=00", vectorDate, "UNSIGNED-PAYLOAD", "XAmzContentSHA256Mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseSigV4Header(tc.authz)
			if err == nil {
				r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
				if tc.amz != "" {
					r.Header.Set("X-Amz-Date", tc.amz)
				}
				if tc.sha256 != "" {
					r.Header.Set("X-Amz-Content-Sha256", tc.sha256)
				}
				err = verifySigV4(r, nil, h, vectorSecret)
			}
			if err == nil || err.code != tc.code {
				t.Errorf("got %v, want %s", err, tc.code)
			}
		})
	}
}
