package iampolicy

import (
	"fmt"
	"slices"
	"strings"
)

// TrustClass says how far a trust lets in parties beyond the one the role's
// owner meant. Classes are ordered: of several, the greatest is the worst.
type TrustClass int

// Trust classes, from the narrowest to the widest.
const (
	// TrustConstrained: the principal itself, or a condition, pins who can
	// assume the role to a party the owner named.
	TrustConstrained TrustClass = iota
	// TrustServiceUnguarded: an AWS service may assume the role with no
	// aws:SourceAccount or aws:SourceArn condition (the cross-service
	// confused deputy). Weaker than open: a service uses a role only when
	// someone who may pass it (iam:PassRole) hands it over.
	TrustServiceUnguarded
	// TrustUnknown: aam cannot judge the trust (a principal or a condition
	// it does not model).
	TrustUnknown
	// TrustOpen: parties beyond the intended one can assume the role: any
	// AWS principal, any GitHub repository, a third party's other customers.
	TrustOpen
)

var trustClassNames = [...]string{TrustConstrained: "constrained", TrustServiceUnguarded: "service-unguarded", TrustUnknown: "unknown", TrustOpen: "open"}

// String returns "constrained", "service-unguarded", "unknown" or "open".
func (c TrustClass) String() string {
	if c < TrustConstrained || c > TrustOpen {
		return fmt.Sprintf("trust(%d)", int(c))
	}
	return trustClassNames[c]
}

// TrustVerdict is a trust's class and why, in words that name the
// principal, the condition keys and the values that decided it (never the
// value of sts:ExternalId).
type TrustVerdict struct {
	Class  TrustClass
	Reason string
}

// TrustContext is what a verdict depends on besides the trust policy.
type TrustContext struct {
	// Account is the account of the role that the trust policy belongs to.
	Account string
	// Own reports whether another account belongs to the role's owner (for
	// aam: it is one of the accounts the scan covers). Nil means none does.
	Own func(account string) bool
}

func (tc TrustContext) own(account string) bool {
	return account == tc.Account || (tc.Own != nil && tc.Own(account))
}

// ClassifyTrust judges who can use one trust of a role: t, one principal of
// an Allow statement (from Trusts), under the Deny statements of the same
// policy (from TrustDenies). The rules, each from AWS's documentation, are
// listed in docs/aws-trust.md:
//
//   - "*" ({"AWS": "*"}, or NotPrincipal) is open unless a condition pins
//     the caller: aws:PrincipalOrgID or aws:PrincipalOrgPaths (an
//     organization), aws:SourceAccount or aws:SourceArn (services acting for
//     an account), aws:PrincipalAccount or aws:PrincipalArn (accounts, then
//     judged as account principals). sts:ExternalId alone does not pin:
//     AWS does not treat an external id as a secret.
//   - An AWS account or ARN principal of the role's account, or of an account
//     tc.Own names, is constrained (that account's IAM decides who); of any
//     other account it is open without sts:ExternalId (the confused deputy)
//     and constrained with it.
//   - A service principal is service-unguarded without an aws:SourceAccount
//     or aws:SourceArn condition that names an account or resource.
//   - A GitHub Actions or EKS OIDC provider is open unless the subject is
//     pinned to an owner (GitHub) or a namespace (EKS) that the condition
//     names literally; a Cognito identity pool needs an aud condition;
//     Login with Amazon, Facebook and Google need their app id condition.
//     A SAML provider is constrained: the account's own IdP decides. Other
//     OIDC providers are unknown unless the subject is a literal.
//
// A condition pins only under a positive string or ARN operator (StringEquals,
// StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, and their
// ForAnyValue: forms), not ...IfExists (it holds when the key is absent),
// not ForAllValues: (it holds when the key is absent), not Null and not a
// negated operator. Under StringLike and the ARN operators a value is a
// pattern, judged by what it admits: it pins when the part before its
// first wildcard already names the party. Every value of a condition must
// pin (they are alternatives); one pinning condition suffices (conditions
// are all required). A Deny whose principal covers t's, whose actions
// cover t's, and whose only condition is a negated operator on a pinning
// key (StringNotEquals aws:PrincipalOrgID, with or without IfExists) pins
// like the positive condition; a Deny without conditions refuses everyone.
func ClassifyTrust(t Trust, denies []Trust, tc TrustContext) TrustVerdict {
	r := collect(t, denies)
	if r.deniedAll != "" {
		return TrustVerdict{TrustConstrained, strings.TrimSpace("a Deny statement"+r.deniedAll) + " refuses every caller: no one can assume the role"}
	}
	p := t.Principal
	switch {
	case p.Wildcard():
		return judgeAnyone(t, r, tc)
	case p.Type == "AWS":
		return judgeAWSPrincipal(p.ID, r, tc)
	case p.Type == "Service":
		return judgeService(p.ID, r)
	case p.Type == "Federated":
		return judgeFederated(p.ID, r)
	}
	return TrustVerdict{TrustUnknown, fmt.Sprintf("a %s principal in a trust policy: aam does not judge it", p.Type)}
}

