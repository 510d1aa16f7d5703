package aws

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aam-dev/aam/scanners/failure"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// explainer reads the AWS SDK's errors for the shared scope writer.
func explainer() failure.Explainer {
	return failure.Explainer{Describe: describe, Classify: classify}
}

// The AWS error codes of each class, over the services the scanner calls.
var codeClass = map[string]failure.Class{
	"AccessDenied":          failure.Denied,
	"AccessDeniedException": failure.Denied,
	"UnauthorizedOperation": failure.Denied,
	// Credentials the service does not accept.
	"InvalidClientTokenId":  failure.Denied,
	"SignatureDoesNotMatch": failure.Denied,
	"ExpiredToken":          failure.Denied,
	"ExpiredTokenException": failure.Denied,

	"Throttling":                failure.Throttled,
	"ThrottlingException":       failure.Throttled,
	"TooManyRequestsException":  failure.Throttled,
	"ResourceNotFoundException": failure.NotFound,
	"NotFoundException":         failure.NotFound,
	"NoSuchEntity":              failure.NotFound,

	"UnknownOperationException":     failure.Absent,
	"InvalidAction":                 failure.Absent, // the query protocol's unknown operation
	"UnsupportedOperation":          failure.Absent,
	"UnsupportedOperationException": failure.Absent,
	"NotImplemented":                failure.Absent,
}

// credentialCodes are the Denied codes that refuse the credentials
// themselves rather than the call.
var credentialCodes = map[string]bool{"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "ExpiredToken": true, "ExpiredTokenException": true}

// classify maps an AWS SDK error onto the shared classes.
func classify(err error) failure.Class {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return codeClass[ae.ErrorCode()] // Other when the code is not listed
	}
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) {
		return failure.Other // no answer: the network, TLS, the demo guard
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case 404, 405, 501:
			// An answer that is no AWS error: a server without the route.
			return failure.Absent
		}
		// A success the SDK could not read, or another protocol's error.
		return failure.Malformed
	}
	return failure.Other
}

// notFound is true for an item deleted between its listing and its read.
func notFound(err error) bool { return classify(err) == failure.NotFound }

// serviceAbsent is true when the answer to a service's first call says the
// endpoint does not offer the service: an operation it does not know, a
// 4xx that is no error of this service's protocol (an IAM-only emulator
// answered), or a host name that does not exist (a region without it).
func serviceAbsent(err error) bool {
	var dns *net.DNSError
	var ae smithy.APIError
	var re *awshttp.ResponseError
	foreign := !errors.As(err, &ae) && errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500
	return classify(err) == failure.Absent || foreign || (errors.As(err, &dns) && dns.IsNotFound)
}

// describe turns an SDK error into a message for scan_errors and people:
// the service's code and message and, where we know one, what to do. The SDK
// error text carries no credentials.
func describe(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorCode() + ": " + ae.ErrorMessage()
		if assumingRole(err) {
			return "assuming the account's role failed: " + msg + " (the role's trust policy must allow the scanning principal, with the external_id it asks for)"
		}
		switch {
		case credentialCodes[ae.ErrorCode()]:
			msg += " (the credentials were refused: refresh them, e.g. aws sso login, or check the profile)"
		case codeClass[ae.ErrorCode()] == failure.Denied:
			msg += " (grant the scanning principal read access, e.g. the AWS-managed SecurityAudit policy)"
		case codeClass[ae.ErrorCode()] == failure.Throttled:
			msg += " (still throttled after retries: lower --concurrency)"
		}
		return msg
	}
	if msg, ok := failure.Interrupted(err); ok {
		return msg
	}
	var se *smithyhttp.RequestSendError
	var re *awshttp.ResponseError
	if !errors.As(err, &se) && errors.As(err, &re) {
		if re.HTTPStatusCode() < 300 {
			// A success the SDK could not read: an API newer than this
			// build's SDK, or an endpoint that only looks like AWS.
			return fmt.Sprintf("could not read the answer (%v): upgrade aam, or check endpoint_url / AWS_ENDPOINT_URL", re.Err)
		}
		return fmt.Sprintf("HTTP %d that is not an AWS API error (%v): check endpoint_url or AWS_ENDPOINT_URL", re.HTTPStatusCode(), re.Err)
	}
	msg := strings.TrimSpace(err.Error())
	var oe *smithy.OperationError
	switch {
	case se != nil && se.Err != nil:
		// The request got no answer: say why, without the SDK's wrapping.
		msg = strings.TrimSpace(se.Err.Error())
	case errors.As(err, &oe) && oe.Err != nil:
		msg = strings.TrimSpace(oe.Err.Error())
	}
	switch {
	case strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: failed to verify certificate"):
		return "could not verify the AWS endpoint's certificate (" + msg + "): if your network or endpoint uses its own certificate authority, set AWS_CA_BUNDLE to its PEM file"
	case strings.Contains(msg, "get credentials") || strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found"):
		return "no usable AWS credentials (" + msg + "): run aws sso login or aws configure, set AWS_PROFILE, or name a profile in aam.yaml"
	case strings.Contains(msg, "no such host") || strings.Contains(msg, "dial tcp") || strings.Contains(msg, "connection refused") || strings.Contains(msg, "i/o timeout"):
		return "could not reach the AWS endpoint (" + msg + "): check the network and proxy, the region name, or leave out a region where this service is not offered (--region, aws.regions, aws.services)"
	}
	return msg
}

// assumingRole is true when err came from the STS AssumeRole call that
// gets an account's credentials.
func assumingRole(err error) bool {
	for e := err; e != nil; {
		var oe *smithy.OperationError
		if !errors.As(e, &oe) {
			return false
		}
		if oe.Operation() == "AssumeRole" {
			return true
		}
		e = oe.Err
	}
	return false
}
