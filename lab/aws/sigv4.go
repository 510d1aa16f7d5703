package aws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 verification, written from the AWS documentation "Create a signed
// AWS API request" (Signature Version 4). The lab verifies every request
// with the secret of the account whose key id signed it.

const (
	sigV4Algorithm  = "AWS4-HMAC-SHA256"
	sigV4Terminator = "aws4_request"
	amzDateFormat   = "20060102T150405Z"
)

// sigV4Header is what an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// says.
type sigV4Header struct {
	accessKeyID   string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func (h sigV4Header) scope() string {
	return h.date + "/" + h.region + "/" + h.service + "/" + sigV4Terminator
}

// parseSigV4Header parses an Authorization header value.
func parseSigV4Header(v string) (sigV4Header, *apiError) {
	var h sigV4Header
	alg, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if alg != sigV4Algorithm {
		return h, authError(http.StatusBadRequest, "IncompleteSignature",
			"Unsupported AWS 'algorithm': %q: sign requests with AWS Signature Version 4 (AWS4-HMAC-SHA256)", alg)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		fields[k] = val
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[k] == "" {
			return h, authError(http.StatusBadRequest, "IncompleteSignature",
				"Authorization header requires '%s' parameter. Authorization=%s", k, alg)
		}
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[4] != sigV4Terminator || cred[0] == "" {
		return h, authError(http.StatusBadRequest, "IncompleteSignature",
			"Credential must have the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request")
	}
	h.accessKeyID, h.date, h.region, h.service = cred[0], cred[1], cred[2], cred[3]
	h.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	h.signature = fields["Signature"]
	return h, nil
}

// verifySigV4 checks the signature of r, whose body is body, against
// secret. It does not check the clock: lab clients may run with a fixed one.
func verifySigV4(r *http.Request, body []byte, h sigV4Header, secret string) *apiError {
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return authError(http.StatusBadRequest, "IncompleteSignature",
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if _, err := time.Parse(amzDateFormat, amzDate); err != nil {
		return authError(http.StatusBadRequest, "IncompleteSignature",
			"X-Amz-Date %q is not in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'", amzDate)
	}
	if amzDate[:8] != h.date {
		return authError(http.StatusForbidden, "SignatureDoesNotMatch",
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			h.date, amzDate[:8], amzDate)
	}
	bodyHash := sha256Hex(body)
	payloadHash := bodyHash
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		if v != bodyHash {
			return authError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
				"The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		payloadHash = v
	}
	want := sigV4Signature(secret, h, amzDate, canonicalRequest(r, h.signedHeaders, payloadHash))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(h.signature))) {
		return authError(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// sigV4Signature is the hex signature of a canonical request.
func sigV4Signature(secret string, h sigV4Header, amzDate, canonical string) string {
	stringToSign := strings.Join([]string{sigV4Algorithm, amzDate, h.scope(), sha256Hex([]byte(canonical))}, "\n")
	key := hmacSHA256([]byte("AWS4"+secret), h.date)
	key = hmacSHA256(key, h.region)
	key = hmacSHA256(key, h.service)
	key = hmacSHA256(key, sigV4Terminator)
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

// canonicalRequest builds the SigV4 canonical request of r.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the URI-encoded path. Services other than S3 encode each
// segment of the already-encoded path once more, as the AWS SDKs do.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return percentEncode(p, true)
}

// canonicalQuery encodes every name and value (RFC 3986, a space is %20)
// and sorts the pairs after encoding.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	values, _ := url.ParseQuery(raw)
	type pair struct{ k, v string }
	pairs := make([]pair, 0, len(values))
	for k, vs := range values {
		for _, v := range vs {
			pairs = append(pairs, pair{percentEncode(k, false), percentEncode(v, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// canonicalHeaderValue is the value of the signed header name: its values
// trimmed, inner runs of spaces collapsed, joined with commas.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	default:
		values = r.Header.Values(name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(collapseSpaces(v))
	}
	return b.String()
}

// collapseSpaces trims leading and trailing spaces and turns each inner run
// of spaces into one.
func collapseSpaces(s string) string {
	s = strings.Trim(s, " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(s[i])
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
