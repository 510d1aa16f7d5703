package posture

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/aam-dev/aam/inventory"
)

//go:embed controls/*.yaml
var builtinFS embed.FS

// maxControlBytes bounds one control file: a control is a page of text.
const maxControlBytes = 256 << 10

// Builtin is aam's own catalogue.
func Builtin() (*Catalogue, error) {
	entries, err := fs.ReadDir(builtinFS, "controls")
	if err != nil {
		return nil, err
	}
	cat := &Catalogue{}
	for _, e := range entries {
		data, err := builtinFS.ReadFile("controls/" + e.Name())
		if err != nil {
			return nil, err
		}
		ctl, err := ParseControl("builtin:"+e.Name(), data, true)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(ctl.ID, "AAM-") {
			return nil, fmt.Errorf("builtin control %s: id %s does not start with AAM-", e.Name(), ctl.ID)
		}
		if err := cat.add(ctl); err != nil {
			return nil, err
		}
	}
	cat.sort()
	return cat, nil
}

// LoadDir adds the controls of dir (every *.yaml and *.yml file in it, not
// its subfolders) to c. Each is checked as it is read; the first bad one
// stops the load with an error naming its file and line. A user control may
// not take a built-in's id, nor run Go: it is SQL only.
func (c *Catalogue) LoadDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read controls folder: %w: pass --controls-dir with a folder of control files (*.yaml)", err)
	}
	var names []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("controls folder %s holds no control file (*.yaml): write one as docs/posture.md shows, or drop --controls-dir", dir)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n)
		data, err := readBounded(p)
		if err != nil {
			return err
		}
		ctl, err := ParseControl(p, data, false)
		if err != nil {
			return err
		}
		if err := c.add(ctl); err != nil {
			return err
		}
	}
	c.sort()
	return nil
}

func readBounded(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read control: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxControlBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read control %s: %w", p, err)
	}
	if len(data) > maxControlBytes {
		return nil, fmt.Errorf("control %s is over %d KiB: a control is one query and its texts; check the file", p, maxControlBytes>>10)
	}
	return data, nil
}

func (c *Catalogue) add(ctl *Control) error {
	if prev, ok := c.Lookup(ctl.ID); ok {
		return fmt.Errorf("control %s line %d: id %s is already taken by %s: give the control an id of its own", ctl.Source, ctl.Line, ctl.ID, prev.Source)
	}
	c.Controls = append(c.Controls, ctl)
	return nil
}

// controlFile is the YAML form of a control; see docs/posture.md.
type controlFile struct {
	ID          string                   `yaml:"id"`
	Title       string                   `yaml:"title"`
	Severity    string                   `yaml:"severity"`
	Rationale   string                   `yaml:"rationale"`
	Remediation string                   `yaml:"remediation"`
	Providers   []string                 `yaml:"providers"`
	Thresholds  map[string]thresholdFile `yaml:"thresholds"`
	Mappings    struct {
		OWASPNHI     []string `yaml:"owasp_nhi"`
		OWASPAgentic []string `yaml:"owasp_agentic"`
		CISAWS       []string `yaml:"cis_aws"`
	} `yaml:"mappings"`
	Query     string `yaml:"query"`
	Evaluator string `yaml:"evaluator"`
}

type thresholdFile struct {
	Default     *int   `yaml:"default"`
	Description string `yaml:"description"`
}

