package inventory

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// FingerprintKey returns this database's key for secret fingerprints,
// creating it once. Scanners fingerprint a secret they see inline (an API
// key in an environment) as HMAC-SHA-256 under this key: the same secret in
// two places gets the same fingerprint in this database, and without the key
// a fingerprint says nothing, so nobody can test guesses against it.
func (s *Store) FingerprintKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'fingerprint_key'`).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read the fingerprint key: %w", err)
	}
	if s.readOnly {
		return nil, errors.New("database has no fingerprint key yet: run aam scan first")
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('fingerprint_key', ?) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return nil, fmt.Errorf("store the fingerprint key: %w", err)
	}
	// Another process may have won the insert: read what is stored.
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'fingerprint_key'`).Scan(&key); err != nil {
		return nil, fmt.Errorf("read the fingerprint key: %w", err)
	}
	return key, nil
}
