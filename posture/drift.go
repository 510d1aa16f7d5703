package posture

import (
	"context"
	"fmt"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// Rows is what reading stored findings needs: guarded read-only SQL.
type Rows interface {
	EachRow(ctx context.Context, q string, args []any, each func(cols []string, row []any) error) error
}

// Drift is what changed between two scans: the agents, identities and
// credentials new and gone, and the findings new and resolved.
type Drift struct {
	From, To DriftScan
	// New and Gone are the agents, identities and credentials first seen
	// and found gone between the scans (inventory.Store.Drift).
	New, Gone []DriftNode
	Findings  FindingsDrift
}

// DriftScan is one of the two scans a diff compares.
type DriftScan struct {
	ID       int64
	Status   string
	Finished time.Time
}

// DriftNode is a node as a diff names it; renderers read no inventory.
type DriftNode struct {
	ID, Kind, Provider, Tenant, Name string
}

// DriftNodes turns inventory records into DriftNodes.
func DriftNodes(ns []inventory.NodeRecord) []DriftNode {
	out := []DriftNode{}
	for _, n := range ns {
		out = append(out, DriftNode{ID: n.ID, Kind: string(n.Kind), Provider: n.Provider, Tenant: n.Tenant, Name: n.Name})
	}
	return out
}

// FindingsDrift compares the stored evaluations of two scans by
// fingerprint. When either scan has no stored evaluation, nothing is
// compared: FromEvaluated or ToEvaluated says which is missing.
type FindingsDrift struct {
	FromEvaluated, ToEvaluated bool
	// New are the findings of To whose fingerprint From did not have;
	// Resolved those of From that To no longer has.
	New, Resolved []DriftFinding
}

// Compared reports whether both scans had an evaluation to compare.
func (d FindingsDrift) Compared() bool { return d.FromEvaluated && d.ToEvaluated }

// DriftFinding is a stored finding, and whether a baseline suppressed it
// when it was stored.
type DriftFinding struct {
	Finding
	Suppressed bool `json:"suppressed"`
}

// CompareFindings reads the stored evaluations of scans from and to (the
// latest of each, as aam posture stores them) and compares them.
func CompareFindings(ctx context.Context, db Rows, from, to int64) (FindingsDrift, error) {
	var d FindingsDrift
	var tables int64
	err := db.EachRow(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('posture_runs', 'findings')`, nil,
		func(_ []string, row []any) error { tables = asInt(row[0]); return nil })
	if err != nil || tables < 2 {
		return d, err
	}
	runs := map[int64]int64{}
	err = db.EachRow(ctx, `SELECT scan_id, max(id) FROM posture_runs WHERE scan_id IN (?, ?) GROUP BY scan_id`, []any{from, to},
		func(_ []string, row []any) error { runs[asInt(row[0])] = asInt(row[1]); return nil })
	if err != nil {
		return d, fmt.Errorf("read stored evaluations: %w", err)
	}
	fromRun, fromOK := runs[from]
	toRun, toOK := runs[to]
	d.FromEvaluated, d.ToEvaluated = fromOK, toOK
	if !d.Compared() {
		return d, nil
	}
	// The primary key (run_id, fingerprint) answers each NOT EXISTS.
	const cols = `f.control_id, f.fingerprint, f.status, f.severity, f.subject_id, coalesce(n.kind, ''), coalesce(n.name, ''), f.provider, f.tenant, f.message, f.suppressed`
	q := `SELECT 'new', ` + cols + ` FROM findings f LEFT JOIN nodes n ON n.id = f.subject_id
WHERE f.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.run_id = ?2 AND o.fingerprint = f.fingerprint)
UNION ALL
SELECT 'resolved', ` + cols + ` FROM findings f LEFT JOIN nodes n ON n.id = f.subject_id
WHERE f.run_id = ?2 AND NOT EXISTS (SELECT 1 FROM findings o WHERE o.run_id = ?1 AND o.fingerprint = f.fingerprint)`
	err = db.EachRow(ctx, q, []any{toRun, fromRun}, func(_ []string, row []any) error {
		sev, err := ParseSeverity(asString(row[4]))
		if err != nil {
			return fmt.Errorf("stored finding %s: %w", asString(row[2]), err)
		}
		f := DriftFinding{Finding: Finding{ControlID: asString(row[1]), Fingerprint: asString(row[2]), Status: Status(asString(row[3])),
			Severity: sev, SubjectID: asString(row[5]), SubjectKind: asString(row[6]), SubjectName: asString(row[7]),
			Provider: asString(row[8]), Tenant: asString(row[9]), Message: asString(row[10])}, Suppressed: asInt(row[11]) != 0}
		if asString(row[0]) == "new" {
			d.New = append(d.New, f)
		} else {
			d.Resolved = append(d.Resolved, f)
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("compare stored findings: %w", err)
	}
	sortDrift(d.New)
	sortDrift(d.Resolved)
	return d, nil
}

// sortDrift orders findings most severe first, then by control, subject
// and fingerprint, so that two diffs of the same scans print the same.
func sortDrift(fs []DriftFinding) {
	plain := make([]Finding, len(fs))
	idx := map[string]DriftFinding{}
	for i, f := range fs {
		plain[i] = f.Finding
		idx[f.Fingerprint] = f
	}
	sortFindings(plain)
	for i, f := range plain {
		fs[i] = idx[f.Fingerprint]
	}
}

// NewAtOrAbove counts the new findings at or above sev that no baseline
// suppressed: what aam diff --fail-on fails on.
func (d FindingsDrift) NewAtOrAbove(sev Severity) int {
	n := 0
	for _, f := range d.New {
		if !f.Suppressed && f.Severity >= sev {
			n++
		}
	}
	return n
}
