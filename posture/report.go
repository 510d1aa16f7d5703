package posture

import (
	"fmt"
	"time"
)

// ReportSchemaVersion is the version of the JSON report's shape; it grows
// when a field changes meaning or goes away, not when one is added.
const ReportSchemaVersion = 1

// Report is everything a renderer needs: the evaluation, the findings that
// count after the baseline, and the gate's verdict.
type Report struct {
	Tool       string      `json:"-"`
	Version    string      `json:"-"`
	Evaluation *Evaluation `json:"-"`
	Triage     Triage      `json:"-"`
	Gate       Gate        `json:"-"`
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
func (g *Gate) Decide(ev *Evaluation, active []Finding) {
	g.Failed, g.Reasons = false, nil
	if g.FailOn == SeverityNone {
		return
	}
	var fail, unknown int
	for _, f := range active {
		if f.Severity < g.FailOn {
			continue
		}
		if f.Status == StatusUnknown {
			unknown++
		} else {
			fail++
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
		for _, c := range ev.Controls {
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

// Counts tallies findings by severity, for summaries.
func Counts(fs []Finding) map[Severity]int {
	out := map[Severity]int{}
	for _, f := range fs {
		out[f.Severity]++
	}
	return out
}

// When formats t for people: a date and time, UTC.
func When(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
