package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fingerprintKeyEnv names a file holding the key of secret fingerprints.
const fingerprintKeyEnv = "AAM_FINGERPRINT_KEY_FILE"

// fingerprintKey returns the key under which scanners fingerprint secrets
// they see inline, and its id. It lives outside the database, in
// $AAM_FINGERPRINT_KEY_FILE or the user's config directory
// (~/.config/aam/fingerprint.key), created once with mode 0600, so a copy of
// the database alone cannot be used to test guesses against fingerprints.
func fingerprintKey() (key []byte, id, path string, err error) {
	path = os.Getenv(fingerprintKeyEnv)
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, "", "", fmt.Errorf("no config directory for the fingerprint key (%v): set %s to a file path", err, fingerprintKeyEnv)
		}
		path = filepath.Join(dir, "aam", "fingerprint.key")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, "", "", err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, "", "", fmt.Errorf("create the fingerprint key %s: %w: set %s to a writable path", path, err, fingerprintKeyEnv)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return fingerprintKey() // another aam created it first
		}
		if err != nil {
			return nil, "", "", fmt.Errorf("create the fingerprint key %s: %w: set %s to a writable path", path, err, fingerprintKeyEnv)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, "", "", fmt.Errorf("write the fingerprint key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, "", "", err
		}
	} else if err != nil {
		return nil, "", "", fmt.Errorf("read the fingerprint key %s: %w", path, err)
	} else {
		key, err = hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(key) < 16 {
			return nil, "", "", fmt.Errorf("fingerprint key %s is not a hex key of at least 16 bytes: restore it, or delete it to start a new one (fingerprints then change)", path)
		}
	}
	sum := sha256.Sum256(append([]byte("aam fingerprint key id\x00"), key...))
	return key, hex.EncodeToString(sum[:8]), path, nil
}
