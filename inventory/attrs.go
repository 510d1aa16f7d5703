package inventory

// Attributes every provider writes under the same name, so that posture,
// reports and reach read them without knowing the provider. Expiry, last
// use and creation are Node fields (Expires, LastUsed, Created), not
// attributes.
const (
	// AttrType is what the node or edge is within its kind, such as
	// "iam_role", "bedrock_agent", "iam_access_key", "inline_secret".
	AttrType = "type"
	// AttrStanding (bool, on credentials) is true for a secret that does not
	// expire on its own: an access key, an API key, a client secret.
	AttrStanding = "standing"
	// AttrLevel (on can_access edges) is the privilege an identity has on a
	// resource: one of the Level values.
	AttrLevel = "level"
	// AttrFingerprint (on credentials) identifies a secret without holding
	// it: an access key id, or a keyed HMAC of a value seen inline.
	AttrFingerprint = "fingerprint"
	// AttrUnknown maps a detail the scan could not learn (an edge kind such
	// as "runs_as", or an attribute name) to why: the failure class and the
	// operation, such as "denied: lambda:GetFunctionConfiguration". What is
	// unknown is never guessed.
	AttrUnknown = "unknown"

	// AttrConditions (on can_access grants and can_assume edges) lists the
	// conditions that limit the access or trust, each as its operator, key
	// and values ({"operator": "StringEquals", "key": "aws:PrincipalOrgID",
	// "values": ["o-abc"]}). The level never depends on them (worst case).
	AttrConditions = "conditions"
	// AttrConditional (bool) is true when the access exists only when the
	// conditions hold.
	AttrConditional = "conditional"
	// AttrBoundary (on can_access edges and identities) names the
	// permissions boundary (or its provider's equivalent) that capped the
	// access; the access recorded is what is left under it.
	AttrBoundary = "boundary"
	// AttrExceptions (on can_access grants) lists what a Deny carves out of
	// an allowed set: resources, actions, or conditions under which it is
	// refused ("s3:* except the payroll bucket").
	AttrExceptions = "exceptions"
	// AttrSources (on can_access grants) names the policies the access
	// comes from, such as "inline:deploy", a managed policy's id, or
	// "group:Admins/inline:x" for access through a group.
	AttrSources = "sources"
	// AttrTrust (on can_assume edges, and every provider's federated or
	// impersonation grants) classifies who can use the trust: one of the
	// Trust values. AttrTrustReason says why, in words.
	AttrTrust       = "trust"
	AttrTrustReason = "trust_reason"
	// AttrNotEvaluated (on identities) lists the kinds of policy the scan
	// did not evaluate, so the access recorded may be wider than the real
	// one: "service_control_policies", "resource_control_policies",
	// "resource_based_policies", "session_policies".
	AttrNotEvaluated = "not_evaluated"

	// AttrMethod (on can_escalate edges) is how the step is taken, such as
	// "sts:AssumeRole", "iam:PassRole+lambda:CreateFunction",
	// "secretsmanager:GetSecretValue".
	AttrMethod = "method"
	// AttrPermissions (on can_escalate edges) lists the caller's permissions
	// that enable the step.
	AttrPermissions = "permissions"
	// AttrLevelCap (on can_escalate edges, optional) is the highest level
	// the step gives when the target acts only on the caller's behalf (a
	// role passed to Bedrock) instead of handing the caller its
	// credentials; without it the step gives the target's whole access.
	AttrLevelCap = "level_cap"
	// AttrLevelFloor (on can_escalate edges, optional) is the least level
	// the step gives whatever the target holds now, because the caller can
	// write the target's permissions (iam:PutRolePolicy and the like): what
	// the target can hold under its permissions boundary. The step gives
	// the higher of it and the target's level, then AttrLevelCap caps it.
	AttrLevelFloor = "level_floor"
)

// Trust classes of AttrTrust, the same for every provider.
const (
	// TrustOpen: parties beyond the intended one can assume (any GitHub
	// repository, any AWS account, a third party without an external id).
	TrustOpen = "open"
	// TrustConstrained: a condition or the principal itself pins who can.
	TrustConstrained = "constrained"
	// TrustServiceUnguarded: a cloud service may assume it on behalf of
	// any customer's request naming it (no source account or resource
	// condition: the confused deputy). Weaker than open.
	TrustServiceUnguarded = "service-unguarded"
	// TrustUnknown: the trust could not be judged (an unread document, a
	// condition aam does not model).
	TrustUnknown = "unknown"
)

// Access levels of AttrLevel, lowest first; see AccessLevelRank.
const (
	LevelRead    = "read"
	LevelWrite   = "write"
	LevelAdmin   = "admin"
	LevelUnknown = "unknown"
)
