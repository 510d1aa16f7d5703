package aws

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxProblems bounds how many problems Validate lists.
const maxProblems = 25

// Validate checks the estate: account ids are 12 digits and unique; every
// account has scanner credentials; access key ids are unique across the
// whole estate; key statuses are known; names, paths and dates are set and
// well formed; policy documents are JSON objects; managed policy ARNs and
// permissions boundaries name a policy of the account or a built-in
// AWS-managed one; group memberships name groups that exist; in each region,
// resources have well-formed, unique names and ids, and their references
// (roles, functions, knowledge bases, credential providers, workload
// identities, alias versions) name something that exists. Each problem
// names the account and entity and says what to fix; secrets and
// environment values are never quoted. Empty paths, key statuses, ids and
// other defaulted fields are taken as their defaults.
func (e *Estate) Validate() error {
	v := validator{keyOwners: map[string]string{}}
	if len(e.Accounts) == 0 {
		v.addf("estate", "has no accounts: list at least one under accounts:")
	}
	ids := map[string]bool{}
	profiles := map[string]string{}
	for i := range e.Accounts {
		a := &e.Accounts[i]
		where := fmt.Sprintf("account #%d", i+1)
		if a.ID != "" {
			where = "account " + a.ID
			if a.Alias != "" {
				where += " (" + a.Alias + ")"
			}
		}
		if !isAccountID(a.ID) {
			v.addf(where, "id %q is not a 12-digit account id: write it as 12 digits, quoted", a.ID)
		} else if ids[a.ID] {
			v.addf(where, "the id is used by another account too: give each account its own id")
		}
		ids[a.ID] = true
		if a.Alias != "" && !isAccountAlias(a.Alias) {
			v.addf(where, "alias %q is not a valid account alias: use 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen", a.Alias)
		}
		if prev, ok := profiles[a.ProfileName()]; ok {
			v.addf(where, "profile name %q is also the name of %s: give the accounts distinct aliases", a.ProfileName(), prev)
		}
		profiles[a.ProfileName()] = where
		v.account(where, a)
	}
	return v.err()
}

type validator struct {
	problems  []string
	keyOwners map[string]string // access key id -> where it is defined
}

func (v *validator) addf(where, format string, args ...any) {
	v.problems = append(v.problems, where+": "+fmt.Sprintf(format, args...))
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	shown := v.problems
	if len(shown) > maxProblems {
		shown = shown[:maxProblems]
	}
	errs := make([]error, 0, len(shown)+1)
	for _, p := range shown {
		errs = append(errs, errors.New("estate: "+p))
	}
	if n := len(v.problems) - len(shown); n > 0 {
		errs = append(errs, fmt.Errorf("estate: and %d more problems: fix the ones above first", n))
	}
	return errors.Join(errs...)
}

func (v *validator) accessKeyID(where, id string) {
	if !isAccessKeyID(id) {
		v.addf(where, "access key id %q is not a valid key id: use 16 to 128 letters, digits or underscores, such as AKIA followed by 16 upper-case letters and digits", id)
		return
	}
	if prev, ok := v.keyOwners[id]; ok {
		v.addf(where, "access key id %s is also used by %s: access key ids must be unique across the whole estate", id, prev)
		return
	}
	v.keyOwners[id] = where
}

