package aws

import (
	"testing"

	actypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

// Who may call a gateway, by its authorizer type (CreateGateway: CUSTOM_JWT
// a bearer token, AWS_IAM IAM credentials, NONE no authorization).
func TestInboundAuth(t *testing.T) {
	for in, want := range map[actypes.AuthorizerType]string{
		actypes.AuthorizerTypeCustomJwt:        "jwt",
		actypes.AuthorizerTypeAwsIam:           "iam",
		actypes.AuthorizerTypeNone:             "none",
		actypes.AuthorizerTypeAuthenticateOnly: "authenticate_only", // undocumented: kept as AWS names it
	} {
		if got := inboundAuth(in); got != want {
			t.Errorf("inboundAuth(%s) = %q, want %q", in, got, want)
		}
	}
}

// Whether a runtime's code learns the end user's identity (Developer
// Guide, "Pass custom headers to Amazon Bedrock AgentCore Runtime": the
// Authorization header is passed on only when allow-listed, and only a
// runtime with a JWT authorizer may allow it).
func TestRuntimeIdentity(t *testing.T) {
	jwt := &actypes.AuthorizerConfigurationMemberCustomJWTAuthorizer{Value: actypes.CustomJWTAuthorizerConfiguration{DiscoveryUrl: ptr("https://idp.example.com/.well-known/openid-configuration")}}
	headers := func(h ...string) actypes.RequestHeaderConfiguration {
		return &actypes.RequestHeaderConfigurationMemberRequestHeaderAllowlist{Value: h}
	}
	tests := []struct {
		name             string
		auth             actypes.AuthorizerConfiguration
		headers          actypes.RequestHeaderConfiguration
		inbound, user    string
		authorizerType   string
		allowlistWritten bool
	}{
		{"JWT, token passed on", jwt, headers("Authorization"), "jwt", "forwarded", "custom_jwt", true},
		{"JWT, token passed on, any case", jwt, headers("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant", "AUTHORIZATION"), "jwt", "forwarded", "custom_jwt", true},
		{"JWT, other headers only", jwt, headers("X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"), "jwt", "verified", "custom_jwt", true},
		{"JWT, no allow-list", jwt, nil, "jwt", "verified", "custom_jwt", false},
		{"SigV4, no allow-list", nil, nil, "iam", "not_verified", "aws_iam", false},
		{"SigV4, custom headers", nil, headers("X-Amzn-Bedrock-AgentCore-Runtime-Custom-User"), "iam", "not_verified", "aws_iam", true},
		{"empty allow-list", jwt, headers(), "jwt", "verified", "custom_jwt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := map[string]any{}
			runtimeIdentity(attrs, tt.auth, tt.headers)
			authorizer, _ := attrs["inbound_authorizer"].(map[string]any)
			_, allow := attrs["request_header_allowlist"]
			if attrs["inbound_auth"] != tt.inbound || attrs["user_identity"] != tt.user || authorizer["type"] != tt.authorizerType || allow != tt.allowlistWritten {
				t.Errorf("attrs %v, want inbound_auth %s, user_identity %s, authorizer %s, allow-list written %v", attrs, tt.inbound, tt.user, tt.authorizerType, tt.allowlistWritten)
			}
		})
	}
}
