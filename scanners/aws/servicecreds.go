package aws

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/failure"
	"github.com/aam-dev/aam/scanners/fanout"
	"github.com/aam-dev/aam/scanners/scope"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// Service-specific credentials (IAM User Guide, "API keys for AWS
// services" and "Service-specific credentials for IAM users"): Amazon
// Bedrock and CloudWatch Logs long-term API keys, and CodeCommit and Amazon
// Keyspaces passwords. Each belongs to an IAM user, works without any
// session, and is a standing secret whatever its expiry: the expiry is
// recorded, not taken for a rotation.

// ServiceCredentialsScope is the scope name of an account's
// service-specific credentials: a scope of its own, so that a principal
// denied ListServiceSpecificCredentials keeps the rest of the account's IAM.
const ServiceCredentialsScope = inventory.GlobalScope + "/service-credentials"

// credentialServices are the services IAM issues service-specific
// credentials for (CreateServiceSpecificCredential, IAM API Reference).
var credentialServices = []string{"bedrock.amazonaws.com", "logs.amazonaws.com", "codecommit.amazonaws.com", "cassandra.amazonaws.com"}

const opListServiceCredentials = "iam:ListServiceSpecificCredentials"

// ServiceCredentialID returns the graph id of a service-specific
// credential: its ServiceSpecificCredentialId, an identifier (the secret
// is never listed).
func ServiceCredentialID(id string) string { return "aws:service-credential:" + id }

// serviceCredentials lists the account's service-specific credentials: one
// paged AllUsers call per service; where AllUsers is refused, one paged
// call per user for every service. It runs once the IAM scope has read
// the users, whose ARNs the credentials' edges start from.
func (is *iamScan) serviceCredentials(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil // the scope records the timeout
	}
	if !is.detailsRead {
		// The failure is the IAM scope's, recorded there; this scope keeps
		// its last state and says why.
		is.creds.Fail("iam:GetAccountAuthorizationDetails", failure.Errorf(classify(is.detailsErr),
			"the account's users could not be read, so their service-specific credentials were not listed (%s)", describe(is.detailsErr)))
		return nil
	}
	var creds []types.ServiceSpecificCredentialMetadata
	for i, svc := range credentialServices {
		got, err := is.listServiceCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: awssdk.Bool(true), ServiceName: awssdk.String(svc)})
		switch {
		case err == nil:
			creds = append(creds, got...)
			continue
		case i == 0 && serviceAbsent(err):
			// An endpoint without the operation (an IAM emulator).
			is.creds.Absent()
			return nil
		case serviceNotSupported(err):
			// No such credentials in this partition: none to list.
			continue
		case allUsersRefused(err) && ctx.Err() == nil:
			return is.serviceCredentialsPerUser(ctx)
		}
		is.creds.Fail(opListServiceCredentials, err)
		return nil
	}
	return is.writeServiceCredentials(ctx, creds)
}

// serviceCredentialsPerUser lists each user's service-specific credentials
// of every service, several users at a time.
func (is *iamScan) serviceCredentialsPerUser(ctx context.Context) error {
	var (
		mu    sync.Mutex
		creds []types.ServiceSpecificCredentialMetadata
	)
	err := fanout.ForEach(ctx, is.scanner.opts.Concurrency, is.details.UserDetailList, func(ctx context.Context, u types.UserDetail) error {
		got, err := is.listServiceCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: u.UserName})
		if err != nil {
			if notFound(err) {
				return nil // the user was deleted while we scanned
			}
			return opError{opListServiceCredentials, err}
		}
		mu.Lock()
		creds = append(creds, got...)
		mu.Unlock()
		return nil
	})
	if ctx.Err() != nil {
		is.creds.Fail(opListServiceCredentials, ctx.Err())
		return nil
	}
	var se *scope.StoreError
	var oe opError
	if !errors.As(err, &se) && errors.As(err, &oe) {
		is.creds.Fail(oe.op, err)
		return nil
	}
	if err != nil {
		return err
	}
	return is.writeServiceCredentials(ctx, creds)
}

