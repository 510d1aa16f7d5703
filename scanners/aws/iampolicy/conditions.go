package iampolicy

import (
	"slices"
	"strings"
)

// Condition is one test of a Condition element: an operator ("StringEquals",
// "BoolIfExists", "ForAnyValue:StringLike"), a condition key
// ("aws:RequestedRegion") and its values, all as written in the policy.
// The tests of one statement must all hold for it to apply.
type Condition struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
}

// List returns c as a list of tests, sorted by key (case-insensitively, as
// IAM compares keys), then operator, then values. An operator with no keys
// tests nothing and is left out.
func (c Conditions) List() []Condition {
	var out []Condition
	for op, keys := range c {
		for k, vs := range keys {
			out = append(out, Condition{Operator: op, Key: k, Values: slices.Clone(vs)})
		}
	}
	sortConditions(out)
	return out
}

func sortConditions(cs []Condition) {
	slices.SortFunc(cs, compareCondition)
}

func compareCondition(a, b Condition) int {
	if c := strings.Compare(strings.ToLower(a.Key), strings.ToLower(b.Key)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	if c := strings.Compare(a.Operator, b.Operator); c != 0 {
		return c
	}
	return slices.Compare(a.Values, b.Values)
}

// mergeConditions is the conjunction of two lists of tests, sorted and
// without repeats.
func mergeConditions(a, b []Condition) []Condition {
	out := append(slices.Clone(a), b...)
	sortConditions(out)
	return slices.CompactFunc(out, func(x, y Condition) bool { return compareCondition(x, y) == 0 })
}

// conditionsKey identifies a sorted list of tests.
func conditionsKey(cs []Condition) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Operator)
		b.WriteByte(0)
		b.WriteString(c.Key)
		for _, v := range c.Values {
			b.WriteByte(0)
			b.WriteString(v)
		}
		b.WriteByte(1)
	}
	return b.String()
}
