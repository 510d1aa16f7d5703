package posture

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/google/go-cmp/cmp"
)

// The identity and credential controls, each on small estates: the
// mistake it finds, the correct cases beside it, a threshold moved, a
// detail unknown, and the same mistake gone from the inventory.

const (
	iamPrefix   = "arn:aws:iam::111111111111:"
	agentPrefix = "arn:aws:bedrock:us-east-1:111111111111:agent/"
)

// controlCase is one estate a control is run on, and what it must find.
type controlCase struct {
	name       string
	build      func(*estate) *estate
	thresholds map[string]int
	// fail and unknown are the subjects found with that status, sorted.
	fail, unknown []string
	// check looks further at the findings: messages, severities, about.
	check func(t *testing.T, fs []Finding)
}

func runControlCases(t *testing.T, control string, cases []controlCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := tc.build(newEstate(t)).evaluate(control, tc.thresholds)
			if diff := cmp.Diff(tc.fail, subjects(fs, StatusFail)); diff != "" {
				t.Errorf("%s failed subjects (-want +got):\n%s", control, diff)
			}
			if diff := cmp.Diff(tc.unknown, subjects(fs, StatusUnknown)); diff != "" {
				t.Errorf("%s not evaluable subjects (-want +got):\n%s", control, diff)
			}
			if tc.check != nil {
				tc.check(t, fs)
			}
		})
	}
}

// findingOf is the finding about subject; it fails the test without one.
func findingOf(t *testing.T, fs []Finding, subject string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.SubjectID == subject {
			return f
		}
	}
	t.Fatalf("no finding about %s among %d", subject, len(fs))
	return Finding{}
}

func wantMessage(t *testing.T, f Finding, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(f.Message, p) {
			t.Errorf("message about %s does not say %q:\n%s", f.SubjectID, p, f.Message)
		}
	}
}

// credential is a credential node of the test account.
func credential(id string, created, lastUsed, expires time.Time, attrs map[string]any) inventory.Node {
	if attrs == nil {
		attrs = map[string]any{}
	}
	return inventory.Node{ID: id, Kind: inventory.KindCredential, Created: created, LastUsed: lastUsed, Expires: expires, Attrs: attrs}
}

// accessKey is an Active IAM access key created days ago.
func accessKey(id string, createdDays int, extra map[string]any) inventory.Node {
	attrs := map[string]any{inventory.AttrType: "iam_access_key", inventory.AttrStanding: true, "status": "Active"}
	for k, v := range extra {
		attrs[k] = v
	}
	return credential(id, daysAgo(createdDays), time.Time{}, time.Time{}, attrs)
}

func identity(id, typ string) inventory.Node {
	return inventory.Node{ID: id, Kind: inventory.KindIdentity, Attrs: map[string]any{inventory.AttrType: typ}}
}

func grant(level string, actions ...string) map[string]any {
	acts := make([]any, len(actions))
	for i, a := range actions {
		acts[i] = a
	}
	return map[string]any{inventory.AttrLevel: level, "actions": acts, "resource": "*",
		inventory.AttrSources: []any{"inline:test"}}
}

