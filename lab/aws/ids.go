package aws

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// entityID derives the stable unique id of an IAM entity, shaped as AWS
// shapes them: a four-letter prefix naming the kind (AIDA user, AROA role,
// AGPA group, ANPA policy) and 17 upper-case letters and digits. Names are
// not case sensitive in IAM, so neither is the id.
func entityID(prefix, account, kind, name string) string {
	sum := sha256.Sum256([]byte("aam-lab\x00" + account + "\x00" + kind + "\x00" + strings.ToLower(name)))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// newRequestID returns a fresh request id in the UUID form AWS uses.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
