package report

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strconv"
	"strings"

	"github.com/aam-dev/aam/posture"
)

// JUnit renders a report as JUnit XML, so that a CI test tab (GitLab's,
// GitHub's test-report actions, Jenkins) shows posture: one test suite per
// tenant scanned, one test case per control in it.
//
// The output validates against aam's schema of the common JUnit format
// (internal/junitcheck/testdata/junit.xsd) and the upstream schemas,
// windyroad's JUnit.xsd (which GitLab and most readers follow) and
// Jenkins' junit-4.xsd. windyroad's lets a test case hold one failure, error or
// skipped element, not one per finding: a control with findings in a tenant fails
// once, its failure's message counts them and its text has a line per
// finding. A control whose items there could not be judged (and nothing
// failed) is an error: unknown is not pass. A control with no tenant of
// its providers scanned is skipped, in a suite of its own. Suppressed
// findings are not failures; each suite's system-out lists them.
type JUnit struct{}

type junitProperty struct{ name, value string }

// junitText escapes s as XML character data, keeping its line breaks.
func junitText(s string) string {
	var b strings.Builder
	// EscapeText writes to a strings.Builder, which never fails; it also
	// replaces characters XML cannot hold.
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "&#xA;", "\n")
}

// Render writes r. Each suite's counts come from the tally, so it is
// written as its findings are read, tenant by tenant, control by control:
// a control with a hundred thousand findings is never held whole.
func (JUnit) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	run := r.Run
	// The schema's timestamp has no zone: the evaluation time is UTC.
	stamp := run.Now.UTC().Format("2006-01-02T15:04:05")
	var tenants []posture.TenantID
	seen := map[posture.TenantID]bool{}
	for _, t := range run.Coverage.Tenants() {
		id := posture.TenantID{Provider: t[0], Tenant: t[1]}
		seen[id] = true
		tenants = append(tenants, id)
	}
	// A finding's tenant may lack a coverage row (an inventory written
	// before coverage was kept): it still gets its suite.
	for _, id := range r.Tally.Tenants() {
		if !seen[id] {
			seen[id] = true
			tenants = append(tenants, id)
		}
	}
	failedIn := map[posture.TenantID]bool{}
	for _, sc := range run.Coverage.Scopes {
		if sc.State == posture.ScopeFailed {
			failedIn[posture.TenantID{Provider: sc.Provider, Tenant: sc.Tenant}] = true
		}
	}
	// Cases go by control id, the order the findings are read in.
	controls := append([]*posture.ControlOutcome(nil), run.Controls...)
	sort.SliceStable(controls, func(i, j int) bool { return controls[i].Control.ID < controls[j].Control.ID })
	props := []junitProperty{
		{"aam.scan_id", strconv.FormatInt(run.ScanID, 10)},
		{"aam.evaluated_at", run.Now.UTC().Format("2006-01-02T15:04:05Z")},
		{"aam.gate", junitGate(r.Gate)},
	}
	jw := &textWriter{w: w}
	jw.raw(xml.Header + "<testsuites>\n")
	suites := 0
	for _, t := range tenants {
		if err := junitTenantSuite(ctx, jw, r, t, suites, stamp, controls, props, failedIn[t]); err != nil {
			return err
		}
		suites++
	}
	var none []*posture.ControlOutcome
	for _, o := range controls {
		if o.NoTenant {
			none = append(none, o)
		}
	}
	if len(none) > 0 {
		jw.raw(fmt.Sprintf("  <testsuite package=\"aam.posture\" id=\"%d\" name=\"aam posture: no tenant scanned\" timestamp=\"%s\" hostname=\"localhost\" tests=\"%d\" failures=\"0\" errors=\"0\" time=\"0\">\n",
			suites, stamp, len(none)))
		junitProperties(jw, props)
		for _, o := range none {
			// The reason as text, not a message attribute, which Jenkins'
			// schema does not allow on skipped.
			junitCaseStart(jw, o.Control)
			jw.raw("\n      <skipped>" + junitText("no tenant of the control's providers ("+strings.Join(o.Control.Providers, ", ")+") has been scanned: run aam scan") + "</skipped>\n    </testcase>\n")
		}
		jw.raw("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n")
	}
	jw.raw("</testsuites>\n")
	return jw.err
}

