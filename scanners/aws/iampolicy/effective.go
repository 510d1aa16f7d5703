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

// Grant is what an identity may do to one resource pattern, after Deny
// statements are taken into account.
type Grant struct {
	// Resource is the resource pattern exactly as the Allow wrote it, or "*"
	// when the Allow used NotResource (or named no resource at all).
	Resource string
	// NotResource is set when the Allow used NotResource: the grant covers
	// every resource except the patterns in Excluded.
	NotResource bool
	Excluded    []string
	// Level is the highest level among the allowed actions still in effect.
	Level Level
	// Actions are the allowed action patterns still in effect, sorted and
	// without duplicates (compared case-insensitively). An Allow with
	// NotAction is recorded as "NotAction:" + each pattern it excludes; a
	// Deny that subtracts from it adds its own patterns to that list.
	Actions []string
	// Sensitive is set when an allowed action can read a secret (see
	// Class.Sensitive).
	Sensitive bool
	// Conditional is set when every Allow that produced the remaining
	// actions has a Condition: the access exists only in some contexts.
	Conditional bool
	// DenyConditional is set when a Deny that has a Condition could restrict
	// this grant. Such a Deny is not subtracted, because whether it applies
	// depends on the request; the flag says the grant may be narrower.
	DenyConditional bool
	// Sources are the names of the sources whose Allows produced the
	// remaining actions, sorted.
	Sources []string
}

