package report

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"iter"
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

// MaxAgentSections is how many agents the page draws, worst first.
const MaxAgentSections = 100

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
	Suppressed    int
	ExpiredCount  int
	// Expired and Findings are read as the template ranges over them.
	Expired     iter.Seq[posture.Item]
	Unmatched   []posture.Suppression
	Scopes      []posture.ScopeCoverage
	ScopeStates map[string]int
	Partial     []*posture.ControlOutcome
	HasFindings bool
	Findings    iter.Seq[htmlFinding]
	Agents      []htmlAgent
	PathsKnown  bool
	// AgentsLeft counts the agents past MaxAgentSections, not drawn.
	AgentsLeft int
	Gate       string
	GateFailed bool
}

// Render writes r. The findings table is written as the findings are
// read; what the page holds at once is the agents drawn (at most
// MaxAgentSections) and their worstPerAgent findings.
func (HTML) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	run := r.Run
	titles := map[string]string{}
	for _, o := range run.Controls {
		titles[o.Control.ID] = o.Control.Title
	}
	// The template ranges over the findings as they are read; the first
	// error reading them ends the range and is returned.
	var readErr error
	each := func(q posture.Query, yield func(posture.Item) bool) {
		if readErr != nil {
			return
		}
		err := eachUntil(ctx, r.Findings, q, yield)
		if err != nil && readErr == nil {
			readErr = err
		}
	}
	d := htmlData{Tool: r.Tool, Version: r.Version, ScanID: run.ScanID, EvaluatedAt: posture.When(run.Now), Stored: r.Stored, StoreNote: r.StoreNote,
		Suppressed: r.Tally.Marked(posture.MarkSuppressed), ExpiredCount: r.Tally.Marked(posture.MarkExpired), Unmatched: run.Unmatched,
		Scopes: run.Coverage.Scopes, ScopeStates: map[string]int{}, PathsKnown: r.Paths != nil, NotEvaluable: r.Tally.NotEvaluable()}
	d.Expired = func(yield func(posture.Item) bool) {
		each(posture.Query{Marks: posture.MarksExpired}, yield)
	}
	// Most severe first; within a severity, failures before the not
	// evaluable, then the order the evaluation gave.
	d.Findings = func(yield func(htmlFinding) bool) {
		each(posture.Query{Order: posture.OrderSeverity, Marks: posture.MarksCounting}, func(it posture.Item) bool {
			return yield(htmlFindingOf(it, titles))
		})
	}
	for _, sev := range severitiesDown {
		n := r.Tally.Failing(sev)
		d.Failed += n
		d.Severities = append(d.Severities, htmlSeverity{sev.String(), n})
	}
	d.HasFindings = d.Failed+d.NotEvaluable > 0
	for _, sc := range run.Coverage.Scopes {
		d.ScopeStates[sc.State]++
	}
	for _, o := range run.Controls {
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
	var err error
	if d.Agents, d.AgentsLeft, err = htmlAgents(ctx, r, titles); err != nil {
		return err
	}
	if err := htmlTemplate.Execute(w, d); err != nil {
		return err
	}
	return readErr
}

func htmlFindingOf(it posture.Item, titles map[string]string) htmlFinding {
	hf := htmlFinding{Finding: it.Finding, Title: titles[it.ControlID], Unknown: it.Status == posture.StatusUnknown}
	if s := it.Suppression; it.Mark == posture.MarkExpired && s != nil {
		hf.Expired = fmt.Sprintf("baseline suppression expired %s: it no longer suppresses this (%s)", s.Expires.Format("2006-01-02"), s.Reason)
	}
	return hf
}

// htmlAgents is a section per agent: the agents of the paths when the CLI
// computed them (it walks the worst agents only, posture.WorstAgents, and
// says in r.AgentsNotWalked how many it left), else the agents findings
// are about. An agent's findings are those about it or about anything its
// picture shows. Past MaxAgentSections agents, only the worst are drawn
// (by their worst finding, then how many they have): a page of thousands
// of pictures is too large to open, and the findings table still lists
// every finding. The findings are read once, most severe first.
func htmlAgents(ctx context.Context, r *posture.Report, titles map[string]string) ([]htmlAgent, int, error) {
	type ranked struct {
		a     htmlAgent
		mine  int
		worst posture.Severity
	}
	var all []*ranked
	// near: for each node an agent's picture shows, the agents showing it.
	near := map[string][]*ranked{}
	add := func(id, name string, nodes []posture.PathNode) {
		rk := &ranked{a: htmlAgent{ID: id, Name: name}, worst: posture.SeverityNone}
		if rk.a.Name == "" {
			rk.a.Name = id
		}
		all = append(all, rk)
		near[id] = append(near[id], rk)
		for _, n := range nodes {
			if n.ID != id {
				near[n.ID] = append(near[n.ID], rk)
			}
		}
	}
	q := posture.Query{Order: posture.OrderSeverity, Marks: posture.MarksCounting}
	if r.Paths != nil {
		ids := make([]string, 0, len(r.Paths))
		for id := range r.Paths {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			add(id, r.Paths[id].Agent.Name, r.Paths[id].Nodes)
		}
	} else {
		seen := map[string]bool{}
		err := r.Findings.Each(ctx, posture.Query{Marks: posture.MarksCounting, SubjectKind: "agent"}, func(it posture.Item) error {
			if !seen[it.SubjectID] {
				seen[it.SubjectID] = true
				add(it.SubjectID, it.SubjectName, nil)
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	if len(all) > 0 {
		err := r.Findings.Each(ctx, q, func(it posture.Item) error {
			hit := map[*ranked]bool{}
			for _, id := range append([]string{it.SubjectID}, it.About...) {
				for _, rk := range near[id] {
					if hit[rk] {
						continue
					}
					hit[rk] = true
					if rk.mine == 0 {
						rk.worst = it.Severity
					}
					rk.mine++
					if len(rk.a.Worst) < worstPerAgent {
						rk.a.Worst = append(rk.a.Worst, htmlFindingOf(it, titles))
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.worst != b.worst {
			return a.worst > b.worst
		}
		if a.mine != b.mine {
			return a.mine > b.mine
		}
		return a.a.ID < b.a.ID
	})
	left := r.AgentsNotWalked
	if len(all) > MaxAgentSections {
		left += len(all) - MaxAgentSections
		all = all[:MaxAgentSections]
	}
	out := make([]htmlAgent, 0, len(all))
	for _, rk := range all {
		a := rk.a
		if p, ok := r.Paths[a.ID]; ok {
			a.Picture = picture(p)
		}
		a.More = rk.mine - len(a.Worst)
		out = append(out, a)
	}
	return out, left, nil
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