// junitTenantSuite writes tenant t's suite: a case per control that judges
// its provider, failed when the control found something there.
func junitTenantSuite(ctx context.Context, jw *textWriter, r *posture.Report, t posture.TenantID, id int, stamp string,
	controls []*posture.ControlOutcome, props []junitProperty, scopeFailed bool) error {
	type verdict struct {
		o               *posture.ControlOutcome
		fails, unknowns int
	}
	var cases []verdict
	failures, errs := 0, 0
	for _, o := range controls {
		if o.NoTenant || !appliesTo(o.Control, t.Provider) {
			continue
		}
		v := verdict{o: o}
		for k, n := range r.Tally {
			if k.Provider != t.Provider || k.Tenant != t.Tenant || k.ControlID != o.Control.ID || k.Mark == posture.MarkSuppressed {
				continue
			}
			if k.Status == posture.StatusUnknown {
				v.unknowns += n
			} else {
				v.fails += n
			}
		}
		switch {
		case v.fails > 0:
			failures++
		case v.unknowns > 0 || (o.NotEvaluated != "" && scopeFailed):
			errs++
		}
		cases = append(cases, v)
	}
	jw.raw(fmt.Sprintf("  <testsuite package=\"aam.posture\" id=\"%d\" name=%s timestamp=\"%s\" hostname=\"localhost\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"0\">\n",
		id, junitAttr(fmt.Sprintf("aam posture %s/%s", t.Provider, orDash(t.Tenant))), stamp, len(cases), failures, errs))
	junitProperties(jw, append(append([]junitProperty(nil), props...), junitProperty{"aam.provider", t.Provider}, junitProperty{"aam.tenant", t.Tenant}))

	// The tenant's findings that count, by control, failing before not
	// evaluable: each case takes its own as they come.
	next, stop := iter.Pull2(func(yield func(posture.Item, error) bool) {
		err := r.Findings.Each(ctx, posture.Query{Order: posture.OrderControl, Marks: posture.MarksCounting, Tenant: &t}, func(it posture.Item) error {
			if !yield(it, nil) {
				return errEnough
			}
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			yield(posture.Item{}, err)
		}
	})
	defer stop()
	pending, hasPending := posture.Item{}, false
	pull := func() (posture.Item, bool, error) {
		if hasPending {
			hasPending = false
			return pending, true, nil
		}
		it, err, ok := next()
		if ok && err != nil {
			return it, false, err
		}
		return it, ok, nil
	}
	// lines writes the findings of control id, then its fix.
	lines := func(c *posture.Control) error {
		for {
			it, ok, err := pull()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if it.ControlID != c.ID {
				if it.ControlID < c.ID {
					// A finding of a control that does not judge this
					// tenant's provider: not a case here.
					continue
				}
				pending, hasPending = it, true
				break
			}
			mark := it.Severity.String()
			if it.Status == posture.StatusUnknown {
				mark = "not evaluable (" + mark + ")"
			}
			jw.raw(junitText(fmt.Sprintf("%s %s: %s\n  %s  fingerprint %s\n", mark, subjectLabel(it.Finding), it.Message, it.SubjectID, it.Fingerprint)))
			if jw.err != nil {
				return jw.err
			}
		}
		jw.raw(junitText(fmt.Sprintf("fix: %s\n", strings.Join(strings.Fields(c.Remediation), " "))))
		return jw.err
	}
	for _, v := range cases {
		c := v.o.Control
		junitCaseStart(jw, c)
		switch {
		case v.fails > 0:
			msg := fmt.Sprintf("%d finding(s)", v.fails)
			if v.unknowns > 0 {
				msg += fmt.Sprintf(", %d item(s) not evaluable", v.unknowns)
			}
			jw.raw("\n      <failure message=" + junitAttr(msg) + " type=" + junitAttr(c.Severity.String()) + ">")
			if err := lines(c); err != nil {
				return err
			}
			jw.raw("</failure>\n    ")
		case v.unknowns > 0:
			jw.raw("\n      <error message=" + junitAttr(fmt.Sprintf("%d item(s) not evaluable: a detail the control needs is unknown", v.unknowns)) + " type=\"not_evaluable\">")
			if err := lines(c); err != nil {
				return err
			}
			jw.raw("</error>\n    ")
		case v.o.NotEvaluated != "" && scopeFailed:
			jw.raw("\n      <error message=\"judged part of the estate only\" type=\"partial\">" + junitText(v.o.NotEvaluated) + "</error>\n    ")
		}
		jw.raw("</testcase>\n")
	}
	jw.raw("    <system-out>")
	err := r.Findings.Each(ctx, posture.Query{Marks: posture.MarksSuppressed, Tenant: &t}, func(it posture.Item) error {
		sup := it.Suppression
		jw.raw(junitText(fmt.Sprintf("suppressed until %s (%s): %s %s: %s [%s]\n", sup.Expires.Format("2006-01-02"),
			sup.Reason, it.ControlID, subjectLabel(it.Finding), it.Message, it.Fingerprint)))
		return jw.err
	})
	if err != nil {
		return err
	}
	for _, sc := range r.Run.Coverage.Scopes {
		if sc.Provider == t.Provider && sc.Tenant == t.Tenant && sc.State != posture.ScopeComplete {
			errs := ""
			if len(sc.Errors) > 0 {
				errs = ": " + strings.Join(sc.Errors, "; ")
			}
			jw.raw(junitText(fmt.Sprintf("scope %s %s%s\n", sc.Scope, sc.State, errs)))
		}
	}
	jw.raw("</system-out>\n    <system-err></system-err>\n  </testsuite>\n")
	return jw.err
}

func junitProperties(jw *textWriter, props []junitProperty) {
	jw.raw("    <properties>\n")
	for _, p := range props {
		jw.raw("      <property name=" + junitAttr(p.name) + " value=" + junitAttr(p.value) + "></property>\n")
	}
	jw.raw("    </properties>\n")
}

func junitCaseStart(jw *textWriter, c *posture.Control) {
	jw.raw("    <testcase name=" + junitAttr(c.ID+" "+c.Title) + " classname=" + junitAttr(junitClass(c)) + " time=\"0\">")
}

// junitAttr is s as a quoted XML attribute value.
func junitAttr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	// EscapeText writes to a strings.Builder, which never fails; it
	// escapes quotes and line breaks too.
	_ = xml.EscapeText(&b, []byte(s))
	b.WriteByte('"')
	return b.String()
}

func appliesTo(c *posture.Control, provider string) bool {
	for _, p := range c.Providers {
		if p == "*" || p == provider {
			return true
		}
	}
	return false
}

// junitClass is the control's provider, or aam.posture for a control of
// every provider (or several).
func junitClass(c *posture.Control) string {
	if len(c.Providers) == 1 && c.Providers[0] != "*" {
		return c.Providers[0]
	}
	return "aam.posture"
}

func junitGate(g posture.Gate) string {
	switch {
	case g.FailOn == posture.SeverityNone:
		return "none"
	case g.Failed:
		return "failed (--fail-on " + g.FailOn.String() + "): " + strings.Join(g.Reasons, "; ")
	default:
		return "passed (--fail-on " + g.FailOn.String() + ")"
	}
}