func TestAgentRunsAsAdmin(t *testing.T) {
	const (
		admin, esc, reader, unk, lost = agentPrefix + "ADMIN", agentPrefix + "ESC", agentPrefix + "READ", agentPrefix + "UNK", agentPrefix + "LOST"
		roleAdmin, roleEsc, roleRead  = iamPrefix + "role/admin-role", iamPrefix + "role/esc-role", iamPrefix + "role/read-role"
		roleUnk, opsAdmin             = iamPrefix + "role/unk-role", iamPrefix + "role/ops-admin"
		all                           = "aws:111111111111:resource/*"
	)
	build := func(e *estate) *estate {
		return e.
			node(inventory.Node{ID: admin, Kind: inventory.KindAgent, Name: "admin-agent"}).
			node(inventory.Node{ID: esc, Kind: inventory.KindAgent, Name: "esc-agent"}).
			node(inventory.Node{ID: reader, Kind: inventory.KindAgent, Name: "read-agent"}).
			node(inventory.Node{ID: unk, Kind: inventory.KindAgent, Name: "unk-agent"}).
			// A version whose role GetAgentVersion refused: not passed.
			node(inventory.Node{ID: lost, Kind: inventory.KindAgent, Name: "lost-agent", Attrs: map[string]any{
				inventory.AttrUnknown: map[string]any{"runs_as version 2": "denied: bedrock-agent:GetAgentVersion"}}}).
			node(identity(roleAdmin, "iam_role")).node(identity(roleEsc, "iam_role")).
			node(identity(roleRead, "iam_role")).node(identity(roleUnk, "iam_role")).node(identity(opsAdmin, "iam_role")).
			node(inventory.Node{ID: all, Kind: inventory.KindResource}).
			edge(admin, inventory.EdgeRunsAs, roleAdmin, map[string]any{"versions": []any{"1", "DRAFT"}}).
			edge(esc, inventory.EdgeRunsAs, roleEsc, nil).
			edge(reader, inventory.EdgeRunsAs, roleRead, nil).
			edge(unk, inventory.EdgeRunsAs, roleUnk, nil).
			edge(lost, inventory.EdgeRunsAs, roleRead, nil).
			edge(roleAdmin, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "*")).
			edge(roleEsc, inventory.EdgeCanAccess, all, grant(inventory.LevelWrite, "s3:PutObject")).
			edge(roleEsc, inventory.EdgeCanEscalate, opsAdmin, map[string]any{inventory.AttrMethod: "sts:AssumeRole"}).
			edge(opsAdmin, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "*")).
			edge(roleRead, inventory.EdgeCanAccess, all, grant(inventory.LevelRead, "s3:GetObject")).
			edge(roleUnk, inventory.EdgeCanAccess, all, grant(inventory.LevelUnknown, "s3:GetObject"))
	}
	runControlCases(t, "AAM-001", []controlCase{
		{
			name: "own and escalated admin, unknown level and unknown role", build: build,
			fail: []string{admin, esc}, unknown: []string{lost, unk},
			check: func(t *testing.T, fs []Finding) {
				f := findingOf(t, fs, esc)
				wantMessage(t, f, "esc-role", "reaches admin through can_escalate → ops-admin by sts:AssumeRole")
				if diff := cmp.Diff([]string{roleEsc}, f.About); diff != "" {
					t.Errorf("about (-want +got):\n%s", diff)
				}
				if f.Severity != SeverityCritical {
					t.Errorf("severity %s, want critical", f.Severity)
				}
				wantMessage(t, findingOf(t, fs, admin), "admin-role", "versions 1, DRAFT", "admin access of its own", "inline:test")
				wantMessage(t, findingOf(t, fs, lost), "runs_as version 2", "denied: bedrock-agent:GetAgentVersion")
			},
		},
		{
			name:  "gone agents are not judged",
			build: func(e *estate) *estate { return build(e).gone(admin, esc, unk, lost) },
		},
	})
}

func TestIdentitySharedByAgents(t *testing.T) {
	const (
		a1, a2, a3    = agentPrefix + "A1", agentPrefix + "A2", agentPrefix + "A3"
		shared, alone = iamPrefix + "role/shared", iamPrefix + "role/alone"
	)
	build := func(e *estate) *estate {
		return e.
			node(inventory.Node{ID: a1, Kind: inventory.KindAgent, Name: "first"}).
			node(inventory.Node{ID: a2, Kind: inventory.KindAgent, Name: "second"}).
			node(inventory.Node{ID: a3, Kind: inventory.KindAgent, Name: "third"}).
			node(identity(shared, "iam_role")).node(identity(alone, "iam_role")).
			edge(a1, inventory.EdgeRunsAs, shared, map[string]any{"versions": []any{"1"}}).
			edge(a2, inventory.EdgeRunsAs, shared, map[string]any{"versions": []any{"DRAFT"}}).
			edge(a3, inventory.EdgeRunsAs, alone, nil)
	}
	runControlCases(t, "AAM-002", []controlCase{
		{
			name: "two agents on one role", build: build, fail: []string{shared},
			check: func(t *testing.T, fs []Finding) {
				f := findingOf(t, fs, shared)
				wantMessage(t, f, "2 agents", "first (1)", "second (DRAFT)")
				if len(f.About) != 0 {
					t.Errorf("about %v: the agents sharing it grow; they belong in the message", f.About)
				}
			},
		},
		{name: "min_agents 3", build: build, thresholds: map[string]int{"min_agents": 3}},
		{name: "one sharer gone", build: func(e *estate) *estate { return build(e).gone(a2) }},
	})
}