// WorseTrust returns the worse of two verdicts, a when they are equal.
func WorseTrust(a, b TrustVerdict) TrustVerdict {
	if b.Class > a.Class {
		return b
	}
	return a
}

// requirement is what a condition (of the Allow statement, or of a Deny
// that covers it) demands for the trust to be usable: the key's value must
// match one of values.
type requirement struct {
	key    string
	values []string
	like   bool // the values are patterns (StringLike, the ARN operators)
	deny   bool // it comes from a Deny statement's negated condition
}

// what describes the requirement for a reason: `key "v1"|"v2"`.
func (q requirement) what() string {
	quoted := make([]string, len(q.values))
	for i, v := range q.values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	s := q.key + " " + strings.Join(quoted, "|")
	if q.deny {
		s += " (by a Deny)"
	}
	return s
}

// requirements is what collect learns from a trust and the denies over it.
type requirements struct {
	reqs []requirement
	// loose are the keys tested in a way that never pins: IfExists,
	// ForAllValues:, Null, negated operators, other operators.
	loose []string
	// deniedAll names (" (Sid x)" or " ") a Deny that refuses every caller.
	deniedAll string
}

// on returns the requirements on key, compared case-insensitively as IAM
// compares condition keys.
func (r requirements) on(key string) []requirement {
	var out []requirement
	for _, q := range r.reqs {
		if strings.EqualFold(q.key, key) {
			out = append(out, q)
		}
	}
	return out
}

// operator is a condition operator taken apart.
type operator struct {
	set      string // "ForAnyValue", "ForAllValues" or ""
	base     string // lower case, without the set prefix and IfExists
	ifExists bool
}

func parseOperator(op string) operator {
	var o operator
	if i := strings.IndexByte(op, ':'); i >= 0 {
		o.set, op = op[:i], op[i+1:]
	}
	const suffix = "ifexists"
	if len(op) > len(suffix) && strings.EqualFold(op[len(op)-len(suffix):], suffix) {
		o.ifExists, op = true, op[:len(op)-len(suffix)]
	}
	o.base = strings.ToLower(op)
	return o
}

// positiveOps and negatedOps are the string and ARN operators, with whether
// their values are patterns. ArnEquals and ArnLike behave identically and
// both take wildcards.
var (
	positiveOps = map[string]bool{"stringequals": false, "stringequalsignorecase": false, "stringlike": true, "arnequals": true, "arnlike": true}
	negatedOps  = map[string]bool{"stringnotequals": false, "stringnotequalsignorecase": false, "stringnotlike": true, "arnnotequals": true, "arnnotlike": true}
)

func collect(t Trust, denies []Trust) requirements {
	var r requirements
	for _, op := range sortedKeys(t.Conditions) {
		o := parseOperator(op)
		like, positive := positiveOps[o.base]
		pins := positive && !o.ifExists && (o.set == "" || strings.EqualFold(o.set, "ForAnyValue"))
		for _, key := range sortedKeys(t.Conditions[op]) {
			if !pins {
				r.loose = append(r.loose, key+" ("+op+")")
				continue
			}
			r.reqs = append(r.reqs, requirement{key: key, values: t.Conditions[op][key], like: like})
		}
	}
	for _, d := range denies {
		if !denyCovers(d, t) {
			continue
		}
		if len(d.Conditions) == 0 {
			r.deniedAll = " "
			if d.Sid != "" {
				r.deniedAll = fmt.Sprintf(" (Sid %q)", d.Sid)
			}
			continue
		}
		// Only a Deny of one negated test pins: with more tests it applies
		// only when all of them hold, and refuses less.
		if len(d.Conditions) != 1 {
			continue
		}
		for op, keys := range d.Conditions {
			o := parseOperator(op)
			like, negated := negatedOps[o.base]
			if !negated || o.set != "" || len(keys) != 1 {
				continue
			}
			for key, values := range keys {
				r.reqs = append(r.reqs, requirement{key: key, values: values, like: like, deny: true})
			}
		}
	}
	return r
}

