// Package iampolicy parses AWS IAM policy documents and classifies the access
// they grant, without the AWS SDK.
//
// Decode reads a document as IAM returns it (URL-encoded or plain JSON).
// ActionLevel and Classify rank an action or action pattern as none, read,
// write or admin; Match and Covers implement IAM's wildcard matching; Effective
// folds the policies of one identity into per-resource grants; Trusts reads the
// principals a role trust policy lets in; ManagedPolicyLevel is a fallback for
// well-known AWS-managed policies whose document is not at hand.
//
// Documents are untrusted input: every function here returns an error or a
// conservative answer instead of panicking. Where the analysis has to
// approximate, it over-reports access rather than under-reports it.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxDocumentSize bounds the raw text Decode accepts. IAM's own limits are far
// lower (10,240 characters for a role's inline policies, 6,144 for a managed
// policy, 32 KiB for the largest resource policies); the bound keeps a hostile
// input from costing unbounded memory and time.
const maxDocumentSize = 1 << 20

// Effect is a statement's Effect element.
type Effect string

// The two effects IAM accepts. They are compared case-sensitively, as IAM does.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is a parsed IAM policy document.
type Document struct {
	Version    string // "2012-10-17", "2008-10-17", or "" when absent
	ID         string // the optional Id element
	Statements []Statement
}

// Statement is one statement of a policy. Each list holds the element's
// values in document order; an element given as a single string becomes a
// one-element list, and an absent element an empty one.
type Statement struct {
	Sid           string
	Effect        Effect
	Actions       []string // Action
	NotActions    []string // NotAction
	Resources     []string // Resource
	NotResources  []string // NotResource
	Principals    []Principal
	NotPrincipals []Principal
	Conditions    Conditions
}

// Principal is one principal named in a Principal or NotPrincipal element.
type Principal struct {
	// Type is "AWS", "Service", "Federated" or "CanonicalUser", or "*" for
	// the bare wildcard "Principal": "*".
	Type string
	// ID is the value as written, except that a bare 12-digit AWS account
	// id becomes "arn:aws:iam::<id>:root", which is what IAM means by it.
	// It is "*" for the bare wildcard.
	ID string
}

// Wildcard reports whether p stands for every principal: "Principal": "*" or
// {"AWS": "*"}.
func (p Principal) Wildcard() bool {
	return p.ID == "*" && (p.Type == "*" || p.Type == "AWS")
}

// Conditions is a statement's Condition element: condition operator (as
// written, e.g. "StringEquals" or "ForAnyValue:StringLike") to condition key
// (as written) to values. Booleans and numbers in the JSON are kept as their
// JSON text ("true", "10"), and a single value becomes a one-element list.
type Conditions map[string]map[string][]string

// Has reports whether any operator tests key. Condition keys are compared
// case-insensitively, as IAM compares them. Every operator counts, including
// the set operators (ForAnyValue:, ForAllValues:), the ...IfExists forms and
// Null: Has answers "is the key named", not "is its value constrained".
func (c Conditions) Has(key string) bool {
	for _, keys := range c {
		for k := range keys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
	}
	return false
}

// constrains reports whether c tests at least one key. An empty Condition element,
// or an operator with no keys, constrains nothing.
func (c Conditions) constrains() bool {
	for _, keys := range c {
		if len(keys) > 0 {
			return true
		}
	}
	return false
}

// Decode parses a policy document as IAM returns it. IAM's query API sends
// documents URL-encoded (RFC 3986); the AWS CLI and many tools show them
// plain. Text that starts with '{' once surrounding space is trimmed is
// parsed as JSON; anything else is first decoded with url.PathUnescape, which
// is what botocore does and which, unlike url.QueryUnescape, keeps a '+' as a
// '+'.
//
// Element names and the Effect values "Allow" and "Deny" are case-sensitive,
// as in IAM. Unknown elements, duplicate keys in one JSON object, values of
// the wrong JSON type, a statement with both or neither of Action and
// NotAction, and one with both Resource and NotResource or both Principal and
// NotPrincipal are errors. The error names the element and the statement
// (by index and Sid), and never quotes more than a short excerpt of the
// document.
func Decode(raw string) (*Document, error) {
	if len(raw) > maxDocumentSize {
		return nil, fmt.Errorf("policy document is %d bytes, more than the %d this parser accepts", len(raw), maxDocumentSize)
	}
	text := strings.TrimSpace(raw)
	if text == "" {
		return nil, errors.New("policy document is empty")
	}
	if text[0] != '{' {
		plain, err := url.PathUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
		}
		text = strings.TrimSpace(plain)
		if !strings.HasPrefix(text, "{") {
			return nil, errors.New("policy document is not a JSON object, even after URL-decoding")
		}
	}
	data := []byte(text)
	var check json.RawMessage
	if err := json.Unmarshal(data, &check); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return parseDocument(data)
}

