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
)

// Access levels of AttrLevel, lowest first; see AccessLevelRank.
const (
	LevelRead    = "read"
	LevelWrite   = "write"
	LevelAdmin   = "admin"
	LevelUnknown = "unknown"
)