// denyCovers reports whether the Deny d refuses every use of t that its
// conditions allow: its principal is everyone (or t's own), and its actions
// cover each sts:AssumeRole* action t allows.
func denyCovers(d, t Trust) bool {
	if len(d.Except) > 0 || !(d.Principal.Wildcard() || (d.Principal.Type == t.Principal.Type && d.Principal.ID == t.Principal.ID)) {
		return false
	}
	var need []string
	for _, a := range t.Actions {
		switch {
		case strings.HasPrefix(a, "NotAction:"), Covers(a, assumeRolePattern):
			need = append(need, assumeRolePattern)
		case actionOverlaps(a, assumeRolePattern):
			need = append(need, a)
		}
	}
	for _, n := range need {
		if !slices.ContainsFunc(d.Actions, func(p string) bool { return !strings.HasPrefix(p, "NotAction:") && Covers(p, n) }) {
			return false
		}
	}
	return len(need) > 0
}

// literalPrefix returns the part of an IAM pattern before its first
// wildcard, and whether it has one.
func literalPrefix(p string) (string, bool) {
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		return p[:i], true
	}
	return p, false
}

// literalValue reports whether a condition value admits one string only.
func literalValue(v string, like bool) bool {
	_, wild := literalPrefix(v)
	return !like || !wild
}

// arnAccount returns the account field of an ARN value when the value
// names it literally (a pattern's wildcards all come after it).
func arnAccount(v string, like bool) (string, bool) {
	lit := v
	if like {
		lit, _ = literalPrefix(v)
	}
	parts := strings.SplitN(lit, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", false
	}
	return parts[4], true
}

// anyPins returns the first requirement of qs whose every value pins, by
// pin: values are alternatives, so one that does not pin lets others in,
// while any one requirement that pins suffices, since all must hold.
func anyPins(qs []requirement, pin func(v string, like bool) bool) (requirement, bool) {
	for _, q := range qs {
		ok := true
		for _, v := range q.values {
			ok = ok && pin(v, q.like)
		}
		if ok {
			return q, true
		}
	}
	return requirement{}, false
}

// Condition keys that pin the caller of a wildcard principal.
const (
	keyOrgID         = "aws:PrincipalOrgID"
	keyOrgPaths      = "aws:PrincipalOrgPaths"
	keySourceAccount = "aws:SourceAccount"
	keySourceArn     = "aws:SourceArn"
	keyAccount       = "aws:PrincipalAccount"
	keyPrincipalArn  = "aws:PrincipalArn"
	keyExternalID    = "sts:ExternalId"
)

// orgPin finds a condition that limits callers to one organization, or an
// organizational unit of one.
func orgPin(r requirements) (requirement, bool) {
	if q, ok := anyPins(r.on(keyOrgID), literalValue); ok {
		return q, true
	}
	return anyPins(r.on(keyOrgPaths), func(v string, like bool) bool {
		lit := v
		if like {
			lit, _ = literalPrefix(v)
		}
		return strings.Contains(lit, "/")
	})
}

// sourcePin finds a condition that limits a service to acting for a named
// account (aws:SourceAccount, or an aws:SourceArn whose account is literal)
// or a named resource (an aws:SourceArn without wildcards).
func sourcePin(r requirements) (requirement, bool) {
	if q, ok := anyPins(r.on(keySourceAccount), literalValue); ok {
		return q, true
	}
	return anyPins(r.on(keySourceArn), func(v string, like bool) bool {
		acct, ok := arnAccount(v, like)
		return ok && (acct != "" || literalValue(v, like))
	})
}

// accountPin returns the accounts a condition limits callers to, through
// aws:PrincipalAccount or the account of aws:PrincipalArn.
func accountPin(r requirements) (requirement, []string, bool) {
	if q, ok := anyPins(r.on(keyAccount), literalValue); ok {
		return q, slices.Clone(q.values), true
	}
	q, ok := anyPins(r.on(keyPrincipalArn), func(v string, like bool) bool {
		acct, ok := arnAccount(v, like)
		return ok && acct != ""
	})
	if !ok {
		return q, nil, false
	}
	var accounts []string
	for _, v := range q.values {
		acct, _ := arnAccount(v, q.like)
		if !slices.Contains(accounts, acct) {
			accounts = append(accounts, acct)
		}
	}
	return q, accounts, true
}