func TestStandingCredentialTooOld(t *testing.T) {
	const (
		old, young, inactive, expired = "aws:access-key:AKIAOLD", "aws:access-key:AKIAYOUNG", "aws:access-key:AKIAINACTIVE", "urn:test:expired"
		undated, inline, session      = "urn:test:undated", "urn:test:fn#env/TOKEN", "urn:test:session"
	)
	build := func(e *estate) *estate {
		return e.
			node(accessKey(old, 100, nil)).
			node(accessKey(young, 30, nil)).
			node(accessKey(inactive, 400, map[string]any{"status": "Inactive"})).
			node(credential(expired, daysAgo(200), time.Time{}, daysAgo(1), map[string]any{inventory.AttrStanding: true})).
			node(credential(undated, time.Time{}, time.Time{}, time.Time{}, map[string]any{inventory.AttrStanding: true,
				inventory.AttrUnknown: map[string]any{"created_at": "denied: test:Describe"}})).
			// A secret found in an environment: no provider records when it
			// was made, so its age is not judged.
			node(credential(inline, time.Time{}, time.Time{}, time.Time{}, map[string]any{inventory.AttrStanding: true, "found_in": "environment"})).
			node(credential(session, daysAgo(300), time.Time{}, time.Time{}, map[string]any{inventory.AttrStanding: false}))
	}
	runControlCases(t, "AAM-004", []controlCase{
		{
			name: "default 90 days", build: build, fail: []string{old}, unknown: []string{undated},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, old), "100 days ago", "within 90 days")
			},
		},
		{name: "max_age_days 20", build: build, thresholds: map[string]int{"max_age_days": 20}, fail: []string{old, young}, unknown: []string{undated}},
		{name: "old key gone", build: func(e *estate) *estate { return build(e).gone(old, undated) }},
	})
}

func TestCredentialUnused(t *testing.T) {
	const (
		stale, recent           = "aws:access-key:AKIASTALE", "aws:access-key:AKIARECENT"
		neverOld, neverNew      = "aws:access-key:AKIANEVEROLD", "aws:access-key:AKIANEVERNEW"
		unknownOld, unknownNew  = "aws:access-key:AKIAUNKOLD", "aws:access-key:AKIAUNKNEW"
		inactive, noUseRecorded = "aws:access-key:AKIAINACTIVE", "aws:service-credential:ACCANOUSE"
	)
	lastUseDenied := map[string]any{inventory.AttrUnknown: map[string]any{"last_used": "denied: iam:GetAccessKeyLastUsed"}}
	build := func(e *estate) *estate {
		staleKey := accessKey(stale, 300, nil)
		staleKey.LastUsed = daysAgo(50)
		recentKey := accessKey(recent, 300, nil)
		recentKey.LastUsed = daysAgo(10)
		inactiveKey := accessKey(inactive, 300, map[string]any{"status": "Inactive"})
		inactiveKey.LastUsed = daysAgo(200)
		return e.node(staleKey).node(recentKey).node(inactiveKey).
			node(accessKey(neverOld, 60, map[string]any{"never_used": true})).
			node(accessKey(neverNew, 10, map[string]any{"never_used": true})).
			node(accessKey(unknownOld, 100, lastUseDenied)).
			node(accessKey(unknownNew, 3, lastUseDenied)).
			// IAM records no use of a service-specific credential: not judged.
			node(credential(noUseRecorded, daysAgo(400), time.Time{}, time.Time{}, map[string]any{
				inventory.AttrType: "iam_service_credential", inventory.AttrStanding: true, "status": "Active"}))
	}
	runControlCases(t, "AAM-005", []controlCase{
		{
			name: "default 45 days", build: build, fail: []string{neverOld, stale}, unknown: []string{unknownOld},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, stale), "last used 50 days ago")
				wantMessage(t, findingOf(t, fs, neverOld), "never used", "60 days ago")
				wantMessage(t, findingOf(t, fs, unknownOld), "denied: iam:GetAccessKeyLastUsed")
			},
		},
		{
			name: "unused_days 5", build: build, thresholds: map[string]int{"unused_days": 5},
			fail: []string{neverNew, neverOld, recent, stale}, unknown: []string{unknownOld},
		},
		{name: "stale keys gone", build: func(e *estate) *estate { return build(e).gone(stale, neverOld, unknownOld) }},
	})
}

