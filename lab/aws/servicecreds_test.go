package aws

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

const serviceCredsEstate = `
accounts:
  - id: "123456789012"
    access_key_id: AKIAIOSFODNN7EXAMPLE
    secret_access_key: lab-secret
    users:
      - name: bedrock-app
        created: 2026-01-01T00:00:00Z
        service_credentials:
          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, secret: CANARY-aam-bedrock-key-1, created: 2026-01-02T00:00:00Z}
          - {id: ACCAQBEDROCKKEY000002, service: bedrock.amazonaws.com, secret: CANARY-aam-bedrock-key-2, status: Inactive, created: 2026-02-01T00:00:00Z, expires: 2026-03-01T00:00:00Z}
          - {id: ACCAQGITPASSWORD00001, service: codecommit.amazonaws.com, secret: CANARY-aam-git-password, created: 2026-01-03T00:00:00Z}
      - name: cassandra-app
        path: /data/
        created: 2026-01-01T00:00:00Z
        service_credentials:
          - {id: ACCAQKEYSPACESPW00001, service: cassandra.amazonaws.com, secret: CANARY-aam-keyspaces, created: 2026-01-04T00:00:00Z}
          - {id: ACCAQBEDROCKKEY000003, service: bedrock.amazonaws.com, created: 2026-01-05T00:00:00Z, status: Expired, expires: 2026-01-06T00:00:00Z}
      - name: nobody-special
        created: 2026-01-01T00:00:00Z
`

type listServiceCredsResponse struct {
	Result struct {
		IsTruncated bool
		Marker      string
		Creds       []struct {
			CreateDate, ExpirationDate, ServiceCredentialAlias, ServiceName string
			ServiceSpecificCredentialId, ServiceUserName, Status, UserName  string
		} `xml:"ServiceSpecificCredentials>member"`
	} `xml:"ListServiceSpecificCredentialsResult"`
}

// listCreds pages ListServiceSpecificCredentials to the end and returns
// "user/id/status" per credential and the number of pages.
func listCreds(t *testing.T, c client, kv ...string) (got []string, pages int) {
	t.Helper()
	marker := ""
	for {
		args := slices.Clone(kv)
		if marker != "" {
			args = append(args, "Marker", marker)
		}
		var resp listServiceCredsResponse
		c.call(iamForm("ListServiceSpecificCredentials", args...), &resp)
		pages++
		for _, cr := range resp.Result.Creds {
			got = append(got, cr.UserName+"/"+cr.ServiceSpecificCredentialId+"/"+cr.Status)
		}
		if !resp.Result.IsTruncated {
			return got, pages
		}
		if resp.Result.Marker == "" {
			t.Fatal("IsTruncated without a Marker")
		}
		marker = resp.Result.Marker
	}
}

func TestListServiceSpecificCredentials(t *testing.T) {
	e, err := ParseEstate([]byte(serviceCredsEstate))
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[0]
	c := client{t, NewServer(e, Options{PageSize: 1}), a}
	tests := []struct {
		name      string
		kv        []string
		want      []string
		wantPages int
	}{
		{"every user's Bedrock keys, a page each", []string{"AllUsers", "true", "ServiceName", ServiceBedrock},
			[]string{"bedrock-app/ACCAQBEDROCKKEY000001/Active", "bedrock-app/ACCAQBEDROCKKEY000002/Inactive", "cassandra-app/ACCAQBEDROCKKEY000003/Expired"}, 3},
		{"every user's Keyspaces passwords", []string{"AllUsers", "true", "ServiceName", ServiceKeyspaces},
			[]string{"cassandra-app/ACCAQKEYSPACESPW00001/Active"}, 1},
		{"no CloudWatch Logs keys", []string{"AllUsers", "true", "ServiceName", ServiceLogs}, nil, 1},
		{"one user, every service", []string{"UserName", "bedrock-app"},
			[]string{"bedrock-app/ACCAQBEDROCKKEY000001/Active", "bedrock-app/ACCAQBEDROCKKEY000002/Inactive", "bedrock-app/ACCAQGITPASSWORD00001/Active"}, 3},
		{"one user, one service, any case", []string{"UserName", "Cassandra-App", "ServiceName", ServiceKeyspaces},
			[]string{"cassandra-app/ACCAQKEYSPACESPW00001/Active"}, 1},
		{"a user without any", []string{"UserName", "nobody-special"}, nil, 1},
		{"AllUsers=false is one user's", []string{"AllUsers", "false", "UserName", "cassandra-app"},
			[]string{"cassandra-app/ACCAQKEYSPACESPW00001/Active", "cassandra-app/ACCAQBEDROCKKEY000003/Expired"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := listCreds(t, client{t, c.srv, a}, tt.kv...)
			if !slices.Equal(got, tt.want) || pages != tt.wantPages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.wantPages)
			}
		})
	}

	// The metadata of an API key and of a password, never their secrets.
	w := (client{t, NewServer(e, Options{}), a}).do(iamForm("ListServiceSpecificCredentials", "UserName", "cassandra-app"))
	body := w.Body.String()
	for _, want := range []string{
		"<ServiceSpecificCredentialId>ACCAQKEYSPACESPW00001</ServiceSpecificCredentialId>",
		"<ServiceUserName>cassandra-app-at-123456789012</ServiceUserName>",
		"<ServiceCredentialAlias>cassandra-app+ey000003</ServiceCredentialAlias>",
		"<ExpirationDate>2026-01-06T00:00:00Z</ExpirationDate>",
		"<CreateDate>2026-01-04T00:00:00Z</CreateDate>",
		"<ServiceName>cassandra.amazonaws.com</ServiceName>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %s:\n%s", want, body)
		}
	}
	if strings.Count(body, "<ExpirationDate>") != 1 {
		t.Errorf("a credential without an expiry has an ExpirationDate:\n%s", body)
	}
	for _, s := range e.Canaries() {
		if strings.Contains(body, s) {
			t.Errorf("the answer holds a secret")
		}
	}

	// Refusals, as IAM answers them.
	refusals := []struct {
		name       string
		kv         []string
		status     int
		code, text string
	}{
		{"AllUsers with UserName", []string{"AllUsers", "true", "UserName", "bedrock-app"}, http.StatusBadRequest, "ValidationError", "AllUsers cannot be specified together with UserName"},
		{"AllUsers not a boolean", []string{"AllUsers", "yes"}, http.StatusBadRequest, "ValidationError", "allUsers"},
		{"a service without such credentials", []string{"AllUsers", "true", "ServiceName", "s3.amazonaws.com"}, http.StatusBadRequest, "NotSupportedService", "s3.amazonaws.com"},
		{"an unknown user", []string{"UserName", "ghost"}, http.StatusNotFound, "NoSuchEntity", "The user with name ghost cannot be found."},
		{"no user, as a user not in the account", nil, http.StatusNotFound, "NoSuchEntity", "aam-scanner"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			w := (client{t, c.srv, a}).do(iamForm("ListServiceSpecificCredentials", r.kv...))
			got := decodeError(t, w)
			if w.Code != r.status || got.Code != r.code || !strings.Contains(got.Message, r.text) {
				t.Errorf("%d %+v, want %d %s saying %q", w.Code, got, r.status, r.code, r.text)
			}
		})
	}
}

