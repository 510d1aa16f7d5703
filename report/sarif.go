package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/aam-dev/aam/posture"
)

// GitHub code scanning's hard limits on one uploaded SARIF file: beyond
// them it rejects the whole upload (docs.github.com, "SARIF results exceed
// limits").
const (
	GitHubMaxRuns        = 20
	GitHubMaxResults     = 25000
	GitHubMaxRules       = 25000
	GitHubMaxTagsPerRule = 20
)

// SARIFPlaceholderURI is the file every result points at when the report
// has no config path: GitHub code scanning wants a repository file per
// result, and aam's findings are about cloud resources, not lines of code.
const SARIFPlaceholderURI = "aam.yaml"

// SARIFFingerprintKey is the partialFingerprints key that holds a
// finding's fingerprint.
const SARIFFingerprintKey = "aamFinding/v1"

// sarifInformationURI is where the tool is described.
const sarifInformationURI = "https://github.com/aam-dev/aam"

// SARIF renders a report as SARIF 2.1.0 for GitHub code scanning: one run
// per tenant, each with its own automationDetails.id (the code scanning
// category), so that one account's upload never closes another's alerts.
// The limits are GitHub's when zero; tests lower them.
type SARIF struct {
	MaxRuns    int
	MaxResults int
	MaxRules   int
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	AutomationDetails  sarifAutomation             `json:"automationDetails"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds"`
	Invocations        []sarifInvocation           `json:"invocations"`
	Results            []sarifResult               `json:"results"`
	Properties         map[string]any              `json:"properties,omitempty"`
	// ruleIndex is each rule's place in Tool.Driver.Rules.
	ruleIndex map[string]int
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string                 `json:"name"`
	FullName        string                 `json:"fullName,omitempty"`
	Version         string                 `json:"version,omitempty"`
	SemanticVersion string                 `json:"semanticVersion,omitempty"`
	InformationURI  string                 `json:"informationUri"`
	Rules           []sarifRule            `json:"rules"`
	Notifications   []sarifDescriptorShort `json:"notifications"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifDescriptorShort struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	ShortDescription sarifText `json:"shortDescription"`
	FullDescription  sarifText `json:"fullDescription"`
	Help             sarifText `json:"help"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifAutomation struct {
	ID          string    `json:"id"`
	Description sarifText `json:"description"`
}

type sarifArtifactLoc struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Descriptor     sarifReference  `json:"descriptor"`
	AssociatedRule *sarifReference `json:"associatedRule,omitempty"`
	Level          string          `json:"level"`
	Message        sarifText       `json:"message"`
}

