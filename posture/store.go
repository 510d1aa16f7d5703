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

// findingColumns are the columns Save writes per finding.
const findingColumns = 17

// findingsPerInsert is how many findings one INSERT writes (17 parameters
// each, within SQLite's limit of 32,766).
const findingsPerInsert = 128

// Save keeps a report's findings, each with what the baseline did to it,
// and enough of its run (controls, coverage, the baseline's unmatched
// suppressions) to render it again, as the findings of the scan it was
// evaluated on, in one transaction: the previous evaluation of the same
// scan is replaced, other scans' are kept. It returns the run's id.
func Save(ctx context.Context, w Writer, r *Report) (int64, error) {
	run := r.Run
	controls, err := json.Marshal(storedControlsOf(run.Controls))
	if err != nil {
		return 0, err
	}
	coverage, err := json.Marshal(run.Coverage)
	if err != nil {
		return 0, err
	}
	unmatched := make([]storedSuppression, 0, len(run.Unmatched))
	for _, u := range run.Unmatched {
		unmatched = append(unmatched, storedSuppressionOf(u))
	}
	unmatchedJSON, err := json.Marshal(unmatched)
	if err != nil {
		return 0, err
	}
	var id int64
	err = w.WriteTx(ctx, func(tx *sql.Conn) error {
		if err := migrate(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE scan_id = ?`, run.ScanID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM posture_runs WHERE scan_id = ?`, run.ScanID); err != nil {
			return err
		}
		failed := r.Tally.Sum(func(k TallyKey) bool { return k.Status != StatusUnknown })
		unknown := r.Tally.Sum(func(k TallyKey) bool { return k.Status == StatusUnknown })
		res, err := tx.ExecContext(ctx, `INSERT INTO posture_runs (scan_id, evaluated_at, aam_version, controls, failed, not_evaluable, suppressed,
			controls_json, coverage_json, baseline, unmatched_json)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, run.ScanID, run.Now.UTC().Format(time.RFC3339), r.Version, len(run.Controls), failed, unknown,
			r.Tally.Marked(MarkSuppressed), string(controls), string(coverage), run.Baseline, string(unmatchedJSON))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		// Rows go in findingsPerInsert at a time: one statement per row
		// costs more than the row on an estate with a hundred thousand.
		cols := "(" + strings.TrimSuffix(strings.Repeat("?, ", findingColumns), ", ") + ")"
		insert := func(n int) string {
			return `INSERT OR REPLACE INTO findings (run_id, scan_id, control_id, fingerprint, status, severity, severity_level, subject_id,
				subject_kind, subject_name, provider, tenant, about, message, evidence, suppressed, suppression) VALUES ` +
				strings.TrimSuffix(strings.Repeat(cols+", ", n), ", ")
		}
		full, err := tx.PrepareContext(ctx, insert(findingsPerInsert))
		if err != nil {
			return err
		}
		defer full.Close()
		args := make([]any, 0, findingColumns*findingsPerInsert)
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			var err error
			if len(args) == cap(args) {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert(len(args)/findingColumns), args...)
			}
			args = args[:0]
			return err
		}
		err = r.Findings.Each(ctx, Query{}, func(it Item) error {
			about, _ := json.Marshal(nonNil(it.About))
			// Evidence as the control built it; '' when it gave none.
			evidence := it.Evidence
			suppression := ""
			if it.Suppression != nil {
				b, err := json.Marshal(storedSuppressionOf(*it.Suppression))
				if err != nil {
					return err
				}
				suppression = string(b)
			}
			args = append(args, id, run.ScanID, it.ControlID, it.Fingerprint, string(it.Status), it.Severity.String(), int(it.Severity), it.SubjectID,
				it.SubjectKind, it.SubjectName, it.Provider, it.Tenant, string(about), it.Message, string(evidence), it.Mark == MarkSuppressed, suppression)
			if len(args) == cap(args) {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// storedControl is a control's outcome as a stored run keeps it: the
// control whole, so that a report renders the run as it was evaluated
// even when the catalogue has changed since.
type storedControl struct {
	Control      *Control       `json:"control"`
	Thresholds   map[string]int `json:"thresholds,omitempty"`
	Failed       int            `json:"failed"`
	Unknown      int            `json:"not_evaluable"`
	NotEvaluated string         `json:"not_evaluated,omitempty"`
	NoTenant     bool           `json:"no_tenant,omitempty"`
}

func storedControlsOf(os []*ControlOutcome) []storedControl {
	out := make([]storedControl, 0, len(os))
	for _, o := range os {
		out = append(out, storedControl{Control: o.Control, Thresholds: o.Thresholds, Failed: o.Failed, Unknown: o.Unknown,
			NotEvaluated: o.NotEvaluated, NoTenant: o.NoTenant})
	}
	return out
}

// storedSuppression is a suppression as the database keeps it.
type storedSuppression struct {
	Fingerprint string `json:"fingerprint"`
	Control     string `json:"control,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Reason      string `json:"reason"`
	Expires     string `json:"expires"`
	Line        int    `json:"line,omitempty"`
}

func storedSuppressionOf(s Suppression) storedSuppression {
	return storedSuppression{Fingerprint: s.Fingerprint, Control: s.Control, Subject: s.Subject, Reason: s.Reason,
		Expires: s.Expires.Format(time.DateOnly), Line: s.Line}
}

func (s storedSuppression) suppression() (Suppression, error) {
	exp, err := time.Parse(time.DateOnly, s.Expires)
	if err != nil {
		return Suppression{}, fmt.Errorf("stored suppression of %s: expires %q: %w", s.Fingerprint, s.Expires, err)
	}
	return Suppression{Fingerprint: s.Fingerprint, Control: s.Control, Subject: s.Subject, Reason: s.Reason, Expires: exp, Line: s.Line}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// migrationNames are posture's migrations, in order.
func migrationNames() []string {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		// The folder is embedded: it cannot be missing.
		panic(err)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
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
	entries := migrationNames()
	if v > len(entries) {
		return fmt.Errorf("the findings in this database were written by a newer aam (posture schema %d, this aam knows %d): use that aam", v, len(entries))
	}
	for i, name := range entries[v:] {
		n, _ := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if n != v+i+1 {
			return fmt.Errorf("posture migration %s is out of order", name)
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
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