func (v *validator) account(where string, a *Account) {
	if a.AccessKeyID == "" {
		v.addf(where, "access_key_id is empty: set the key id a scanner signs with for this account")
	} else {
		v.accessKeyID(where+" scanner credentials", a.AccessKeyID)
	}
	if a.SecretAccessKey == "" {
		v.addf(where, "secret_access_key is empty: set the lab secret that goes with access_key_id")
	}
	if a.Principal != "" && isAccountID(a.ID) && !isPrincipalOf(a.Principal, a.ID) {
		v.addf(where, "principal %q is not an IAM or STS ARN of this account: write arn:aws:iam::%s:user/NAME, or leave it out", a.Principal, a.ID)
	}

	groups := map[string]bool{}
	for _, g := range a.Groups {
		groups[strings.ToLower(g.Name)] = true
	}
	policies := v.policies(where, a)
	attachable := func(arn string) string {
		if policies[arn] {
			return ""
		}
		if _, ok := lookupAWSManagedARN(arn); ok {
			return ""
		}
		if other := arnAccount(arn); other != "" && other != "aws" && other != a.ID {
			return fmt.Sprintf("managed policy %s belongs to account %s: attach a policy of this account or an AWS-managed one", arn, other)
		}
		return fmt.Sprintf("managed policy %s does not exist: attach a policy listed under this account's policies, or one of the built-in AWS-managed policies (%s)", arn, strings.Join(AWSManagedPolicyNames(), ", "))
	}
	checkManaged := func(w string, arns []string) {
		seen := map[string]bool{}
		for _, arn := range arns {
			if msg := attachable(arn); msg != "" {
				v.addf(w, "%s", msg)
			}
			if seen[arn] {
				v.addf(w, "managed policy %s is attached twice: list it once", arn)
			}
			seen[arn] = true
		}
	}

	names := map[string]bool{}
	for i := range a.Roles {
		r := &a.Roles[i]
		w := entityWhere(where, "role", r.Name, i)
		v.name(w, "role", r.Name, 64, names)
		v.path(w, r.Path)
		v.created(w, r.Created)
		if r.LastUsed != nil {
			if r.LastUsed.Date.IsZero() {
				v.addf(w, "last_used has no date: set last_used.date, or drop last_used for a role never used")
			} else if r.LastUsed.Date.Before(r.Created) {
				v.addf(w, "last_used.date is before created: a role cannot be used before it exists")
			}
			if r.LastUsed.Region == "" {
				v.addf(w, "last_used has no region: set last_used.region, such as us-east-1")
			}
		}
		v.document(w+": trust_policy", r.TrustPolicy)
		v.inline(w, r.InlinePolicies)
		checkManaged(w, r.ManagedPolicies)
		v.tags(w, r.Tags)
		if r.PermissionsBoundary != "" {
			if msg := attachable(r.PermissionsBoundary); msg != "" {
				v.addf(w, "permissions_boundary: %s", msg)
			}
		}
	}

	names = map[string]bool{}
	for i := range a.Users {
		u := &a.Users[i]
		w := entityWhere(where, "user", u.Name, i)
		v.name(w, "user", u.Name, 64, names)
		v.path(w, u.Path)
		v.created(w, u.Created)
		for _, g := range u.Groups {
			if !groups[strings.ToLower(g)] {
				v.addf(w, "group %q does not exist in this account: add it under groups, or remove it from the user", g)
			}
		}
		v.inline(w, u.InlinePolicies)
		checkManaged(w, u.ManagedPolicies)
		v.tags(w, u.Tags)
		if u.PermissionsBoundary != "" {
			if msg := attachable(u.PermissionsBoundary); msg != "" {
				v.addf(w, "permissions_boundary: %s", msg)
			}
		}
		if len(u.AccessKeys) > 2 {
			v.addf(w, "has %d access keys: AWS allows at most two per user", len(u.AccessKeys))
		}
		for j, k := range u.AccessKeys {
			kw := fmt.Sprintf("%s: access key #%d", w, j+1)
			if k.ID != "" {
				kw = w + ": access key " + k.ID
			}
			v.accessKeyID(kw, k.ID)
			if s := k.status(); s != KeyActive && s != KeyInactive {
				v.addf(kw, "status %q is not known: use Active or Inactive", s)
			}
			v.created(kw, k.Created)
			if k.LastUsed != nil {
				if k.LastUsed.Date.IsZero() {
					v.addf(kw, "last_used has no date: set last_used.date, or drop last_used for a key never used")
				} else if k.LastUsed.Date.Before(k.Created) {
					v.addf(kw, "last_used.date is before created: a key cannot be used before it exists")
				}
				if k.LastUsed.Service == "" || k.LastUsed.Region == "" {
					v.addf(kw, "last_used needs a service and a region, such as service: s3 and region: us-east-1")
				}
			}
		}
		v.serviceCredentials(w, u)
	}

	names = map[string]bool{}
	for i := range a.Groups {
		g := &a.Groups[i]
		w := entityWhere(where, "group", g.Name, i)
		v.name(w, "group", g.Name, 128, names)
		v.path(w, g.Path)
		v.created(w, g.Created)
		v.inline(w, g.InlinePolicies)
		checkManaged(w, g.ManagedPolicies)
	}

	v.regions(where, a)
}

