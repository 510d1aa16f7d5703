package report

import (
	"encoding/xml"
	"fmt"
	"io"
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

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Package   string `xml:"package,attr"`
	ID        int    `xml:"id,attr"`
	Name      string `xml:"name,attr"`
	Timestamp string `xml:"timestamp,attr"`
	Hostname  string `xml:"hostname,attr"`
	Tests     int    `xml:"tests,attr"`
	Failures  int    `xml:"failures,attr"`
	Errors    int    `xml:"errors,attr"`
	// No skipped attribute: windyroad's schema as most copies have it
	// (before it gained one) rejects it, and readers count the skipped
	// cases themselves.
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  junitPre        `xml:"system-out"`
	SystemErr  junitPre        `xml:"system-err"`
}

// junitPre is character data kept as junitText escaped it.
type junitPre struct {
	Text string `xml:",innerxml"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Error     *junitMessage `xml:"error"`
	Failure   *junitMessage `xml:"failure"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	// Text is escaped by junitText: encoding/xml would write each line
	// break as &#xA;, which a person reading the file cannot.
	Text string `xml:",innerxml"`
}

// junitText escapes s as XML character data, keeping its line breaks.
func junitText(s string) string {
	var b strings.Builder
	// EscapeText writes to a strings.Builder, which never fails; it also
	// replaces characters XML cannot hold.
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "&#xA;", "\n")
}

// Render writes r.
func (JUnit) Render(w io.Writer, r *posture.Report) error {
	ev := r.Evaluation
	// The schema's timestamp has no zone: the evaluation time is UTC.
	stamp := ev.Now.UTC().Format("2006-01-02T15:04:05")
	tenants := ev.Coverage.Tenants()
	seen := map[[2]string]bool{}
	for _, t := range tenants {
		seen[t] = true
	}
	// A finding's tenant may lack a coverage row (an inventory written
	// before coverage was kept): it still gets its suite.
	for _, f := range append(append([]posture.Finding(nil), r.Triage.Active...), suppressedFindings(r)...) {
		k := [2]string{f.Provider, f.Tenant}
		if !seen[k] {
			seen[k] = true
			tenants = append(tenants, k)
		}
	}
	failedIn := map[[2]string]bool{}
	for _, sc := range ev.Coverage.Scopes {
		if sc.State == posture.ScopeFailed {
			failedIn[[2]string{sc.Provider, sc.Tenant}] = true
		}
	}
	props := []junitProperty{
		{Name: "aam.scan_id", Value: strconv.FormatInt(ev.ScanID, 10)},
		{Name: "aam.evaluated_at", Value: ev.Now.UTC().Format("2006-01-02T15:04:05Z")},
		{Name: "aam.gate", Value: junitGate(r.Gate)},
	}
	doc := junitSuites{}
	for _, t := range tenants {
		s := junitSuite{Package: "aam.posture", ID: len(doc.Suites), Name: fmt.Sprintf("aam posture %s/%s", t[0], orDash(t[1])),
			Timestamp: stamp, Hostname: "localhost", Time: "0",
			Properties: append(append([]junitProperty(nil), props...), junitProperty{Name: "aam.provider", Value: t[0]}, junitProperty{Name: "aam.tenant", Value: t[1]})}
		var out strings.Builder
		for _, o := range ev.Controls {
			if o.NoTenant || !appliesTo(o.Control, t[0]) {
				continue
			}
			c := junitCase{Name: o.Control.ID + " " + o.Control.Title, Classname: junitClass(o.Control), Time: "0"}
			var fails, unknowns []posture.Finding
			for _, f := range r.Triage.Active {
				if f.ControlID != o.Control.ID || f.Provider != t[0] || f.Tenant != t[1] {
					continue
				}
				if f.Status == posture.StatusUnknown {
					unknowns = append(unknowns, f)
				} else {
					fails = append(fails, f)
				}
			}
			switch {
			case len(fails) > 0:
				msg := fmt.Sprintf("%d finding(s)", len(fails))
				if len(unknowns) > 0 {
					msg += fmt.Sprintf(", %d item(s) not evaluable", len(unknowns))
				}
				c.Failure = &junitMessage{Message: msg, Type: o.Control.Severity.String(), Text: junitText(junitLines(append(fails, unknowns...), o.Control))}
				s.Failures++
			case len(unknowns) > 0:
				c.Error = &junitMessage{Message: fmt.Sprintf("%d item(s) not evaluable: a detail the control needs is unknown", len(unknowns)),
					Type: "not_evaluable", Text: junitText(junitLines(unknowns, o.Control))}
				s.Errors++
			case o.NotEvaluated != "" && failedIn[t]:
				c.Error = &junitMessage{Message: "judged part of the estate only", Type: "partial", Text: junitText(o.NotEvaluated)}
				s.Errors++
			}
			s.Cases = append(s.Cases, c)
		}
		for _, sup := range r.Triage.Suppressed {
			f := sup.Finding
			if f.Provider == t[0] && f.Tenant == t[1] {
				fmt.Fprintf(&out, "suppressed until %s (%s): %s %s: %s [%s]\n", sup.Suppression.Expires.Format("2006-01-02"),
					sup.Suppression.Reason, f.ControlID, subjectLabel(f), f.Message, f.Fingerprint)
			}
		}
		for _, sc := range ev.Coverage.Scopes {
			if sc.Provider == t[0] && sc.Tenant == t[1] && sc.State != posture.ScopeComplete {
				errs := ""
				if len(sc.Errors) > 0 {
					errs = ": " + strings.Join(sc.Errors, "; ")
				}
				fmt.Fprintf(&out, "scope %s %s%s\n", sc.Scope, sc.State, errs)
			}
		}
		s.Tests = len(s.Cases)
		s.SystemOut = junitPre{junitText(out.String())}
		doc.Suites = append(doc.Suites, s)
	}
	var none junitSuite
	for _, o := range ev.Controls {
		if !o.NoTenant {
			continue
		}
		if none.Name == "" {
			none = junitSuite{Package: "aam.posture", Name: "aam posture: no tenant scanned", Timestamp: stamp, Hostname: "localhost", Time: "0",
				Properties: append([]junitProperty(nil), props...)}
		}
		none.Cases = append(none.Cases, junitCase{Name: o.Control.ID + " " + o.Control.Title, Classname: junitClass(o.Control), Time: "0",
			// The reason as text, not a message attribute, which Jenkins'
			// schema does not allow on skipped.
			Skipped: &junitMessage{Text: junitText("no tenant of the control's providers (" + strings.Join(o.Control.Providers, ", ") + ") has been scanned: run aam scan")}})
	}
	if none.Name != "" {
		none.ID, none.Tests = len(doc.Suites), len(none.Cases)
		doc.Suites = append(doc.Suites, none)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func suppressedFindings(r *posture.Report) []posture.Finding {
	out := make([]posture.Finding, 0, len(r.Triage.Suppressed))
	for _, s := range r.Triage.Suppressed {
		out = append(out, s.Finding)
	}
	return out
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

// junitLines is a line per finding, then the fix.
func junitLines(fs []posture.Finding, c *posture.Control) string {
	var b strings.Builder
	for _, f := range fs {
		mark := f.Severity.String()
		if f.Status == posture.StatusUnknown {
			mark = "not evaluable (" + mark + ")"
		}
		fmt.Fprintf(&b, "%s %s: %s\n  %s  fingerprint %s\n", mark, subjectLabel(f), f.Message, f.SubjectID, f.Fingerprint)
	}
	fmt.Fprintf(&b, "fix: %s\n", strings.Join(strings.Fields(c.Remediation), " "))
	return b.String()
}
