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

// The names and shapes of secrets are the secrets package's; what is AWS's
// is that a variable holding an access key id links to the key, and that
// the key's secret half is left out when its id is there.
func TestInlineSecrets(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"secret-looking names", map[string]string{"OPENAI_API_KEY": "sk-x", "DB_PASSWORD": "p", "REGION": "us-east-1"}, "DB_PASSWORD,OPENAI_API_KEY"},
		{"an access key id is not a secret", map[string]string{"AWS_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE", "LEGACY_KEY": " ASIAIOSFODNN7EXAMPLE "}, ""},
		{"an access key's own secret links to the key", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "abc", "aws_session_token": "t"}, ""},
		{"a lone secret access key is inline", map[string]string{"AWS_SECRET_ACCESS_KEY": "abc", "AWS_SESSION_TOKEN": "t"}, "AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN"},
		{"a renamed pair links to its key (Lambda reserves the AWS_ names)", map[string]string{"DEPLOYER_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "DEPLOYER_SECRET_ACCESS_KEY": "abc", "deployer_session_token": "t"}, ""},
		{"a secret key of another prefix is inline", map[string]string{"DEPLOYER_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "BACKUP_SECRET_ACCESS_KEY": "abc"}, "BACKUP_SECRET_ACCESS_KEY"},
		{"a secret key not named as a key pair's is inline", map[string]string{"AWS_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_KEY": "abc"}, "AWS_SECRET_KEY"},
		{"the AWS_ secret links to a key id under any name", map[string]string{"OTHER_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "abc", "AWS_SESSION_TOKEN": "t"}, ""},
		{"a renamed secret needs its own prefix's key id", map[string]string{"OTHER_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "DEPLOYER_SECRET_ACCESS_KEY": "abc", "DEPLOYER_SESSION_TOKEN": "t"}, "DEPLOYER_SECRET_ACCESS_KEY,DEPLOYER_SESSION_TOKEN"},
		{"a session token of another prefix is inline", map[string]string{"DEPLOYER_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "BACKUP_SESSION_TOKEN": "t"}, "BACKUP_SESSION_TOKEN"},
		{"an empty prefix pairs too", map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "SECRET_ACCESS_KEY": "abc", "Session_Token": "t"}, ""},
		{"the pair is not found by a longer or shorter name", map[string]string{"DEPLOYER_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE", "DEPLOYER_SECRET_KEY": "abc", "X_DEPLOYER_SECRET_ACCESS_KEY": "d"}, "DEPLOYER_SECRET_KEY,X_DEPLOYER_SECRET_ACCESS_KEY"},
		{"other secrets beside a key are inline", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "abc", "GITHUB_TOKEN": "g"}, "GITHUB_TOKEN"},
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
