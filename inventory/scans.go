package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ScanSummary is one scan as the history lists it.
type ScanSummary struct {
	ScanRecord
	Providers string
	// Scopes is how many scopes the scan completed; Errors how many
	// failures, Warnings how many warnings it recorded.
	Scopes, Errors, Warnings int
}

// Scans lists the latest scans, newest first, at most limit. A scan still
// marked running whose lock no process holds died before it finished: it
// is listed interrupted, as the next scan will record it.
func (s *Store) Scans(ctx context.Context, limit int) ([]ScanSummary, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT s.id, s.started_at, s.finished_at, s.status, s.providers,
       (SELECT count(*) FROM scan_scopes ss WHERE ss.scan_id = s.id),
       (SELECT count(*) FROM scan_errors e WHERE e.scan_id = s.id AND NOT e.warning),
       (SELECT count(*) FROM scan_errors e WHERE e.scan_id = s.id AND e.warning)
FROM scans s ORDER BY s.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	var out []ScanSummary
	for rows.Next() {
		var r ScanSummary
		var started string
		var finished sql.NullString
		var status string
		if err := rows.Scan(&r.ID, &started, &finished, &status, &r.Providers, &r.Scopes, &r.Errors, &r.Warnings); err != nil {
			return nil, err
		}
		r.Started, _ = time.Parse(time.RFC3339Nano, started)
		if finished.Valid {
			r.Finished, _ = time.Parse(time.RFC3339Nano, finished.String)
		}
		r.Status = s.liveStatus(ScanStatus(status))
		out = append(out, r)
	}
	return out, rows.Err()
}

// liveStatus is what a recorded status means now: "running" with no
// process holding the scan lock is a scan that died.
func (s *Store) liveStatus(st ScanStatus) ScanStatus {
	if st == ScanRunning && s.lock == nil && scanLockFree(s.path) {
		return ScanInterrupted
	}
	return st
}
