package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/posture"
)

// HTML renders a report as one HTML file a person opens offline: the
// summary, coverage, findings with a severity filter, and each agent's
// worst findings with a picture of what it reaches. It loads nothing: the
// style is inline, the filter is pure CSS (checkboxes), the pictures are
// inline SVG, so the file works air-gapped and leaks nothing when opened.
type HTML struct{}

//go:embed html/*.tmpl
var htmlFiles embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"when":      func(t *time.Time) string { return posture.When(*t) },
	"minusOne":  func(n int) int { return n - 1 },
	"kindClass": kindClass,
}).ParseFS(htmlFiles, "html/*.tmpl"))

// kindClass is the CSS class of a node kind's colour; kinds a provider
// adds later are drawn grey.
func kindClass(kind string) string {
	switch kind {
	case "agent", "identity", "credential", "resource", "person":
		return kind
	}
	return "other"
}

// worstPerAgent is how many findings an agent's section lists.
const worstPerAgent = 5

// maxAgentSections is how many agents the page draws, worst first.
const maxAgentSections = 100

// Picture geometry, in SVG user units: columns by hop depth.
const (
	svgPad   = 10
	svgColW  = 240
	svgBoxW  = 210
	svgBoxH  = 30
	svgRowH  = 40
	nameRune = 30
)

type htmlFinding struct {
	posture.Finding
	Title   string
	Unknown bool
	Expired string
}

type htmlBox struct {
	X, Y, TextX, TextY int
	W, H               int
	Kind, Label, ID    string
}

type htmlLine struct {
	X1, Y1, X2, Y2 int
	Kind           string
}

type htmlPicture struct {
	Width, Height int
	Boxes         []htmlBox
	Lines         []htmlLine
	Omitted       int
}

type htmlAgent struct {
	ID, Name string
	Worst    []htmlFinding
	More     int
	Picture  *htmlPicture
}

type htmlSeverity struct {
	Name  string
	Count int
}

type htmlData struct {
	Tool, Version string
	ScanID        int64
	EvaluatedAt   string
	Stored        bool
	StoreNote     string
	Severities    []htmlSeverity
	Failed        int
	NotEvaluable  int
	Suppressed    []posture.Suppressed
	Expired       []posture.Suppressed
	Unmatched     []posture.Suppression
	Scopes        []posture.ScopeCoverage
	ScopeStates   map[string]int
	Partial       []*posture.ControlOutcome
	Findings      []htmlFinding
	Agents        []htmlAgent
	PathsKnown    bool
	// AgentsLeft counts the agents past maxAgentSections, not drawn.
	AgentsLeft int
	Gate       string
	GateFailed bool
}

// Render writes r.
func (HTML) Render(w io.Writer, r *posture.Report) error {
	ev := r.Evaluation
	titles := map[string]string{}
	for _, o := range ev.Controls {
		titles[o.Control.ID] = o.Control.Title
	}
	expired := map[string]posture.Suppression{}
	for _, e := range r.Triage.Expired {
		expired[e.Finding.Fingerprint] = e.Suppression
	}
	d := htmlData{Tool: r.Tool, Version: r.Version, ScanID: ev.ScanID, EvaluatedAt: posture.When(ev.Now), Stored: r.Stored, StoreNote: r.StoreNote,
		Suppressed: r.Triage.Suppressed, Expired: r.Triage.Expired, Unmatched: r.Triage.Unmatched, Scopes: ev.Coverage.Scopes,
		ScopeStates: map[string]int{}, PathsKnown: r.Paths != nil}
	var fails []posture.Finding
	for _, f := range r.Triage.Active {
		hf := htmlFinding{Finding: f, Title: titles[f.ControlID], Unknown: f.Status == posture.StatusUnknown}
		if s, ok := expired[f.Fingerprint]; ok {
			hf.Expired = fmt.Sprintf("baseline suppression expired %s: it no longer suppresses this (%s)", s.Expires.Format("2006-01-02"), s.Reason)
		}
		if hf.Unknown {
			d.NotEvaluable++
		} else {
			fails = append(fails, f)
		}
		d.Findings = append(d.Findings, hf)
	}
	d.Failed = len(fails)
	// Most severe first; within a severity, failures before the not
	// evaluable, then the order the evaluation gave.
	sort.SliceStable(d.Findings, func(i, j int) bool {
		a, b := d.Findings[i], d.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return !a.Unknown && b.Unknown
	})
	counts := posture.Counts(fails)
	for _, sev := range severitiesDown {
		d.Severities = append(d.Severities, htmlSeverity{sev.String(), counts[sev]})
	}
	for _, sc := range ev.Coverage.Scopes {
		d.ScopeStates[sc.State]++
	}
	for _, o := range ev.Controls {
		if o.NotEvaluated != "" {
			d.Partial = append(d.Partial, o)
		}
	}
	switch {
	case r.Gate.FailOn == posture.SeverityNone:
		d.Gate = "none (pass --fail-on SEVERITY to fail on findings)"
	case r.Gate.Failed:
		d.Gate, d.GateFailed = fmt.Sprintf("FAILED (--fail-on %s): %s", r.Gate.FailOn, strings.Join(r.Gate.Reasons, "; ")), true
	default:
		allow := ""
		if r.Gate.AllowUnknown {
			allow = ", --allow-unknown"
		}
		d.Gate = fmt.Sprintf("passed (--fail-on %s%s)", r.Gate.FailOn, allow)
	}
	d.Agents, d.AgentsLeft = htmlAgents(r, d.Findings)
	return htmlTemplate.Execute(w, d)
}

