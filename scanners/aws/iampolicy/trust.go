package iampolicy

import "slices"

// assumeRolePattern matches every sts:AssumeRole* action: AssumeRole,
// AssumeRoleWithWebIdentity, AssumeRoleWithSAML.
const assumeRolePattern = "sts:AssumeRole*"

// Trust is one principal that a role's trust policy lets assume the role (or,
// from TrustDenies, forbids to).
type Trust struct {
	Sid       string
	Principal Principal
	// Except is set when the statement used NotPrincipal: Principal is then
	// the wildcard "*" and the trust is everyone except these principals.
	Except []Principal
	// Actions are the statement's actions as written (sts:AssumeRole,
	// sts:TagSession, sts:SetSourceIdentity...), or for a NotAction
	// statement "NotAction:" + each excluded pattern.
	Actions    []string
	Conditions Conditions
}

// Trusts reads a role trust policy: one Trust per principal of each Allow
// statement whose actions can include an sts:AssumeRole* action ("sts:*" and
// "*" do; a statement of sts:TagSession alone does not). An Allow with
// NotPrincipal yields a single wildcard Trust with Except set. Deny
// statements are not trusts; TrustDenies reports them. A nil document has no
// trusts.
func Trusts(doc *Document) []Trust { return trusts(doc, Allow) }

// TrustDenies is Trusts for the Deny statements of a trust policy: each
// result names principals that may not assume the role when its Conditions
// hold (or always, when it has none).
func TrustDenies(doc *Document) []Trust { return trusts(doc, Deny) }

func trusts(doc *Document, effect Effect) []Trust {
	if doc == nil {
		return nil
	}
	var out []Trust
	for _, st := range doc.Statements {
		if st.Effect != effect || !assumesRole(st) {
			continue
		}
		actions := slices.Clone(st.Actions)
		for _, x := range st.NotActions {
			actions = append(actions, "NotAction:"+x)
		}
		t := Trust{Sid: st.Sid, Actions: actions}
		if len(st.NotPrincipals) > 0 {
			t.Principal = Principal{Type: "*", ID: "*"}
			t.Except = slices.Clone(st.NotPrincipals)
			t.Conditions = st.Conditions.clone()
			out = append(out, t)
			continue
		}
		for _, p := range st.Principals {
			t.Principal = p
			t.Conditions = st.Conditions.clone()
			t.Actions = slices.Clone(actions)
			out = append(out, t)
		}
	}
	return out
}

// assumesRole reports whether the statement's actions can include an
// sts:AssumeRole* action.
func assumesRole(st Statement) bool {
	if len(st.NotActions) > 0 {
		return !slices.ContainsFunc(st.NotActions, func(x string) bool { return Covers(x, assumeRolePattern) })
	}
	return slices.ContainsFunc(st.Actions, func(a string) bool { return actionOverlaps(a, assumeRolePattern) })
}

// clone copies c deeply, so that a Trust does not share maps with its
// Document.
func (c Conditions) clone() Conditions {
	if c == nil {
		return nil
	}
	out := make(Conditions, len(c))
	for op, keys := range c {
		m := make(map[string][]string, len(keys))
		for k, v := range keys {
			m[k] = slices.Clone(v)
		}
		out[op] = m
	}
	return out
}
