package secrets

import (
	"bytes"
	"strings"
	"testing"
)

func TestIsSecretName(t *testing.T) {
	secret := []string{
		"OPENAI_API_KEY", "SLACK_BOT_TOKEN", "DB_PASSWORD", "client_secret", "OPENAI_KEY",
		"clientSecret", "authToken", "dbPassword", "DBPASSWORD", "SLACKTOKEN", "PRIVATE_KEY_PEM",
		"OPENAI_API_KEY_V2", "STRIPE_KEY_LIVE", "BASIC_AUTH", "AWS_SECRET_ACCESS_KEY", "my.db.passwd",
		"GITHUB-TOKENS", "APIKEY", "azure credentials", "MYSQL_PWD",
	}
	notSecret := []string{
		"REGION", "AUTHOR", "OAUTH_CALLBACK_URL", "TOKENIZER_MODEL", "KEY_ID_HEADER", "MONKEY",
		"KMS_KEY_ID", "KMS_KEY_ARN", "SIGNING_KEY_NAME", "KEY", "KEYS", "", "_", "SECRETARY_NAME",
		"KEY_VAULT_URL", "API_KEY_FILE", "API_KEY_HEADER",
	}
	for _, n := range secret {
		if !IsSecretName(n) {
			t.Errorf("IsSecretName(%q) = false, want true", n)
		}
	}
	for _, n := range notSecret {
		if IsSecretName(n) {
			t.Errorf("IsSecretName(%q) = true, want false", n)
		}
	}
}

