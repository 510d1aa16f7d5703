package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aam-dev/aam/posture"
)

// GitHubCommentLimit is the most characters GitHub takes in a pull-request
// comment or an issue body; a job summary takes more (1 MiB), so a report
// that fits a comment fits both.
const GitHubCommentLimit = 65536

// DefaultMarkdownLimit leaves a margin under GitHub's limit for what a CI
// step wraps around the report (a heading, a link to the run).
const DefaultMarkdownLimit = GitHubCommentLimit - 4096

// Markdown renders a report for a pull-request comment or a CI job
// summary: counts, the gate, the findings with their fix, each agent's
// worst finding and the coverage gaps. It stays under Limit characters
// (runes, as GitHub counts) by leaving findings out, and says how many and
// where the full report is.
type Markdown struct {
	// Limit is the most characters the document may hold; 0 means
	// DefaultMarkdownLimit.
	Limit int
}

// remediationRunes caps a fix in the findings table: the control's first
// sentence, enough to act on; aam controls show ID has the rest.
const remediationRunes = 160

// messageRunes caps a finding's message in a table: a comment is read at a
// glance, and the JSON, CSV and table reports hold the whole message.
const messageRunes = 200

// short cuts s to n runes, marking the cut.
func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Render writes r. It reads the findings in the order a reader acts in
// and stops reading once the table is full: its memory is bounded by the
// limit and the number of agents, not by the findings.
func (m Markdown) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	limit := m.Limit
	if limit <= 0 {
		limit = DefaultMarkdownLimit
	}
	run := r.Run
	controls := controlsOf(run)
	counts := map[posture.Severity]int{}
	fails := 0
	for _, sev := range severitiesDown {
		counts[sev] = r.Tally.Failing(sev)
		fails += counts[sev]
	}
	unknowns := r.Tally.NotEvaluable()

	var head strings.Builder
	fmt.Fprintf(&head, "## aam posture\n\n")
	fmt.Fprintf(&head, "Scan %d, evaluated at %s. %s\n\n", run.ScanID, posture.When(run.Now), gateLine(r.Gate))
	head.WriteString("| critical | high | medium | low | not evaluable | suppressed | expired suppressions |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&head, "| %d | %d | %d | %d | %d | %d | %d |\n", counts[posture.SeverityCritical], counts[posture.SeverityHigh],
		counts[posture.SeverityMedium], counts[posture.SeverityLow], unknowns, r.Tally.Marked(posture.MarkSuppressed), r.Tally.Marked(posture.MarkExpired))
	if !r.Stored && r.StoreNote != "" {
		fmt.Fprintf(&head, "\nFindings not stored: %s\n", mdText(r.StoreNote))
	}

	coverage := markdownCoverage(r)
	agents, err := markdownAgents(ctx, r.Findings)
	if err != nil {
		return err
	}

	// The agents come first, each in one row, and may take half of what
	// the header and coverage leave; the findings take the rest.
	budget := limit - runes(head.String()) - runes(coverage)
	var b strings.Builder
	b.WriteString(head.String())
	hint := r.FullReportHint
	if hint == "" {
		hint = "run `aam posture -o json` for every finding"
	}
	if len(agents) > 0 {
		const agentsHead = "\n### Agents\n\nEach agent with its worst finding: about the agent itself, or naming it.\n\n| agent | tenant | worst finding | findings |\n|---|---|---|---:|\n"
		rows := func(yield func(string) bool) error {
			for _, a := range agents {
				if !yield(a.row()) {
					break
				}
			}
			return nil
		}
		t, err := cutTable(agentsHead, len(agents), rows, budget/2, "agents", hint, &budget)
		if err != nil {
			return err
		}
		b.WriteString(t)
	}
	if fails+unknowns == 0 {
		b.WriteString("\nNo findings.\n")
	} else {
		const tableHead = "\n### Findings\n\n| severity | control | resource | tenant | finding | fix |\n|---|---|---|---|---|---|\n"
		// Failing findings first, most severe first, then the not-evaluable
		// ones: the order a reader acts in.
		rows := func(yield func(string) bool) error {
			return eachUntil(ctx, r.Findings, posture.Query{Order: posture.OrderRank, Marks: posture.MarksCounting}, func(it posture.Item) bool {
				return yield(findingRow(it.Finding, controls[it.ControlID], it.Mark == posture.MarkExpired))
			})
		}
		t, err := cutTable(tableHead, fails+unknowns, rows, budget, "findings", hint, &budget)
		if err != nil {
			return err
		}
		b.WriteString(t)
	}
	b.WriteString(coverage)
	_, err = io.WriteString(w, b.String())
	return err
}

