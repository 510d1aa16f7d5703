package kit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DecodeStrict decodes the single YAML document data into v, refusing
// fields v does not have. Its errors name lines and never quote a value (a
// misplaced secret must not be echoed); a panic of the decoder on hostile
// input is an error, not a crash. An empty document is io.EOF.
func DecodeStrict(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("the YAML decoder failed on this input: check the file is well-formed YAML")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		var perr *time.ParseError
		if errors.As(err, &perr) {
			// The time package quotes the value it could not parse, which
			// could be a misplaced secret: say where instead.
			return fmt.Errorf("line %d: a date is not valid: write it as 2025-01-31 or 2025-01-31T09:00:00Z", LineOfScalar(data, perr.Value))
		}
		msg := RedactYAMLError(err)
		hint := "fix the YAML"
		if strings.Contains(msg, "not found in type") {
			hint = "remove the field or fix its name (field names are lowercase)"
		} else if strings.Contains(msg, "cannot unmarshal") {
			hint = "give the field a value of the right kind (a list, a mapping or a single value)"
		}
		return fmt.Errorf("%s: %s", msg, hint)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("the file holds more than one YAML document: keep a single document")
	}
	return nil
}

// LineOfScalar is the line of the first scalar of the YAML document data
// whose value is v, or 0.
func LineOfScalar(data []byte, v string) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return 0
	}
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		if n.Kind == yaml.ScalarNode && n.Value == v {
			return n.Line
		}
		for _, c := range n.Content {
			if l := find(c); l > 0 {
				return l
			}
		}
		return 0
	}
	return find(&root)
}

// RedactYAMLError drops the values yaml.v3 quotes in backticks in its type
// errors, so that a misplaced secret is never echoed, and puts the message
// on one line.
func RedactYAMLError(err error) string {
	var b strings.Builder
	inQuote, lineStart := false, false
	text := strings.TrimPrefix(err.Error(), "yaml: ")
	text = strings.TrimPrefix(text, "unmarshal errors:\n")
	for _, r := range strings.TrimLeft(text, " ") {
		switch {
		case r == '`':
			if !inQuote {
				b.WriteString("(value hidden)")
			}
			inQuote = !inQuote
		case inQuote:
		case r == '\n':
			b.WriteString("; ")
			lineStart = true
		case lineStart && r == ' ':
		default:
			lineStart = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TopKeys lists the keys of the top-level mapping of the YAML document
// data with their lines and, for scalar values, the value, in order. It
// refuses a document that is not well-formed YAML (its error names the line
// and quotes no value) and a key given twice; an empty document, or one
// that is not a mapping, has no keys.
func TopKeys(data []byte) ([]Key, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: fix the YAML syntax", RedactYAMLError(err))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	m := root.Content[0]
	var keys []Key
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			return nil, fmt.Errorf("line %d: %s is given twice (first on line %d): keep one", k.Line, k.Value, first)
		}
		seen[k.Value] = k.Line
		key := Key{Name: k.Value, Line: k.Line}
		if v.Kind == yaml.ScalarNode {
			key.Value = v.Value
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Key is a top-level key of a YAML document; Value is its value when that
// is a scalar.
type Key struct {
	Name  string
	Line  int
	Value string
}