// ParseControl reads one control file; source names it in errors. Only a
// built-in control may name a Go evaluator.
func ParseControl(source string, data []byte, builtin bool) (*Control, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("control %s: %s: fix the YAML syntax", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("control %s line 1: a control is a mapping of id, title, severity, rationale, remediation, providers, mappings and query", source)
	}
	top := doc.Content[0]
	lines := map[string]int{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k := top.Content[i]
		if _, dup := lines[k.Value]; dup {
			return nil, fmt.Errorf("control %s line %d: %s given twice (first on line %d): keep one", source, k.Line, k.Value, lines[k.Value])
		}
		lines[k.Value] = k.Line
	}
	line := func(key string) int {
		if l, ok := lines[key]; ok {
			return l
		}
		return top.Line
	}
	var f controlFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("control %s: %s (the fields are id, title, severity, rationale, remediation, providers, thresholds, mappings, query)", source, yamlMessage(err))
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("control %s line %d: %s", source, line(key), fmt.Sprintf(format, args...))
	}
	ctl := &Control{ID: f.ID, Title: strings.TrimSpace(f.Title), Rationale: strings.TrimSpace(f.Rationale),
		Remediation: strings.TrimSpace(f.Remediation), Providers: f.Providers, Query: f.Query,
		Evaluator: f.Evaluator, Source: source, Line: top.Line}
	switch {
	case f.ID == "":
		return nil, bad("id", "no id: give the control a stable id such as ACME-001")
	case !controlID.MatchString(f.ID):
		return nil, bad("id", "id %q: use a prefix, a dash and a name, such as ACME-001", f.ID)
	case !builtin && strings.HasPrefix(strings.ToUpper(f.ID), "AAM-"):
		return nil, bad("id", "id %s: the AAM- prefix is aam's own; use your organisation's, such as ACME-001", f.ID)
	case ctl.Title == "":
		return nil, bad("title", "no title: say in one line what the control finds")
	case ctl.Rationale == "":
		return nil, bad("rationale", "no rationale: say why what it finds matters")
	case ctl.Remediation == "":
		return nil, bad("remediation", "no remediation: say what to do about a finding")
	case len(f.Providers) == 0:
		return nil, bad("providers", "no providers: list the providers it applies to, or [\"*\"] for every one")
	}
	sev, err := ParseSeverity(f.Severity)
	if err != nil {
		return nil, bad("severity", "%v", err)
	}
	ctl.Severity = sev
	for _, p := range f.Providers {
		if p != "*" && !paramName.MatchString(p) {
			return nil, bad("providers", "provider %q: use a provider name such as aws, or \"*\"", p)
		}
	}
	for _, m := range f.Mappings.OWASPNHI {
		if !nhiItem.MatchString(m) {
			return nil, bad("mappings", "owasp_nhi item %q: use NHI1 … NHI10", m)
		}
	}
	for _, m := range f.Mappings.OWASPAgentic {
		if !agenticItem.MatchString(m) {
			return nil, bad("mappings", "owasp_agentic item %q: use ASI01 … ASI10", m)
		}
	}
	for _, m := range f.Mappings.CISAWS {
		if !cisItem.MatchString(m) {
			return nil, bad("mappings", "cis_aws item %q: use a recommendation number such as 2.13 (CIS AWS Foundations Benchmark v%s)", m, CISAWSVersion)
		}
	}
	ctl.Mappings = Mappings{OWASPNHI: f.Mappings.OWASPNHI, OWASPAgentic: f.Mappings.OWASPAgentic, CISAWS: f.Mappings.CISAWS}
	for name, t := range f.Thresholds {
		if !paramName.MatchString(name) || name == "now" {
			return nil, bad("thresholds", "threshold %q: use a lower-case name such as max_age_days (now is taken: it is the evaluation time)", name)
		}
		if t.Default == nil {
			return nil, bad("thresholds", "threshold %s has no default: give it one", name)
		}
		ctl.Thresholds = append(ctl.Thresholds, Threshold{Name: name, Default: *t.Default, Description: strings.TrimSpace(t.Description)})
	}
	sort.Slice(ctl.Thresholds, func(i, j int) bool { return ctl.Thresholds[i].Name < ctl.Thresholds[j].Name })
	switch {
	case f.Query != "" && f.Evaluator != "":
		return nil, bad("evaluator", "both query and evaluator: give one")
	case f.Evaluator != "":
		if !builtin {
			return nil, bad("evaluator", "evaluator %q: a control from a folder is SQL; write a query", f.Evaluator)
		}
		if _, ok := goEvaluator(f.Evaluator); !ok {
			return nil, bad("evaluator", "no built-in evaluator %q", f.Evaluator)
		}
	case strings.TrimSpace(f.Query) == "":
		return nil, bad("query", "no query: write the SQL that selects subject_id and message for each finding")
	default:
		if err := inventory.CheckReadOnlySQL(f.Query); err != nil {
			return nil, bad("query", "%v", err)
		}
		params, err := queryParams(f.Query)
		if err != nil {
			return nil, bad("query", "%v", err)
		}
		for _, p := range params {
			if p != "now" && !ctl.hasThreshold(p) {
				return nil, bad("query", "the query uses :%s, which is neither :now nor a threshold: declare it under thresholds", p)
			}
		}
	}
	return ctl, nil
}

func (c *Control) hasThreshold(name string) bool {
	for _, t := range c.Thresholds {
		if t.Name == name {
			return true
		}
	}
	return false
}

// yamlMessage is a decoder error in the words of a file's author.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			m = strings.Replace(m, "not found in type posture.controlFile", "is not a control field", 1)
			msgs[i] = typeName.ReplaceAllString(m, "")
		}
		return strings.Join(msgs, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// typeName drops the Go type names a decoder error names.
var typeName = regexp.MustCompile(` (in|into) (type )?posture\.[a-zA-Z]+`)

// queryParams lists the :name parameters of q (inventory.NamedParams).
func queryParams(q string) ([]string, error) { return inventory.NamedParams(q) }
