// Package posture turns the inventory into decisions: a catalogue of
// controls (data, each with its SQL over the graph), the findings they make
// on the current inventory with the coverage behind them, baselines that
// accept findings for a while, and the findings table that keeps them per
// scan. It never imports the CLI and never writes the inventory's tables.
package posture

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Severity orders how bad a finding is.
type Severity int

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"none", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads critical, high, medium or low.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames[1:] {
		if strings.EqualFold(s, n) {
			return Severity(i + 1), nil
		}
	}
	return SeverityNone, fmt.Errorf("severity %q: use one of critical, high, medium, low", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Control is one check over the inventory graph. Its ID is stable forever:
// baselines and SARIF alerts are keyed on it.
type Control struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Rationale   string   `json:"rationale"`
	Remediation string   `json:"remediation"`
	// Providers the control applies to; "*" for every provider, whose
	// nodes it judges on arrival.
	Providers  []string    `json:"providers"`
	Thresholds []Threshold `json:"thresholds,omitempty"`
	Mappings   Mappings    `json:"mappings"`
	// Query is the SQL that finds the control's items (see docs/posture.md
	// for the columns it returns); Evaluator names a built-in evaluator
	// written in Go where SQL cannot say it. One of the two is set.
	Query     string `json:"query,omitempty"`
	Evaluator string `json:"evaluator,omitempty"`
	// Source is where the control was read: "builtin:AAM-001.yaml" or a
	// path under --controls-dir.
	Source string `json:"source"`
	Line   int    `json:"-"`
}

// Threshold is a number a control's query takes as the named parameter
// :Name, with its default; aam.yaml's posture.thresholds overrides it.
type Threshold struct {
	Name        string `json:"name"`
	Default     int    `json:"default"`
	Description string `json:"description"`
}

// Mappings tie a control to the lists security teams report against.
type Mappings struct {
	// OWASPNHI: OWASP Non-Human Identities Top 10 (2025), NHI1 … NHI10.
	OWASPNHI []string `json:"owasp_nhi,omitempty"`
	// OWASPAgentic: OWASP Top 10 for Agentic Applications (2026), ASI01 … ASI10.
	OWASPAgentic []string `json:"owasp_agentic,omitempty"`
	// CISAWS: recommendations of the CIS Amazon Web Services Foundations
	// Benchmark, version CISAWSVersion.
	CISAWS []string `json:"cis_aws,omitempty"`
}

// CISAWSVersion is the version of the CIS AWS Foundations Benchmark whose
// recommendation numbers Mappings.CISAWS holds.
const CISAWSVersion = "6.0.0"

// NHITitles names the OWASP Non-Human Identities Top 10 (2025).
var NHITitles = map[string]string{
	"NHI1": "Improper Offboarding", "NHI2": "Secret Leakage", "NHI3": "Vulnerable Third-Party NHI",
	"NHI4": "Insecure Authentication", "NHI5": "Overprivileged NHI", "NHI6": "Insecure Cloud Deployment Configurations",
	"NHI7": "Long-Lived Secrets", "NHI8": "Environment Isolation", "NHI9": "NHI Reuse", "NHI10": "Human Use of NHI",
}

// AgenticTitles names the OWASP Top 10 for Agentic Applications (2026).
var AgenticTitles = map[string]string{
	"ASI01": "Agent Goal Hijack", "ASI02": "Tool Misuse and Exploitation", "ASI03": "Identity and Privilege Abuse",
	"ASI04": "Agentic Supply Chain Vulnerabilities", "ASI05": "Unexpected Code Execution",
	"ASI06": "Memory and Context Poisoning", "ASI07": "Insecure Inter-Agent Communication",
	"ASI08": "Cascading Failures", "ASI09": "Human-Agent Trust Exploitation", "ASI10": "Rogue Agents",
}

// Catalogue is a set of controls, ordered by id.
type Catalogue struct {
	Controls []*Control
}

// Lookup finds a control by id, case-insensitively.
func (c *Catalogue) Lookup(id string) (*Control, bool) {
	for _, ctl := range c.Controls {
		if strings.EqualFold(ctl.ID, id) {
			return ctl, true
		}
	}
	return nil, false
}

func (c *Catalogue) sort() {
	sort.Slice(c.Controls, func(i, j int) bool { return c.Controls[i].ID < c.Controls[j].ID })
}

var (
	controlID   = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	paramName   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	nhiItem     = regexp.MustCompile(`^NHI([1-9]|10)$`)
	agenticItem = regexp.MustCompile(`^ASI(0[1-9]|10)$`)
	cisItem     = regexp.MustCompile(`^[1-9][0-9]?(\.[0-9]{1,2}){1,2}$`)
)
