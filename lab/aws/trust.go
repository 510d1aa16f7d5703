package aws

import (
	"encoding/json"
	"strings"
)

// A simple evaluation of a role's trust policy for STS AssumeRole: enough
// for the lab's estates, not the whole IAM policy language.
//
// A statement applies to the caller when its Action (a string or a list,
// with * and ? wildcards) matches sts:AssumeRole and its Principal is "*"
// or names, under AWS, the caller's account (root ARN or bare id), the
// caller's ARN or, for a session, the role it assumed. Its Condition is met
// when every key is one the lab knows and holds: sts:ExternalId
// (StringEquals, StringLike), aws:MultiFactorAuthPresent (Bool),
// aws:PrincipalArn (StringEquals, StringLike, ArnEquals, ArnLike) and
// aws:PrincipalAccount (StringEquals). A condition on any other key is
// taken as not met by an Allow and as met by a Deny, so an unknown
// condition never lets anyone in. The role may be assumed when an Allow
// applies and no Deny does.

// trustCaller is who calls AssumeRole.
type trustCaller struct {
	account      string   // account id
	arns         []string // the caller's ARN and, for a session, its role's ARN
	principalARN string   // aws:PrincipalArn: the role's ARN for a session
}

type trustStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    json.RawMessage
	Condition map[string]map[string]json.RawMessage
}

// trustAllows reports whether the trust policy doc lets caller assume the
// role, with the given external id and MFA presence.
func trustAllows(doc Document, caller trustCaller, externalID string, mfa bool) bool {
	var policy struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &policy) != nil {
		return false
	}
	var statements []trustStatement
	if json.Unmarshal(policy.Statement, &statements) != nil {
		var one trustStatement
		if json.Unmarshal(policy.Statement, &one) != nil {
			return false
		}
		statements = []trustStatement{one}
	}
	allowed := false
	for _, st := range statements {
		if !st.matchesAction() || !st.matchesPrincipal(caller) {
			continue
		}
		switch st.Effect {
		case "Deny":
			if st.conditionMet(caller, externalID, mfa, true) {
				return false
			}
		case "Allow":
			if st.conditionMet(caller, externalID, mfa, false) {
				allowed = true
			}
		}
	}
	return allowed
}

// stringsOf reads a JSON string or list of strings.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		if b {
			return []string{"true"}
		}
		return []string{"false"}
	}
	return nil
}

func (st trustStatement) matchesAction() bool {
	for _, a := range stringsOf(st.Action) {
		if wildcardMatch(strings.ToLower(a), "sts:assumerole") {
			return true
		}
	}
	return false
}

func (st trustStatement) matchesPrincipal(c trustCaller) bool {
	var single string
	if json.Unmarshal(st.Principal, &single) == nil {
		return single == "*"
	}
	var byType map[string]json.RawMessage
	if json.Unmarshal(st.Principal, &byType) != nil {
		return false
	}
	for _, p := range stringsOf(byType["AWS"]) {
		switch {
		case p == "*", p == c.account, p == "arn:aws:iam::"+c.account+":root":
			return true
		}
		for _, arn := range c.arns {
			if p == arn {
				return true
			}
		}
	}
	return false
}

// conditionMet evaluates the statement's Condition; unknown keys count as
// met for a Deny and not met for an Allow.
func (st trustStatement) conditionMet(c trustCaller, externalID string, mfa, deny bool) bool {
	for op, keys := range st.Condition {
		base := strings.TrimSuffix(op, "IfExists")
		for key, raw := range keys {
			values := stringsOf(raw)
			var actual string
			present := true
			switch strings.ToLower(key) {
			case "sts:externalid":
				actual, present = externalID, externalID != ""
			case "aws:multifactorauthpresent":
				actual = "false"
				if mfa {
					actual = "true"
				}
			case "aws:principalarn":
				actual = c.principalARN
			case "aws:principalaccount":
				actual = c.account
			default:
				return deny
			}
			if !present {
				if strings.HasSuffix(op, "IfExists") {
					continue
				}
				return false
			}
			met, known := conditionOp(base, values, actual)
			if !known {
				return deny
			}
			if !met {
				return false
			}
		}
	}
	return true
}

// conditionOp applies a condition operator; known is false for an
// operator the lab does not evaluate.
func conditionOp(op string, values []string, actual string) (met, known bool) {
	for _, v := range values {
		switch op {
		case "StringEquals", "ArnEquals", "Bool":
			if v == actual {
				return true, true
			}
		case "StringEqualsIgnoreCase":
			if strings.EqualFold(v, actual) {
				return true, true
			}
		case "StringLike", "ArnLike":
			if wildcardMatch(v, actual) {
				return true, true
			}
		default:
			return false, false
		}
	}
	return false, true
}

// wildcardMatch matches s against pattern, where * stands for any run of
// characters and ? for any one character.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
