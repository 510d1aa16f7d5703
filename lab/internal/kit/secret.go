package kit

import (
	"fmt"
	"io"
)

// Secret is a secret value an estate holds (a canary: an access key's
// secret, an API key, a client secret). It reads from and writes to an
// estate file as the plain string, but prints as [secret] under every fmt
// verb and encodes to JSON that way too, so no log line, error or answer
// shows it by accident. Reveal is the one way to the value.
type Secret string

// Reveal returns the value, for the few places that must use it.
func (s Secret) Reveal() string { return string(s) }

// String is [secret], or "" for no secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[secret]"
}

// GoString is String for %#v.
func (s Secret) GoString() string { return s.String() }

// Format prints String whatever the verb (%s, %v, %q, %x...).
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// MarshalJSON writes String: a secret never goes out in JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalYAML writes the value: an estate file holds its canaries.
func (s Secret) MarshalYAML() (any, error) { return string(s), nil }