// Denying the AllUsers form refuses only the listing of every user's
// credentials: one user's still answers.
func TestDeniedAllUsersForm(t *testing.T) {
	e, err := ParseEstate([]byte(serviceCredsEstate))
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(e, Options{DenyOps: []string{"iam:" + allUsersForm}})
	if ops := srv.Operations(); !slices.Contains(ops, "iam:ListServiceSpecificCredentials(AllUsers)") || !slices.Contains(ops, "iam:ListServiceSpecificCredentials") {
		t.Errorf("Operations() = %v, want the operation and its AllUsers form", ops)
	}
	c := client{t, srv, e.Accounts[0]}
	w := c.do(iamForm("ListServiceSpecificCredentials", "AllUsers", "true", "ServiceName", ServiceBedrock))
	if got := decodeError(t, w); w.Code != http.StatusForbidden || got.Code != "AccessDenied" || !strings.Contains(got.Message, "iam:ListServiceSpecificCredentials") {
		t.Errorf("AllUsers: %d %+v, want AccessDenied", w.Code, got)
	}
	got, _ := listCreds(t, c, "UserName", "bedrock-app", "ServiceName", ServiceBedrock)
	if len(got) != 2 {
		t.Errorf("one user's Bedrock keys = %v, want both", got)
	}
	if st := srv.Stats(); st.Denied != 1 || st.Calls["aws/iam:ListServiceSpecificCredentials"] != 2 {
		t.Errorf("stats %+v, want 2 calls of the operation, 1 denied", st)
	}
}

func TestServiceCredentialsValidation(t *testing.T) {
	head := `
accounts:
  - id: "123456789012"
    access_key_id: AKIAIOSFODNN7EXAMPLE
    secret_access_key: lab-secret
    users:
      - name: u
        created: 2026-01-01T00:00:00Z
        service_credentials:
`
	tests := []struct {
		creds, want string
	}{
		{"          - {id: SHORT, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}", "is not a valid service-specific credential id"},
		{"          - {id: ACCAQBEDROCKKEY000001, service: s3.amazonaws.com, created: 2026-01-02T00:00:00Z}", `service "s3.amazonaws.com" does not issue service-specific credentials`},
		{"          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, status: Revoked, created: 2026-01-02T00:00:00Z}", `status "Revoked" is not known`},
		{"          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com}", "created is not set"},
		{"          - {id: ACCAQGITPASSWORD00001, service: codecommit.amazonaws.com, created: 2026-01-02T00:00:00Z, expires: 2026-02-02T00:00:00Z}", "only Bedrock and CloudWatch Logs API keys"},
		{"          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z, expires: 2026-01-01T00:00:00Z}", "expires is not after created"},
		{"          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}\n          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}", "is also used by"},
		{"          - {id: ACCAQBEDROCKKEY000001, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}\n          - {id: ACCAQBEDROCKKEY000002, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}\n          - {id: ACCAQBEDROCKKEY000003, service: bedrock.amazonaws.com, created: 2026-01-02T00:00:00Z}", "at most two per service"},
	}
	for _, tt := range tests {
		_, err := ParseEstate([]byte(head + tt.creds + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\nerror %v, want one saying %q", tt.creds, err, tt.want)
		}
	}
	_, err := ParseEstate([]byte(serviceCredsEstate))
	if err != nil {
		t.Errorf("a valid estate: %v", err)
	}
	e, _ := ParseEstate([]byte(serviceCredsEstate))
	if c := e.Accounts[0].Users[0].ServiceCredentials[0]; c.String() != "service-specific credential ACCAQBEDROCKKEY000001 for bedrock.amazonaws.com (Active)" {
		t.Errorf("String() = %q", c.String())
	}
	if !slices.Contains(e.Canaries(), "CANARY-aam-git-password") {
		t.Error("Canaries() lacks the secret of a service-specific credential")
	}
}
