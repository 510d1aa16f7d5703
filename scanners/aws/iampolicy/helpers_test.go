package iampolicy

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// mustDecode decodes a policy written in a test.
func mustDecode(t testing.TB, raw string) *Document {
	t.Helper()
	doc, err := Decode(raw)
	if err != nil {
		t.Fatalf("Decode(%q): %v", raw, err)
	}
	return doc
}

// iamEscape percent-encodes s as IAM's query API does (RFC 3986: everything
// but the unreserved characters), so that "+" becomes "%2B" and " " "%20".
func iamEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// xmlDocuments returns the text of every PolicyDocument and
// AssumeRolePolicyDocument element of an IAM query-API response, keyed by a
// path of element names, in document order.
func xmlDocuments(t testing.TB, name string) []namedDoc {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var stack []string
	var out []namedDoc
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if n := len(stack); n > 0 && (stack[n-1] == "PolicyDocument" || stack[n-1] == "AssumeRolePolicyDocument") {
				out = append(out, namedDoc{path: strings.Join(stack, "/"), raw: string(tok)})
			}
		}
	}
	return out
}

type namedDoc struct {
	path string
	raw  string
}

// cliDocuments returns every policy document in AWS CLI JSON output (where
// the CLI has already decoded them into objects), re-encoded as JSON text,
// sorted by their JSON path.
func cliDocuments(t testing.TB, name string) []namedDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var root any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var out []namedDoc
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				p := path + "/" + k
				if obj, ok := child.(map[string]any); ok && (k == "PolicyDocument" || k == "AssumeRolePolicyDocument" || k == "Document") {
					text, err := json.Marshal(obj)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, namedDoc{path: p, raw: string(text)})
					continue
				}
				walk(p, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), child)
			}
		}
	}
	walk("", root)
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}