type sarifReference struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           sarifRegion      `json:"region"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// The notifications a run may carry, by descriptor index.
var sarifNotificationKinds = []sarifDescriptorShort{
	{ID: "AAM-N001", Name: "ScopeFailed", ShortDescription: sarifText{Text: "A scope of the tenant failed in its last scan."},
		FullDescription: sarifText{Text: "The last scan that tried the scope failed it: what the inventory holds for it is older, or nothing, and the controls did not judge it. Unknown is not pass."},
		Help:            sarifText{Text: "Read the scope's errors in the notification (often a denied list call), give the scanning role what it lacks, and run aam scan again."}},
	{ID: "AAM-N002", Name: "ScopeStale", ShortDescription: sarifText{Text: "A scope of the tenant was last scanned too long ago."},
		FullDescription: sarifText{Text: "The scope's last complete scan is older than the stale threshold (posture.stale_after_days): the findings rest on old facts."},
		Help:            sarifText{Text: "Run aam scan before aam posture, or raise posture.stale_after_days in aam.yaml if the scope is scanned less often on purpose."}},
	{ID: "AAM-N003", Name: "ScopePartial", ShortDescription: sarifText{Text: "Some details of the scope's items are unknown."},
		FullDescription: sarifText{Text: "The scope completed, but an enrichment call failed: the items whose detail is unknown are reported as results of kind review."},
		Help:            sarifText{Text: "Read the errors in the notification, give the scanning role the read it was denied, and run aam scan again."}},
	{ID: "AAM-N004", Name: "ControlNotEvaluated", ShortDescription: sarifText{Text: "A control could not judge the whole estate."},
		FullDescription: sarifText{Text: "Scopes of the control's providers failed, so the control judged part of the estate only."},
		Help:            sarifText{Text: "Fix the failed scopes the notification names and run aam scan again; until then the control's silence on them is not a pass."}},
	{ID: "AAM-N005", Name: "LimitReached", ShortDescription: sarifText{Text: "The file was cut to GitHub code scanning's limits."},
		FullDescription: sarifText{Text: "GitHub code scanning rejects a file with more runs, results per run or rules per run than it accepts; aam kept the most severe and left the rest out. The table and JSON reports hold everything."},
		Help:            sarifText{Text: "Read the full report with aam posture -o json, and fix or baseline the findings so that fewer remain."}},
}

const (
	notifyScopeFailed = iota
	notifyScopeStale
	notifyScopePartial
	notifyControlNotEvaluated
	notifyLimit
)

var semver = regexp.MustCompile(`^v?((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)$`)

type tenantKey struct{ provider, tenant string }

// Render writes r.
func (s SARIF) Render(ctx context.Context, w io.Writer, r *posture.Report) error {
	maxRuns, maxResults, maxRules := orDefault(s.MaxRuns, GitHubMaxRuns), orDefault(s.MaxResults, GitHubMaxResults), orDefault(s.MaxRules, GitHubMaxRules)
	run0 := r.Run
	uri := SARIFFileURI(r.ConfigPath)

	// One run per tenant: those the coverage knows, and any a finding
	// names, so that a tenant with nothing found still gets a run (an
	// empty run is what closes its fixed alerts).
	seen := map[tenantKey]bool{}
	var tenants []tenantKey
	add := func(k tenantKey) {
		if !seen[k] {
			seen[k] = true
			tenants = append(tenants, k)
		}
	}
	for _, t := range run0.Coverage.Tenants() {
		add(tenantKey{t[0], t[1]})
	}
	for _, t := range r.Tally.Tenants() {
		add(tenantKey{t.Provider, t.Tenant})
	}
	if len(tenants) == 0 {
		// Nothing scanned yet: one run without a tenant, so that the file
		// still uploads and says why it is empty.
		tenants = append(tenants, tenantKey{})
	}
	sort.Slice(tenants, func(i, j int) bool {
		if tenants[i].provider != tenants[j].provider {
			return tenants[i].provider < tenants[j].provider
		}
		return tenants[i].tenant < tenants[j].tenant
	})
	var leftOut []string
	if len(tenants) > maxRuns {
		for _, k := range tenants[maxRuns:] {
			leftOut = append(leftOut, k.provider+"/"+k.tenant)
		}
		tenants = tenants[:maxRuns]
	}

	// The document is written a run at a time: a run holds at most
	// maxResults results, however many findings the evaluation has.
	tw := &textWriter{w: w}
	tw.raw("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [")
	for i, k := range tenants {
		run, err := s.tenantRun(ctx, r, k, uri, maxResults, maxRules, leftOut, maxRuns)
		if err != nil {
			return err
		}
		if i > 0 {
			tw.raw(",")
		}
		tw.raw("\n    ")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("    ", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(run); err != nil {
			return err
		}
		tw.raw(strings.TrimSuffix(buf.String(), "\n"))
	}
	tw.raw("\n  ]\n}\n")
	return tw.err
}

// tenantRun is tenant k's run: the controls that judge its provider as
// rules, and its results, the most severe first, active before
// suppressed, at most maxResults of them.
func (s SARIF) tenantRun(ctx context.Context, r *posture.Report, k tenantKey, uri string, maxResults, maxRules int, leftOut []string, maxRuns int) (sarifRun, error) {
	run := newSARIFRun(r, k, uri)
	applies := func(c *posture.Control) bool {
		for _, p := range c.Providers {
			if p == "*" || p == k.provider {
				return true
			}
		}
		return false
	}
	// Rules: the controls that judge this tenant's provider, those with
	// results first when they must be cut.
	withResults := map[string]bool{}
	for key, n := range r.Tally {
		if n > 0 && key.Provider == k.provider && key.Tenant == k.tenant {
			withResults[key.ControlID] = true
		}
	}
	var ctls []*posture.Control
	for _, o := range r.Run.Controls {
		if applies(o.Control) || withResults[o.Control.ID] {
			ctls = append(ctls, o.Control)
		}
	}
	var notes []sarifNotification
	if len(ctls) > maxRules {
		sort.SliceStable(ctls, func(i, j int) bool { return withResults[ctls[i].ID] && !withResults[ctls[j].ID] })
		notes = append(notes, limitNote(fmt.Sprintf("%d of the %d controls are described in this run (GitHub accepts at most %d rules per run); the results of the others are left out.", maxRules, len(ctls), maxRules)))
		ctls = ctls[:maxRules]
		sort.Slice(ctls, func(i, j int) bool { return ctls[i].ID < ctls[j].ID })
	}
	for _, c := range ctls {
		run.ruleIndex[c.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(c))
	}
	kept := r.Tally.Sum(func(key posture.TallyKey) bool {
		_, ok := run.ruleIndex[key.ControlID]
		return ok && key.Provider == k.provider && key.Tenant == k.tenant
	})
	if kept > maxResults {
		notes = append(notes, limitNote(fmt.Sprintf("%d of the %d results are in this run, the most severe first (GitHub accepts at most %d results per run); run aam posture -o json for all of them.", maxResults, kept, maxResults)))
	}
	// The most severe first, active before suppressed, so that a cut
	// keeps what matters (GitHub shows the first 5,000 by severity).
	tenant := posture.TenantID{Provider: k.provider, Tenant: k.tenant}
	for _, marks := range []posture.Marks{posture.MarksCounting, posture.MarksSuppressed} {
		err := eachUntil(ctx, r.Findings, posture.Query{Marks: marks, Tenant: &tenant}, func(it posture.Item) bool {
			if len(run.Results) == maxResults {
				return false
			}
			if _, ok := run.ruleIndex[it.ControlID]; !ok {
				return true
			}
			var suppressed, expired *posture.Suppression
			switch it.Mark {
			case posture.MarkSuppressed:
				suppressed = it.Suppression
			case posture.MarkExpired:
				expired = it.Suppression
			}
			run.Results = append(run.Results, run.result(it.Finding, suppressed, expired, uri))
			return true
		})
		if err != nil {
			return run, err
		}
	}
	if len(leftOut) > 0 {
		notes = append(notes, limitNote(fmt.Sprintf("this file holds the runs of %d tenants (GitHub accepts at most %d runs per file); left out: %s.", maxRuns, maxRuns, strings.Join(leftOut, ", "))))
	}
	if k == (tenantKey{}) && len(r.Run.Coverage.Scopes) == 0 {
		notes = append(notes, sarifNotification{Descriptor: sarifReference{ID: sarifNotificationKinds[notifyScopeFailed].ID, Index: notifyScopeFailed},
			Level: "error", Message: sarifText{Text: "No tenant has been scanned: the controls judged nothing. Run aam scan before aam posture."}})
	}
	run.Invocations[0].Notifications = append(run.coverageNotes(r.Run, k), notes...)
	return run, nil
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func newSARIFRun(r *posture.Report, k tenantKey, uri string) sarifRun {
	driver := sarifDriver{Name: r.Tool, FullName: "aam (Agentic Access Management) posture", Version: r.Version,
		InformationURI: sarifInformationURI, Rules: []sarifRule{}, Notifications: sarifNotificationKinds}
	if m := semver.FindStringSubmatch(r.Version); m != nil {
		// Without its "v", a release's version is numeric, as SARIF
		// consumers compare it; a development build's "dev" stays as it is.
		driver.Version, driver.SemanticVersion = m[1], m[1]
	}
	if driver.Name == "" {
		driver.Name = "aam"
	}
	ev := r.Run
	return sarifRun{
		Tool:              sarifTool{Driver: driver},
		AutomationDetails: sarifAutomation{ID: SARIFCategory(k.provider, k.tenant), Description: sarifText{Text: runDescription(k)}},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{
			"%SRCROOT%": {Description: &sarifText{Text: "The repository root: the directory aam posture ran in, which the config path is relative to."}},
		},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true, Notifications: []sarifNotification{}}},
		Results:     []sarifResult{},
		Properties: map[string]any{"aam": map[string]any{
			"scan_id": ev.ScanID, "evaluated_at": ev.Now.UTC().Format("2006-01-02T15:04:05Z"),
			"provider": k.provider, "tenant": k.tenant, "stored": r.Stored,
		}},
		ruleIndex: map[string]int{},
	}
}

func runDescription(k tenantKey) string {
	if k == (tenantKey{}) {
		return "aam posture of an inventory with no tenant scanned"
	}
	return fmt.Sprintf("aam posture of %s tenant %s", k.provider, k.tenant)
}

// SARIFFileURI is the repository-relative URI every result points at: the
// config path, its segments escaped; or SARIFPlaceholderURI when there is
// none, or when it is absolute or climbs out of the repository root
// (GitHub code scanning places results in the repository only).
func SARIFFileURI(configPath string) string {
	p := path.Clean(strings.ReplaceAll(configPath, "\\", "/"))
	if configPath == "" || p == "." || p == ".." || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") || strings.Contains(strings.SplitN(p, "/", 2)[0], ":") {
		return SARIFPlaceholderURI
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// SARIFCategory is the automationDetails.id of a tenant's run: the code
// scanning category, with a trailing slash so that no run id follows.
func SARIFCategory(provider, tenant string) string {
	parts := []string{"aam"}
	for _, p := range []string{provider, tenant} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/") + "/"
}

// SecuritySeverity is GitHub's security-severity for a severity: GitHub
// reads over 9.0 as critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to
// 3.9 low.
func SecuritySeverity(s posture.Severity) string {
	switch s {
	case posture.SeverityCritical:
		return "9.5"
	case posture.SeverityHigh:
		return "8.0"
	case posture.SeverityMedium:
		return "5.5"
	default:
		return "2.0"
	}
}

// sarifLevel is the SARIF level of a failing result.
func sarifLevel(s posture.Severity) string {
	switch s {
	case posture.SeverityCritical, posture.SeverityHigh:
		return "error"
	case posture.SeverityMedium:
		return "warning"
	default:
		return "note"
	}
}

// RuleTags are a control's tags: "security" (so that GitHub shows the
// security severity), then one per mapping.
func RuleTags(c *posture.Control) []string {
	tags := []string{"security"}
	for _, m := range c.Mappings.OWASPNHI {
		tags = append(tags, "owasp-nhi:"+m)
	}
	for _, m := range c.Mappings.OWASPAgentic {
		tags = append(tags, "owasp-agentic:"+m)
	}
	for _, m := range c.Mappings.CISAWS {
		tags = append(tags, "cis-aws-"+posture.CISAWSVersion+":"+m)
	}
	if len(tags) > GitHubMaxTagsPerRule {
		tags = tags[:GitHubMaxTagsPerRule]
	}
	return tags
}

func sarifRuleOf(c *posture.Control) sarifRule {
	rationale, remediation := oneLine(c.Rationale), oneLine(c.Remediation)
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s, severity %s)\n\n", c.Title, c.ID, c.Severity)
	fmt.Fprintf(&md, "## Why it matters\n\n%s\n\n## How to fix it\n\n%s\n", rationale, remediation)
	if maps := mappingLines(c); len(maps) > 0 {
		md.WriteString("\n## Mappings\n\n")
		for _, m := range maps {
			fmt.Fprintf(&md, "- %s\n", m)
		}
	}
	return sarifRule{
		ID:                   c.ID,
		Name:                 pascal(c.Title),
		ShortDescription:     sarifText{Text: sentence(c.Title)},
		FullDescription:      sarifText{Text: rationale},
		Help:                 sarifText{Text: "Why it matters: " + rationale + "\n\nHow to fix it: " + remediation, Markdown: md.String()},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(c.Severity)},
		Properties: map[string]any{
			"security-severity": SecuritySeverity(c.Severity),
			"tags":              RuleTags(c),
			"precision":         "high",
			"problem.severity":  problemSeverity(c.Severity),
		},
	}
}

// problemSeverity is the severity GitHub shows for a rule's alerts when
// they are not read as security alerts.
func problemSeverity(s posture.Severity) string {
	switch sarifLevel(s) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "recommendation"
}

func mappingLines(c *posture.Control) []string {
	var out []string
	for _, m := range c.Mappings.OWASPNHI {
		out = append(out, fmt.Sprintf("OWASP Non-Human Identities Top 10 (2025) %s %s", m, posture.NHITitles[m]))
	}
	for _, m := range c.Mappings.OWASPAgentic {
		out = append(out, fmt.Sprintf("OWASP Top 10 for Agentic Applications (2026) %s %s", m, posture.AgenticTitles[m]))
	}
	for _, m := range c.Mappings.CISAWS {
		out = append(out, fmt.Sprintf("CIS AWS Foundations Benchmark v%s %s", posture.CISAWSVersion, m))
	}
	return out
}

func (run *sarifRun) result(f posture.Finding, sup, exp *posture.Suppression, uri string) sarifResult {
	subject := f.SubjectName
	if subject == "" {
		subject = f.SubjectID
	}
	res := sarifResult{
		RuleID:    f.ControlID,
		RuleIndex: run.ruleIndex[f.ControlID],
		Kind:      "fail",
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: sentence(fmt.Sprintf("%s %s (%s): %s", f.SubjectKind, subject, f.SubjectID, f.Message))},
		Locations: []sarifLocation{{
			PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: uri, URIBaseID: "%SRCROOT%"}, Region: sarifRegion{StartLine: 1}},
			LogicalLocations: []sarifLogical{{Name: subject, FullyQualifiedName: f.SubjectID, Kind: f.SubjectKind}},
		}},
		// Both keys hold the finding's fingerprint: aamFinding/v1 names
		// it, and primaryLocationLineHash, when present, stops the upload
		// action from hashing line 1 of the config file instead, which is
		// the same for every result and changes when that line does.
		PartialFingerprints: map[string]string{SARIFFingerprintKey: f.Fingerprint, "primaryLocationLineHash": f.Fingerprint},
		Properties: map[string]any{
			"severity": f.Severity.String(), "status": string(f.Status),
			"provider": f.Provider, "tenant": f.Tenant, "fingerprint": f.Fingerprint,
		},
	}
	if f.Status == posture.StatusUnknown {
		// Not evaluable: SARIF's "review" kind says a person must look;
		// such a result has level none by the specification.
		res.Kind, res.Level = "review", "none"
		res.Message.Text = sentence(fmt.Sprintf("not evaluable, %s %s (%s): %s", f.SubjectKind, subject, f.SubjectID, f.Message))
	}
	if len(f.About) > 0 {
		res.Properties["about"] = f.About
	}
	if len(f.Evidence) > 0 {
		res.Properties["evidence"] = f.Evidence
	}
	if sup != nil {
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted",
			Justification: fmt.Sprintf("%s (baseline, until %s)", sup.Reason, sup.Expires.Format("2006-01-02"))}}
	}
	if exp != nil {
		res.Properties["expired_suppression"] = map[string]any{"reason": exp.Reason, "expires": exp.Expires.Format("2006-01-02")}
	}
	return res
}

// coverageNotes are the run's tenant's gaps: failed, stale and partial
// scopes, and the controls that could not judge all of the tenant.
func (run *sarifRun) coverageNotes(ev *posture.Run, k tenantKey) []sarifNotification {
	var out []sarifNotification
	var failed []string
	for _, sc := range ev.Coverage.Scopes {
		if sc.Provider != k.provider || sc.Tenant != k.tenant {
			continue
		}
		if sc.State == posture.ScopeFailed {
			failed = append(failed, sc.Provider+"/"+sc.Tenant+"/"+sc.Scope)
		}
		var kind int
		var level, text string
		switch sc.State {
		case posture.ScopeFailed:
			kind, level, text = notifyScopeFailed, "error", fmt.Sprintf("Scope %s/%s/%s failed: its items were not judged.", sc.Provider, sc.Tenant, sc.Scope)
		case posture.ScopeStale:
			kind, level, text = notifyScopeStale, "warning", fmt.Sprintf("Scope %s/%s/%s was last scanned completely at %s, over %d days before the evaluation.", sc.Provider, sc.Tenant, sc.Scope, posture.When(*sc.LastComplete), ev.Coverage.StaleAfterDays)
		case posture.ScopePartial:
			kind, level, text = notifyScopePartial, "note", fmt.Sprintf("Scope %s/%s/%s completed with some details unknown.", sc.Provider, sc.Tenant, sc.Scope)
		default:
			continue
		}
		if len(sc.Errors) > 0 {
			text += " Errors: " + strings.Join(sc.Errors, "; ") + "."
		}
		out = append(out, sarifNotification{Descriptor: sarifReference{ID: sarifNotificationKinds[kind].ID, Index: kind}, Level: level, Message: sarifText{Text: text}})
	}
	// A control's gap, in this tenant's run, is this tenant's failed
	// scopes: the control's NotEvaluated names every tenant's.
	if len(failed) > 0 {
		for i, rule := range run.Tool.Driver.Rules {
			out = append(out, sarifNotification{Descriptor: sarifReference{ID: sarifNotificationKinds[notifyControlNotEvaluated].ID, Index: notifyControlNotEvaluated},
				AssociatedRule: &sarifReference{ID: rule.ID, Index: i}, Level: "warning",
				Message: sarifText{Text: fmt.Sprintf("Control %s did not judge the items of the failed scopes %s: unknown is not pass.", rule.ID, strings.Join(failed, ", "))}})
		}
	}
	if out == nil {
		out = []sarifNotification{}
	}
	return out
}

func limitNote(text string) sarifNotification {
	return sarifNotification{Descriptor: sarifReference{ID: sarifNotificationKinds[notifyLimit].ID, Index: notifyLimit}, Level: "warning", Message: sarifText{Text: sentence(text)}}
}

// oneLine joins a YAML folded text's lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentence capitalises s and ends it with a period, as SARIF's message
// guidance asks.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	rs := []rune(s)
	rs[0] = unicode.ToUpper(rs[0])
	s = string(rs)
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// pascal turns a title into a rule name such as AgentCanUseStandingCredential;
// it drops articles, whose one-letter "A" would break the Pascal form SARIF
// validators expect.
func pascal(s string) string {
	var b strings.Builder
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch strings.ToLower(w) {
		case "a", "an", "the":
			continue
		}
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}
