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
	Gate          string
	GateFailed    bool
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
	d.Agents = htmlAgents(r, d.Findings)
	return htmlTemplate.Execute(w, d)
}

// htmlAgents is a section per agent: the agents of the paths when the CLI
// computed them, else the agents findings are about. An agent's findings
// are those about it or about anything its picture shows.
func htmlAgents(r *posture.Report, findings []htmlFinding) []htmlAgent {
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
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]htmlAgent, 0, len(ids))
	for _, id := range ids {
		a := htmlAgent{ID: id, Name: names[id]}
		if a.Name == "" {
			a.Name = id
		}
		near := map[string]bool{id: true}
		if p, ok := r.Paths[id]; ok {
			for _, n := range p.Nodes {
				near[n.ID] = true
			}
			a.Picture = picture(p)
		}
		var mine []htmlFinding
		for _, f := range findings {
			if near[f.SubjectID] || contains(f.About, id) {
				mine = append(mine, f)
			}
		}
		// findings are already most severe first.
		if len(mine) > worstPerAgent {
			a.More = len(mine) - worstPerAgent
			mine = mine[:worstPerAgent]
		}
		a.Worst = mine
		out = append(out, a)
	}
	return out
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
