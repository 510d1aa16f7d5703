package iampolicy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want *Document
	}{
		{
			name: "single statement object, string elements",
			raw:  `{"Version":"2012-10-17","Id":"p1","Statement":{"Sid":"s","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			want: &Document{Version: "2012-10-17", ID: "p1", Statements: []Statement{{
				Sid: "s", Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"},
			}}},
		},
		{
			name: "statement array, array elements",
			raw: `{"Statement":[
				{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
				{"Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:iam::*:role/x"]}]}`,
			want: &Document{Statements: []Statement{
				{Effect: Allow, Actions: []string{"s3:GetObject", "s3:ListBucket"}, Resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"}},
				{Effect: Deny, NotActions: []string{"iam:*"}, NotResources: []string{"arn:aws:iam::*:role/x"}},
			}},
		},
		{
			name: "URL-encoded keeps a plus and decodes %20",
			raw:  iamEscape(`{"Version":"2012-10-17","Statement":{"Sid":"a+b c","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/c+d e"}}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Sid: "a+b c", Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/c+d e"},
			}}},
		},
		{
			name: "URL-encoded with a literal plus and surrounding space",
			raw:  "  %7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%20c%22%7D%7D\n",
			want: &Document{Statements: []Statement{{
				Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::a+b c"},
			}}},
		},
		{
			name: "plain JSON with a percent sign is not unescaped",
			raw:  ` {"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%25+x"}}`,
			want: &Document{Statements: []Statement{{
				Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/100%25+x"},
			}}},
		},
		{
			name: "wildcard principals",
			raw:  `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
			want: &Document{Statements: []Statement{
				{Effect: Allow, Principals: []Principal{{Type: "*", ID: "*"}}, Actions: []string{"sts:AssumeRole"}},
				{Effect: Allow, Principals: []Principal{{Type: "AWS", ID: "*"}}, Actions: []string{"sts:AssumeRole"}},
			}},
		},
		{
			name: "bare account id, string and array principals of every type",
			raw: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{
				"AWS":["123456789012","arn:aws:iam::210987654321:role/x","12345"],
				"Service":"ec2.amazonaws.com",
				"Federated":["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"],
				"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}}`,
			want: &Document{Statements: []Statement{{
				Effect:  Allow,
				Actions: []string{"sts:AssumeRole"},
				Principals: []Principal{
					{Type: "AWS", ID: "arn:aws:iam::123456789012:root"},
					{Type: "AWS", ID: "arn:aws:iam::210987654321:role/x"},
					{Type: "AWS", ID: "12345"},
					{Type: "Service", ID: "ec2.amazonaws.com"},
					{Type: "Federated", ID: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
					{Type: "CanonicalUser", ID: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
				},
			}}},
		},
		{
			name: "NotPrincipal",
			raw:  `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}}`,
			want: &Document{Statements: []Statement{{
				Effect: Deny, NotPrincipals: []Principal{{Type: "AWS", ID: "arn:aws:iam::111122223333:root"}},
				Actions: []string{"*"}, Resources: []string{"*"},
			}}},
		},
		{
			name: "condition values normalised to strings",
			raw: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
				"Bool":{"aws:SecureTransport":true,"aws:MultiFactorAuthPresent":"true"},
				"NumericLessThan":{"s3:max-keys":10},
				"ForAnyValue:StringLike":{"aws:TagKeys":["a*",false,1.5]}}}}`,
			want: &Document{Statements: []Statement{{
				Effect: Allow, Actions: []string{"s3:*"}, Resources: []string{"*"},
				Conditions: Conditions{
					"Bool":                   {"aws:SecureTransport": {"true"}, "aws:MultiFactorAuthPresent": {"true"}},
					"NumericLessThan":        {"s3:max-keys": {"10"}},
					"ForAnyValue:StringLike": {"aws:TagKeys": {"a*", "false", "1.5"}},
				},
			}}},
		},
		{
			name: "empty Statement array",
			raw:  `{"Version":"2012-10-17","Statement":[]}`,
			want: &Document{Version: "2012-10-17", Statements: []Statement{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string // a part of the error message
	}{
		{"empty", "  ", "empty"},
		{"bad JSON", `{"Statement":`, "not valid JSON"},
		{"trailing data", `{"Statement":{"Effect":"Allow","Action":"*"}} x`, "not valid JSON"},
		{"bad URL escape", `%7B%zz`, "neither JSON nor URL-encoded JSON"},
		{"URL-decoded text is not an object", `%5B%5D`, "not a JSON object"},
		{"top-level array", `[{"Effect":"Allow"}]`, "not a JSON object"},
		{"no Statement", `{"Version":"2012-10-17"}`, "no Statement"},
		{"Statement of wrong type", `{"Statement":"x"}`, "Statement must be an object or an array"},
		{"Statement element of wrong type", `{"Statement":[1]}`, "statement[0] must be an object, got number"},
		{"Version of wrong type", `{"Version":2012,"Statement":[]}`, "Version must be a string"},
		{"unknown top-level element", `{"statement":[]}`, `unknown element "statement"`},
		{"lower-case Effect value", `{"Statement":{"Sid":"x1","Effect":"allow","Action":"*","Resource":"*"}}`, `statement[0] (Sid "x1"): invalid Effect "allow"`},
		{"missing Effect", `{"Statement":{"Action":"*","Resource":"*"}}`, "missing Effect"},
		{"Effect of wrong type", `{"Statement":{"Effect":true,"Action":"*"}}`, "Effect must be a string, got boolean"},
		{"Action of wrong type", `{"Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":7,"Resource":"*"}]}`, "statement[1]: Action must be a string or an array of strings, got number"},
		{"Action array with a number", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject",7],"Resource":"*"}}`, "Action[1] must be a string, got number"},
		{"Resource null", `{"Statement":{"Effect":"Allow","Action":"*","Resource":null}}`, "Resource must be a string or an array of strings, got null"},
		{"both Action and NotAction", `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"iam:*"}}`, "exactly one of Action and NotAction"},
		{"neither Action nor NotAction", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "exactly one of Action and NotAction"},
		{"both Resource and NotResource", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}}`, "both Resource and NotResource"},
		{"both Principal and NotPrincipal", `{"Statement":{"Effect":"Allow","Action":"*","Principal":"*","NotPrincipal":"*"}}`, "both Principal and NotPrincipal"},
		{"lower-case element name", `{"Statement":{"Effect":"Allow","action":"*"}}`, `unknown element "action"`},
		{"duplicate key", `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*"}}`, `duplicate key "Effect"`},
		{"principal string other than *", `{"Statement":{"Effect":"Allow","Action":"*","Principal":"123456789012"}}`, `Principal given as a string must be "*"`},
		{"unknown principal type", `{"Statement":{"Effect":"Allow","Action":"*","Principal":{"aws":"*"}}}`, `unknown principal type "aws"`},
		{"principal value of wrong type", `{"Statement":{"Effect":"Allow","Action":"*","Principal":{"AWS":{"x":1}}}}`, "Principal.AWS must be a string or an array of strings, got object"},
		{"Condition of wrong type", `{"Statement":{"Effect":"Allow","Action":"*","Condition":[]}}`, "invalid Condition: must be an object"},
		{"Condition operator of wrong type", `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Bool":"true"}}}`, `invalid Condition operator "Bool"`},
		{"Condition value null", `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Null":{"aws:TokenIssueTime":null}}}}`, `invalid Condition "Null" key "aws:TokenIssueTime": values must be strings, booleans or numbers, got null`},
		{"Condition value object", `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":[{"a":1}]}}}}`, "got object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode(tt.raw)
			if err == nil {
				t.Fatalf("Decode = %+v, want an error containing %q", doc, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode error = %q, want it to contain %q", err, tt.want)
			}
			if msg := err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] {
				t.Errorf("error %q does not start in lower case", msg)
			}
		})
	}
}

