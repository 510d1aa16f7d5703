package posture

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNoStoredEvaluation is LoadReport's error when the database holds no
// evaluation it can render.
var ErrNoStoredEvaluation = errors.New("no stored evaluation")

// LoadReport reads a stored evaluation for rendering: its run, whole, and
// its findings as a source the renderers stream row by row. scanID picks
// the evaluation of that scan; 0 picks the latest stored. Tool, Version,
// Gate and the rest are the caller's to fill (Gate.Decide takes the run
// and the tally).
func LoadReport(ctx context.Context, db Rows, scanID int64) (*Report, error) {
	var tables int64
	err := db.EachRow(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('posture_runs', 'findings', 'posture_schema_version')`, nil,
		func(_ []string, row []any) error { tables = asInt(row[0]); return nil })
	if err != nil {
		return nil, fmt.Errorf("read stored evaluations: %w", err)
	}
	if tables < 3 {
		return nil, fmt.Errorf("%w: this database has never kept findings: run aam posture to evaluate the inventory", ErrNoStoredEvaluation)
	}
	var version int64
	err = db.EachRow(ctx, `SELECT version FROM posture_schema_version`, nil, func(_ []string, row []any) error { version = asInt(row[0]); return nil })
	if err != nil {
		return nil, fmt.Errorf("read stored evaluations: %w", err)
	}
	if known := int64(len(migrationNames())); version > known {
		return nil, fmt.Errorf("the findings in this database were written by a newer aam (posture schema %d, this aam knows %d): use that aam", version, known)
	} else if version < 2 {
		return nil, fmt.Errorf("%w: the findings in this database were stored by an older aam, without what a report needs: run aam posture to evaluate again", ErrNoStoredEvaluation)
	}
	q := `SELECT id, scan_id, evaluated_at, aam_version, controls_json, coverage_json, baseline, unmatched_json FROM posture_runs `
	args := []any{}
	if scanID != 0 {
		q += `WHERE scan_id = ? `
		args = append(args, scanID)
	}
	q += `ORDER BY id DESC LIMIT 1`
	run := &Run{}
	var controls, coverage, unmatched string
	found := false
	err = db.EachRow(ctx, q, args, func(_ []string, row []any) error {
		found = true
		run.ID, run.ScanID = asInt(row[0]), asInt(row[1])
		run.Version, run.Baseline = asString(row[3]), asString(row[6])
		controls, coverage, unmatched = asString(row[4]), asString(row[5]), asString(row[7])
		t, err := time.Parse(time.RFC3339, asString(row[2]))
		run.Now = t.UTC()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read stored evaluation: %w", err)
	}
	if !found {
		if scanID != 0 {
			return nil, fmt.Errorf("%w for scan %d: run aam posture after that scan, or list the evaluated scans with aam query \"SELECT scan_id, evaluated_at FROM posture_runs\"", ErrNoStoredEvaluation, scanID)
		}
		return nil, fmt.Errorf("%w: run aam posture to evaluate the inventory", ErrNoStoredEvaluation)
	}
	if controls == "" {
		return nil, fmt.Errorf("%w: the evaluation of scan %d was stored by an older aam, without its controls: run aam posture to evaluate again", ErrNoStoredEvaluation, run.ScanID)
	}
	var scs []storedControl
	if err := json.Unmarshal([]byte(controls), &scs); err != nil {
		return nil, fmt.Errorf("stored evaluation of scan %d: its controls do not read (%v): run aam posture to evaluate again", run.ScanID, err)
	}
	for _, sc := range scs {
		if sc.Control == nil {
			return nil, fmt.Errorf("stored evaluation of scan %d: a control is missing: run aam posture to evaluate again", run.ScanID)
		}
		run.Controls = append(run.Controls, &ControlOutcome{Control: sc.Control, Thresholds: sc.Thresholds, Failed: sc.Failed,
			Unknown: sc.Unknown, NotEvaluated: sc.NotEvaluated, NoTenant: sc.NoTenant})
	}
	if err := json.Unmarshal([]byte(coverage), &run.Coverage); err != nil {
		return nil, fmt.Errorf("stored evaluation of scan %d: its coverage does not read (%v): run aam posture to evaluate again", run.ScanID, err)
	}
	var sups []storedSuppression
	if err := json.Unmarshal([]byte(unmatched), &sups); err != nil {
		return nil, fmt.Errorf("stored evaluation of scan %d: its baseline's suppressions do not read (%v): run aam posture to evaluate again", run.ScanID, err)
	}
	run.Unmatched = []Suppression{}
	for _, s := range sups {
		sup, err := s.suppression()
		if err != nil {
			return nil, err
		}
		run.Unmatched = append(run.Unmatched, sup)
	}
	fs := &storedFindings{db: db, run: run.ID}
	tally := Tally{}
	err = db.EachRow(ctx, `SELECT provider, tenant, control_id, status, severity, suppressed, suppression != '', count(*) FROM findings
WHERE run_id = ? GROUP BY 1, 2, 3, 4, 5, 6, 7`, []any{run.ID}, func(_ []string, row []any) error {
		sev, err := ParseSeverity(asString(row[4]))
		if err != nil {
			return fmt.Errorf("stored finding of %s: %w", asString(row[2]), err)
		}
		k := TallyKey{Provider: asString(row[0]), Tenant: asString(row[1]), ControlID: asString(row[2]), Status: Status(asString(row[3])),
			Severity: sev, Mark: markOf(asInt(row[5]) != 0, asInt(row[6]) != 0)}
		tally[k] += int(asInt(row[7]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stored evaluation of scan %d: %w", run.ScanID, err)
	}
	return &Report{Run: run, Findings: fs, Tally: tally, Stored: true}, nil
}

func markOf(suppressed, named bool) Mark {
	switch {
	case suppressed:
		return MarkSuppressed
	case named:
		return MarkExpired
	}
	return MarkNone
}

// storedFindings read one stored evaluation's findings, a row at a time.
type storedFindings struct {
	db  Rows
	run int64
}

func (s *storedFindings) Each(ctx context.Context, q Query, fn func(Item) error) error {
	stmt := `SELECT control_id, fingerprint, status, severity, subject_id, subject_kind, subject_name, provider, tenant, about, message, evidence,
	suppressed, suppression FROM findings WHERE run_id = :run`
	args := []any{sql.Named("run", s.run)}
	switch q.Marks {
	case MarksCounting:
		stmt += ` AND suppressed = 0`
	case MarksSuppressed:
		stmt += ` AND suppressed = 1`
	case MarksExpired:
		stmt += ` AND suppressed = 0 AND suppression != ''`
	}
	if q.Tenant != nil {
		stmt += ` AND provider = :provider AND tenant = :tenant`
		args = append(args, sql.Named("provider", q.Tenant.Provider), sql.Named("tenant", q.Tenant.Tenant))
	}
	if q.SubjectKind != "" {
		stmt += ` AND subject_kind = :kind`
		args = append(args, sql.Named("kind", q.SubjectKind))
	}
	stmt += ` ORDER BY ` + orderBy(q.Order)
	return s.db.EachRow(ctx, stmt, args, func(_ []string, row []any) error {
		it, err := storedItem(row)
		if err != nil {
			return err
		}
		return fn(it)
	})
}

func storedItem(row []any) (Item, error) {
	fp := asString(row[1])
	sev, err := ParseSeverity(asString(row[3]))
	if err != nil {
		return Item{}, fmt.Errorf("stored finding %s: %w", fp, err)
	}
	it := Item{Finding: Finding{ControlID: asString(row[0]), Fingerprint: fp, Status: Status(asString(row[2])), Severity: sev,
		SubjectID: asString(row[4]), SubjectKind: asString(row[5]), SubjectName: asString(row[6]), Provider: asString(row[7]),
		Tenant: asString(row[8]), Message: asString(row[10])}}
	var about []string
	if err := json.Unmarshal([]byte(asString(row[9])), &about); err != nil {
		return Item{}, fmt.Errorf("stored finding %s: about: %w", fp, err)
	}
	if len(about) > 0 {
		it.About = about
	}
	if ev := asString(row[11]); ev != "" {
		it.Evidence = json.RawMessage(ev)
	}
	if sup := asString(row[13]); sup != "" {
		var s storedSuppression
		if err := json.Unmarshal([]byte(sup), &s); err != nil {
			return Item{}, fmt.Errorf("stored finding %s: suppression: %w", fp, err)
		}
		v, err := s.suppression()
		if err != nil {
			return Item{}, err
		}
		it.Suppression = &v
	}
	it.Mark = markOf(asInt(row[12]) != 0, it.Suppression != nil)
	return it, nil
}
