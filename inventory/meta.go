package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// NoteFingerprintKey records which key (by its id, never the key) made this
// database's secret fingerprints, and returns the id recorded before, if
// another: fingerprints made under two keys cannot be compared.
func (s *Store) NoteFingerprintKey(ctx context.Context, keyID string) (previous string, err error) {
	var old []byte
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'fingerprint_key_id'`).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", fmt.Errorf("read the fingerprint key id: %w", err)
	case string(old) == keyID:
		return "", nil
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('fingerprint_key_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, []byte(keyID)); err != nil {
		return "", fmt.Errorf("record the fingerprint key id: %w", err)
	}
	return string(old), nil
}
