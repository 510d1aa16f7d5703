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
		return fmt.Errorf("%s: fix the YAML (field names are lowercase)", RedactYAMLError(err))
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
	for _, r := range strings.TrimPrefix(err.Error(), "yaml: ") {
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
// data with their lines, in order; nil when the document is not a mapping.
func TopKeys(data []byte) []Key {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0]
	var keys []Key
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, Key{Name: m.Content[i].Value, Line: m.Content[i].Line})
	}
	return keys
}

// Key is a top-level key of a YAML document.
type Key struct {
	Name string
	Line int
}
