package scanners

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigVersion is the aam.yaml schema version this build reads.
const ConfigVersion = 1

// Config is aam.yaml: a version and one section per provider, each decoded
// by its provider (see docs/config.md for every provider's schema).
//
//	version: 1
//	aws:
//	  regions: [us-east-1]
//	  accounts:
//	    - profile: prod
type Config struct {
	Version  int
	Path     string
	Sections map[string]*yaml.Node
}

// Providers lists the providers the file has a section for, sorted.
func (c *Config) Providers() []string {
	var names []string
	for n := range c.Sections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LoadConfig reads and checks aam.yaml. Sections for providers the registry
// does not know are refused.
func LoadConfig(path string, reg *Registry) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w: pass --config with an existing aam.yaml", err)
	}
	return ParseConfig(path, data, reg)
}

// ParseConfig parses the text of aam.yaml; path only names it in errors.
func ParseConfig(path string, data []byte, reg *Registry) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config %s is empty: start it with `version: %d` and a provider section", path, ConfigVersion)
		}
		return nil, fmt.Errorf("config %s: %v: fix the YAML syntax", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s: the top level must be a mapping (version: %d, then provider sections)", path, ConfigVersion)
	}
	top := doc.Content[0]
	cfg := &Config{Path: path, Sections: map[string]*yaml.Node{}}
	seenVersion := false
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		switch key.Value {
		case "version":
			if err := val.Decode(&cfg.Version); err != nil {
				return nil, fmt.Errorf("config %s line %d: version must be a number", path, val.Line)
			}
			seenVersion = true
		default:
			if _, err := reg.Lookup(key.Value); err != nil {
				return nil, fmt.Errorf("config %s line %d: %v", path, key.Line, err)
			}
			if _, dup := cfg.Sections[key.Value]; dup {
				return nil, fmt.Errorf("config %s line %d: section %q appears twice: merge them", path, key.Line, key.Value)
			}
			cfg.Sections[key.Value] = val
		}
	}
	if !seenVersion {
		return nil, fmt.Errorf("config %s: no version: add `version: %d` at the top", path, ConfigVersion)
	}
	if cfg.Version != ConfigVersion {
		return nil, fmt.Errorf("config %s: version %d is not supported: this aam reads version %d", path, cfg.Version, ConfigVersion)
	}
	if len(cfg.Sections) == 0 {
		return nil, fmt.Errorf("config %s: no provider section: add one of %s", path, strings.Join(reg.Names(), ", "))
	}
	return cfg, nil
}

// DecodeSection decodes a provider's section strictly: a field the
// provider's struct does not have is an error naming its line.
func DecodeSection(path, provider string, section *yaml.Node, into any) error {
	if section == nil {
		return nil
	}
	if err := knownFields(section, reflect.TypeOf(into), provider); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := section.Decode(into); err != nil {
		return fmt.Errorf("config %s: section %s: %v", path, provider, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// knownFields checks that every mapping key under n is a yaml field of t.
func knownFields(n *yaml.Node, t reflect.Type, where string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			fields[name] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			ft, ok := fields[key]
			if !ok {
				var names []string
				for k := range fields {
					names = append(names, k)
				}
				sort.Strings(names)
				return fmt.Errorf("line %d: %s has no field %q: use one of %s", n.Content[i].Line, where, key, strings.Join(names, ", "))
			}
			if err := knownFields(n.Content[i+1], ft, where+"."+key); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, c := range n.Content {
			if err := knownFields(c, t.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	}
	return nil
}
