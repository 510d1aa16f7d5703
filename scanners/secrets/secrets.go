// Package secrets finds secrets held inline where an agent's configuration
// is read (environment variables, configuration files) and fingerprints
// them. It decides from a variable's name and the shape of its value; no
// secret value is ever returned, except as its fingerprint: a keyed hash
// that cannot be reversed, nor tested against a guess without the key.
package secrets

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
)

// IsAccessKeyID reports whether v is an AWS access key id (AKIA... for a
// standing key, ASIA... for a session's): public, not a secret, so it may be
// kept to link what holds it to the key.
func IsAccessKeyID(v string) bool { return accessKeyPattern.MatchString(v) }

var accessKeyPattern = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)

// IsReference reports whether a value points at a secret store instead of
// holding the secret: a Secrets Manager, SSM or KMS ARN, a CloudFormation
// dynamic reference, or a ${...} substitution.
func IsReference(v string) bool { return secretReference.MatchString(v) }

var secretReference = regexp.MustCompile(`^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|\{\{resolve:|\$\{)`)

// secretSuffixes: a word of a variable name that is or ends with one of
// these says the variable holds a secret (DB_PASSWORD, clientSecret,
// SLACKTOKEN, OPENAI_API_KEY, PRIVATE_KEY_PEM).
var secretSuffixes = []string{"SECRET", "SECRETS", "TOKEN", "TOKENS", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY"}

// keyQualifier: KEY followed by one of these names a key, not its value.
var keyQualifier = map[string]bool{"ID": true, "IDS": true, "ARN": true, "NAME": true, "ALIAS": true, "REF": true, "PATH": true, "FILE": true, "URL": true, "TYPE": true, "HEADER": true}

// IsSecretName reports whether a variable's name says it holds a secret:
// a word that is or ends with SECRET, TOKEN, PASSWORD, CREDENTIAL, APIKEY
// or PRIVATEKEY (and their variants); AUTH alone (BASIC_AUTH); or KEY after
// the first word (STRIPE_KEY, API_KEY_V2) unless it names a key rather than
// holds one (KMS_KEY_ID, SIGNING_KEY_NAME). Words are split on _ - . and
// space, and at camelCase boundaries.
func IsSecretName(name string) bool {
	words := nameWords(name)
	for i, w := range words {
		for _, suf := range secretSuffixes {
			if strings.HasSuffix(w, suf) {
				return true
			}
		}
		if w == "AUTH" || (w == "KEY" && i > 0 && (i == len(words)-1 || !keyQualifier[words[i+1]])) {
			return true
		}
	}
	return false
}

// nameWords splits a variable name on _ - . and space and at camelCase
// boundaries, upper-cased.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range name {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			if len(cur) > 0 {
				words = append(words, strings.ToUpper(string(cur)))
			}
			cur, prevLower = nil, false
			continue
		case r >= 'A' && r <= 'Z' && prevLower:
			words = append(words, strings.ToUpper(string(cur)))
			cur = nil
		}
		cur = append(cur, r)
		prevLower = r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
	}
	if len(cur) > 0 {
		words = append(words, strings.ToUpper(string(cur)))
	}
	return words
}

// Inline returns, sorted, the names of the variables of env that hold a
// secret inline: a secret-looking name and a value that is neither empty,
// nor a reference to a secret store, nor an access key id (which links to
// its key instead). skip, when not nil, leaves out more variables: those a
// provider stands for otherwise (the secret half of a key it links to).
// Values are read for that decision only.
func Inline(env map[string]string, skip func(name string) bool) []string {
	var out []string
	for k, v := range env {
		v = strings.TrimSpace(v)
		if v == "" || !IsSecretName(k) || IsReference(v) || IsAccessKeyID(v) || (skip != nil && skip(k)) {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Fingerprint is a keyed hash of a secret (HMAC-SHA-256 under key, first 12
// bytes, prefixed "hmac-sha256:"): two places holding the same secret get
// the same fingerprint, and without the key nobody can test a guess.
func Fingerprint(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(secret))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil)[:12])
}

// KeyFunc returns the function that gives the fingerprint key: given's key
// (the database's), or, when given is nil or returns an empty key, a random
// key made now for this run only, so fingerprints still compare within the
// run. given is called each time the key is wanted, so a key that exists
// only once the scan has begun is still found.
func KeyFunc(given func() []byte) func() []byte {
	runKey := make([]byte, 32)
	rand.Read(runKey) // never fails (crypto/rand)
	return func() []byte {
		if given != nil {
			if k := given(); len(k) > 0 {
				return k
			}
		}
		return runKey
	}
}
