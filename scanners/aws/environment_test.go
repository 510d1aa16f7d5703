package aws

import (
	"strings"
	"testing"
)

func TestEnvironmentKeepsNamesAndKeyIDsOnly(t *testing.T) {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"OTHER_KEY_ID":          " ASIAIOSFODNN7EXAMPLE ",
		"NOT_A_KEY":             "AKIAshort",
		"REGION":                "us-east-1",
	}
	names, keys := environment(env)
	if got := strings.Join(names, ","); got != "AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,NOT_A_KEY,OTHER_KEY_ID,REGION" {
		t.Errorf("names = %s", got)
	}
	if len(keys) != 2 || keys["AWS_ACCESS_KEY_ID"] != "AKIAIOSFODNN7EXAMPLE" || keys["OTHER_KEY_ID"] != "ASIAIOSFODNN7EXAMPLE" {
		t.Errorf("keys = %v", keys)
	}
}

func TestInlineSecrets(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"secret-looking names", map[string]string{"OPENAI_API_KEY": "sk-x", "SLACK_BOT_TOKEN": "xoxb", "DB_PASSWORD": "p", "client_secret": "s", "OPENAI_KEY": "k", "REGION": "us-east-1"}, "DB_PASSWORD,OPENAI_API_KEY,OPENAI_KEY,SLACK_BOT_TOKEN,client_secret"},
		{"words that only look alike", map[string]string{"AUTHOR": "me", "OAUTH_CALLBACK_URL": "https://x", "TOKENIZER_MODEL": "bpe", "KEY_ID_HEADER": "kid", "MONKEY": "x", "KMS_KEY_ID": "k", "KMS_KEY_ARN": "arn:aws:kms:x", "SIGNING_KEY_NAME": "n"}, ""},
		{"camelCase, glued and suffixed names", map[string]string{"clientSecret": "s", "authToken": "t", "dbPassword": "p", "DBPASSWORD": "p", "SLACKTOKEN": "t", "PRIVATE_KEY_PEM": "k", "OPENAI_API_KEY_V2": "k", "STRIPE_KEY_LIVE": "k", "BASIC_AUTH": "u:p"},
			"BASIC_AUTH,DBPASSWORD,OPENAI_API_KEY_V2,PRIVATE_KEY_PEM,SLACKTOKEN,STRIPE_KEY_LIVE,authToken,clientSecret,dbPassword"},
		{"references are not secrets", map[string]string{"API_KEY": "arn:aws:secretsmanager:us-east-1:1:secret:x", "TOKEN": "{{resolve:ssm:/x}}", "PASSWORD": "${env:PW}"}, ""},
		{"empty values", map[string]string{"API_KEY": " "}, ""},
		{"an access key's own secret links to the key", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "abc"}, ""},
		{"a lone secret access key is inline", map[string]string{"AWS_SECRET_ACCESS_KEY": "abc"}, "AWS_SECRET_ACCESS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, keys := environment(tt.env)
			if got := strings.Join(inlineSecrets(tt.env, keys), ","); got != tt.want {
				t.Errorf("inlineSecrets = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFingerprintIsKeyedAndStable(t *testing.T) {
	k1, k2 := []byte("key-one-key-one-key-one-key-one!"), []byte("key-two-key-two-key-two-key-two!")
	a, b := fingerprint(k1, "CANARY-one"), fingerprint(k1, "CANARY-two")
	if a == b || a != fingerprint(k1, "CANARY-one") || len(a) != len("hmac-sha256:")+24 || strings.Contains(a, "CANARY") {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if fingerprint(k2, "CANARY-one") == a {
		t.Error("two keys give the same fingerprint: it would not be keyed")
	}
}
