package iampolicy

import (
	"slices"
	"sort"
	"strings"
)

// Source is one policy that applies to an identity.
type Source struct {
	// Name says where the policy comes from, for reports: "inline:deploy",
	// a managed policy ARN, "group:Admins/inline:x".
	Name     string
	Document *Document // nil documents are skipped
}

// Policies are the policies that decide what one identity may do.
type Policies struct {
	Subject Subject
	// Identity are its identity-based policies: inline and attached managed
	// policies, its groups' policies for a user.
	Identity []Source
	// Boundary is its permissions boundary, nil when it has none. A
	// boundary whose Document is nil (unread) is not applied: the access
	// is then reported as if there were none, never narrower.
	Boundary *Source
}

// Grant is what an identity may do to one resource pattern, under one set of
// conditions, after its permissions boundary and Deny statements are taken
// into account.
type Grant struct {
	// Resource is the resource pattern exactly as the Allow (or, where it is
	// narrower, the boundary) wrote it, or "*" when the access covers every
	// resource but the Excluded ones.
	Resource string
	// NotResource is set when the grant covers every resource except the
	// patterns in Excluded (an Allow with NotResource).
	NotResource bool
	Excluded    []string
	// Level is the highest level among the allowed actions still in effect.
	// It ignores Conditions and Exceptions: the worst case.
	Level Level
	// Actions are the allowed action patterns still in effect, sorted and
	// without duplicates (compared case-insensitively); a pattern that
	// another one of the grant allows in full is left out. An Allow with
	// NotAction is recorded as "NotAction:" + each pattern it excludes; a
	// Deny that subtracts from it adds its own patterns to that list.
	Actions []string
	// Sensitive is set when an allowed action can read a secret (see
	// Class.Sensitive).
	Sensitive bool
	// Conditional is set when the access exists only when Conditions hold.
	Conditional bool
	// Conditions are the tests of the Allow statement (and of the
	// boundary's, when it has some) that must all hold for the access to
	// exist. Allows with different conditions make different grants.
	Conditions []Condition
	// Exceptions are the Deny statements that refuse part of the grant but
	// could not be subtracted from it: a Deny on some of its resources, on
	// some of the actions a pattern allows, or under conditions.
	Exceptions []Exception
	// Boundary names the permissions boundary the access was capped by.
	Boundary string
	// Self is set when Resource names only the subject itself (see
	// Subject.Owns): its IAM actions count as Admin only when they can
	// change its own permissions.
	Self bool
	// Sources are the names of the sources whose Allows make up the
	// remaining actions, sorted.
	Sources []string
}