func parseDocument(data []byte) (*Document, error) {
	members, err := objectMembers(data)
	if err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	doc := &Document{}
	var statement json.RawMessage
	for _, m := range members {
		switch m.key {
		case "Version":
			if doc.Version, err = stringValue(m.value, "Version"); err != nil {
				return nil, fmt.Errorf("policy document: %w", err)
			}
		case "Id":
			if doc.ID, err = stringValue(m.value, "Id"); err != nil {
				return nil, fmt.Errorf("policy document: %w", err)
			}
		case "Statement":
			statement = m.value
		default:
			return nil, fmt.Errorf("policy document has unknown element %s: IAM accepts only Version, Id and Statement (names are case-sensitive)", excerpt(m.key))
		}
	}
	if statement == nil {
		return nil, errors.New("policy document has no Statement element")
	}
	var raws []json.RawMessage
	switch kindOf(statement) {
	case "object":
		raws = []json.RawMessage{statement}
	case "array":
		if err := json.Unmarshal(statement, &raws); err != nil {
			return nil, fmt.Errorf("policy document: Statement: %w", err)
		}
	default:
		return nil, fmt.Errorf("policy document: Statement must be an object or an array of objects, got %s", kindOf(statement))
	}
	doc.Statements = make([]Statement, 0, len(raws))
	for i, r := range raws {
		st, err := parseStatement(r, i)
		if err != nil {
			return nil, err
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func parseStatement(data json.RawMessage, index int) (Statement, error) {
	var st Statement
	where := fmt.Sprintf("statement[%d]", index)
	if k := kindOf(data); k != "object" {
		return st, fmt.Errorf("%s must be an object, got %s", where, k)
	}
	members, err := objectMembers(data)
	if err != nil {
		return st, fmt.Errorf("%s: %w", where, err)
	}
	// Read the Sid first so that every later error can name it.
	for _, m := range members {
		if m.key == "Sid" {
			if st.Sid, err = stringValue(m.value, "Sid"); err != nil {
				return st, fmt.Errorf("%s: %w", where, err)
			}
			if st.Sid != "" {
				where += " (Sid " + excerpt(st.Sid) + ")"
			}
		}
	}
	fail := func(err error) (Statement, error) {
		return Statement{}, fmt.Errorf("%s: %w", where, err)
	}
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		seen[m.key] = true
		switch m.key {
		case "Sid":
		case "Effect":
			s, err := stringValue(m.value, "Effect")
			if err != nil {
				return fail(err)
			}
			switch e := Effect(s); e {
			case Allow, Deny:
				st.Effect = e
			default:
				return fail(fmt.Errorf(`invalid Effect %s: use "Allow" or "Deny" (case-sensitive)`, excerpt(s)))
			}
		case "Action":
			st.Actions, err = stringList(m.value, m.key)
		case "NotAction":
			st.NotActions, err = stringList(m.value, m.key)
		case "Resource":
			st.Resources, err = stringList(m.value, m.key)
		case "NotResource":
			st.NotResources, err = stringList(m.value, m.key)
		case "Principal":
			st.Principals, err = parsePrincipals(m.value, m.key)
		case "NotPrincipal":
			st.NotPrincipals, err = parsePrincipals(m.value, m.key)
		case "Condition":
			st.Conditions, err = parseConditions(m.value)
		default:
			err = fmt.Errorf("unknown element %s: IAM statements accept Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition (names are case-sensitive)", excerpt(m.key))
		}
		if err != nil {
			return fail(err)
		}
	}
	switch {
	case !seen["Effect"]:
		return fail(errors.New("missing Effect"))
	case seen["Action"] == seen["NotAction"]:
		return fail(errors.New("needs exactly one of Action and NotAction"))
	case seen["Resource"] && seen["NotResource"]:
		return fail(errors.New("has both Resource and NotResource; use one"))
	case seen["Principal"] && seen["NotPrincipal"]:
		return fail(errors.New("has both Principal and NotPrincipal; use one"))
	}
	return st, nil
}

func parsePrincipals(data json.RawMessage, element string) ([]Principal, error) {
	switch kindOf(data) {
	case "string":
		s, err := stringValue(data, element)
		if err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf(`%s given as a string must be "*", got %s; name other principals by type, e.g. {"AWS": ...}`, element, excerpt(s))
		}
		return []Principal{{Type: "*", ID: "*"}}, nil
	case "object":
	default:
		return nil, fmt.Errorf(`%s must be "*" or an object such as {"AWS": ...}, got %s`, element, kindOf(data))
	}
	members, err := objectMembers(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", element, err)
	}
	var out []Principal
	for _, m := range members {
		switch m.key {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, fmt.Errorf("%s has unknown principal type %s: IAM accepts AWS, Service, Federated and CanonicalUser (case-sensitive)", element, excerpt(m.key))
		}
		ids, err := stringList(m.value, element+"."+m.key)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if m.key == "AWS" && isAccountID(id) {
				id = "arn:aws:iam::" + id + ":root"
			}
			out = append(out, Principal{Type: m.key, ID: id})
		}
	}
	return out, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseConditions(data json.RawMessage) (Conditions, error) {
	if k := kindOf(data); k != "object" {
		return nil, fmt.Errorf("invalid Condition: must be an object of operators, got %s", k)
	}
	operators, err := objectMembers(data)
	if err != nil {
		return nil, fmt.Errorf("invalid Condition: %w", err)
	}
	c := make(Conditions, len(operators))
	for _, op := range operators {
		if k := kindOf(op.value); k != "object" {
			return nil, fmt.Errorf("invalid Condition operator %s: must map condition keys to values, got %s", excerpt(op.key), k)
		}
		keys, err := objectMembers(op.value)
		if err != nil {
			return nil, fmt.Errorf("invalid Condition operator %s: %w", excerpt(op.key), err)
		}
		c[op.key] = make(map[string][]string, len(keys))
		for _, k := range keys {
			values, err := conditionValues(k.value)
			if err != nil {
				return nil, fmt.Errorf("invalid Condition %s key %s: %w", excerpt(op.key), excerpt(k.key), err)
			}
			c[op.key][k.key] = values
		}
	}
	return c, nil
}

// conditionValues normalises a condition value (a string, boolean or number,
// or an array of them) to strings.
func conditionValues(data json.RawMessage) ([]string, error) {
	if kindOf(data) != "array" {
		v, err := scalarText(data)
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		v, err := scalarText(item)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func scalarText(data json.RawMessage) (string, error) {
	switch k := kindOf(data); k {
	case "string":
		var s string
		err := json.Unmarshal(data, &s)
		return s, err
	case "boolean", "number":
		return string(bytes.TrimSpace(data)), nil
	default:
		return "", fmt.Errorf("values must be strings, booleans or numbers, got %s", k)
	}
}

// stringValue decodes a JSON string, naming element in the error.
func stringValue(data json.RawMessage, element string) (string, error) {
	if k := kindOf(data); k != "string" {
		return "", fmt.Errorf("%s must be a string, got %s", element, k)
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return "", fmt.Errorf("%s: %w", element, err)
	}
	return s, nil
}

// stringList decodes an element that IAM accepts as a string or an array of
// strings.
func stringList(data json.RawMessage, element string) ([]string, error) {
	switch kindOf(data) {
	case "string":
		s, err := stringValue(data, element)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", element, err)
		}
		out := make([]string, 0, len(items))
		for i, item := range items {
			s, err := stringValue(item, fmt.Sprintf("%s[%d]", element, i))
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s must be a string or an array of strings, got %s", element, kindOf(data))
	}
}

type member struct {
	key   string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members, in document order.
// Unlike decoding into a map or a struct, it keeps key case as written and
// rejects duplicate keys: IAM rejects them too, and silently keeping one of
// two values would let this parser and IAM read different policies.
func objectMembers(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected a JSON object")
	}
	var out []member
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("expected an object key")
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %s", excerpt(key))
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		out = append(out, member{key: key, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// kindOf names the JSON type of a value, for decisions and error messages.
func kindOf(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// excerpt quotes s for an error message, cut to a few dozen characters so that
// an error never carries a large part of a document.
func excerpt(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) > max {
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}