// listServiceCredentials pages one ListServiceSpecificCredentials request
// to the end (the SDK has no paginator for it).
func (is *iamScan) listServiceCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput) ([]types.ServiceSpecificCredentialMetadata, error) {
	var out []types.ServiceSpecificCredentialMetadata
	for {
		page, err := is.c.iam.ListServiceSpecificCredentials(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, page.ServiceSpecificCredentials...)
		if !page.IsTruncated {
			return out, nil
		}
		if deref(page.Marker) == "" || deref(page.Marker) == deref(in.Marker) {
			return nil, failure.Errorf(failure.Malformed, "ListServiceSpecificCredentials answered a truncated page without a new Marker: the listing cannot go on")
		}
		next := *in
		next.Marker = page.Marker
		in = &next
	}
}

// allUsersRefused reports whether err refuses the AllUsers form of
// ListServiceSpecificCredentials: access denied (a principal allowed to
// list only some users' credentials), or a validation error (an endpoint
// that does not know AllUsers, which the API added in 2025). Each user's
// credentials are then listed one user at a time.
func allUsersRefused(err error) bool {
	if classify(err) == failure.Denied && !credentialRefused(err) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ValidationError" || ae.ErrorCode() == "InvalidParameterValue")
}

// credentialRefused is true when the credentials themselves were refused,
// not the call: listing per user would be refused the same way.
func credentialRefused(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && credentialCodes[ae.ErrorCode()]
}

// serviceNotSupported reports IAM's NotSupportedService: the service does
// not issue service-specific credentials here.
func serviceNotSupported(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NotSupportedService"
}

// writeServiceCredentials writes each credential and the has_credential
// edge from its user.
func (is *iamScan) writeServiceCredentials(ctx context.Context, creds []types.ServiceSpecificCredentialMetadata) error {
	users := map[string]string{} // lower-case user name -> ARN
	for _, u := range is.details.UserDetailList {
		users[strings.ToLower(deref(u.UserName))] = deref(u.Arn)
	}
	now := is.scanner.opts.Now()
	for _, c := range creds {
		id := deref(c.ServiceSpecificCredentialId)
		if id == "" {
			is.creds.Fail(opListServiceCredentials, failure.Errorf(failure.Malformed, "the API returned a service-specific credential without an id"))
			return nil
		}
		created := deref(c.CreateDate)
		attrs := map[string]any{
			inventory.AttrType: "iam_service_credential", inventory.AttrStanding: true, inventory.AttrFingerprint: id,
			"service": deref(c.ServiceName), "status": string(c.Status), "user_name": deref(c.UserName),
		}
		if !created.IsZero() {
			attrs["age_days"] = ageDays(now, created)
		}
		if alias := deref(c.ServiceCredentialAlias); alias != "" {
			attrs["alias"] = alias
		}
		if name := deref(c.ServiceUserName); name != "" {
			attrs["service_user_name"] = name
		}
		n := inventory.Node{ID: ServiceCredentialID(id), Kind: inventory.KindCredential, Tenant: is.account, Name: id, Created: created, Attrs: attrs}
		if exp := deref(c.ExpirationDate); !exp.IsZero() {
			n.Expires = exp
		}
		user, ok := users[strings.ToLower(deref(c.UserName))]
		if ok {
			attrs["user"] = user
		} else {
			// A user created after the IAM scope read the users: the
			// credential is kept, its owner's ARN is unknown.
			attrs[inventory.AttrUnknown] = map[string]any{string(inventory.EdgeHasCredential): "not_found: iam:GetAccountAuthorizationDetails"}
			is.creds.Warn(opListServiceCredentials, failure.Errorf(failure.NotFound,
				"user %s of service-specific credential %s was not among the users iam:GetAccountAuthorizationDetails returned (created during the scan?): the credential is kept without its owner; scan again", deref(c.UserName), id))
		}
		if err := is.creds.Node(ctx, n); err != nil {
			return err
		}
		if !ok {
			continue
		}
		// The user is written in full by the IAM scope; a reference keeps
		// the edge's start known if that scope did not complete.
		if err := is.creds.Node(ctx, inventory.Node{ID: user, Kind: inventory.KindIdentity, Tenant: is.account, Name: deref(c.UserName), Ref: true,
			Attrs: map[string]any{inventory.AttrType: "iam_user"}}); err != nil {
			return err
		}
		if err := is.creds.Edge(ctx, user, inventory.EdgeHasCredential, n.ID, nil); err != nil {
			return err
		}
	}
	return nil
}