// errEnough stops a read of findings once a renderer has what it needs.
var errEnough = errors.New("enough findings read")

// eachUntil reads the findings q admits until more returns false.
func eachUntil(ctx context.Context, fs posture.Findings, q posture.Query, more func(posture.Item) bool) error {
	err := fs.Each(ctx, q, func(it posture.Item) error {
		if !more(it) {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

func gateLine(g posture.Gate) string {
	switch {
	case g.FailOn == posture.SeverityNone:
		return "Gate: none (`--fail-on SEVERITY` fails on findings)."
	case g.Failed:
		return fmt.Sprintf("**Gate: FAILED** (`--fail-on %s`): %s.", g.FailOn, mdText(strings.Join(g.Reasons, "; ")))
	default:
		allow := ""
		if g.AllowUnknown {
			allow = " --allow-unknown"
		}
		return fmt.Sprintf("**Gate: passed** (`--fail-on %s%s`).", g.FailOn, allow)
	}
}

func leftOut(n int, what, hint string) string {
	return fmt.Sprintf("\n**%d %s left out** to fit GitHub's comment limit: %s.\n", n, what, hint)
}

// cutTable writes a table's heading and as many of its total rows as fit
// in max characters, reading them from rows until they no longer fit, then,
// when rows were left out, a line saying how many and where the rest is.
// It takes what it wrote from *budget.
func cutTable(head string, total int, rows func(yield func(string) bool) error, max int, what, hint string, budget *int) (string, error) {
	// Room for the left-out line, with its number at its longest.
	reserve := runes(leftOut(total, what, hint))
	var b strings.Builder
	used, shown := 0, 0
	err := rows(func(row string) bool {
		n := runes(row)
		if shown == 0 {
			n += runes(head)
		}
		if used+n+reserve > max {
			return false
		}
		if shown == 0 {
			b.WriteString(head)
		}
		b.WriteString(row)
		used += n
		shown++
		return true
	})
	if err != nil {
		return "", err
	}
	if shown < total {
		b.WriteString(leftOut(total-shown, what, hint))
	}
	*budget -= runes(b.String())
	return b.String(), nil
}

// findingRow is a finding's row; expired marks one whose baseline
// suppression has expired, so that the reader knows it was accepted once.
func findingRow(f posture.Finding, c *posture.Control, expired bool) string {
	sev := f.Severity.String()
	if f.Status == posture.StatusUnknown {
		sev = "not evaluable (" + sev + ")"
	}
	if expired {
		sev += ", suppression expired"
	}
	title, fix := "", ""
	if c != nil {
		title = " " + mdText(c.Title)
		fix = mdFix(c.Remediation)
	}
	return fmt.Sprintf("| %s | %s%s | %s | %s | %s | %s |\n", sev, f.ControlID, title, mdResource(f), mdText(f.Provider+"/"+orDash(f.Tenant)), mdText(short(f.Message, messageRunes)), fix)
}

func mdResource(f posture.Finding) string {
	name := f.SubjectName
	if name == "" {
		name = f.SubjectID
	}
	return fmt.Sprintf("%s (%s)", mdText(name), mdText(f.SubjectKind))
}

// agentWorst is an agent with the most severe finding about it.
type agentWorst struct {
	id, name, tenant string
	worst            posture.Finding
	count            int
}

func (a agentWorst) row() string {
	w := a.worst
	sev := w.Severity.String()
	if w.Status == posture.StatusUnknown {
		sev = "not evaluable (" + sev + ")"
	}
	return fmt.Sprintf("| %s | %s | %s %s: %s | %d |\n", mdText(orDash(a.name)), mdText(orDash(a.tenant)), sev, w.ControlID, mdText(short(w.Message, messageRunes)), a.count)
}

// markdownAgents finds each agent's worst finding: the agents are the
// subjects of kind agent, and a finding counts for an agent when the agent
// is its subject or among the ids it is about. The findings are read in
// rank order, failing before not evaluable, so the first finding an agent
// meets is its worst. It holds one entry per agent, not the findings.
func markdownAgents(ctx context.Context, fs posture.Findings) ([]agentWorst, error) {
	by := map[string]*agentWorst{}
	var order []string
	q := posture.Query{Order: posture.OrderRank, Marks: posture.MarksCounting, SubjectKind: "agent"}
	err := fs.Each(ctx, q, func(it posture.Item) error {
		if by[it.SubjectID] == nil {
			by[it.SubjectID] = &agentWorst{id: it.SubjectID, name: it.SubjectName, tenant: it.Provider + "/" + it.Tenant}
			order = append(order, it.SubjectID)
		}
		return nil
	})
	if err != nil || len(by) == 0 {
		return nil, err
	}
	q.SubjectKind = ""
	err = fs.Each(ctx, q, func(it posture.Item) error {
		ids := append([]string{it.SubjectID}, it.About...)
		seen := map[string]bool{}
		for _, id := range ids {
			a := by[id]
			if a == nil || seen[id] {
				continue
			}
			seen[id] = true
			if a.count == 0 {
				a.worst = it.Finding
			}
			a.count++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]agentWorst, 0, len(order))
	for _, id := range order {
		out = append(out, *by[id])
	}
	// The worst first; agents of equal rank by name, so two runs agree.
	sort.SliceStable(out, func(i, j int) bool {
		ui, uj := out[i].worst.Status == posture.StatusUnknown, out[j].worst.Status == posture.StatusUnknown
		if ui != uj {
			return !ui
		}
		if out[i].worst.Severity != out[j].worst.Severity {
			return out[i].worst.Severity > out[j].worst.Severity
		}
		return out[i].name+out[i].id < out[j].name+out[j].id
	})
	return out, nil
}

// markdownCoverage lists what the findings do not rest on: scopes not
// complete and controls that judged part of the estate only. It is never
// cut: a reader must see the gaps whatever else is left out.
func markdownCoverage(r *posture.Report) string {
	ev := r.Run
	var b strings.Builder
	b.WriteString("\n### Coverage\n\n")
	if len(ev.Coverage.Scopes) == 0 {
		b.WriteString("No scope has been scanned: run `aam scan`.\n")
		return b.String()
	}
	states := map[string]int{}
	for _, sc := range ev.Coverage.Scopes {
		states[sc.State]++
	}
	fmt.Fprintf(&b, "Scopes: %d complete, %d partial, %d stale, %d failed.\n", states[posture.ScopeComplete], states[posture.ScopePartial], states[posture.ScopeStale], states[posture.ScopeFailed])
	gaps := 0
	for _, sc := range ev.Coverage.Scopes {
		if sc.State == posture.ScopeComplete {
			continue
		}
		if gaps == 0 {
			b.WriteString("\n")
		}
		gaps++
		when := "never completed"
		if sc.LastComplete != nil {
			when = "last complete " + posture.When(*sc.LastComplete)
		}
		errs := ""
		if len(sc.Errors) > 0 {
			// The first error says what to fix; the JSON report has them all.
			errs = ": " + mdText(sc.Errors[0])
			if len(sc.Errors) > 1 {
				errs += fmt.Sprintf(" (and %d more)", len(sc.Errors)-1)
			}
		}
		fmt.Fprintf(&b, "- **%s** %s (%s)%s\n", sc.State, mdText(sc.Provider+"/"+sc.Tenant+"/"+sc.Scope), when, errs)
	}
	var partial []string
	for _, o := range ev.Controls {
		if o.NotEvaluated != "" {
			partial = append(partial, o.Control.ID)
		}
	}
	if len(partial) > 0 {
		fmt.Fprintf(&b, "\nJudged part of the estate only (scopes of their providers failed): %s.\n", strings.Join(partial, ", "))
	}
	return b.String()
}

// mdText makes s safe in a Markdown table cell: one line, no pipe ending
// the cell, no HTML, no emphasis or links a name could start.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '|', '*', '_', '`', '[', ']', '#', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdFix is a control's remediation, short: its first sentence, cut at
// remediationRunes. A command in backticks stays code when the cut keeps
// its backticks paired.
func mdFix(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	s = short(s, remediationRunes)
	if strings.Count(s, "`")%2 != 0 {
		return mdText(s)
	}
	parts := strings.Split(s, "`")
	for i := range parts {
		if i%2 == 0 {
			parts[i] = mdText(parts[i])
		} else {
			// Inside code nothing is markup but a pipe, which still ends
			// the cell.
			parts[i] = strings.ReplaceAll(parts[i], "|", "\\|")
		}
	}
	return strings.Join(parts, "`")
}

func runes(s string) int { return utf8.RuneCountInString(s) }
