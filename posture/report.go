package posture

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// ReportSchemaVersion is the version of the JSON report's shape; it grows
// when a field changes meaning or goes away, not when one is added.
const ReportSchemaVersion = 1

// Report is everything a renderer needs: the evaluation's run (controls,
// coverage), its findings marked by the baseline, read as the renderer
// streams them, their tally, and the gate's verdict.
type Report struct {
	Tool     string   `json:"-"`
	Version  string   `json:"-"`
	Run      *Run     `json:"-"`
	Findings Findings `json:"-"`
	Tally    Tally    `json:"-"`
	Gate     Gate     `json:"-"`
	// ConfigPath is the aam.yaml the scan used, relative to the
	// repository root as SARIF wants it; "" when there is none.
	ConfigPath string `json:"-"`
	// Stored says whether the findings were kept in the database, and
	// StoreNote why not when they were not.
	Stored    bool   `json:"-"`
	StoreNote string `json:"-"`
	// FullReportHint says where every finding can be read when a
	// renderer with a size limit (Markdown, for a pull-request comment)
	// leaves some out: a file, or a command; "" lets the renderer say
	// "run aam posture -o json".
	FullReportHint string `json:"-"`
	// Paths are, by agent id, what each agent reaches (its identities,
	// their credentials, the resources they can access), for the HTML
	// report's pictures. Only the HTML report needs them, so the CLI
	// fills them for it alone; nil otherwise.
	Paths map[string]AgentPaths `json:"-"`
	// AgentsNotWalked counts the agents whose paths were not computed
	// (WorstAgents left them out), for the report to say so.
	AgentsNotWalked int `json:"-"`
}

// WorstAgents picks, of the agents (their ids), the n whose findings that
// count are worst: those findings name them as subject or among the ids
// they are about, ranked by the worst (failing before not evaluable, then
// severity), then how many, then id. Past the agents findings name, the
// rest follow by id until n. It reads the findings once and holds one
// entry per agent, so that a report drawing n agents walks n, not all.
func WorstAgents(ctx context.Context, fs Findings, agents []string, n int) ([]string, error) {
	type rank struct {
		unknown  bool
		severity Severity
		count    int
	}
	isAgent := make(map[string]*rank, len(agents))
	for _, id := range agents {
		isAgent[id] = nil
	}
	err := fs.Each(ctx, Query{Order: OrderRank, Marks: MarksCounting}, func(it Item) error {
		seen := map[string]bool{}
		for _, id := range append([]string{it.SubjectID}, it.About...) {
			rk, ok := isAgent[id]
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			if rk == nil {
				// Read in rank order: an agent's first finding is its worst.
				rk = &rank{unknown: it.Status == StatusUnknown, severity: it.Severity}
				isAgent[id] = rk
			}
			rk.count++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), agents...)
	sort.Slice(out, func(i, j int) bool {
		a, b := isAgent[out[i]], isAgent[out[j]]
		switch {
		case a == nil || b == nil:
			if (a == nil) != (b == nil) {
				return b == nil
			}
		case a.unknown != b.unknown:
			return !a.unknown
		case a.severity != b.severity:
			return a.severity > b.severity
		case a.count != b.count:
			return a.count > b.count
		}
		return out[i] < out[j]
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// AgentPaths is what one agent reaches, as a small graph: every node at
// its distance in edges from the agent, and one edge into each node (the
// last hop of its shortest path).
type AgentPaths struct {
	Agent PathNode
	// Nodes are ordered by depth then id; at most the cap the CLI sets.
	Nodes []PathNode
	Edges []PathEdge
	// Omitted counts the nodes the agent reaches past the cap.
	Omitted int
}

// PathNode is a node of an agent's picture.
type PathNode struct {
	ID   string
	Kind string
	Name string
	// Depth is the number of edges from the agent (0 for the agent).
	Depth int
}

// PathEdge is an edge of an agent's picture.
type PathEdge struct {
	From, To, Kind string
}

// Gate is --fail-on: a severity at or above which a finding fails the run.
type Gate struct {
	FailOn Severity `json:"fail_on,omitempty"`
	// AllowUnknown lets not-evaluable items and failed scopes pass.
	AllowUnknown bool `json:"allow_unknown"`
	// Failed is the verdict, Reasons why.
	Failed  bool     `json:"failed"`
	Reasons []string `json:"reasons,omitempty"`
}

// Decide fills the gate's verdict: it fails when an active finding at or
// above FailOn remains, or, unless AllowUnknown, a not-evaluable item at or
// above it, or a failed scope under a control at or above it.
func (g *Gate) Decide(run *Run, t Tally) {
	g.Failed, g.Reasons = false, nil
	if g.FailOn == SeverityNone {
		return
	}
	var fail, unknown int
	for k, n := range t {
		if k.Mark == MarkSuppressed || k.Severity < g.FailOn {
			continue
		}
		if k.Status == StatusUnknown {
			unknown += n
		} else {
			fail += n
		}
	}
	if fail > 0 {
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d finding(s) at or above %s", fail, g.FailOn))
	}
	if !g.AllowUnknown {
		if unknown > 0 {
			g.Reasons = append(g.Reasons, fmt.Sprintf("%d item(s) at or above %s could not be evaluated (pass --allow-unknown to accept)", unknown, g.FailOn))
		}
		gaps := 0
		for _, c := range run.Controls {
			if c.NotEvaluated != "" && c.Control.Severity >= g.FailOn {
				gaps++
			}
		}
		if gaps > 0 {
			g.Reasons = append(g.Reasons, fmt.Sprintf("%d control(s) at or above %s could not judge the whole estate (see coverage; pass --allow-unknown to accept)", gaps, g.FailOn))
		}
	}
	g.Failed = len(g.Reasons) > 0
}

// When formats t for people: a date and time, UTC.
func When(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
