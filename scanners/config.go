package scanners

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
	// Posture is the posture section (thresholds of controls, when a scope
	// is stale), decoded by aam posture; nil when the file has none.
	Posture *yaml.Node
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

// The bounds of aam.yaml, checked before anything in it is used.
const (
	// MaxConfigBytes is the largest aam.yaml read; a longer file is
	// refused before it is parsed, and never read whole.
	MaxConfigBytes = 1 << 20
	// MaxTenants is the most tenants (AWS accounts...) one aam.yaml may
	// list, across its provider sections.
	MaxTenants = 10000
)

// LoadConfig reads and checks aam.yaml. Sections for providers the registry
// does not know are refused.
func LoadConfig(path string, reg *Registry) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w: pass --config with an existing aam.yaml", err)
	}
	defer f.Close()
	// A regular file's size is known before it is read; anything else (a
	// pipe, /dev/zero) is read no further than one byte past the limit.
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
		if size > MaxConfigBytes {
			return nil, configTooBig(path, size)
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w: pass --config with an existing aam.yaml", err)
	}
	if len(data) > MaxConfigBytes {
		if size <= MaxConfigBytes {
			size = -1 // not a regular file, or it grew since: its size is not known
		}
		return nil, configTooBig(path, size)
	}
	return ParseConfig(path, data, reg)
}

// configTooBig refuses a config of size bytes, or of a size not known
// when size is negative.
func configTooBig(path string, size int64) error {
	const hint = "aam.yaml lists tenants and regions, which take far less: check that --config names your aam.yaml"
	limit := fmt.Sprintf("%d MiB", MaxConfigBytes>>20)
	if size < 0 {
		return fmt.Errorf("config %s is over the %s limit: %s", path, limit, hint)
	}
	// Just over the limit, MiB rounded to a tenth would read as the limit.
	mib := fmt.Sprintf("%.1f MiB", float64(size)/(1<<20))
	if mib == fmt.Sprintf("%.1f MiB", float64(MaxConfigBytes)/(1<<20)) {
		mib = fmt.Sprintf("%d bytes", size)
	}
	return fmt.Errorf("config %s is %s, over the %s limit: %s", path, mib, limit, hint)
}

