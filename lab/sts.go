package lab

// STS operations (query protocol, Version 2011-06-15).

func stsOperations() map[string]operation {
	return map[string]operation{
		"GetCallerIdentity": {handle: getCallerIdentity},
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
	return getCallerIdentityResult{Arn: c.account.principal, UserID: c.account.callerID, Account: c.account.id}, nil
}