// externalID reports whether the trust requires an sts:ExternalId that
// the caller cannot choose: every value is literal.
func externalID(r requirements) bool {
	_, ok := anyPins(r.on(keyExternalID), literalValue)
	return ok
}

// notPinning are condition keys (or key prefixes, ending in "/") that limit
// how a request is made, not who makes it: under a wildcard principal they
// leave the trust open.
var notPinning = []string{
	"sts:externalid", "sts:rolesessionname", "sts:sourceidentity", "sts:transitivetagkeys",
	"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip", "aws:securetransport",
	"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:currenttime", "aws:epochtime",
	"aws:tokenissuetime", "aws:principaltag/", "aws:requesttag/", "aws:tagkeys", "aws:principaltype",
	"aws:requestedregion", "aws:useragent", "aws:referer", "aws:username", "aws:viaawsservice",
	"aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
}

// judgedKeys are the keys judgeAnyone reads.
var judgedKeys = []string{keyOrgID, keyOrgPaths, keySourceAccount, keySourceArn, keyAccount, keyPrincipalArn}

// unjudged lists the keys of r's requirements that aam neither reads as a
// pin nor knows not to pin.
func unjudged(r requirements) []string {
	var out []string
	for _, q := range r.reqs {
		k := strings.ToLower(q.key)
		known := slices.ContainsFunc(judgedKeys, func(j string) bool { return strings.EqualFold(j, k) }) ||
			slices.ContainsFunc(notPinning, func(p string) bool {
				return k == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(k, p))
			})
		if !known && !slices.Contains(out, q.key) {
			out = append(out, q.key)
		}
	}
	return out
}

// judgeAnyone judges "*" (and NotPrincipal, which admits everyone else).
func judgeAnyone(t Trust, r requirements, tc TrustContext) TrustVerdict {
	who := `any AWS principal (Principal "*")`
	if len(t.Except) > 0 {
		who = "any AWS principal but those NotPrincipal names"
	}
	if q, ok := orgPin(r); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, but only in the organization %s", who, q.what())}
	}
	if q, ok := sourcePin(r); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, but only AWS services acting for %s", who, q.what())}
	}
	if q, accounts, ok := accountPin(r); ok {
		v := judgeAccounts(accounts, r, tc)
		v.Reason = fmt.Sprintf("%s, but only callers of %s: %s", who, q.what(), v.Reason)
		return v
	}
	if keys := unjudged(r); len(keys) > 0 {
		return TrustVerdict{TrustUnknown, fmt.Sprintf("%s; no condition aam reads pins the caller, and it does not judge %s", who, strings.Join(keys, ", "))}
	}
	if externalID(r) {
		return TrustVerdict{TrustOpen, who + ", guarded only by sts:ExternalId: AWS does not treat an external id as a secret, so whoever learns it can assume the role"}
	}
	return TrustVerdict{TrustOpen, who + looseNote(r) + ", and no condition pins who the caller is (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn)"}
}

// looseNote names the conditions read that do not pin, for a reason.
func looseNote(r requirements) string {
	var keys []string
	for _, q := range r.reqs {
		keys = append(keys, q.key)
	}
	keys = append(keys, r.loose...)
	if len(keys) == 0 {
		return ""
	}
	return " (its conditions on " + strings.Join(keys, ", ") + " do not pin the caller)"
}

// judgeAWSPrincipal judges an account, role, user or session principal.
func judgeAWSPrincipal(id string, r requirements, tc TrustContext) TrustVerdict {
	acct, ok := arnAccount(id, false)
	if !ok || acct == "" {
		if uniqueID(id) {
			return TrustVerdict{TrustConstrained, fmt.Sprintf("names %s, the unique id IAM shows for a principal that was deleted: no one can assume through it", id)}
		}
		return TrustVerdict{TrustUnknown, fmt.Sprintf("the principal %q is not an ARN aam can read an account from", id)}
	}
	return judgeAccounts([]string{acct}, r, tc)
}

