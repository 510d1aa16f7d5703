package aws

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// STS operations (query protocol, Version 2011-06-15).

func (s *Server) stsOperations() map[string]operation {
	return map[string]operation{
		"GetCallerIdentity": {handle: getCallerIdentity},
		"AssumeRole": {
			scalars: []string{"RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId", "Policy", "SourceIdentity",
				"SerialNumber", "TokenCode", "MinimumSessionTokenSize"},
			lists: []string{"TransitiveTagKeys"},
			structs: map[string][]string{
				"Tags":             {"Key", "Value"},
				"PolicyArns":       {"arn"},
				"ProvidedContexts": {"ProviderArn", "ContextAssertion"},
			},
			handle: s.assumeRole,
		},
	}
}

type getCallerIdentityResult struct {
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// getCallerIdentity answers who signed the request. It needs no permission,
// so it works for a denied account too, as in AWS.
func getCallerIdentity(c call) (any, *apiError) {
	return getCallerIdentityResult{Arn: c.principal, UserID: c.callerID, Account: c.account.ID}, nil
}

type assumeRoleResult struct {
	Credentials      stsCredentials
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize int    `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

// stsCredentials are the temporary credentials AssumeRole answers: the one
// secret the lab sends, as STS does. It is never logged or printed.
type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string
}

// Limits of AssumeRole, from the STS API Reference.
const (
	minSessionDuration     = 900
	maxSessionDuration     = 43200
	defaultSessionDuration = 3600
	maxSessionPolicy       = 2048
	maxSessionTags         = 50
	maxPolicyArns          = 10
	maxSessions            = 4096 // issued sessions kept before expired ones are dropped
)

var (
	roleSessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern      = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	sourceIdentityPattern  = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	tokenCodePattern       = regexp.MustCompile(`^[0-9]{6}$`)
	policyARNPattern       = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\x21-\x7e]+$`)
)

// assumeRole issues temporary credentials for a role of the estate whose
// trust policy lets the caller in (see trustAllows). The credentials act in
// the role's account: requests signed with them (and carrying the session
// token) are served as that account, and GetCallerIdentity answers the
// assumed-role ARN. The lab does not evaluate the caller's own permission
// to call sts:AssumeRole, only the role's trust policy.
func (s *Server) assumeRole(c call) (any, *apiError) {
	roleARN, err := required(c.params, "RoleArn", "roleArn")
	if err != nil {
		return nil, err
	}
	sessionName, err := required(c.params, "RoleSessionName", "roleSessionName")
	if err != nil {
		return nil, err
	}
	if !roleSessionNamePattern.MatchString(sessionName) {
		return nil, validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", sessionName)
	}
	duration := defaultSessionDuration
	if c.params.has("DurationSeconds") {
		raw := c.params.get("DurationSeconds")
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			return nil, validationError("Value '%s' for parameter DurationSeconds is invalid: it must be a whole number of seconds from %d to %d", raw, minSessionDuration, maxSessionDuration)
		case n < minSessionDuration:
			return nil, validationError("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, minSessionDuration)
		case n > maxSessionDuration:
			return nil, validationError("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxSessionDuration)
		}
		duration = n
	}
	externalID := c.params.get("ExternalId")
	if c.params.has("ExternalId") && (len(externalID) < 2 || len(externalID) > 1224 || !externalIDPattern.MatchString(externalID)) {
		return nil, validationError("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length from 2 to 1224 and satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
	}
	sourceIdentity := c.params.get("SourceIdentity")
	if c.params.has("SourceIdentity") && !sourceIdentityPattern.MatchString(sourceIdentity) {
		return nil, validationError("1 validation error detected: Value '%s' at 'sourceIdentity' failed to satisfy constraint: Member must have length from 2 to 64 and satisfy regular expression pattern: [\\w+=,.@-]*", sourceIdentity)
	}
	policy := c.params.get("Policy")
	if c.params.has("Policy") {
		p := strings.TrimSpace(policy)
		if !json.Valid([]byte(p)) || !strings.HasPrefix(p, "{") {
			return nil, &apiError{status: http.StatusBadRequest, code: "MalformedPolicyDocument", message: "The policy is not in the valid JSON format.", outcome: rejected}
		}
		if len(policy) > maxSessionPolicy {
			return nil, &apiError{status: http.StatusBadRequest, code: "PackedPolicyTooLarge", message: "Packed size of the session policy and session tags exceeds 100% of the allowed value.", outcome: rejected}
		}
	}
	tagSize, aerr := checkSessionTags(c.params)
	if aerr != nil {
		return nil, aerr
	}
	policyARNs := c.params.structList("PolicyArns")
	if len(policyARNs) > maxPolicyArns {
		return nil, validationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyArns)
	}
	for _, p := range policyARNs {
		if !policyARNPattern.MatchString(p["arn"]) {
			return nil, validationError("Invalid policy ARN in PolicyArns: %q is not a managed policy ARN", p["arn"])
		}
	}
	serial, code := c.params.get("SerialNumber"), c.params.get("TokenCode")
	if (serial == "") != (code == "") {
		return nil, validationError("SerialNumber and TokenCode go together: send both for an MFA-protected role, or neither")
	}
	if code != "" && !tokenCodePattern.MatchString(code) {
		return nil, validationError("1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*")
	}

	refuse := accessDenied(c.principal, stsService, c.action, roleARN)
	if !roleARNPattern.MatchString(roleARN) {
		return nil, validationError("%s is invalid", roleARN)
	}
	target := s.state.account(arnAccount(roleARN)) // the handler holds the state's read lock
	if target == nil {
		return nil, refuse
	}
	role, ok := target.roleByName[strings.ToLower(roleARN[strings.LastIndexByte(roleARN, '/')+1:])]
	if !ok {
		return nil, refuse
	}
	if s.state.assumeDenied(roleARN, target.RoleARNOf(*role)) {
		return nil, refuse
	}
	caller := callerIdentities(c)
	if !trustAllows(role.TrustPolicy, caller, externalID, serial != "") {
		return nil, refuse
	}

	now := s.state.now().UTC()
	sess := &session{
		account:   target,
		secret:    randomString(30, base64.StdEncoding),
		token:     randomString(240, base64.StdEncoding),
		expires:   now.Add(time.Duration(duration) * time.Second),
		principal: "arn:aws:sts::" + target.ID + ":assumed-role/" + role.Name + "/" + sessionName,
		callerID:  target.RoleID(role.Name) + ":" + sessionName,
	}
	keyID := "ASIA" + randomString(10, base32.StdEncoding.WithPadding(base32.NoPadding))[:16]
	s.state.addSession(keyID, sess)

	res := assumeRoleResult{
		Credentials: stsCredentials{
			AccessKeyID:     keyID,
			SecretAccessKey: sess.secret,
			SessionToken:    sess.token,
			Expiration:      isoDate(sess.expires),
		},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: sess.callerID, Arn: sess.principal},
		SourceIdentity:  sourceIdentity,
	}
	if policy != "" || tagSize > 0 || len(policyARNs) > 0 {
		res.PackedPolicySize = max(1, min(100, (len(policy)+tagSize+len(policyARNs)*64)*100/maxSessionPolicy))
	}
	return res, nil
}