// policies validates the account's customer-managed policies and returns
// the set of their ARNs.
func (v *validator) policies(where string, a *Account) map[string]bool {
	arns := map[string]bool{}
	names := map[string]bool{}
	for i := range a.Policies {
		p := &a.Policies[i]
		w := entityWhere(where, "policy", p.Name, i)
		v.name(w, "policy", p.Name, 128, names)
		v.path(w, p.Path)
		v.created(w, p.Created)
		if len(p.Description) > 1000 {
			v.addf(w, "description is longer than 1000 characters: shorten it")
		}
		v.document(w+": document", p.Document)
		arns[a.arn("policy", p.Path, p.Name)] = true
	}
	return arns
}

func entityWhere(account, kind, name string, i int) string {
	if name == "" {
		return fmt.Sprintf("%s: %s #%d", account, kind, i+1)
	}
	return account + ": " + kind + " " + name
}

func (v *validator) name(where, kind, name string, max int, seen map[string]bool) {
	switch {
	case name == "":
		v.addf(where, "has no name: set name")
		return
	case len(name) > max || !isIAMName(name):
		v.addf(where, "name %q is not a valid %s name: use up to %d letters, digits and +=,.@_-", name, kind, max)
	}
	if seen[strings.ToLower(name)] {
		v.addf(where, "another %s has the same name (IAM names ignore case): rename one", kind)
	}
	seen[strings.ToLower(name)] = true
}

func (v *validator) path(where, path string) {
	p := pathOrRoot(path)
	if len(p) > 512 || p[0] != '/' || p[len(p)-1] != '/' || !printableASCII(p) {
		v.addf(where, "path %q is not a valid IAM path: start and end it with /, such as /service-role/", path)
	}
}

func (v *validator) created(where string, t time.Time) {
	if t.IsZero() {
		v.addf(where, "created is not set: set created, such as created: 2025-01-31T09:00:00Z")
	}
}

func (v *validator) document(where string, d Document) {
	if err := d.check(); err != nil {
		v.addf(where, "the policy document %v", err)
	}
}

func (v *validator) inline(where string, policies []InlinePolicy) {
	names := map[string]bool{}
	for i, p := range policies {
		w := fmt.Sprintf("%s: inline policy #%d", where, i+1)
		if p.Name != "" {
			w = where + ": inline policy " + p.Name
		}
		v.name(w, "inline policy", p.Name, 128, names)
		v.document(w, p.Document)
	}
}

func (v *validator) tags(where string, tags map[string]string) {
	if len(tags) > 50 {
		v.addf(where, "has %d tags: IAM allows at most 50", len(tags))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case k == "" || len(k) > 128:
			v.addf(where, "tag key %q must be 1 to 128 characters long", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			v.addf(where, "tag key %q uses the reserved prefix aws:: rename it", k)
		}
		if len(tags[k]) > 256 {
			v.addf(where, "the value of tag %q is longer than 256 characters: shorten it", k)
		}
	}
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

func isAccountAlias(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isIAMName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// arnAccount returns the account field of an ARN, or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// isPrincipalOf reports whether arn is an IAM or STS ARN of account.
func isPrincipalOf(arn, account string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && strings.HasPrefix(parts[1], "aws") &&
		(parts[2] == "iam" || parts[2] == "sts") && parts[4] == account && parts[5] != ""
}