// htmlAgents is a section per agent: the agents of the paths when the CLI
// computed them, else the agents findings are about. An agent's findings
// are those about it or about anything its picture shows. Past
// maxAgentSections agents, only the worst are drawn (by their worst
// finding, then how many they have): a page of thousands of pictures is
// too large to open, and the findings table still lists every finding.
func htmlAgents(r *posture.Report, findings []htmlFinding) ([]htmlAgent, int) {
	names := map[string]string{}
	if r.Paths != nil {
		for id, p := range r.Paths {
			names[id] = p.Agent.Name
		}
	} else {
		for _, f := range findings {
			if f.SubjectKind == "agent" {
				names[f.SubjectID] = f.SubjectName
			}
		}
	}
	// The findings by the nodes they are about, as indices into findings
	// (most severe first), so that each agent looks up its own instead of
	// scanning them all.
	about := map[string][]int{}
	for i, f := range findings {
		about[f.SubjectID] = append(about[f.SubjectID], i)
		for _, a := range f.About {
			about[a] = append(about[a], i)
		}
	}
	type ranked struct {
		a     htmlAgent
		mine  []int
		worst posture.Severity
	}
	all := make([]ranked, 0, len(names))
	for id, name := range names {
		a := htmlAgent{ID: id, Name: name}
		if a.Name == "" {
			a.Name = id
		}
		near := []string{id}
		for _, n := range r.Paths[id].Nodes {
			near = append(near, n.ID)
		}
		seen := map[int]bool{}
		var mine []int
		for _, n := range near {
			for _, i := range about[n] {
				if !seen[i] {
					seen[i] = true
					mine = append(mine, i)
				}
			}
		}
		sort.Ints(mine)
		rk := ranked{a: a, mine: mine, worst: posture.SeverityNone}
		if len(mine) > 0 {
			rk.worst = findings[mine[0]].Severity
		}
		all = append(all, rk)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.worst != b.worst {
			return a.worst > b.worst
		}
		if len(a.mine) != len(b.mine) {
			return len(a.mine) > len(b.mine)
		}
		return a.a.ID < b.a.ID
	})
	left := 0
	if len(all) > maxAgentSections {
		left = len(all) - maxAgentSections
		all = all[:maxAgentSections]
	}
	out := make([]htmlAgent, 0, len(all))
	for _, rk := range all {
		a := rk.a
		if p, ok := r.Paths[a.ID]; ok {
			a.Picture = picture(p)
		}
		mine := rk.mine
		if len(mine) > worstPerAgent {
			a.More = len(mine) - worstPerAgent
			mine = mine[:worstPerAgent]
		}
		for _, i := range mine {
			a.Worst = append(a.Worst, findings[i])
		}
		out = append(out, a)
	}
	return out, left
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// picture lays an agent's paths out in columns by depth, one box per node
// in the order given (by depth then id), a line per edge.
func picture(p posture.AgentPaths) *htmlPicture {
	pic := &htmlPicture{Omitted: p.Omitted}
	pos := map[string][2]int{}
	rows := map[int]int{}
	place := func(n posture.PathNode) {
		x := svgPad + n.Depth*svgColW
		y := svgPad + rows[n.Depth]*svgRowH
		rows[n.Depth]++
		pos[n.ID] = [2]int{x, y}
		label := n.Name
		if label == "" {
			label = n.ID
		}
		if r := []rune(label); len(r) > nameRune {
			label = string(r[:nameRune-1]) + "…"
		}
		pic.Boxes = append(pic.Boxes, htmlBox{X: x, Y: y, W: svgBoxW, H: svgBoxH, TextX: x + 8, TextY: y + svgBoxH/2 + 4, Kind: n.Kind, Label: label, ID: n.ID})
	}
	place(p.Agent)
	parent := map[string]string{}
	for _, e := range p.Edges {
		parent[e.To] = e.From
	}
	// Within a column, a node sits in the order of its parent's row, so
	// that the lines from one column to the next cross as little as a
	// simple layout allows; ties keep the given order (by id).
	row := map[string]int{p.Agent.ID: 0}
	nodes := append([]posture.PathNode(nil), p.Nodes...)
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].Depth != nodes[j].Depth {
			return nodes[i].Depth < nodes[j].Depth
		}
		return false
	})
	maxDepth := 0
	for start := 0; start < len(nodes); {
		end := start
		for end < len(nodes) && nodes[end].Depth == nodes[start].Depth {
			end++
		}
		col := nodes[start:end]
		sort.SliceStable(col, func(i, j int) bool { return row[parent[col[i].ID]] < row[parent[col[j].ID]] })
		for _, n := range col {
			row[n.ID] = rows[n.Depth]
			place(n)
		}
		maxDepth = nodes[start].Depth
		start = end
	}
	for _, e := range p.Edges {
		from, okf := pos[e.From]
		to, okt := pos[e.To]
		if !okf || !okt {
			continue
		}
		pic.Lines = append(pic.Lines, htmlLine{X1: from[0] + svgBoxW, Y1: from[1] + svgBoxH/2, X2: to[0], Y2: to[1] + svgBoxH/2, Kind: e.Kind})
	}
	most := 0
	for _, n := range rows {
		if n > most {
			most = n
		}
	}
	pic.Width = 2*svgPad + maxDepth*svgColW + svgBoxW
	pic.Height = 2*svgPad + (most-1)*svgRowH + svgBoxH
	return pic
}
