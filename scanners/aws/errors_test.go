package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aam-dev/aam/scanners/failure"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// apiError is a service's error as the SDK returns it: inside the
// operation's error.
func apiError(service, op, code string) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: "the service says so"}}
}

// httpError is an answer that is no AWS API error, with its status.
func httpError(status int) error {
	return &smithy.OperationError{ServiceID: "Bedrock Agent", OperationName: "ListAgents", Err: &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("deserialization failed"),
	}}}
}

// sendError is a request that got no answer, as the SDK wraps it: in a
// response error without a status.
func sendError(err error) error {
	return &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity", Err: &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{}}, Err: &smithyhttp.RequestSendError{Err: err},
	}}}
}

func TestClassifyAndDescribe(t *testing.T) {
	dns := &smithy.OperationError{ServiceID: "Bedrock Agent", OperationName: "ListAgents", Err: &net.DNSError{Err: "no such host", Name: "bedrock-agent.xx-east-9.amazonaws.com", IsNotFound: true}}
	tests := []struct {
		name        string
		err         error
		class       failure.Class
		absent      bool   // serviceAbsent, on a service's first call
		wantMessage string // a part of describe's message
	}{
		{"denied", apiError("IAM", "GetAccountAuthorizationDetails", "AccessDenied"), failure.Denied, false, "SecurityAudit"},
		{"denied exception", apiError("Bedrock Agent", "ListAgents", "AccessDeniedException"), failure.Denied, false, "AccessDeniedException: the service says so (grant"},
		{"credentials refused", apiError("STS", "GetCallerIdentity", "ExpiredToken"), failure.Denied, false, "aws sso login"},
		{"throttled", apiError("Lambda", "GetFunctionConfiguration", "TooManyRequestsException"), failure.Throttled, false, "lower --concurrency"},
		{"gone", apiError("Bedrock Agent", "GetAgent", "ResourceNotFoundException"), failure.NotFound, false, "ResourceNotFoundException"},
		{"IAM entity gone", apiError("IAM", "ListAccessKeys", "NoSuchEntity"), failure.NotFound, false, "NoSuchEntity"},
		{"unknown operation", apiError("Bedrock AgentCore Control", "ListGateways", "UnknownOperationException"), failure.Absent, true, "UnknownOperationException"},
		{"other API error", apiError("IAM", "GetAccountAuthorizationDetails", "ServiceFailure"), failure.Other, false, "ServiceFailure: the service says so"},
		{"plain 404", httpError(404), failure.Absent, true, "HTTP 404 that is not an AWS API error"},
		{"plain 501", httpError(501), failure.Absent, true, "check endpoint_url"},
		{"another protocol's 400", httpError(400), failure.Malformed, true, "HTTP 400"},
		{"plain 500", httpError(500), failure.Malformed, false, "HTTP 500"},
		{"unreadable success", httpError(200), failure.Malformed, false, "could not read the answer"},
		{"no such host", dns, failure.Other, true, "could not reach the AWS endpoint"},
		{"timeout", fmt.Errorf("operation error: %w", context.DeadlineExceeded), failure.Other, false, "timed out (--timeout reached)"},
		{"unknown authority", sendError(errors.New(`Post "https://127.0.0.1:4566/": tls: failed to verify certificate: x509: certificate signed by unknown authority`)), failure.Other, false,
			`could not verify the AWS endpoint's certificate (Post "https://127.0.0.1:4566/": tls: failed to verify certificate: x509: certificate signed by unknown authority): if your network or endpoint uses its own certificate authority, set AWS_CA_BUNDLE`},
		{"connection refused", sendError(errors.New(`Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`)), failure.Other, false,
			`could not reach the AWS endpoint (Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused): check the network`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.class {
				t.Errorf("classify = %v, want %v", got, tt.class)
			}
			if got := serviceAbsent(tt.err); got != tt.absent {
				t.Errorf("serviceAbsent = %v, want %v", got, tt.absent)
			}
			if got := describe(tt.err); !strings.Contains(got, tt.wantMessage) {
				t.Errorf("describe = %q, want it to say %q", got, tt.wantMessage)
			}
		})
	}
}

// A failure of the AssumeRole call that reaches an account says so, with
// what the role's trust policy must allow.
func TestDescribeAssumeRole(t *testing.T) {
	err := &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity", Err: fmt.Errorf("get identity: %w",
		&smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole", Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}})}
	got := describe(err)
	if !strings.HasPrefix(got, "assuming the account's role failed: AccessDenied: not authorized") || !strings.Contains(got, "external_id") {
		t.Errorf("describe = %q", got)
	}
	if describe(apiError("STS", "GetCallerIdentity", "AccessDenied")) == got {
		t.Error("a denied call that is not AssumeRole reads as one")
	}
}