// uniqueID reports whether id has the shape of an IAM unique id (AROA...,
// AIDA...): upper-case letters and digits, starting with "A".
func uniqueID(id string) bool {
	if len(id) < 16 || id[0] != 'A' {
		return false
	}
	for _, c := range id {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// judgeAccounts judges principals of the given accounts: the role's own and
// the owner's other accounts decide with their own IAM; a third party needs
// sts:ExternalId.
func judgeAccounts(accounts []string, r requirements, tc TrustContext) TrustVerdict {
	var foreign []string
	for _, a := range accounts {
		if !tc.own(a) {
			foreign = append(foreign, a)
		}
	}
	switch {
	case len(foreign) == 0 && len(accounts) == 1 && accounts[0] == tc.Account:
		return TrustVerdict{TrustConstrained, fmt.Sprintf("a principal of the role's own account %s: its IAM policies decide who may assume", tc.Account)}
	case len(foreign) == 0:
		return TrustVerdict{TrustConstrained, fmt.Sprintf("account %s, which aam scans (an account of the owner): its IAM policies decide who may assume", strings.Join(accounts, ", "))}
	case externalID(r):
		return TrustVerdict{TrustConstrained, fmt.Sprintf("third-party account %s must send sts:ExternalId: the party names this customer when it assumes (the confused deputy is mitigated)", strings.Join(foreign, ", "))}
	}
	return TrustVerdict{TrustOpen, fmt.Sprintf("third-party account %s (not scanned by aam) may assume without sts:ExternalId: if it serves other customers, any of them can have it assume this role (the confused deputy)", strings.Join(foreign, ", "))}
}

// judgeService judges an AWS service principal.
func judgeService(service string, r requirements) TrustVerdict {
	if q, ok := sourcePin(r); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, only when acting for %s", service, q.what())}
	}
	return TrustVerdict{TrustServiceUnguarded, fmt.Sprintf("%s may assume it for a resource of any account: no aws:SourceAccount or aws:SourceArn condition names one (the cross-service confused deputy); the service gets the role only from someone allowed to pass it (iam:PassRole)", service)}
}

// ownerClaim is a claim a subject may begin with that names the owner, and
// the character that ends the owner's name.
type ownerClaim struct {
	prefix string
	end    byte
}

// Subjects of GitHub Actions tokens: repo:OWNER/REPO:... by default (also
// repo:OWNER@ID/REPO@ID:... in the immutable form), or a customized
// template that begins with the owner's or the repository's id.
var githubSubjects = []ownerClaim{{"repo:", '/'}, {"repository_owner:", ':'}, {"repository_owner_id:", ':'}, {"repository_id:", ':'}}

// Subjects of EKS service-account tokens: system:serviceaccount:NAMESPACE:NAME.
var eksSubjects = []ownerClaim{{"system:serviceaccount:", ':'}}

// ownerOf returns the owner a subject value names literally: the value
// begins with one of claims and the owner's name ends before the first
// wildcard, or the value has no wildcard at all (then the owner is "": it
// admits that one subject). The subject is compared case-sensitively, as
// StringLike does.
func ownerOf(v string, like bool, claims []ownerClaim) (string, bool) {
	lit, wild := v, false
	if like {
		lit, wild = literalPrefix(v)
	}
	for _, c := range claims {
		rest, ok := strings.CutPrefix(lit, c.prefix)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, c.end); i > 0 {
			return rest[:i], true
		}
	}
	return "", !wild
}

// judgeFederated judges a SAML or OIDC provider, or a built-in web identity
// provider.
func judgeFederated(id string, r requirements) TrustVerdict {
	if i := strings.Index(id, ":saml-provider/"); i >= 0 {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("users of the SAML identity provider %s registered in the account: the provider decides who receives this role", id[i+len(":saml-provider/"):])}
	}
	issuer := id
	if _, after, ok := strings.Cut(id, ":oidc-provider/"); ok {
		issuer = after
	}
	switch {
	case issuer == "cognito-identity.amazonaws.com":
		return appPin(r, issuer, issuer+":aud", "identities of any Amazon Cognito identity pool")
	case issuer == "www.amazon.com", issuer == "graph.facebook.com":
		return appPin(r, issuer, issuer+":app_id", "users of any app that signs in with "+issuer)
	case issuer == "accounts.google.com":
		return appPin(r, issuer, issuer+":aud", "users of any app that signs in with Google")
	case isGitHubIssuer(issuer):
		return judgeGitHub(issuer, r)
	case isEKSIssuer(issuer):
		return judgeSubject(issuer, r, eksSubjects, "namespace", "service accounts of any namespace of the cluster")
	}
	if q, ok := anyPins(r.on(issuer+":sub"), literalValue); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, only the subject %s", issuer, q.what())}
	}
	return TrustVerdict{TrustUnknown, fmt.Sprintf("aam does not know whom %s issues tokens to (STS checks only that the audience is one of the provider's client ids): check that a condition names the intended subject", issuer)}
}

