package aws

import (
	"crypto/subtle"
	"net/http"
)

// identity is who signed a request: the account it acts in and the
// principal it acts as.
type identity struct {
	account   *accountState
	principal string // caller ARN
	callerID  string // GetCallerIdentity UserId
}

// securityTokenHeader carries the session token of temporary credentials.
const securityTokenHeader = "X-Amz-Security-Token"

// authenticate finds who signed r (whose body is body) and verifies the
// signature: an account's scanner key, or a session key AssumeRole issued,
// which must come with its session token and be unexpired.
func (s *Server) authenticate(r *http.Request, body []byte, h sigV4Header) (identity, *apiError) {
	token := r.Header.Get(securityTokenHeader)
	invalid := authError(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	if acct := s.state.byKey[h.accessKeyID]; acct != nil {
		if token != "" {
			// A long-term key has no session token.
			return identity{}, invalid
		}
		if aerr := verifySigV4(r, body, h, acct.SecretAccessKey); aerr != nil {
			return identity{}, aerr
		}
		return identity{account: acct, principal: acct.principal, callerID: acct.callerID}, nil
	}
	copied, ok := s.state.session(h.accessKeyID)
	if !ok || token == "" || !constantTimeEqual(token, copied.token) {
		return identity{}, invalid
	}
	if !s.state.now().Before(copied.expires) {
		return identity{}, authError(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
	}
	if aerr := verifySigV4(r, body, h, copied.secret); aerr != nil {
		return identity{}, aerr
	}
	return identity{account: copied.account, principal: copied.principal, callerID: copied.callerID}, nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