// ParseConfig parses the text of aam.yaml; path only names it in errors.
func ParseConfig(path string, data []byte, reg *Registry) (*Config, error) {
	if len(data) > MaxConfigBytes {
		return nil, configTooBig(path, int64(len(data)))
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config %s is empty: start it with `version: %d` and a provider section", path, ConfigVersion)
		}
		return nil, fmt.Errorf("config %s: %v: fix the YAML syntax", path, err)
	}
	if err := duplicateKeys(&doc); err != nil {
		return nil, fmt.Errorf("config %s %w", path, err)
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
		case "posture":
			cfg.Posture = val
		default:
			if _, err := reg.Lookup(key.Value); err != nil {
				return nil, fmt.Errorf("config %s line %d: %v", path, key.Line, err)
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
	if len(cfg.Sections) == 0 && cfg.Posture == nil {
		return nil, fmt.Errorf("config %s: no provider section: add one of %s", path, strings.Join(reg.Names(), ", "))
	}
	if err := cfg.checkTenants(reg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// checkTenants refuses a config that lists more than MaxTenants tenants
// across its sections, each provider's under its TenantsKey.
func (c *Config) checkTenants(reg *Registry) error {
	type list struct {
		where string
		line  int
	}
	var (
		lists []list
		total int
	)
	for _, name := range c.Providers() {
		p, err := reg.Lookup(name)
		if err != nil || p.TenantsKey == "" {
			continue
		}
		key, val := lookupKey(c.Sections[name], p.TenantsKey)
		if val == nil || val.Kind != yaml.SequenceNode {
			continue // not a list: DecodeSection says so
		}
		total += len(val.Content)
		lists = append(lists, list{name + "." + p.TenantsKey, key.Line})
	}
	const hint = "split them across several config files and scan each on its own"
	switch {
	case total <= MaxTenants:
		return nil
	case len(lists) == 1:
		return fmt.Errorf("config %s line %d: %s lists %d tenants, over the limit of %d: %s", c.Path, lists[0].line, lists[0].where, total, MaxTenants, hint)
	}
	var names []string
	for _, l := range lists {
		names = append(names, fmt.Sprintf("%s (line %d)", l.where, l.line))
	}
	return fmt.Errorf("config %s: %s list %d tenants, over the limit of %d: %s", c.Path, strings.Join(names, " and "), total, MaxTenants, hint)
}

// lookupKey returns the key named name of the mapping n and its value,
// aliases resolved, or nils.
func lookupKey(n *yaml.Node, name string) (key, val *yaml.Node) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == name {
			return n.Content[i], resolve(n.Content[i+1])
		}
	}
	return nil, nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// duplicateKeys refuses a key given twice in any mapping of the document,
// at any depth, naming both lines. Aliases are not followed: the mapping
// they name is checked where it is written.
func duplicateKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if line, dup := first[k.Value]; dup {
				return fmt.Errorf("line %d: key %q appears twice (first at line %d): keep one", k.Line, k.Value, line)
			}
			first[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := duplicateKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// DecodeSection decodes a provider's section strictly: a field the
// provider's struct does not have, or a value of the wrong type, is an
// error naming its line, its path (aws.accounts[0].regions) and, in YAML's
// words, the type it must have.
func DecodeSection(path, provider string, section *yaml.Node, into any) error {
	if section == nil {
		return nil
	}
	c := sectionChecker{checked: map[checkedNode]bool{}}
	if err := c.check(section, reflect.TypeOf(into), provider); err != nil {
		return fmt.Errorf("config %s %w", path, err)
	}
	if err := section.Decode(into); err != nil {
		return fmt.Errorf("config %s: section %s: %v", path, provider, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// sectionChecker checks a section against the Go type it decodes into,
// before yaml does, so that its errors speak YAML rather than Go.
type sectionChecker struct {
	// checked holds the aliased nodes already found good for a type, so a
	// node an alias names many times is checked once per type.
	checked map[checkedNode]bool
}

type checkedNode struct {
	n *yaml.Node
	t reflect.Type
}

// durationType decodes from a duration string (30s, 5m).
var durationType = reflect.TypeFor[time.Duration]()

// check checks that n can decode into t: its kind (mapping, list or
// scalar) is t's, every key of a mapping into a struct is one of its yaml
// fields, and every scalar decodes into its Go type. where is n's path.
func (c *sectionChecker) check(n *yaml.Node, t reflect.Type, where string) error {
	if n.Kind == yaml.AliasNode {
		target := resolve(n)
		if target == nil || c.checked[checkedNode{target, t}] {
			return nil
		}
		if err := c.check(target, t, where); err != nil {
			return err
		}
		c.checked[checkedNode{target, t}] = true
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // every type takes null: its zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[yaml.Node]() || t.Kind() == reflect.Interface {
		return nil
	}
	wrongType := func() error {
		one, _ := yamlType(t)
		return fmt.Errorf("line %d: %s must be %s, not %s", n.Line, where, one, nodeType(n))
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return wrongType()
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			ft, ok := fields[key.Value]
			if !ok {
				return fmt.Errorf("line %d: %s has no field %q: use one of %s", key.Line, where, key.Value, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			}
			if err := c.check(n.Content[i+1], ft, where+"."+key.Value); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return wrongType()
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if err := c.check(key, t.Key(), where+" key "+strconv.Quote(key.Value)); err != nil {
				return err
			}
			if err := c.check(n.Content[i+1], t.Elem(), where+"."+key.Value); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return wrongType()
		}
		for i, e := range n.Content {
			if err := c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode || n.Decode(reflect.New(t).Interface()) != nil {
			return wrongType()
		}
		// yaml truncates a fraction given for a whole number (1.5 to 1).
		if wholeNumber(t) && n.ShortTag() == "!!float" {
			return wrongType()
		}
	}
	return nil
}

// yamlFields maps the yaml names of t's exported fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

// yamlType names, in YAML's words rather than Go's, what a value of t is
// written as: one ("a list of strings") and several ("lists of strings").
func yamlType(t reflect.Type) (one, many string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		return "a duration (like 30s or 5m)", "durations (like 30s or 5m)"
	}
	if wholeNumber(t) {
		return "a whole number", "whole numbers"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string", "strings"
	case reflect.Bool:
		return "true or false", "true or false values"
	case reflect.Float32, reflect.Float64:
		return "a number", "numbers"
	case reflect.Struct, reflect.Map:
		return "a mapping", "mappings"
	case reflect.Slice, reflect.Array:
		_, elems := yamlType(t.Elem())
		return "a list of " + elems, "lists of " + elems
	}
	return "a value", "values"
}

// wholeNumber reports whether t holds whole numbers only.
func wholeNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// nodeType names, in YAML's words, what n is.
func nodeType(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!str":
		return "a string"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!timestamp":
		return "a timestamp"
	case "!!binary":
		return "binary data"
	}
	return "a value tagged " + n.ShortTag()
}
