package aws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aam-dev/aam/lab/internal/kit"
	"go.yaml.in/yaml/v3"
)

// Document is a JSON policy document (trust policy, inline or managed
// policy). In an estate file it is written either as a string holding the
// JSON text, kept as written, or as a YAML mapping, converted to compact JSON
// with the keys in the order they were written.
type Document string

// maxDocumentSize bounds a converted document. IAM's own limit is 131072
// characters; the bound also stops YAML alias expansion from growing a
// document without end.
const maxDocumentSize = 131072

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*d = ""
			return nil
		}
		*d = Document(n.Value)
		return nil
	case yaml.MappingNode:
		var buf bytes.Buffer
		if err := writeJSON(&buf, n, 0); err != nil {
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: policy document: %v", n.Line, err)}}
		}
		*d = Document(buf.String())
		return nil
	default:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf(
			"line %d: a policy document is a JSON string or a YAML mapping, not a list: write it as Version/Statement keys", n.Line)}}
	}
}

// maxDocumentDepth bounds the nesting of a converted document.
const maxDocumentDepth = 32

// writeJSON writes the YAML node n as compact JSON, keeping mapping keys in
// document order.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxDocumentDepth {
		return fmt.Errorf("nested deeper than %d levels: flatten it", maxDocumentDepth)
	}
	if buf.Len() > maxDocumentSize {
		return fmt.Errorf("longer than %d characters, the IAM limit: shorten it", maxDocumentSize)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return fmt.Errorf("line %d: alias without an anchor", n.Line)
		}
		return writeJSON(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k := n.Content[i]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a key must be a plain string", k.Line)
			}
			key, err := json.Marshal(k.Value)
			if err != nil {
				return err
			}
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %s", n.Line, kit.RedactYAMLError(err))
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: the value has no JSON form: quote it", n.Line)
		}
		buf.Write(b)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}

// check reports what is wrong with the document, or nil: it must be a JSON
// object within IAM's size limit.
func (d Document) check() error {
	s := strings.TrimSpace(string(d))
	switch {
	case s == "":
		return fmt.Errorf("is empty: write the policy JSON (Version and Statement)")
	case len(d) > maxDocumentSize:
		return fmt.Errorf("is longer than %d characters, the IAM limit: shorten it", maxDocumentSize)
	case !json.Valid([]byte(s)) || s[0] != '{':
		return fmt.Errorf("is not a JSON object: write it as a JSON string or as a YAML mapping")
	}
	return nil
}

// urlEncoded is the document as IAM puts it on the wire: percent-encoded
// (RFC 3986), so a space is %20, never +.
func (d Document) urlEncoded() string {
	return percentEncode(string(d), false)
}

// percentEncode escapes every byte of s outside the RFC 3986 unreserved set
// (A-Z a-z 0-9 - . _ ~) as %XX with upper-case hex; with keepSlash, '/'
// stays as it is. IAM encodes policy documents this way, and SigV4 encodes
// query components and path segments this way.
func percentEncode(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