func TestCredentialWithoutExpiry(t *testing.T) {
	const (
		forever, expiring, inactive, session = "aws:access-key:AKIAFOREVER", "aws:service-credential:ACCAEXPIRES", "aws:access-key:AKIAINACTIVE", "urn:test:session"
	)
	build := func(e *estate) *estate {
		return e.node(accessKey(forever, 10, nil)).
			node(credential(expiring, daysAgo(10), time.Time{}, daysAgo(-20), map[string]any{
				inventory.AttrType: "iam_service_credential", inventory.AttrStanding: true, "status": "Active"})).
			node(accessKey(inactive, 10, map[string]any{"status": "Inactive"})).
			node(credential(session, daysAgo(1), time.Time{}, time.Time{}, map[string]any{inventory.AttrStanding: false}))
	}
	runControlCases(t, "AAM-006", []controlCase{
		{
			name: "standing, active, no expiry", build: build, fail: []string{forever},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, forever), "never expires")
			},
		},
		{name: "gone", build: func(e *estate) *estate { return build(e).gone(forever) }},
	})
}

func TestSeveralActiveCredentials(t *testing.T) {
	const (
		twoKeys, rotated, mixed         = iamPrefix + "user/two-keys", iamPrefix + "user/rotated", iamPrefix + "user/mixed"
		k1, k2, k3, k4, k5, apiKey, old = "aws:access-key:AKIA1", "aws:access-key:AKIA2", "aws:access-key:AKIA3", "aws:access-key:AKIA4", "aws:access-key:AKIA5", "aws:service-credential:ACCA1", "aws:access-key:AKIAEXPIRED"
	)
	build := func(e *estate) *estate {
		return e.node(identity(twoKeys, "iam_user")).node(identity(rotated, "iam_user")).node(identity(mixed, "iam_user")).
			node(accessKey(k1, 300, nil)).node(accessKey(k2, 10, nil)).
			node(accessKey(k3, 300, map[string]any{"status": "Inactive"})).node(accessKey(k4, 10, nil)).
			node(credential(old, daysAgo(300), time.Time{}, daysAgo(1), map[string]any{inventory.AttrType: "iam_access_key", "status": "Active"})).
			node(accessKey(k5, 10, nil)).
			node(credential(apiKey, daysAgo(10), time.Time{}, time.Time{}, map[string]any{
				inventory.AttrType: "iam_service_credential", "service": "bedrock.amazonaws.com", inventory.AttrStanding: true, "status": "Active"})).
			edge(twoKeys, inventory.EdgeHasCredential, k1, nil).edge(twoKeys, inventory.EdgeHasCredential, k2, nil).
			edge(rotated, inventory.EdgeHasCredential, k3, nil).edge(rotated, inventory.EdgeHasCredential, k4, nil).
			edge(rotated, inventory.EdgeHasCredential, old, nil).
			edge(mixed, inventory.EdgeHasCredential, k5, nil).edge(mixed, inventory.EdgeHasCredential, apiKey, nil)
	}
	runControlCases(t, "AAM-007", []controlCase{
		{
			name: "two active access keys", build: build, fail: []string{twoKeys},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, twoKeys), "2 active iam_access_key", "AKIA1", "AKIA2")
			},
		},
		{name: "max_active 2", build: build, thresholds: map[string]int{"max_active": 2}},
		{name: "second key gone", build: func(e *estate) *estate { return build(e).gone(k2) }},
	})
}

