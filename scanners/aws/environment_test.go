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
		{"secret-looking names", map[string]string{"OPENAI_API_KEY": "sk-x", "SLACK_BOT_TOKEN": "xoxb", "DB_PASSWORD": "p", "client_secret": "s", "REGION": "us-east-1"}, "DB_PASSWORD,OPENAI_API_KEY,SLACK_BOT_TOKEN,client_secret"},
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

func TestFingerprintIsShortAndStable(t *testing.T) {
	a, b := fingerprint("CANARY-one"), fingerprint("CANARY-two")
	if a == b || a != fingerprint("CANARY-one") || len(a) != len("sha256:")+12 || strings.Contains(a, "CANARY") {
		t.Errorf("fingerprints %q %q", a, b)
	}
}