// Exception is a Deny that carves part out of a grant: "s3:* except on the
// payroll bucket", "ec2:* except StopInstances without MFA".
type Exception struct {
	// Actions are the Deny's Action patterns that meet the grant's actions,
	// or "NotAction:" + each pattern of a Deny with NotAction.
	Actions []string `json:"actions"`
	// Resources and NotResources are the Deny's own resource patterns, set
	// when it refuses only part of the grant's resources; both are empty
	// when it covers them all.
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"not_resources,omitempty"`
	// Conditions are the tests under which the Deny applies; empty when it
	// always does.
	Conditions []Condition `json:"conditions,omitempty"`
	// Source names the policy the Deny is in (the boundary's name for a
	// Deny of the boundary).
	Source string `json:"source"`
}

// Effective is Evaluate for identity policies alone: no boundary, no
// subject.
func Effective(sources []Source) []Grant { return Evaluate(Policies{Identity: sources}) }

// Evaluate folds the policies of one identity into grants, one per resource
// pattern and set of conditions, sorted by Resource (plain before
// NotResource grants), then unconditional before conditional.
//
// It follows IAM's policy evaluation logic for identity-based policies and
// permissions boundaries: an action is allowed when an identity policy
// allows it and, when there is a boundary, the boundary allows it too; an
// explicit Deny in either refuses it. The analysis over-approximates rather
// than under-reports:
//
//   - Boundary: each identity Allow is intersected with each boundary
//     Allow. Action patterns: when one covers the other the narrower is
//     kept; when they only overlap, the identity's is kept whole. Resource
//     patterns likewise (compared case-sensitively, as IAM compares ARNs).
//     The conditions of both statements must hold. The boundary's Deny
//     statements join the identity's.
//   - A Deny without a Condition is subtracted where it provably applies: a
//     Deny with Action removes each allowed pattern one of its patterns
//     Covers, on a grant whose resource pattern one of its Resource
//     patterns covers (a Deny with NotResource applies to a grant whose
//     pattern shares nothing with the excluded patterns). From an Allow
//     with NotAction it removes its patterns by adding them to the
//     excluded ones. A Deny with NotAction X keeps only what X lets
//     through: an allowed pattern X covers stays; one that covers part of X
//     is narrowed to that part; one that merely overlaps X stays whole.
//   - Every Deny that still meets a grant after that (a narrower resource,
//     part of an allowed pattern, a Condition) is recorded on it as an
//     Exception, and the level is left as it is.
//
// Grants left with no actions are dropped. Within a grant, an action
// pattern another one allows in full is dropped (with its source, unless
// the two allow the same); a conditional grant's patterns that the
// unconditional grant on the same resources allows in full are dropped.
//
// An Allow with NotAction grants Admin unless one of its excluded patterns
// covers "iam:*", and then Write: as for the AWS-managed PowerUserAccess, the
// organizations and sts actions it leaves are not counted as admin. A grant
// on the subject itself (Grant.Self) is Admin only where its actions can
// change the subject's own permissions (see Subject.Owns).
//
// Statements are treated as identity-policy statements: Principal elements
// are ignored, and an Allow that names no resource is counted as one on
// "*". Service control, resource control, resource-based and session
// policies are not evaluated: each can only narrow the result, or grant
// through the resource, which the grants here do not show.
func Evaluate(p Policies) []Grant {
	boundary := p.Boundary
	if boundary != nil && boundary.Document == nil {
		boundary = nil
	}
	var grants []*grantState
	index := make(map[string]*grantState)
	grantFor := func(r resSpec, conds []Condition) *grantState {
		key := r.key() + "\x02" + conditionsKey(conds)
		g, ok := index[key]
		if !ok {
			g = &grantState{res: r, conds: conds}
			index[key] = g
			grants = append(grants, g)
		}
		return g
	}

	var denies []denyRule
	var boundaryAllows []Statement
	if boundary != nil {
		for _, st := range boundary.Document.Statements {
			switch st.Effect {
			case Deny:
				denies = append(denies, denyRule{st: st, conditional: st.Conditions.constrains(), source: boundary.Name})
			case Allow:
				boundaryAllows = append(boundaryAllows, st)
			}
		}
	}
	for _, src := range p.Identity {
		if src.Document == nil {
			continue
		}
		for _, st := range src.Document.Statements {
			switch st.Effect {
			case Deny:
				denies = append(denies, denyRule{st: st, conditional: st.Conditions.constrains(), source: src.Name})
				continue
			case Allow:
			default:
				continue
			}
			entries := statementEntries(st, src.Name)
			conds := st.Conditions.List()
			for _, r := range resourceSpecs(st) {
				if boundary == nil {
					grantFor(r, conds).add(entries)
					continue
				}
				for _, b := range boundaryAllows {
					within := intersectEntries(entries, b)
					if len(within) == 0 {
						continue
					}
					for _, br := range resourceSpecs(b) {
						if ir, ok := intersectResource(r, br); ok {
							grantFor(ir, mergeConditions(conds, b.Conditions.List())).add(within)
						}
					}
				}
			}
		}
	}

	// Narrow first, so that a narrowed pattern can still be removed.
	for _, d := range denies {
		if !d.conditional && len(d.st.NotActions) > 0 {
			for _, g := range grants {
				if d.applies(g) {
					g.narrow(d.st.NotActions)
				}
			}
		}
	}
	for _, d := range denies {
		if !d.conditional && len(d.st.Actions) > 0 {
			for _, g := range grants {
				if d.applies(g) {
					g.subtract(d.st.Actions)
				}
			}
		}
	}
	for _, d := range denies {
		for _, g := range grants {
			if ex, ok := d.exception(g); ok {
				g.except(ex)
			}
		}
	}

	for _, g := range grants {
		g.entries = prune(g.entries)
		g.self = !g.res.notResource && p.Subject.Owns(g.res.resource)
	}
	// A conditional grant adds nothing where the unconditional grant on the
	// same resources already allows it.
	for _, g := range grants {
		if len(g.conds) == 0 {
			continue
		}
		if u, ok := index[g.res.key()+"\x02"]; ok {
			g.entries = slices.DeleteFunc(g.entries, func(e entry) bool {
				return slices.ContainsFunc(u.entries, func(f entry) bool { return f.allows(e) })
			})
		}
	}

	var out []Grant
	for _, g := range grants {
		if gr, ok := g.grant(); ok {
			if boundary != nil {
				gr.Boundary = boundary.Name
			}
			out = append(out, gr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.NotResource != b.NotResource {
			return !a.NotResource
		}
		if c := slices.Compare(a.Excluded, b.Excluded); c != 0 {
			return c < 0
		}
		return conditionsKey(a.Conditions) < conditionsKey(b.Conditions)
	})
	return out
}

// resSpec is the resources of an Allow: one pattern, or every resource but
// the excluded patterns.
type resSpec struct {
	resource    string
	notResource bool
	excluded    []string
}

func (r resSpec) key() string {
	if r.notResource {
		return "N" + strings.Join(r.excluded, "\x00")
	}
	return "R" + r.resource
}

// resourceSpecs lists the resources of an Allow statement.
func resourceSpecs(st Statement) []resSpec {
	switch {
	case len(st.NotResources) > 0:
		return []resSpec{{resource: "*", notResource: true, excluded: dedupExact(st.NotResources)}}
	case len(st.Resources) > 0:
		var out []resSpec
		for _, r := range dedupExact(st.Resources) {
			out = append(out, resSpec{resource: r})
		}
		return out
	default:
		return []resSpec{{resource: "*"}}
	}
}

// intersectResource is the resources both a (an identity Allow's) and b (a
// boundary Allow's) name, or a pattern that holds them all; ok is false
// when they share none.
func intersectResource(a, b resSpec) (resSpec, bool) {
	switch {
	case !a.notResource && !b.notResource:
		r, s := []rune(a.resource), []rune(b.resource)
		switch {
		case covers(s, r):
			return a, true
		case covers(r, s):
			return b, true
		case overlaps(r, s):
			return a, true
		}
		return resSpec{}, false
	case !a.notResource: // b is everything but its exclusions
		if slices.ContainsFunc(b.excluded, func(x string) bool { return covers([]rune(x), []rune(a.resource)) }) {
			return resSpec{}, false
		}
		return a, true
	case !b.notResource: // a is everything but its exclusions
		if allStars([]rune(b.resource)) {
			return a, true
		}
		if slices.ContainsFunc(a.excluded, func(x string) bool { return covers([]rune(x), []rune(b.resource)) }) {
			return resSpec{}, false
		}
		return b, true
	default:
		return resSpec{resource: "*", notResource: true, excluded: dedupExact(append(slices.Clone(a.excluded), b.excluded...))}, true
	}
}

// statementEntries are the entries an Allow statement of source grants.
func statementEntries(st Statement, source string) []entry {
	var out []entry
	for _, a := range st.Actions {
		out = append(out, entry{pattern: a, sources: []string{source}})
	}
	if len(st.NotActions) > 0 {
		out = append(out, entry{complement: true, excluded: dedupFold(st.NotActions), sources: []string{source}})
	}
	return out
}

// intersectEntries is what both the entries and the boundary Allow b allow.
func intersectEntries(entries []entry, b Statement) []entry {
	var out []entry
	for _, e := range entries {
		for _, bp := range b.Actions {
			switch {
			case e.complement && Covers(bp, "*"):
				out = append(out, e)
			case e.complement:
				// (every action but E) ∩ bp ⊆ bp, unless E covers it.
				if !slices.ContainsFunc(e.excluded, func(x string) bool { return Covers(x, bp) }) {
					out = append(out, e.withPattern(bp))
				}
			case Covers(bp, e.pattern):
				out = append(out, e)
			case Covers(e.pattern, bp):
				out = append(out, e.withPattern(bp))
			case actionOverlaps(e.pattern, bp):
				out = append(out, e)
			}
		}
		if len(b.NotActions) > 0 {
			switch {
			case e.complement:
				e.excluded = dedupFold(append(slices.Clip(e.excluded), b.NotActions...))
				out = append(out, e)
			case Covers(e.pattern, "*"):
				out = append(out, entry{complement: true, excluded: dedupFold(b.NotActions), sources: e.sources})
			case !slices.ContainsFunc(b.NotActions, func(x string) bool { return Covers(x, e.pattern) }):
				// What the pattern allows but X: the pattern, or less.
				out = append(out, e)
			}
		}
	}
	return compact(out)
}

// entry is one allowed action pattern, or with complement set, every action
// except the excluded patterns.
type entry struct {
	pattern    string
	complement bool
	excluded   []string
	sources    []string
}

// class ranks the entry; ok is false when it allows nothing.
func (e entry) class() (c Class, ok bool) {
	if !e.complement {
		c = Classify(e.pattern)
		return c, c.Level != None
	}
	c.Level = Admin
	for _, x := range e.excluded {
		if Covers(x, "*") {
			return Class{}, false
		}
		if Covers(x, "iam:*") {
			c.Level = Write
		}
	}
	for _, s := range sensitiveActions {
		if !slices.ContainsFunc(e.excluded, func(x string) bool { return Match(x, s) }) {
			c.Sensitive = true
			break
		}
	}
	return c, true
}

// labels are the strings the entry contributes to Grant.Actions.
func (e entry) labels() []string {
	if !e.complement {
		return []string{e.pattern}
	}
	out := make([]string, 0, len(e.excluded))
	for _, x := range e.excluded {
		out = append(out, "NotAction:"+x)
	}
	return out
}

// allows reports whether e allows every action o allows.
func (e entry) allows(o entry) bool {
	switch {
	case !e.complement && !o.complement:
		return Covers(e.pattern, o.pattern)
	case e.complement && !o.complement:
		return !slices.ContainsFunc(e.excluded, func(x string) bool { return actionOverlaps(x, o.pattern) })
	case e.complement: // every action but E ⊇ every action but O when O covers E
		for _, x := range e.excluded {
			if !slices.ContainsFunc(o.excluded, func(y string) bool { return Covers(y, x) }) {
				return false
			}
		}
		return true
	default:
		return Covers(e.pattern, "*")
	}
}

// prune drops each entry another one allows in full. Of two that allow the
// same, the first is kept with the sources of both.
func prune(entries []entry) []entry {
	dropped := make([]bool, len(entries))
	for i := range entries {
		for j := range entries {
			if i == j || dropped[j] || !entries[j].allows(entries[i]) {
				continue
			}
			if entries[i].allows(entries[j]) {
				if j > i {
					continue // the same: the later one goes
				}
				entries[j].sources = dedupExact(append(slices.Clip(entries[j].sources), entries[i].sources...))
			}
			dropped[i] = true
			break
		}
	}
	var out []entry
	for i, e := range entries {
		if !dropped[i] {
			out = append(out, e)
		}
	}
	return out
}

type grantState struct {
	res        resSpec
	conds      []Condition
	entries    []entry
	exceptions []Exception
	self       bool
}

func (g *grantState) add(entries []entry) { g.entries = append(g.entries, entries...) }

// except records ex unless the grant has it already.
func (g *grantState) except(ex Exception) {
	for _, have := range g.exceptions {
		if have.Source == ex.Source && slices.Equal(have.Actions, ex.Actions) && slices.Equal(have.Resources, ex.Resources) &&
			slices.Equal(have.NotResources, ex.NotResources) && conditionsKey(have.Conditions) == conditionsKey(ex.Conditions) {
			return
		}
	}
	g.exceptions = append(g.exceptions, ex)
}

// narrow applies a Deny with NotAction: only actions matching one of keep
// stay allowed.
func (g *grantState) narrow(keep []string) {
	var out []entry
	for _, e := range g.entries {
		if e.complement {
			// (every action except E) ∩ keep ⊆ each kept pattern E does not
			// wholly exclude.
			for _, k := range keep {
				if !slices.ContainsFunc(e.excluded, func(x string) bool { return Covers(x, k) }) {
					out = append(out, e.withPattern(k))
				}
			}
			continue
		}
		if slices.ContainsFunc(keep, func(k string) bool { return Covers(k, e.pattern) }) {
			out = append(out, e)
			continue
		}
		var narrowed []entry
		whole := false
		for _, k := range keep {
			switch {
			case Covers(e.pattern, k):
				narrowed = append(narrowed, e.withPattern(k))
			case actionOverlaps(e.pattern, k):
				whole = true
			}
		}
		if whole {
			out = append(out, e)
		} else {
			out = append(out, narrowed...)
		}
	}
	g.entries = compact(out)
}

// compact merges entries that allow the same thing, so that a run of Deny
// statements with NotAction cannot multiply them.
func compact(entries []entry) []entry {
	var out []entry
	at := make(map[string]int, len(entries))
	for _, e := range entries {
		key := "p" + strings.ToLower(e.pattern)
		if e.complement {
			key = "n" + strings.ToLower(strings.Join(e.excluded, "\x00"))
		}
		i, ok := at[key]
		if !ok {
			at[key] = len(out)
			out = append(out, e)
			continue
		}
		out[i].sources = dedupExact(append(slices.Clip(out[i].sources), e.sources...))
	}
	return out
}

// withPattern is e narrowed to one allowed pattern.
func (e entry) withPattern(p string) entry {
	return entry{pattern: p, sources: e.sources}
}

// subtract applies a Deny with Action.
func (g *grantState) subtract(denied []string) {
	var out []entry
	for _, e := range g.entries {
		if e.complement {
			e.excluded = dedupFold(append(slices.Clip(e.excluded), denied...))
			out = append(out, e)
			continue
		}
		if !slices.ContainsFunc(denied, func(d string) bool { return Covers(d, e.pattern) }) {
			out = append(out, e)
		}
	}
	g.entries = out
}

// grant assembles the public form; ok is false when nothing is left.
func (g *grantState) grant() (Grant, bool) {
	type merged struct {
		label   string
		class   Class
		sources map[string]bool
	}
	byKey := make(map[string]*merged)
	for _, e := range g.entries {
		c, ok := e.class()
		if !ok {
			continue
		}
		if g.self {
			c = e.onSelf(c)
		}
		for _, l := range e.labels() {
			key := strings.ToLower(l)
			m, seen := byKey[key]
			if !seen {
				m = &merged{label: l, class: c, sources: make(map[string]bool)}
				byKey[key] = m
			}
			m.class.Level = max(m.class.Level, c.Level)
			m.class.Sensitive = m.class.Sensitive || c.Sensitive
			for _, s := range e.sources {
				m.sources[s] = true
			}
		}
	}
	if len(byKey) == 0 {
		return Grant{}, false
	}
	gr := Grant{
		Resource:    g.res.resource,
		NotResource: g.res.notResource,
		Excluded:    g.res.excluded,
		Conditional: len(g.conds) > 0,
		Conditions:  g.conds,
		Exceptions:  sortedExceptions(g.exceptions),
		Self:        g.self,
	}
	sources := make(map[string]bool)
	for _, m := range byKey {
		gr.Actions = append(gr.Actions, m.label)
		gr.Level = max(gr.Level, m.class.Level)
		gr.Sensitive = gr.Sensitive || m.class.Sensitive
		for s := range m.sources {
			sources[s] = true
		}
	}
	sort.Strings(gr.Actions)
	for s := range sources {
		gr.Sources = append(gr.Sources, s)
	}
	sort.Strings(gr.Sources)
	return gr, true
}

func sortedExceptions(in []Exception) []Exception {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b Exception) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		if c := slices.Compare(a.Actions, b.Actions); c != 0 {
			return c
		}
		if c := slices.Compare(a.Resources, b.Resources); c != 0 {
			return c
		}
		if c := slices.Compare(a.NotResources, b.NotResources); c != 0 {
			return c
		}
		return strings.Compare(conditionsKey(a.Conditions), conditionsKey(b.Conditions))
	})
	return out
}

type denyRule struct {
	st          Statement
	conditional bool
	source      string
}

// applies reports whether the Deny's resources include all of the grant's,
// as far as can be proved.
func (d denyRule) applies(g *grantState) bool {
	switch {
	case len(d.st.Resources) > 0:
		for _, r := range d.st.Resources {
			if g.res.notResource {
				if allStars([]rune(r)) {
					return true
				}
			} else if covers([]rune(r), []rune(g.res.resource)) {
				return true
			}
		}
		return false
	case len(d.st.NotResources) > 0:
		if g.res.notResource {
			return false
		}
		for _, x := range d.st.NotResources {
			if overlaps([]rune(x), []rune(g.res.resource)) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// exception is what the Deny still refuses of the grant, if anything: the
// part of its actions and resources that meet the grant's, and its
// conditions.
func (d denyRule) exception(g *grantState) (Exception, bool) {
	if !d.touchesResource(g) {
		return Exception{}, false
	}
	ex := Exception{Source: d.source, Conditions: d.st.Conditions.List()}
	if len(d.st.NotActions) > 0 {
		if !slices.ContainsFunc(g.entries, d.touchesEntry) {
			return Exception{}, false
		}
		for _, x := range d.st.NotActions {
			ex.Actions = append(ex.Actions, "NotAction:"+x)
		}
	} else {
		for _, a := range d.st.Actions {
			if slices.ContainsFunc(g.entries, func(e entry) bool { return touchesAction(a, e) }) {
				ex.Actions = append(ex.Actions, a)
			}
		}
		if len(ex.Actions) == 0 {
			return Exception{}, false
		}
	}
	if !d.applies(g) {
		for _, r := range d.st.Resources {
			if d.resourceMeets(r, g) {
				ex.Resources = append(ex.Resources, r)
			}
		}
		ex.NotResources = slices.Clone(d.st.NotResources)
	}
	return ex, true
}

// resourceMeets reports whether the Deny's resource pattern r may name one
// of the grant's resources.
func (d denyRule) resourceMeets(r string, g *grantState) bool {
	if g.res.notResource {
		// The grant is "*" minus its exclusions: r meets it unless an
		// exclusion covers r.
		return !slices.ContainsFunc(g.res.excluded, func(x string) bool { return covers([]rune(x), []rune(r)) })
	}
	return overlaps([]rune(r), []rune(g.res.resource))
}

func (d denyRule) touchesResource(g *grantState) bool {
	switch {
	case len(d.st.Resources) > 0:
		return slices.ContainsFunc(d.st.Resources, func(r string) bool { return d.resourceMeets(r, g) })
	case len(d.st.NotResources) > 0:
		// The Deny is "*" minus its exclusions: it misses the grant only if
		// an exclusion covers the grant's pattern.
		if g.res.notResource {
			return true
		}
		return !slices.ContainsFunc(d.st.NotResources, func(x string) bool { return covers([]rune(x), []rune(g.res.resource)) })
	default:
		return false
	}
}

func (d denyRule) touchesEntry(e entry) bool {
	if len(d.st.NotActions) > 0 {
		if e.complement {
			return true
		}
		// Denied unless it matches a kept pattern: it touches unless one
		// kept pattern covers all of it.
		return !slices.ContainsFunc(d.st.NotActions, func(k string) bool { return Covers(k, e.pattern) })
	}
	return slices.ContainsFunc(d.st.Actions, func(a string) bool { return touchesAction(a, e) })
}

// touchesAction reports whether the denied pattern a can match an action e
// allows.
func touchesAction(a string, e entry) bool {
	if e.complement {
		return !slices.ContainsFunc(e.excluded, func(x string) bool { return Covers(x, a) })
	}
	return actionOverlaps(a, e.pattern)
}

// dedupExact sorts and drops repeated strings.
func dedupExact(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}

// dedupFold sorts and drops strings repeated up to letter case, as action
// patterns are compared.
func dedupFold(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.CompactFunc(out, strings.EqualFold)
}
