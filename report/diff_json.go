package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/aam-dev/aam/posture"
)

// DiffJSON renders a drift between two scans as one JSON document.
type DiffJSON struct{}

type jsonDiffScan struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Finished string `json:"finished_at"`
}

type jsonDiffNode struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"`
	Tenant   string `json:"tenant"`
	Name     string `json:"name"`
}

type jsonDiffFindings struct {
	Compared bool                   `json:"compared"`
	Note     string                 `json:"note,omitempty"`
	New      []posture.DriftFinding `json:"new"`
	Resolved []posture.DriftFinding `json:"resolved"`
}

// Render writes d.
func (DiffJSON) Render(w io.Writer, d *posture.Drift) error {
	scan := func(s posture.DriftScan) jsonDiffScan {
		return jsonDiffScan{ID: s.ID, Status: string(s.Status), Finished: s.Finished.UTC().Format(time.RFC3339)}
	}
	nodes := func(ns []posture.DriftNode) []jsonDiffNode {
		out := []jsonDiffNode{}
		for _, n := range ns {
			out = append(out, jsonDiffNode{ID: n.ID, Kind: n.Kind, Provider: n.Provider, Tenant: n.Tenant, Name: n.Name})
		}
		return out
	}
	findings := func(fs []posture.DriftFinding) []posture.DriftFinding {
		if fs == nil {
			return []posture.DriftFinding{}
		}
		return fs
	}
	doc := struct {
		SchemaVersion int              `json:"schema_version"`
		From          jsonDiffScan     `json:"from"`
		To            jsonDiffScan     `json:"to"`
		New           []jsonDiffNode   `json:"new"`
		Gone          []jsonDiffNode   `json:"gone"`
		Findings      jsonDiffFindings `json:"findings"`
	}{1, scan(d.From), scan(d.To), nodes(d.New), nodes(d.Gone),
		jsonDiffFindings{Compared: d.Findings.Compared(), Note: FindingsNote(d), New: findings(d.Findings.New), Resolved: findings(d.Findings.Resolved)}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