func TestInactiveCredentialKept(t *testing.T) {
	const inactive, active = "aws:access-key:AKIAINACTIVE", "aws:access-key:AKIAACTIVE"
	build := func(e *estate) *estate {
		return e.node(accessKey(inactive, 400, map[string]any{"status": "Inactive"})).node(accessKey(active, 10, nil))
	}
	runControlCases(t, "AAM-008", []controlCase{
		{name: "inactive key", build: build, fail: []string{inactive}},
		{name: "inactive key gone", build: func(e *estate) *estate { return build(e).gone(inactive) }},
	})
}

func TestRoleUnused(t *testing.T) {
	const (
		stale, recent, neverOld, neverNew = iamPrefix + "role/stale", iamPrefix + "role/recent", iamPrefix + "role/never-old", iamPrefix + "role/never-new"
		unknown, user, foreign            = iamPrefix + "role/unknown", iamPrefix + "user/old-user", "arn:aws:iam::444455556666:role/vendor"
	)
	role := func(id string, createdDays, usedDays int, extra map[string]any) inventory.Node {
		n := identity(id, "iam_role")
		n.Created = daysAgo(createdDays)
		if usedDays >= 0 {
			n.LastUsed = daysAgo(usedDays)
		}
		for k, v := range extra {
			n.Attrs[k] = v
		}
		return n
	}
	build := func(e *estate) *estate {
		u := identity(user, "iam_user")
		u.Created = daysAgo(1000)
		return e.node(role(stale, 500, 100, nil)).node(role(recent, 500, 10, nil)).
			node(role(neverOld, 200, -1, nil)).node(role(neverNew, 10, -1, nil)).
			node(role(unknown, 200, -1, map[string]any{inventory.AttrUnknown: map[string]any{"last_used": "denied: iam:GetRole"}})).
			node(u).
			// A trust principal in an account aam does not scan.
			node(inventory.Node{ID: foreign, Kind: inventory.KindIdentity, Tenant: "444455556666", Ref: true, Created: daysAgo(1000),
				Attrs: map[string]any{inventory.AttrType: "iam_role"}})
	}
	runControlCases(t, "AAM-009", []controlCase{
		{
			name: "default 90 days", build: build, fail: []string{neverOld, stale}, unknown: []string{unknown},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, stale), "last used 100 days ago")
				wantMessage(t, findingOf(t, fs, neverOld), "never been used", "200 days ago")
			},
		},
		{
			name: "unused_days 5", build: build, thresholds: map[string]int{"unused_days": 5},
			fail: []string{neverNew, neverOld, recent, stale}, unknown: []string{unknown},
		},
		{name: "stale roles gone", build: func(e *estate) *estate { return build(e).gone(stale, neverOld, unknown) }},
	})
}