// An error names what is wrong without echoing the document.
func TestDecodeErrorIsShort(t *testing.T) {
	secret := strings.Repeat("AKIAEXAMPLESECRETVALUE", 50)
	for _, raw := range []string{
		`{"Statement":{"Sid":"` + secret + `","Effect":"Maybe","Action":"*"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Principal":"` + secret + `"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","` + secret + `":1}}`,
		iamEscape(`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"` + secret + `":{"` + secret + `":null}}}}`),
	} {
		_, err := Decode(raw)
		if err == nil {
			t.Fatalf("Decode succeeded on a bad document")
		}
		if len(err.Error()) > 400 || strings.Contains(err.Error(), secret[:200]) {
			t.Errorf("error quotes too much of the document (%d bytes): %.120s…", len(err.Error()), err)
		}
	}
}

func TestDecodeTooLarge(t *testing.T) {
	raw := `{"Statement":{"Effect":"Allow","Action":"*","Resource":"` + strings.Repeat("x", maxDocumentSize) + `"}}`
	if _, err := Decode(raw); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("Decode of a %d-byte document: err = %v, want a size error", len(raw), err)
	}
}

func TestConditionsHas(t *testing.T) {
	c := Conditions{
		"StringEquals":                     {"aws:SourceAccount": {"123456789012"}},
		"ForAnyValue:StringLike":           {"token.actions.githubusercontent.com:sub": {"repo:o/r:*"}},
		"ArnLikeIfExists":                  {"aws:SourceArn": {"arn:aws:bedrock:*"}},
		"Null":                             {"aws:TokenIssueTime": {"false"}},
		"ForAllValues:StringEquals":        {"aws:TagKeys": {"a"}},
		"StringNotEqualsIgnoreCase":        {},
		"BoolIfExists":                     {"aws:MultiFactorAuthPresent": {"true"}},
		"ForAnyValue:StringEqualsIfExists": {"sts:ExternalId": {"x"}},
	}
	tests := []struct {
		c    Conditions
		key  string
		want bool
	}{
		{c, "aws:SourceAccount", true},
		{c, "AWS:sourceaccount", true},
		{c, "token.actions.githubusercontent.com:sub", true},
		{c, "aws:SourceArn", true},
		{c, "aws:tokenissuetime", true},
		{c, "aws:TagKeys", true},
		{c, "aws:MultiFactorAuthPresent", true},
		{c, "sts:externalid", true},
		{c, "aws:SourceVpc", false},
		{c, "StringEquals", false},
		{nil, "aws:SourceAccount", false},
	}
	for _, tt := range tests {
		if got := tt.c.Has(tt.key); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestPrincipalWildcard(t *testing.T) {
	tests := []struct {
		p    Principal
		want bool
	}{
		{Principal{Type: "*", ID: "*"}, true},
		{Principal{Type: "AWS", ID: "*"}, true},
		{Principal{Type: "AWS", ID: "arn:aws:iam::123456789012:root"}, false},
		{Principal{Type: "Service", ID: "*"}, false},
	}
	for _, tt := range tests {
		if got := tt.p.Wildcard(); got != tt.want {
			t.Errorf("%+v.Wildcard() = %v, want %v", tt.p, got, tt.want)
		}
	}
}
