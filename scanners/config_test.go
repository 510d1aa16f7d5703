package scanners

import (
	"context"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func testRegistry() *Registry {
	r, err := NewRegistry(testProvider("aws"))
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
		{"twice", "version: 1\naws: {}\naws: {}\n", ""}, // YAML itself refuses duplicate keys
		{"no section", "version: 1\n", "no provider section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("aam.yaml", []byte(tt.text), testRegistry())
			switch {
			case tt.name == "twice":
				if err == nil {
					t.Error("a section given twice was accepted")
				}
			case tt.wantErr == "" && err != nil:
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

// FuzzParseConfig: whatever the file, parsing and decoding never panic, and
// an accepted file has a version and a known provider.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n    - profile: p\n", "version: 1\naws: [", "{}", "version: 1\naws:\n  accounts: {a: b}\n"} {
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
	})
}