// isGitHubIssuer: GitHub.com's issuer, an enterprise's own issuer under it,
// or a GitHub Enterprise Server's HOSTNAME/_services/token.
func isGitHubIssuer(issuer string) bool {
	const host = "token.actions.githubusercontent.com"
	return issuer == host || strings.HasPrefix(issuer, host+"/") || strings.HasSuffix(issuer, "/_services/token")
}

// isEKSIssuer: oidc.eks.REGION.amazonaws.com/id/CLUSTER (or .com.cn).
func isEKSIssuer(issuer string) bool {
	return strings.HasPrefix(issuer, "oidc.eks.") && strings.Contains(issuer, ".amazonaws.com") && strings.Contains(issuer, "/id/")
}

// appPin judges a provider whose condition key names the app (or pool).
func appPin(r requirements, issuer, key, anyone string) TrustVerdict {
	if q, ok := anyPins(r.on(key), literalValue); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, only %s", issuer, q.what())}
	}
	return TrustVerdict{TrustOpen, fmt.Sprintf("%s with no literal %s condition: %s can assume", issuer, key, anyone)}
}

// GitHub claims that, as their own condition keys, name the owner.
var (
	githubOwnerKeys      = []string{"repository_owner", "repository_owner_id", "repository_id", "enterprise", "enterprise_id"}
	githubRepositoryKeys = []ownerClaim{{"", '/'}} // repository: OWNER/REPO
)

// judgeGitHub judges a GitHub Actions trust: the owner of the repository
// must be named, by the subject or by an owner claim.
func judgeGitHub(issuer string, r requirements) TrustVerdict {
	for _, k := range githubOwnerKeys {
		if q, ok := anyPins(r.on(issuer+":"+k), literalValue); ok {
			return TrustVerdict{TrustConstrained, fmt.Sprintf("GitHub Actions workflows, only %s", q.what())}
		}
	}
	if q, ok := anyPins(r.on(issuer+":repository"), func(v string, like bool) bool { _, ok := ownerOf(v, like, githubRepositoryKeys); return ok }); ok {
		return TrustVerdict{TrustConstrained, fmt.Sprintf("GitHub Actions workflows, only %s", q.what())}
	}
	return judgeSubject(issuer, r, githubSubjects, "owner", "workflows of any GitHub repository")
}

// judgeSubject judges an OIDC trust whose subject names an owner (GitHub)
// or a namespace (EKS) first.
func judgeSubject(issuer string, r requirements, claims []ownerClaim, owner, anyone string) TrustVerdict {
	key := issuer + ":sub"
	subs := r.on(key)
	if q, ok := anyPins(subs, func(v string, like bool) bool { _, ok := ownerOf(v, like, claims); return ok }); ok {
		var owners []string
		for _, v := range q.values {
			o, _ := ownerOf(v, q.like, claims)
			name := owner + " " + o
			if o == "" {
				name = fmt.Sprintf("the subject %q", v)
			}
			if !slices.Contains(owners, name) {
				owners = append(owners, name)
			}
		}
		return TrustVerdict{TrustConstrained, fmt.Sprintf("%s, only %s (%s)", issuer, strings.Join(owners, ", "), q.what())}
	}
	if len(subs) > 0 {
		var what []string
		for _, q := range subs {
			what = append(what, q.what())
		}
		return TrustVerdict{TrustOpen, fmt.Sprintf("%s does not name the %s before its first wildcard: %s can match it", strings.Join(what, " and "), owner, anyone)}
	}
	for _, l := range r.loose {
		if k, op, ok := strings.Cut(l, " ("); ok && strings.EqualFold(k, key) {
			return TrustVerdict{TrustOpen, fmt.Sprintf("%s is tested only under %s, which holds without pinning it: %s can assume", key, strings.TrimSuffix(op, ")"), anyone)}
		}
	}
	return TrustVerdict{TrustOpen, fmt.Sprintf("no condition names the subject (%s): %s can assume; STS checks only the audience", key, anyone)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
