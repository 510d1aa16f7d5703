package iampolicy

import (
	"slices"
	"strings"
)

// Subject is the identity whose access Evaluate works out.
type Subject struct {
	// ARN is the identity's own ARN (arn:aws:iam::123456789012:user/ops/sam,
	// arn:aws:iam::123456789012:role/deploy).
	ARN string
	// UserName is a user's name: the value IAM gives the policy variable
	// ${aws:username} when the user makes a request. Empty for a role.
	UserName string
}

// Owns reports whether the resource pattern can name no resource but the
// subject itself, so that an action allowed on it is an action on itself:
// the subject's own ARN, or for a user an IAM user ARN whose name is
// ${aws:username}, as in "arn:aws:iam::*:user/${aws:username}" (the pattern
// of AWS's example policies for managing one's own credentials).
//
// For the second form the partition must be the subject's or "*", the
// account the subject's or "*", and the last segment of the user's path and
// name exactly the variable (IAM user names are unique in an account and
// contain no "/"). An IAM action reaches users of the caller's account only,
// so "*" in the account field names no one else. A pattern without a path
// ("user/${aws:username}") names no user at all when the subject has a path:
// it is still the subject or nothing.
func (s Subject) Owns(resource string) bool {
	if s.ARN == "" || resource == "" {
		return false
	}
	if resource == s.ARN {
		return true
	}
	if s.UserName == "" || strings.ContainsAny(s.UserName, "*?$/") {
		return false
	}
	r, ok := substituteUserName(resource, s.UserName)
	if !ok {
		return false
	}
	got, own := strings.SplitN(r, ":", 6), strings.SplitN(s.ARN, ":", 6)
	if len(got) != 6 || len(own) != 6 || got[0] != "arn" || got[2] != "iam" || got[3] != "" {
		return false
	}
	if (got[1] != own[1] && got[1] != "*") || (got[4] != own[4] && got[4] != "*") {
		return false
	}
	rest, ok := strings.CutPrefix(got[5], "user/")
	if !ok {
		return false
	}
	return rest == s.UserName || strings.HasSuffix(rest, "/"+s.UserName)
}

// substituteUserName replaces each ${aws:username} (variable names are
// compared case-insensitively) with name; ok is false when there is none.
func substituteUserName(pattern, name string) (string, bool) {
	const variable = "${aws:username}"
	var b strings.Builder
	found := false
	for {
		i := strings.Index(strings.ToLower(pattern), variable)
		if i < 0 {
			b.WriteString(pattern)
			return b.String(), found
		}
		found = true
		b.WriteString(pattern[:i])
		b.WriteString(name)
		pattern = pattern[i+len(variable):]
	}
}

// selfEscalations are the IAM actions that, taken on one's own user or
// role, change what it may do (lower-case): its policies and permissions
// boundary, its trust policy, its tags (which policies may test as
// aws:PrincipalTag) and its name and path (which resource patterns may
// test). In the Service Authorization Reference these are the Permissions
// management and Tagging actions on the user and role resource types, with
// iam:UpdateUser.
var selfEscalations = []string{
	"iam:attachuserpolicy", "iam:detachuserpolicy", "iam:putuserpolicy", "iam:deleteuserpolicy",
	"iam:putuserpermissionsboundary", "iam:deleteuserpermissionsboundary",
	"iam:taguser", "iam:untaguser", "iam:updateuser",
	"iam:attachrolepolicy", "iam:detachrolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy",
	"iam:putrolepermissionsboundary", "iam:deleterolepermissionsboundary",
	"iam:updateassumerolepolicy", "iam:tagrole", "iam:untagrole",
}

// onSelf ranks an entry allowed only on the subject itself: Admin only when
// it can match one of selfEscalations, otherwise at most Write. Creating,
// rotating or deleting one's own access keys, password, MFA devices or
// signing certificates changes how the subject signs in, not what it may do.
func (e entry) onSelf(c Class) Class {
	if c.Level < Admin {
		return c
	}
	escalates := false
	if e.complement {
		for _, esc := range selfEscalations {
			if !slices.ContainsFunc(e.excluded, func(x string) bool { return Match(x, esc) }) {
				escalates = true
				break
			}
		}
	} else {
		escalates = slices.ContainsFunc(selfEscalations, func(esc string) bool { return Match(e.pattern, esc) })
	}
	if !escalates {
		c.Level = Write
	}
	return c
}