// checkSessionTags checks Tags and TransitiveTagKeys and returns the size
// of the tags.
func checkSessionTags(p params) (int, *apiError) {
	tags := p.structList("Tags")
	if len(tags) > maxSessionTags {
		return 0, validationError("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags)
	}
	keys := map[string]bool{}
	size := 0
	for _, t := range tags {
		k, v := t["Key"], t["Value"]
		if k == "" || len(k) > 128 || len(v) > 256 {
			return 0, validationError("1 validation error detected: a session tag needs a Key of 1 to 128 characters and a Value of at most 256")
		}
		if keys[strings.ToLower(k)] {
			return 0, validationError("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		keys[strings.ToLower(k)] = true
		size += len(k) + len(v)
	}
	for _, k := range p.list("TransitiveTagKeys") {
		if !keys[strings.ToLower(k)] {
			return 0, validationError("The specified transitive tag key must be included in the requested tags.")
		}
	}
	return size, nil
}

// callerIdentities are the principals a trust policy may name to let the
// caller of c in: the caller's account (root ARN and bare id), its ARN and,
// for a session, the ARN of the role it assumed.
func callerIdentities(c call) trustCaller {
	t := trustCaller{account: c.account.ID, arns: []string{c.principal}}
	parts := strings.SplitN(c.principal, ":", 6)
	if len(parts) == 6 && parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		f := strings.Split(parts[5], "/")
		if len(f) >= 3 {
			if r, ok := c.account.roleByName[strings.ToLower(f[1])]; ok {
				t.arns = append(t.arns, c.account.RoleARNOf(*r))
			} else {
				t.arns = append(t.arns, "arn:aws:iam::"+c.account.ID+":role/"+f[1])
			}
		}
	}
	t.principalARN = t.arns[len(t.arns)-1]
	return t
}

// randomString is n random bytes in enc.
func randomString(n int, enc interface{ EncodeToString([]byte) string }) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return enc.EncodeToString(b)
}