// Effective folds the policies of one identity into grants, one per resource
// pattern, sorted by Resource (then plain before NotResource grants).
//
// Allow statements are collected per resource pattern. Deny statements
// without a Condition are then subtracted; the analysis keeps
// over-approximating rather than under-report, so it subtracts only what it
// can prove is denied:
//
//   - A Deny applies to a grant when one of its Resource patterns covers the
//     grant's resource pattern (compared case-sensitively, as IAM compares
//     ARNs): a Deny on "*" applies to every grant, a Deny on
//     "arn:aws:s3:::b/*" to a grant on that same pattern or a narrower one,
//     and to a grant on "*" not at all, even though it does deny part of it.
//     A Deny with NotResource applies to a grant whose resource pattern
//     shares nothing with the excluded patterns. A Deny with neither
//     element applies to nothing.
//   - A Deny with Action removes each allowed pattern that one of its
//     patterns Covers. From an Allow with NotAction it removes its patterns
//     by adding them to the excluded ones.
//   - A Deny with NotAction X keeps only what X allows through: an allowed
//     pattern that X covers stays; one that covers part of X is narrowed to
//     that part of X; one that merely overlaps X stays whole (it cannot be
//     narrowed to a single pattern); one disjoint from X goes. An Allow with
//     NotAction becomes the patterns of X that it does not exclude.
//
// Deny statements with a Condition subtract nothing and set DenyConditional
// on the grants they could touch. Grants left with no actions are dropped.
//
// An Allow with NotAction grants Admin unless one of its excluded patterns
// covers "iam:*", and then Write: as for the AWS-managed PowerUserAccess, the
// organizations and sts actions it leaves are not counted as admin.
//
// Statements are treated as identity-policy statements: Principal elements are
// ignored, and an Allow that names no resource is counted as one on "*".
func Effective(sources []Source) []Grant {
	var grants []*grantState
	index := make(map[string]*grantState)
	grantFor := func(resource string, notResource bool, excluded []string) *grantState {
		key := "R" + resource
		if notResource {
			key = "N" + strings.Join(excluded, "\x00")
		}
		g, ok := index[key]
		if !ok {
			g = &grantState{resource: resource, notResource: notResource, excluded: excluded}
			index[key] = g
			grants = append(grants, g)
		}
		return g
	}

	var denies []denyRule
	for _, src := range sources {
		if src.Document == nil {
			continue
		}
		for _, st := range src.Document.Statements {
			switch st.Effect {
			case Deny:
				denies = append(denies, denyRule{st: st, conditional: st.Conditions.constrains()})
				continue
			case Allow:
			default:
				continue
			}
			base := entry{
				conditional: st.Conditions.constrains(),
				sources:     []string{src.Name},
			}
			var entries []entry
			for _, a := range st.Actions {
				e := base
				e.pattern = a
				entries = append(entries, e)
			}
			if len(st.NotActions) > 0 {
				e := base
				e.complement = true
				e.excluded = dedupFold(st.NotActions)
				entries = append(entries, e)
			}
			switch {
			case len(st.NotResources) > 0:
				excluded := dedupExact(st.NotResources)
				grantFor("*", true, excluded).add(entries)
			case len(st.Resources) > 0:
				for _, r := range dedupExact(st.Resources) {
					grantFor(r, false, nil).add(entries)
				}
			default:
				grantFor("*", false, nil).add(entries)
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
		if d.conditional {
			for _, g := range grants {
				if d.touches(g) {
					g.denyConditional = true
				}
			}
		}
	}

	var out []Grant
	for _, g := range grants {
		if gr, ok := g.grant(); ok {
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
		return slices.Compare(a.Excluded, b.Excluded) < 0
	})
	return out
}

// entry is one allowed action pattern, or with complement set, every action
// except the excluded patterns.
type entry struct {
	pattern     string
	complement  bool
	excluded    []string
	conditional bool
	sources     []string
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

type grantState struct {
	resource        string
	notResource     bool
	excluded        []string
	entries         []entry
	denyConditional bool
}

func (g *grantState) add(entries []entry) { g.entries = append(g.entries, entries...) }

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
		out[i].conditional = out[i].conditional && e.conditional
		out[i].sources = dedupExact(append(slices.Clip(out[i].sources), e.sources...))
	}
	return out
}

// withPattern is e narrowed to one allowed pattern.
func (e entry) withPattern(p string) entry {
	return entry{pattern: p, conditional: e.conditional, sources: e.sources}
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
		label       string
		class       Class
		conditional bool
		sources     map[string]bool
	}
	byKey := make(map[string]*merged)
	for _, e := range g.entries {
		c, ok := e.class()
		if !ok {
			continue
		}
		for _, l := range e.labels() {
			key := strings.ToLower(l)
			m, seen := byKey[key]
			if !seen {
				m = &merged{label: l, class: c, conditional: true, sources: make(map[string]bool)}
				byKey[key] = m
			}
			m.class.Level = max(m.class.Level, c.Level)
			m.class.Sensitive = m.class.Sensitive || c.Sensitive
			m.conditional = m.conditional && e.conditional
			for _, s := range e.sources {
				m.sources[s] = true
			}
		}
	}
	if len(byKey) == 0 {
		return Grant{}, false
	}
	gr := Grant{
		Resource:        g.resource,
		NotResource:     g.notResource,
		Excluded:        g.excluded,
		Conditional:     true,
		DenyConditional: g.denyConditional,
	}
	sources := make(map[string]bool)
	for _, m := range byKey {
		gr.Actions = append(gr.Actions, m.label)
		gr.Level = max(gr.Level, m.class.Level)
		gr.Sensitive = gr.Sensitive || m.class.Sensitive
		gr.Conditional = gr.Conditional && m.conditional
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

type denyRule struct {
	st          Statement
	conditional bool
}

// applies reports whether the Deny's resources include all of the grant's,
// as far as can be proved.
func (d denyRule) applies(g *grantState) bool {
	switch {
	case len(d.st.Resources) > 0:
		for _, r := range d.st.Resources {
			if g.notResource {
				if allStars([]rune(r)) {
					return true
				}
			} else if covers([]rune(r), []rune(g.resource)) {
				return true
			}
		}
		return false
	case len(d.st.NotResources) > 0:
		if g.notResource {
			return false
		}
		for _, x := range d.st.NotResources {
			if overlaps([]rune(x), []rune(g.resource)) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// touches reports whether the Deny could restrict part of the grant: their
// resources may meet and so may their actions.
func (d denyRule) touches(g *grantState) bool {
	return d.touchesResource(g) && slices.ContainsFunc(g.entries, d.touchesEntry)
}

func (d denyRule) touchesResource(g *grantState) bool {
	switch {
	case len(d.st.Resources) > 0:
		for _, r := range d.st.Resources {
			if g.notResource {
				// The grant is "*" minus its exclusions: r meets it unless
				// an exclusion covers r.
				if !slices.ContainsFunc(g.excluded, func(x string) bool { return covers([]rune(x), []rune(r)) }) {
					return true
				}
			} else if overlaps([]rune(r), []rune(g.resource)) {
				return true
			}
		}
		return false
	case len(d.st.NotResources) > 0:
		// The Deny is "*" minus its exclusions: it misses the grant only if
		// an exclusion covers the grant's pattern.
		if g.notResource {
			return true
		}
		return !slices.ContainsFunc(d.st.NotResources, func(x string) bool { return covers([]rune(x), []rune(g.resource)) })
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
	for _, a := range d.st.Actions {
		if e.complement {
			if !slices.ContainsFunc(e.excluded, func(x string) bool { return Covers(x, a) }) {
				return true
			}
		} else if actionOverlaps(a, e.pattern) {
			return true
		}
	}
	return false
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