func TestOpenTrust(t *testing.T) {
	const (
		open, unguarded, pinned, unjudged = iamPrefix + "role/open", iamPrefix + "role/unguarded", iamPrefix + "role/pinned", iamPrefix + "role/unjudged"
		anyone, lambda, third             = "aws:principal:*", "aws:service:lambda.amazonaws.com", "arn:aws:iam::999988887777:root"
	)
	trust := func(class, reason string) map[string]any {
		return map[string]any{inventory.AttrTrust: class, inventory.AttrTrustReason: reason, "actions": []any{"sts:AssumeRole"}}
	}
	build := func(e *estate) *estate {
		return e.node(identity(open, "iam_role")).node(identity(unguarded, "iam_role")).
			node(identity(pinned, "iam_role")).node(identity(unjudged, "iam_role")).
			node(inventory.Node{ID: anyone, Kind: inventory.KindIdentity, Name: "*", Ref: true}).
			node(inventory.Node{ID: lambda, Kind: inventory.KindIdentity, Name: "lambda.amazonaws.com", Ref: true}).
			node(inventory.Node{ID: third, Kind: inventory.KindIdentity, Tenant: "999988887777", Name: "account 999988887777", Ref: true}).
			edge(anyone, inventory.EdgeCanAssume, open, trust(inventory.TrustOpen, `any AWS principal (Principal "*")`)).
			edge(lambda, inventory.EdgeCanAssume, unguarded, trust(inventory.TrustServiceUnguarded, "no aws:SourceAccount or aws:SourceArn")).
			edge(third, inventory.EdgeCanAssume, pinned, trust(inventory.TrustConstrained, "sts:ExternalId from a third party")).
			edge(third, inventory.EdgeCanAssume, unjudged, trust(inventory.TrustUnknown, "a condition aam does not model"))
	}
	runControlCases(t, "AAM-010", []controlCase{
		{
			name: "open, service-unguarded and unknown trusts", build: build,
			fail: []string{open, unguarded}, unknown: []string{unjudged},
			check: func(t *testing.T, fs []Finding) {
				o := findingOf(t, fs, open)
				wantMessage(t, o, `Principal "*"`)
				if o.Severity != SeverityHigh || !cmp.Equal(o.About, []string{anyone}) {
					t.Errorf("open trust: severity %s about %v, want high about %s", o.Severity, o.About, anyone)
				}
				u := findingOf(t, fs, unguarded)
				wantMessage(t, u, "aws:SourceAccount")
				if u.Severity != SeverityMedium {
					t.Errorf("service-unguarded trust: severity %s, want medium", u.Severity)
				}
			},
		},
		{name: "open role gone", build: func(e *estate) *estate { return build(e).gone(open, unguarded, unjudged) }},
	})
}

func TestPassRoleOnEverything(t *testing.T) {
	const (
		exact, prefix, service, conditioned = iamPrefix + "role/exact", iamPrefix + "role/prefix", iamPrefix + "role/service", iamPrefix + "role/conditioned"
		admin, scoped, denied, notAction    = iamPrefix + "role/admin", iamPrefix + "role/scoped", iamPrefix + "user/denied", iamPrefix + "role/notaction"
		all, appRoles                       = "aws:111111111111:resource/*", iamPrefix + "role/app-*"
	)
	withCondition := grant(inventory.LevelAdmin, "iam:PassRole")
	withCondition[inventory.AttrConditions] = []any{map[string]any{"key": "iam:PassedToService", "operator": "StringEquals", "values": []any{"lambda.amazonaws.com"}}}
	withCondition[inventory.AttrConditional] = true
	scopedGrant := grant(inventory.LevelAdmin, "iam:PassRole")
	scopedGrant["resource"] = appRoles
	deniedGrant := grant(inventory.LevelWrite, "iam:*", "s3:GetObject")
	deniedGrant[inventory.AttrExceptions] = []any{map[string]any{"actions": []any{"iam:PassRole"}, "source": "inline:deny"}}
	build := func(e *estate) *estate {
		for _, id := range []string{exact, prefix, service, conditioned, admin, scoped, notAction} {
			e.node(identity(id, "iam_role"))
		}
		return e.node(identity(denied, "iam_user")).
			node(inventory.Node{ID: all, Kind: inventory.KindResource}).
			node(inventory.Node{ID: appRoles, Kind: inventory.KindResource}).
			edge(exact, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "cloudformation:*", "iam:PassRole")).
			edge(prefix, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "iam:Pass*")).
			edge(service, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "iam:*")).
			edge(conditioned, inventory.EdgeCanAccess, all, withCondition).
			edge(admin, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "*")).
			edge(scoped, inventory.EdgeCanAccess, appRoles, scopedGrant).
			edge(denied, inventory.EdgeCanAccess, all, deniedGrant).
			edge(notAction, inventory.EdgeCanAccess, all, grant(inventory.LevelAdmin, "NotAction:iam:*"))
	}
	runControlCases(t, "AAM-011", []controlCase{
		{
			name: "patterns that match iam:PassRole on *", build: build,
			fail: []string{conditioned, exact, prefix, service},
			check: func(t *testing.T, fs []Finding) {
				wantMessage(t, findingOf(t, fs, conditioned), "iam:PassedToService StringEquals lambda.amazonaws.com")
				wantMessage(t, findingOf(t, fs, exact), "iam:PassRole", "without condition")
			},
		},
		{name: "grants gone", build: func(e *estate) *estate { return build(e).gone(exact, prefix, service, conditioned) }},
	})
}

