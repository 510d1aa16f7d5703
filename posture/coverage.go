package posture

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Scope states in a coverage report.
const (
	// ScopeComplete: the last scan that tried the scope completed it, and
	// not long ago.
	ScopeComplete = "complete"
	// ScopePartial: completed, but some details of its items are unknown
	// (an enrichment call failed); those items' findings say so.
	ScopePartial = "partial"
	// ScopeStale: its last complete scan is older than the stale threshold.
	ScopeStale = "stale"
	// ScopeFailed: the last scan that tried it failed it; what the
	// inventory holds for it is older, or nothing.
	ScopeFailed = "failed"
)

// Coverage says what the findings rest on: which scopes of which tenants
// were scanned completely, which are stale or failed, and so which controls
// could not judge everything.
type Coverage struct {
	Scopes []ScopeCoverage `json:"scopes"`
	// StaleAfterDays is the threshold for ScopeStale.
	StaleAfterDays int `json:"stale_after_days"`
}

// ScopeCoverage is one scope's state.
type ScopeCoverage struct {
	Provider string `json:"provider"`
	Tenant   string `json:"tenant"`
	Scope    string `json:"scope"`
	State    string `json:"state"`
	// LastComplete is when a scan last completed the scope; nil when none
	// ever did.
	LastComplete *time.Time `json:"last_complete,omitempty"`
	// Errors are the failures of the last scan that tried the scope, as
	// "operation: message".
	Errors []string `json:"errors,omitempty"`
}

// Gaps are the scopes that are stale or failed.
func (c Coverage) Gaps() []ScopeCoverage {
	var out []ScopeCoverage
	for _, s := range c.Scopes {
		if s.State == ScopeFailed || s.State == ScopeStale {
			out = append(out, s)
		}
	}
	return out
}

// Tenants lists the provider/tenant pairs the coverage knows, sorted.
func (c Coverage) Tenants() [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, s := range c.Scopes {
		k := [2]string{s.Provider, s.Tenant}
		if !seen[k] && s.Tenant != "" {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0]+"/"+out[i][1] < out[j][0]+"/"+out[j][1] })
	return out
}

// notEvaluated says why ctl cannot judge all of the estate (a scope of one
// of its providers failed), and whether no tenant of them was scanned.
func (c Coverage) notEvaluated(ctl *Control) (string, bool) {
	applies := func(p string) bool {
		for _, q := range ctl.Providers {
			if q == "*" || q == p {
				return true
			}
		}
		return false
	}
	var any bool
	var gaps []string
	for _, s := range c.Scopes {
		if !applies(s.Provider) {
			continue
		}
		any = true
		if s.State == ScopeFailed {
			gaps = append(gaps, fmt.Sprintf("%s/%s/%s failed", s.Provider, s.Tenant, s.Scope))
		}
	}
	if len(gaps) > 0 {
		return "items in scopes that failed are not judged: " + strings.Join(gaps, "; "), false
	}
	return "", !any
}

// readCoverage reads each scope's last completion and the failures of the
// last scan that tried it. A scan "tried" a scope when it completed it or
// recorded an error for it; errors without a scope (a tenant that could not
// be reached at all) stand for every scope of the tenant.
func readCoverage(ctx context.Context, inv Inventory, now time.Time, staleAfter time.Duration) (Coverage, error) {
	cov := Coverage{StaleAfterDays: int(staleAfter / (24 * time.Hour))}
	scopes := map[scopeKey]*scopeState{}
	get := func(k scopeKey) *scopeState {
		s := scopes[k]
		if s == nil {
			s = &scopeState{}
			scopes[k] = s
		}
		return s
	}
	err := inv.EachRow(ctx, `SELECT s.provider, s.tenant, s.name, max(ss.completed_at), max(ss.scan_id)
		FROM scopes s LEFT JOIN scan_scopes ss ON ss.scope_id = s.id GROUP BY s.id`, nil, func(_ []string, r []any) error {
		st := get(scopeKey{asString(r[0]), asString(r[1]), asString(r[2])})
		st.lastComplete, st.lastCompleteID = asString(r[3]), asInt(r[4])
		return nil
	})
	if err != nil {
		return cov, fmt.Errorf("read coverage: %w", err)
	}
	// The failures of the last scan that recorded any per scope.
	err = inv.EachRow(ctx, `SELECT e.provider, e.tenant, e.scope, e.scan_id, e.operation, e.message, e.warning
		FROM scan_errors e
		WHERE e.tenant <> '' AND e.scan_id = (SELECT max(x.scan_id) FROM scan_errors x
			WHERE x.provider = e.provider AND x.tenant = e.tenant AND x.scope = e.scope)
		ORDER BY e.id`, nil, func(_ []string, r []any) error {
		k := scopeKey{asString(r[0]), asString(r[1]), asString(r[2])}
		id, warning := asInt(r[3]), asInt(r[6]) != 0
		if k.scope == "" {
			// A tenant-wide failure: every known scope of the tenant.
			for sk, st := range scopes {
				if sk.provider == k.provider && sk.tenant == k.tenant {
					st.addError(id, asString(r[4]), asString(r[5]), warning)
				}
			}
			k.scope = "*"
		}
		get(k).addError(id, asString(r[4]), asString(r[5]), warning)
		return nil
	})
	if err != nil {
		return cov, fmt.Errorf("read coverage: %w", err)
	}
	for k, st := range scopes {
		if k.scope == "*" && hasScopes(scopes, k.provider, k.tenant) {
			// A tenant-wide failure is carried by the tenant's own scopes;
			// it stands alone only for a tenant never scanned.
			continue
		}
		sc := ScopeCoverage{Provider: k.provider, Tenant: k.tenant, Scope: k.scope}
		if t, err := time.Parse(time.RFC3339Nano, st.lastComplete); err == nil {
			sc.LastComplete = &t
		}
		switch {
		case st.lastErrorID > st.lastCompleteID && !st.warningsOnly || sc.LastComplete == nil:
			sc.State, sc.Errors = ScopeFailed, st.errors
		case now.Sub(*sc.LastComplete) > staleAfter:
			sc.State = ScopeStale
		case st.lastErrorID == st.lastCompleteID && len(st.errors) > 0:
			sc.State, sc.Errors = ScopePartial, st.errors
		default:
			sc.State = ScopeComplete
		}
		cov.Scopes = append(cov.Scopes, sc)
	}
	sort.Slice(cov.Scopes, func(i, j int) bool {
		a, b := cov.Scopes[i], cov.Scopes[j]
		return a.Provider+"/"+a.Tenant+"/"+a.Scope < b.Provider+"/"+b.Tenant+"/"+b.Scope
	})
	return cov, nil
}

type scopeKey struct{ provider, tenant, scope string }

type scopeState struct {
	lastComplete   string
	lastCompleteID int64
	// lastErrorID is the last scan that recorded a failure of the scope;
	// errors are that scan's, and warningsOnly says whether all of them
	// were warnings (enrichment failures, after which the scope completed).
	lastErrorID  int64
	errors       []string
	warningsOnly bool
}

func (st *scopeState) addError(id int64, op, msg string, warning bool) {
	if id > st.lastErrorID {
		st.lastErrorID, st.errors, st.warningsOnly = id, nil, true
	}
	if id == st.lastErrorID {
		st.errors = append(st.errors, op+": "+msg)
		st.warningsOnly = st.warningsOnly && warning
	}
}

func hasScopes(scopes map[scopeKey]*scopeState, provider, tenant string) bool {
	for k := range scopes {
		if k.provider == provider && k.tenant == tenant && k.scope != "*" {
			return true
		}
	}
	return false
}
