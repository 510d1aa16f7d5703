package cli

import (
	"fmt"
	"strings"

	"github.com/aam-dev/aam/inventory"
)

// accessDetail describes what a can_access edge says beyond its level and
// actions: the conditions its access needs, the exceptions Deny statements
// carve out of it, whether it is on the identity itself, the permissions
// boundary that capped it and the policies it comes from. An edge that
// holds several grants (one resource under different conditions) is
// summed up by their number, sources and boundary.
func accessDetail(attrs map[string]any) []string {
	var parts []string
	if g, ok := attrs["grants"].([]any); ok {
		parts = append(parts, fmt.Sprintf("grants=%d", len(g)))
	}
	if c, ok := attrs[inventory.AttrConditions].([]any); ok && len(c) > 0 {
		parts = append(parts, "conditions=["+conditionsText(c)+"]")
	}
	if ex, ok := attrs[inventory.AttrExceptions].([]any); ok && len(ex) > 0 {
		var each []string
		for _, x := range ex {
			if m, ok := x.(map[string]any); ok {
				each = append(each, exceptionText(m))
			}
		}
		parts = append(parts, "except=["+strings.Join(each, "; ")+"]")
	}
	if s, ok := attrs["self"].(bool); ok && s {
		parts = append(parts, "self")
	}
	if b, ok := attrs[inventory.AttrBoundary].(string); ok && b != "" {
		parts = append(parts, inventory.AttrBoundary+"="+b)
	}
	if s := strs(attrs[inventory.AttrSources]); len(s) > 0 {
		parts = append(parts, inventory.AttrSources+"="+strings.Join(s, ","))
	}
	return parts
}

// exceptionText reads "ACTIONS [on R | not on R] [if CONDITIONS]".
func exceptionText(m map[string]any) string {
	text := strings.Join(strs(m["actions"]), ",")
	if r := strs(m["resources"]); len(r) > 0 {
		text += " on " + strings.Join(r, ",")
	}
	if r := strs(m["not_resources"]); len(r) > 0 {
		text += " not on " + strings.Join(r, ",")
	}
	if c, ok := m["conditions"].([]any); ok && len(c) > 0 {
		text += " if " + conditionsText(c)
	}
	return text
}

// conditionsText reads each test as "OPERATOR KEY VALUE[|VALUE...]",
// joined by " and ".
func conditionsText(conds []any) string {
	var each []string
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		each = append(each, fmt.Sprintf("%v %v %s", m["operator"], m["key"], strings.Join(strs(m["values"]), "|")))
	}
	return strings.Join(each, " and ")
}

// strs reads a JSON array of strings.
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}