func TestAllowWithNotAction(t *testing.T) {
	const (
		power, listed, all = iamPrefix + "user/power", iamPrefix + "role/listed", "aws:111111111111:resource/*"
	)
	powerGrant := grant(inventory.LevelAdmin, "NotAction:iam:*", "NotAction:organizations:*", "iam:ListRoles")
	powerGrant[inventory.AttrSources] = []any{"arn:aws:iam::aws:policy/PowerUserAccess"}
	build := func(e *estate) *estate {
		return e.node(identity(power, "iam_user")).node(identity(listed, "iam_role")).
			node(inventory.Node{ID: all, Kind: inventory.KindResource}).
			edge(power, inventory.EdgeCanAccess, all, powerGrant).
			edge(listed, inventory.EdgeCanAccess, all, grant(inventory.LevelWrite, "s3:*", "iam:ListRoles"))
	}
	runControlCases(t, "AAM-012", []controlCase{
		{
			name: "NotAction grant", build: build, fail: []string{power},
			check: func(t *testing.T, fs []Finding) {
				f := findingOf(t, fs, power)
				wantMessage(t, f, "iam:*", "organizations:*", "PowerUserAccess")
				var ev map[string]any
				if err := json.Unmarshal(f.Evidence, &ev); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]any{"arn:aws:iam::aws:policy/PowerUserAccess"}, ev["sources"]); diff != "" {
					t.Errorf("evidence sources (-want +got):\n%s", diff)
				}
			},
		},
		{name: "grant gone", build: func(e *estate) *estate { return build(e).gone(power) }},
	})
}

func TestBedrockLongTermAPIKey(t *testing.T) {
	const (
		forever, expiring, codecommit, inactive = "aws:service-credential:ACCAFOREVER", "aws:service-credential:ACCAEXPIRES", "aws:service-credential:ACCACODE", "aws:service-credential:ACCAOFF"
	)
	svc := func(id, service, status string, expires time.Time) inventory.Node {
		return credential(id, daysAgo(30), time.Time{}, expires, map[string]any{
			inventory.AttrType: "iam_service_credential", inventory.AttrStanding: true, "service": service, "status": status, "user_name": "bot"})
	}
	build := func(e *estate) *estate {
		return e.node(svc(forever, "bedrock.amazonaws.com", "Active", time.Time{})).
			node(svc(expiring, "bedrock.amazonaws.com", "Active", daysAgo(-30))).
			node(svc(codecommit, "codecommit.amazonaws.com", "Active", time.Time{})).
			node(svc(inactive, "bedrock.amazonaws.com", "Inactive", time.Time{}))
	}
	runControlCases(t, "AAM-022", []controlCase{
		{
			name: "Bedrock API keys, with and without expiry", build: build, fail: []string{expiring, forever},
			check: func(t *testing.T, fs []Finding) {
				if f := findingOf(t, fs, forever); f.Severity != SeverityMedium {
					t.Errorf("a key that never expires: severity %s, want medium", f.Severity)
				}
				if f := findingOf(t, fs, expiring); f.Severity != SeverityLow {
					t.Errorf("a key with an expiry: severity %s, want low", f.Severity)
				}
				wantMessage(t, findingOf(t, fs, forever), "never expires", "bot")
			},
		},
		{name: "keys gone", build: func(e *estate) *estate { return build(e).gone(forever, expiring) }},
	})
}
