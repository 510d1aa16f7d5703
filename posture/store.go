package posture

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Writer is the store posture keeps findings in.
type Writer interface {
	WriteTx(ctx context.Context, f func(conn *sql.Conn) error) error
}

var _ Writer = (*inventory.Store)(nil)

// findingsPerInsert is how many findings one INSERT writes (13 parameters
// each, within SQLite's limit of 32,766).
const findingsPerInsert = 128

// Save keeps a report's findings, suppressed ones marked, as the findings
// of the scan it was evaluated on, in one transaction: the previous
// evaluation of the same scan is replaced, other scans' are kept.
func Save(ctx context.Context, w Writer, r *Report) error {
	ev := r.Evaluation
	suppressed := map[string]bool{}
	for _, s := range r.Triage.Suppressed {
		suppressed[s.Finding.Fingerprint] = true
	}
	return w.WriteTx(ctx, func(tx *sql.Conn) error {
		if err := migrate(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE scan_id = ?`, ev.ScanID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM posture_runs WHERE scan_id = ?`, ev.ScanID); err != nil {
			return err
		}
		var failed, unknown int
		for _, f := range ev.Findings {
			if f.Status == StatusUnknown {
				unknown++
			} else {
				failed++
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO posture_runs (scan_id, evaluated_at, aam_version, controls, failed, not_evaluable, suppressed)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.ScanID, ev.Now.Format(time.RFC3339), r.Version, len(ev.Controls), failed, unknown, len(r.Triage.Suppressed))
		if err != nil {
			return err
		}
		run, err := res.LastInsertId()
		if err != nil {
			return err
		}
		// Rows go in findingsPerInsert at a time: one statement per row
		// costs more than the row on an estate with a hundred thousand.
		const cols = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		insert := func(n int) string {
			return "INSERT OR REPLACE INTO findings (run_id, scan_id, control_id, fingerprint, status, severity, subject_id, provider, tenant, about, message, evidence, suppressed) VALUES " +
				strings.TrimSuffix(strings.Repeat(cols+", ", n), ", ")
		}
		full, err := tx.PrepareContext(ctx, insert(findingsPerInsert))
		if err != nil {
			return err
		}
		defer full.Close()
		args := make([]any, 0, 13*findingsPerInsert)
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			var err error
			if len(args) == cap(args) {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert(len(args)/13), args...)
			}
			args = args[:0]
			return err
		}
		for _, f := range ev.Findings {
			about, _ := json.Marshal(nonNil(f.About))
			evidence := []byte("{}")
			if len(f.Evidence) > 0 {
				evidence = f.Evidence
			}
			args = append(args, run, ev.ScanID, f.ControlID, f.Fingerprint, string(f.Status), f.Severity.String(),
				f.SubjectID, f.Provider, f.Tenant, string(about), f.Message, string(evidence), suppressed[f.Fingerprint])
			if len(args) == cap(args) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// migrate brings posture's tables to the version this build knows,
// tracked in posture_schema_version apart from the inventory's version.
func migrate(ctx context.Context, tx *sql.Conn) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS posture_schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store findings: %w", err)
	}
	v := 0
	err := tx.QueryRowContext(ctx, `SELECT version FROM posture_schema_version`).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO posture_schema_version VALUES (0)`); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("store findings: %w", err)
	}
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	if v > len(entries) {
		return fmt.Errorf("the findings in this database were written by a newer aam (posture schema %d, this aam knows %d): use that aam", v, len(entries))
	}
	for i, e := range entries[v:] {
		n, _ := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if n != v+i+1 {
			return fmt.Errorf("posture migration %s is out of order", e.Name())
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("store findings: migrate to posture schema %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posture_schema_version SET version = ?`, n); err != nil {
			return err
		}
	}
	return nil
}
