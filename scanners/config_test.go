package scanners

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func testRegistry() *Registry {
	aws, gcp := testProvider("aws"), testProvider("gcp")
	aws.TenantsKey, gcp.TenantsKey = "accounts", "projects"
	r, err := NewRegistry(aws, gcp)
	if err != nil {
		panic(err)
	}
	return r
}

func testProvider(name string) Provider {
	return Provider{Name: name, New: func(context.Context, *yaml.Node, Options) (Scanner, error) { return nil, nil }}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, text, wantErr string
	}{
		{"ok", "version: 1\naws:\n  regions: [us-east-1]\n", ""},
		{"empty", "", "is empty"},
		{"not a mapping", "- a\n- b\n", "must be a mapping"},
		{"no version", "aws: {}\n", "no version"},
		{"bad version", "version: two\naws: {}\n", "version must be a number"},
		{"future version", "version: 9\naws: {}\n", "version 9 is not supported"},
		{"unknown provider", "version: 1\ngcpp: {}\n", `line 2: unknown provider "gcpp"`},
		{"no section", "version: 1\n", "no provider section"},
		// A key given twice, at any depth, names both lines.
		{"section twice", "version: 1\naws: {}\naws: {}\n", `config aam.yaml line 3: key "aws" appears twice (first at line 2): keep one`},
		{"version twice", "version: 1\naws: {}\nversion: 1\n", `config aam.yaml line 3: key "version" appears twice (first at line 1): keep one`},
		{"in a section", "version: 1\naws:\n  regions: [a]\n  accounts: []\n  regions: [b]\n", `config aam.yaml line 5: key "regions" appears twice (first at line 3): keep one`},
		{"in an account", "version: 1\naws:\n  accounts:\n    - profile: a\n    - profile: b\n      regions: [a]\n      profile: c\n", `config aam.yaml line 7: key "profile" appears twice (first at line 5): keep one`},
		{"in a flow mapping", "version: 1\naws: {accounts: [{profile: a, profile: b}]}\n", `config aam.yaml line 2: key "profile" appears twice (first at line 2): keep one`},
		{"in a mapping of a list of lists", "version: 1\naws:\n  x: [[{a: 1}, {b: 1, b: 2}]]\n", `line 3: key "b" appears twice (first at line 3)`},
		{"once in each of two mappings", "version: 1\naws:\n  accounts:\n    - profile: a\n    - profile: a\n", ""},
		{"over 1 MiB", "version: 1\naws: {}\n#" + strings.Repeat("x", 2411724) + "\n", "config aam.yaml is 2.3 MiB, over the 1 MiB limit: aam.yaml lists tenants and regions, which take far less: check that --config names your aam.yaml"},
		{"just over 1 MiB", padTo("version: 1\naws: {}\n", MaxConfigBytes+2), "config aam.yaml is 1048578 bytes, over the 1 MiB limit"},
		{"1 MiB", padTo("version: 1\naws: {}\n", MaxConfigBytes), ""},
		{"10000 tenants", accounts(MaxTenants), ""},
		{"10001 tenants", accounts(MaxTenants + 1), "config aam.yaml line 4: aws.accounts lists 10001 tenants, over the limit of 10000: split them across several config files and scan each on its own"},
		{"10001 tenants across sections", accounts(6000) + "gcp:\n  projects:\n" + strings.Repeat("    - p\n", 4001), "config aam.yaml: aws.accounts (line 4) and gcp.projects (line 6006) list 10001 tenants, over the limit of 10000"},
		{"10001 tenants through an alias", strings.Replace(accounts(5001), "accounts:", "accounts: &all", 1) + "gcp:\n  projects: *all\n", "aws.accounts (line 4) and gcp.projects (line 5007) list 10002 tenants"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("aam.yaml", []byte(tt.text), testRegistry())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// padTo pads text with a comment to n bytes.
func padTo(text string, n int) string {
	return text + "#" + strings.Repeat("x", n-len(text)-2) + "\n"
}

// accounts is a config listing n aws accounts.
func accounts(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - profile: p%d\n", i)
	}
	return b.String()
}

// LoadConfig refuses a file over MaxConfigBytes without parsing it, and
// reads no more of one whose size it cannot know beforehand (/dev/zero,
// which has no end) than one byte past the limit.
func TestLoadConfigBounds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"1 MiB", write("ok.yaml", padTo("version: 1\naws: {}\n", MaxConfigBytes)), ""},
		{"2.3 MiB", write("big.yaml", padTo("version: 1\naws: {}\n", 2411724)), "big.yaml is 2.3 MiB, over the 1 MiB limit: aam.yaml lists tenants and regions, which take far less: check that --config names your aam.yaml"},
		{"one byte over", write("over.yaml", padTo("version: 1\naws: {}\n", MaxConfigBytes+1)), "over.yaml is 1048577 bytes, over the 1 MiB limit"},
		{"not YAML past the limit", write("junk.yaml", strings.Repeat("\x00", 3<<20)), "junk.yaml is 3.0 MiB, over the 1 MiB limit"},
		{"missing", filepath.Join(dir, "missing.yaml"), "pass --config with an existing aam.yaml"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		tests = append(tests, struct{ name, path, wantErr string }{"endless", "/dev/zero", "config /dev/zero is over the 1 MiB limit: aam.yaml lists tenants"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.path, testRegistry())
			switch {
			case tt.wantErr == "" && (err != nil || cfg.Sections["aws"] == nil):
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

type section struct {
	Regions  []string `yaml:"regions"`
	Accounts []struct {
		Profile string `yaml:"profile"`
	} `yaml:"accounts"`
}

func TestDecodeSectionNamesUnknownFieldsAndLines(t *testing.T) {
	cfg, err := ParseConfig("aam.yaml", []byte("version: 1\naws:\n  regions: [a]\n  accounts:\n    - profile: p\n      profle: q\n"), testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	var s section
	err = DecodeSection("aam.yaml", "aws", cfg.Sections["aws"], &s)
	if err == nil || !strings.Contains(err.Error(), `line 6: aws.accounts[0] has no field "profle": use one of profile`) {
		t.Errorf("err = %v", err)
	}
}

// typed has a field of every kind a provider's section may hold.
type typed struct {
	Regions  []string `yaml:"regions"`
	Endpoint string   `yaml:"endpoint"`
	Accounts []struct {
		Profile string   `yaml:"profile"`
		Regions []string `yaml:"regions"`
	} `yaml:"accounts"`
	Retries int               `yaml:"retries"`
	Ratio   float64           `yaml:"ratio"`
	Strict  bool              `yaml:"strict"`
	Wait    time.Duration     `yaml:"wait"`
	Labels  map[string]string `yaml:"labels"`
	Limit   *int              `yaml:"limit"`
	Matrix  [][]int           `yaml:"matrix"`
}

// A value of the wrong type is refused with its line, its path and, in
// YAML's words, the type it must have and the one it has; never a Go type.
func TestDecodeSectionTypeErrors(t *testing.T) {
	tests := []struct {
		name, section, wantErr string // wantErr empty: decoded
	}{
		{"every field right", "regions: [us-east-1]\nendpoint: https://x\naccounts:\n  - profile: p\n    regions: [a]\nretries: 3\nratio: 0.5\nstrict: true\nwait: 30s\nlabels: {a: b}\nlimit: 2\nmatrix: [[1, 2]]\n", ""},
		{"nulls", "regions:\nendpoint: ~\naccounts:\nlimit: null\n", ""},
		{"a number where a string is expected", "endpoint: 8080\n", ""}, // YAML reads any scalar as a string
		{"string where a list is expected", "regions: us-east-1\n", "config aam.yaml line 3: aws.regions must be a list of strings, not a string"},
		{"list where a string is expected", "endpoint: [a, b]\n", "config aam.yaml line 3: aws.endpoint must be a string, not a list"},
		{"mapping where a string is expected", "endpoint: {url: x}\n", "config aam.yaml line 3: aws.endpoint must be a string, not a mapping"},
		{"number given text", "retries: three\n", "config aam.yaml line 3: aws.retries must be a whole number, not a string"},
		{"whole number given a fraction", "retries: 1.5\n", "config aam.yaml line 3: aws.retries must be a whole number, not a number"},
		{"number given true", "ratio: true\n", "config aam.yaml line 3: aws.ratio must be a number, not true or false"},
		{"bool given text", "strict: maybe\n", "config aam.yaml line 3: aws.strict must be true or false, not a string"},
		{"duration given a number", "wait: 30\n", "config aam.yaml line 3: aws.wait must be a duration (like 30s or 5m), not a whole number"},
		{"mapping where a list of mappings is expected", "accounts: {profile: p}\n", "config aam.yaml line 3: aws.accounts must be a list of mappings, not a mapping"},
		{"string where a mapping is expected", "accounts: [prod]\n", "config aam.yaml line 3: aws.accounts[0] must be a mapping, not a string"},
		{"in an account", "accounts:\n  - profile: a\n  - regions: eu-west-1\n", "config aam.yaml line 5: aws.accounts[1].regions must be a list of strings, not a string"},
		{"in a list", "regions: [a, [b]]\n", "config aam.yaml line 3: aws.regions[1] must be a string, not a list"},
		{"in a list of lists", "matrix: [[1], [2, x]]\n", "config aam.yaml line 3: aws.matrix[1][1] must be a whole number, not a string"},
		{"list of lists given a list", "matrix: [1]\n", "config aam.yaml line 3: aws.matrix[0] must be a list of whole numbers, not a whole number"},
		{"in a map", "labels: {a: [b]}\n", "config aam.yaml line 3: aws.labels.a must be a string, not a list"},
		{"a pointer's target", "limit: lots\n", "config aam.yaml line 3: aws.limit must be a whole number, not a string"},
		{"the section itself", "- a\n", "config aam.yaml line 3: aws must be a mapping, not a list"},
		{"through an alias", "endpoint: &e [x]\nregions: [a]\naccounts:\n  - profile: *e\n", "config aam.yaml line 3: aws.endpoint must be a string, not a list"},
		{"an alias used at another type", "regions: &r [a]\naccounts:\n  - profile: *r\n", "config aam.yaml line 3: aws.accounts[0].profile must be a string, not a list"},
		{"an alias used twice at its type", "regions: &r [a]\naccounts:\n  - regions: *r\n  - regions: *r\n", ""},
		{"unknown field", "accounts:\n  - profle: p\n", `config aam.yaml line 4: aws.accounts[0] has no field "profle": use one of profile, regions`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "version: 1\naws:\n" + indent(tt.section)
			cfg, err := ParseConfig("aam.yaml", []byte(text), testRegistry())
			if err != nil {
				t.Fatal(err)
			}
			var v typed
			err = DecodeSection("aam.yaml", "aws", cfg.Sections["aws"], &v)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("err = %v\nwant  %s", err, tt.wantErr)
			}
		})
	}
}

// indent indents every line of text by two spaces.
func indent(text string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

// yamlType names every Go type a section may hold in YAML's words.
func TestYAMLType(t *testing.T) {
	tests := []struct {
		v         any
		one, many string
	}{
		{"", "a string", "strings"},
		{0, "a whole number", "whole numbers"},
		{uint8(0), "a whole number", "whole numbers"},
		{int64(0), "a whole number", "whole numbers"},
		{0.5, "a number", "numbers"},
		{float32(0), "a number", "numbers"},
		{false, "true or false", "true or false values"},
		{time.Duration(0), "a duration (like 30s or 5m)", "durations (like 30s or 5m)"},
		{[]string{}, "a list of strings", "lists of strings"},
		{[3]int{}, "a list of whole numbers", "lists of whole numbers"},
		{[][]bool{}, "a list of lists of true or false values", "lists of lists of true or false values"},
		{struct{}{}, "a mapping", "mappings"},
		{map[string]int{}, "a mapping", "mappings"},
		{[]struct{}{}, "a list of mappings", "lists of mappings"},
		{new(string), "a string", "strings"},
		{[]*int{}, "a list of whole numbers", "lists of whole numbers"},
	}
	for _, tt := range tests {
		one, many := yamlType(reflect.TypeOf(tt.v))
		if one != tt.one || many != tt.many {
			t.Errorf("yamlType(%T) = %q, %q; want %q, %q", tt.v, one, many, tt.one, tt.many)
		}
	}
}

// yamlWords is how a type error reads.
var yamlWords = regexp.MustCompile(`^config aam\.yaml line \d+: aws\S* must be (a string|a whole number|a number|true or false|a mapping|a list of [a-z ]+|a duration \(like 30s or 5m\)), not (a mapping|a list|a string|a whole number|a number|true or false|a timestamp|binary data|a value tagged \S+)$`)

// FuzzParseConfig: whatever the file, parsing and decoding never panic, an
// accepted file has a version and a known provider, and a section that
// does not decode is refused in YAML's words, never Go's or yaml's.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n    - profile: p\n", "version: 1\naws: [", "{}", "version: 1\naws:\n  accounts: {a: b}\n",
		"version: 1\naws:\n  retries: 1.5\n  wait: 3\n  labels: {a: [b]}\n  matrix: [[x]]\n", "version: 1\naws:\n  regions: &r [a]\n  accounts: [{profile: *r}]\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := ParseConfig("aam.yaml", []byte(text), testRegistry())
		if err != nil {
			return
		}
		if cfg.Version != ConfigVersion || len(cfg.Sections) == 0 {
			t.Fatalf("accepted %q: version %d, %d sections", text, cfg.Version, len(cfg.Sections))
		}
		var s section
		_ = DecodeSection("aam.yaml", "aws", cfg.Sections["aws"], &s)
		var v typed
		err = DecodeSection("aam.yaml", "aws", cfg.Sections["aws"], &v)
		if err == nil {
			return
		}
		msg := err.Error()
		switch {
		case strings.Contains(msg, "section aws:"):
			t.Fatalf("%q: yaml's own error: %v", text, err)
		case strings.Contains(msg, " must be ") && !yamlWords.MatchString(msg):
			t.Fatalf("%q: not in YAML's words: %v", text, err)
		}
	})
}
