package aws

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// What refuses the AllUsers form (then each user is listed), what says a
// service issues no such credentials here (then it has none), and what
// fails the scope.
func TestServiceCredentialErrors(t *testing.T) {
	apiErr := func(code string) error {
		return fmt.Errorf("operation error IAM: ListServiceSpecificCredentials: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	tests := []struct {
		name                  string
		err                   error
		refused, notSupported bool
		absentOnTheFirstCall  bool
	}{
		{"denied", apiErr("AccessDenied"), true, false, false},
		{"AllUsers not known", apiErr("ValidationError"), true, false, false},
		{"the credentials refused, not the call", apiErr("InvalidClientTokenId"), false, false, false},
		{"expired credentials", apiErr("ExpiredToken"), false, false, false},
		{"a service without such credentials", apiErr("NotSupportedService"), false, true, false},
		{"throttled past retries", apiErr("Throttling"), false, false, false},
		{"an endpoint without the operation", apiErr("InvalidAction"), false, false, true},
		{"a network failure", errors.New("dial tcp: connection refused"), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allUsersRefused(tt.err); got != tt.refused {
				t.Errorf("allUsersRefused = %v, want %v", got, tt.refused)
			}
			if got := serviceNotSupported(tt.err); got != tt.notSupported {
				t.Errorf("serviceNotSupported = %v, want %v", got, tt.notSupported)
			}
			if got := serviceAbsent(tt.err); got != tt.absentOnTheFirstCall {
				t.Errorf("serviceAbsent = %v, want %v", got, tt.absentOnTheFirstCall)
			}
		})
	}
}

// A credential of a user the IAM scope did not read (created during the
// scan) is kept, with its owner marked unknown and a warning; the others
// are tied to their users, by name in any case.
func TestServiceCredentialOfAnUnknownUser(t *testing.T) {
	ctx := context.Background()
	store, sc := beginTestScan(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := &Scanner{opts: scanners.Options{Now: func() time.Time { return now }}}
	is := newIAMScan(s, clients{}, sc, "111111111111", "", nil)
	is.details.UserDetailList = []types.UserDetail{{UserName: ptr("Known"), Arn: ptr("arn:aws:iam::111111111111:user/team/Known")}}
	is.detailsRead = true
	created := now.Add(-48 * time.Hour)
	creds := []types.ServiceSpecificCredentialMetadata{
		{ServiceSpecificCredentialId: ptr("ACCAKNOWNUSERSKEY0001"), ServiceName: ptr("bedrock.amazonaws.com"), UserName: ptr("known"), Status: types.StatusTypeActive, CreateDate: &created},
		{ServiceSpecificCredentialId: ptr("ACCANEWUSERSKEY000001"), ServiceName: ptr("bedrock.amazonaws.com"), UserName: ptr("NewUser"), Status: types.StatusTypeActive, CreateDate: &created},
	}
	if err := is.writeServiceCredentials(ctx, creds); err != nil {
		t.Fatal(err)
	}
	if err := is.creds.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(ctx, inventory.ScanPartial); err != nil {
		t.Fatal(err)
	}
	known, err := store.NodeByID(ctx, ServiceCredentialID("ACCAKNOWNUSERSKEY0001"))
	if err != nil {
		t.Fatal(err)
	}
	if known.Attrs["user"] != "arn:aws:iam::111111111111:user/team/Known" || known.Attrs["age_days"] != float64(2) || known.Attrs[inventory.AttrUnknown] != nil {
		t.Errorf("known user's key = %v", known.Attrs)
	}
	_, in, err := store.EdgesOf(ctx, known.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].From != "arn:aws:iam::111111111111:user/team/Known" || in[0].Kind != inventory.EdgeHasCredential {
		t.Errorf("edges into the known user's key = %+v", in)
	}
	orphan, err := store.NodeByID(ctx, ServiceCredentialID("ACCANEWUSERSKEY000001"))
	if err != nil {
		t.Fatal(err)
	}
	unknown, _ := orphan.Attrs[inventory.AttrUnknown].(map[string]any)
	if orphan.Attrs["standing"] != true || orphan.Attrs["user_name"] != "NewUser" || orphan.Attrs["user"] != nil || unknown["has_credential"] != "not_found: iam:GetAccountAuthorizationDetails" {
		t.Errorf("unknown user's key = %v", orphan.Attrs)
	}
	errs, err := store.ScanErrors(ctx, sc.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || !errs[0].Warning || errs[0].Scope != ServiceCredentialsScope || errs[0].Class != "not_found" {
		t.Errorf("scan errors = %+v, want one warning of the service credentials' scope", errs)
	}
}