func TestInline(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		skip func(string) bool
		want string
	}{
		{"secret-looking names", map[string]string{"OPENAI_API_KEY": "sk-x", "SLACK_BOT_TOKEN": "xoxb", "DB_PASSWORD": "p", "client_secret": "s", "OPENAI_KEY": "k", "REGION": "us-east-1"}, nil,
			"DB_PASSWORD,OPENAI_API_KEY,OPENAI_KEY,SLACK_BOT_TOKEN,client_secret"},
		{"words that only look alike", map[string]string{"AUTHOR": "me", "OAUTH_CALLBACK_URL": "https://x", "TOKENIZER_MODEL": "bpe", "KEY_ID_HEADER": "kid", "MONKEY": "x", "KMS_KEY_ID": "k", "KMS_KEY_ARN": "arn:aws:kms:x", "SIGNING_KEY_NAME": "n"}, nil, ""},
		{"camelCase, glued and suffixed names", map[string]string{"clientSecret": "s", "authToken": "t", "dbPassword": "p", "DBPASSWORD": "p", "SLACKTOKEN": "t", "PRIVATE_KEY_PEM": "k", "OPENAI_API_KEY_V2": "k", "STRIPE_KEY_LIVE": "k", "BASIC_AUTH": "u:p"}, nil,
			"BASIC_AUTH,DBPASSWORD,OPENAI_API_KEY_V2,PRIVATE_KEY_PEM,SLACKTOKEN,STRIPE_KEY_LIVE,authToken,clientSecret,dbPassword"},
		{"references are not secrets", map[string]string{"API_KEY": "arn:aws:secretsmanager:us-east-1:1:secret:x", "TOKEN": "{{resolve:ssm:/x}}", "PASSWORD": "${env:PW}", "DB_SECRET": "arn:aws-us-gov:ssm:us-gov-west-1:1:parameter/x"}, nil, ""},
		{"empty values", map[string]string{"API_KEY": " ", "TOKEN": ""}, nil, ""},
		{"an access key id is an id", map[string]string{"ACCESS_KEY": " AKIAIOSFODNN7EXAMPLE ", "SESSION_KEY": "ASIAIOSFODNN7EXAMPLE", "SHORT_KEY": "AKIAshort"}, nil, "SHORT_KEY"},
		{"what the provider stands for otherwise", map[string]string{"AWS_SECRET_ACCESS_KEY": "abc", "GITHUB_TOKEN": "g"}, func(n string) bool { return n == "AWS_SECRET_ACCESS_KEY" }, "GITHUB_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(Inline(tt.env, tt.skip), ","); got != tt.want {
				t.Errorf("Inline = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsAccessKeyIDAndIsReference(t *testing.T) {
	for v, want := range map[string]bool{"AKIAIOSFODNN7EXAMPLE": true, "ASIAIOSFODNN7EXAMPLE": true, "AKIAIOSFODNN7EXAMPL": false, "akiaiosfodnn7example": false, "AGPAIOSFODNN7EXAMPLE": false, " AKIAIOSFODNN7EXAMPLE": false} {
		if IsAccessKeyID(v) != want {
			t.Errorf("IsAccessKeyID(%q) = %v", v, !want)
		}
	}
	for v, want := range map[string]bool{"arn:aws:secretsmanager:us-east-1:1:secret:x": true, "arn:aws-cn:kms:cn-north-1:1:key/x": true, "{{resolve:secretsmanager:x}}": true, "${TOKEN}": true,
		"arn:aws:s3:::bucket": false, "sk-live-123": false, "x${TOKEN}": false} {
		if IsReference(v) != want {
			t.Errorf("IsReference(%q) = %v", v, !want)
		}
	}
}

func TestFingerprintIsKeyedAndStable(t *testing.T) {
	k1, k2 := []byte("key-one-key-one-key-one-key-one!"), []byte("key-two-key-two-key-two-key-two!")
	a, b := Fingerprint(k1, "CANARY-one"), Fingerprint(k1, "CANARY-two")
	if a == b || a != Fingerprint(k1, "CANARY-one") || len(a) != len("hmac-sha256:")+24 || !strings.HasPrefix(a, "hmac-sha256:") || strings.Contains(a, "CANARY") {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if Fingerprint(k2, "CANARY-one") == a {
		t.Error("two keys give the same fingerprint: it would not be keyed")
	}
}

func TestKeyFunc(t *testing.T) {
	dbKey := []byte("the database's fingerprint key!!")
	if got := KeyFunc(func() []byte { return dbKey })(); !bytes.Equal(got, dbKey) {
		t.Errorf("KeyFunc(given) = %x, want the given key", got)
	}
	// Without a key: one random key for the run, the same at every call,
	// and another for another run.
	for name, given := range map[string]func() []byte{"nil": nil, "empty": func() []byte { return nil }} {
		run := KeyFunc(given)
		k := run()
		if len(k) != 32 || bytes.Equal(k, make([]byte, 32)) || !bytes.Equal(k, run()) {
			t.Errorf("%s: run key %x, want 32 random bytes, the same each call", name, k)
		}
		if bytes.Equal(k, KeyFunc(given)()) {
			t.Errorf("%s: two runs share a key", name)
		}
	}
	// A key that appears once the scan has begun is used from then on.
	var late []byte
	f := KeyFunc(func() []byte { return late })
	early := f()
	late = dbKey
	if !bytes.Equal(f(), dbKey) || bytes.Equal(early, dbKey) {
		t.Error("the given key was not asked for again")
	}
}

// FuzzIsSecretName checks what must hold for any name: no panic; the four
// separators are one; a word put before a name never makes a secret name
// look harmless.
func FuzzIsSecretName(f *testing.F) {
	for _, s := range []string{"OPENAI_API_KEY", "KMS_KEY_ID", "clientSecret", "KEY", "BASIC_AUTH", "a-b.c d_e", "ÄpiKey", "\xff_TOKEN", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := IsSecretName(name)
		for _, sep := range []string{"-", ".", " "} {
			if alt := strings.ReplaceAll(name, "_", sep); IsSecretName(alt) != got {
				t.Errorf("IsSecretName(%q) = %v but IsSecretName(%q) = %v", name, got, alt, !got)
			}
		}
		if got && !IsSecretName("MY_"+name) {
			t.Errorf("IsSecretName(%q) but not with a word before it", name)
		}
	})
}
