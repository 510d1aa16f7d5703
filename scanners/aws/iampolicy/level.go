package iampolicy

import (
	"fmt"
	"strings"
)

// Level ranks the access an action grants. Levels are ordered, so the highest
// of several is their maximum.
type Level int

// Levels from least to most access.
const (
	// None: the pattern matches no action (for example "" or "a:b:c").
	None Level = iota
	// Read: lists, describes or reads data, without changing anything.
	Read
	// Write: changes resources or data, or assumes a role, without changing
	// who may do what.
	Write
	// Admin: can change who may do what (IAM and Organizations writes,
	// iam:PassRole, "*"), which in practice means it can grant itself
	// anything.
	Admin
)

var levelNames = [...]string{None: "none", Read: "read", Write: "write", Admin: "admin"}

// String returns "none", "read", "write" or "admin".
func (l Level) String() string {
	if l < None || l > Admin {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// MarshalText encodes l as its String form, so that it reads well in JSON.
func (l Level) MarshalText() ([]byte, error) {
	if l < None || l > Admin {
		return nil, fmt.Errorf("invalid level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText decodes the String form of a level.
func (l *Level) UnmarshalText(text []byte) error {
	for i, name := range levelNames {
		if string(text) == name {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("unknown level %s: use none, read, write or admin", excerpt(string(text)))
}

// Class is what Classify learns about an action or action pattern.
type Class struct {
	Level Level
	// Sensitive is set when the pattern can match an action that reads a
	// stored secret or decrypts data: kms:Decrypt,
	// secretsmanager:GetSecretValue and BatchGetSecretValue,
	// ssm:GetParameter, GetParameters, GetParametersByPath and
	// GetParameterHistory, and the Bedrock AgentCore token vault's
	// bedrock-agentcore:GetResourceApiKey and GetResourceOauth2Token. These
	// are reads, but what they read is a credential.
	Sensitive bool
}

// ActionLevel returns the highest level of any action the pattern can match;
// see Classify.
func ActionLevel(action string) Level { return Classify(action).Level }

// Classify ranks an action ("s3:GetObject") or an action pattern ("s3:Get*",
// "*"), case-insensitively. A pattern gets the highest level of any action it
// can match, so the answer may over-state, never under-state, what it grants.
//
// Without a catalogue of every AWS action, the level is read from the action
// name (the part after "service:"):
//
//   - A name that starts with a read verb is Read: Get, List, Describe, Head,
//     View, Search, Lookup, Query, Scan, BatchGet, Select, Check, Retrieve,
//     Read and Download (downloading is reading data, as s3:GetObject is),
//     and for iam also Generate and Simulate (credential and access reports,
//     policy simulation). A wildcard name is Read only when every name it can
//     match starts with such a verb: "s3:Get*" is Read, "s3:*Object" is not.
//   - kms:Decrypt is Read. It is also Sensitive; see Class.
//   - Any other iam or organizations action is Admin; iam:PassRole
//     included, since passing a role to a service is privilege escalation.
//   - Any other sts action is Write: sts:AssumeRole is Write whatever the
//     resource, and whether assuming a role escalates is left to the analysis
//     of the role's own access. "sts:*" is the exception, see below.
//   - Any other action of any other service is Write.
//   - "*", "*:*" and the full-service wildcards "iam:*", "organizations:*" and
//     "sts:*" are Admin. Other full-service wildcards ("s3:*", "ec2:*") are
//     Write: they control one service's resources, not identities.
//
// Wildcards in the service part are honoured too: "*:Get*" is Read, "*:Put*"
// is Admin (it matches iam:PutRolePolicy).
func Classify(action string) Class {
	p := strings.ToLower(action)
	if c, ok := exactActions[p]; ok {
		return c
	}
	c := Class{Level: patternLevel(p)}
	if c.Level == None {
		return c
	}
	for _, s := range sensitiveActions {
		if globMatch([]rune(p), []rune(s)) {
			c.Sensitive = true
			break
		}
	}
	return c
}

// exactActions overrides the verb rules for single actions (lower-case).
var exactActions = map[string]Class{
	"kms:decrypt": {Level: Read, Sensitive: true},
}

// sensitiveActions read stored secrets (lower-case; see Class.Sensitive).
var sensitiveActions = []string{
	"kms:decrypt",
	"secretsmanager:getsecretvalue",
	"secretsmanager:batchgetsecretvalue",
	"ssm:getparameter",
	"ssm:getparameters",
	"ssm:getparametersbypath",
	"ssm:getparameterhistory",
	"bedrock-agentcore:getresourceapikey",
	"bedrock-agentcore:getresourceoauth2token",
}

// readVerbs start the names of read actions in every service (lower-case).
var readVerbs = []string{
	"get", "list", "describe", "head", "view", "search", "lookup", "query",
	"scan", "batchget", "select", "check", "retrieve", "read", "download",
}

// iamReadVerbs are the read verbs of iam, which adds its reports and policy
// simulation (iam:GenerateCredentialReport, iam:SimulatePrincipalPolicy, as
// granted by the AWS-managed IAMReadOnlyAccess).
var iamReadVerbs = append([]string{"generate", "simulate"}, readVerbs...)

// patternLevel ranks a lower-case action pattern.
func patternLevel(p string) Level {
	switch strings.Count(p, ":") {
	case 1:
		svc, name, _ := strings.Cut(p, ":")
		return splitLevel(svc, name)
	case 0:
		// The pattern's only way to match "service:name" is for one of its
		// wildcards to cover the colon: try each in turn.
		r := []rune(p)
		level := None
		for i, c := range r {
			switch c {
			case '*':
				level = max(level, splitLevel(string(r[:i])+"*", "*"+string(r[i+1:])))
			case '?':
				level = max(level, splitLevel(string(r[:i]), string(r[i+1:])))
			}
		}
		return level
	default:
		// Actions have exactly one colon; this pattern matches none.
		return None
	}
}

// splitLevel ranks the actions whose service matches svc and whose name
// matches name (both lower-case patterns without a colon).
func splitLevel(svc, name string) Level {
	if svc == "" || name == "" {
		return None
	}
	full := allStars([]rune(name))
	level := None
	special := false
	for _, s := range [...]string{"iam", "organizations", "sts"} {
		if !globMatch([]rune(svc), []rune(s)) {
			continue
		}
		if svc == s {
			special = true
		}
		var l Level
		switch {
		case full && s != "sts":
			l = Admin
		case s == "iam" && allRead(name, iamReadVerbs):
			l = Read
		case s == "iam":
			l = Admin
		case allRead(name, readVerbs):
			l = Read
		case s == "organizations":
			l = Admin
		case full: // "sts:*"
			l = Admin
		default: // sts:AssumeRole, sts:TagSession, ...
			l = Write
		}
		level = max(level, l)
	}
	if !special {
		// svc is another service, or a pattern that can match one.
		if allRead(name, readVerbs) {
			level = max(level, Read)
		} else {
			level = max(level, Write)
		}
	}
	return level
}

// allRead reports whether every name the pattern can match starts with one of
// verbs: the literal text before its first wildcard must. (If it stops short,
// the wildcard can continue it with a character no verb has.)
func allRead(name string, verbs []string) bool {
	literal := name
	if i := strings.IndexAny(name, "*?"); i >= 0 {
		literal = name[:i]
	}
	for _, v := range verbs {
		if strings.HasPrefix(literal, v) {
			return true
		}
	}
	return false
}
