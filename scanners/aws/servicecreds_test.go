package aws_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// wantServiceCredentials checks that the graph holds every service-specific
// credential of the estate, as the estate file says, each tied to its user,
// and no other.
func wantServiceCredentials(t *testing.T, e *lab.Estate, g graph) {
	t.Helper()
	want := 0
	for _, a := range e.AWS.Accounts {
		for _, u := range a.Users {
			for _, c := range u.ServiceCredentials {
				want++
				id := awsscan.ServiceCredentialID(c.ID)
				n, ok := g.nodes[id]
				if !ok {
					t.Errorf("credential %s of %s missing", c.ID, u.Name)
					continue
				}
				status := c.Status
				if status == "" {
					status = labaws.KeyActive
				}
				wantAge := float64(int(now.Sub(c.Created) / (24 * time.Hour)))
				if n.Kind != inventory.KindCredential || n.Tenant != a.ID || n.Attrs["type"] != "iam_service_credential" ||
					n.Attrs["standing"] != true || n.Attrs["service"] != c.Service || n.Attrs["status"] != status ||
					n.Attrs["fingerprint"] != c.ID || n.Attrs["user"] != a.UserARN(u.Name) || n.Attrs["age_days"] != wantAge || !n.Created.Equal(c.Created) {
					t.Errorf("credential %s = %s %s %v created %s", c.ID, n.Kind, n.Tenant, n.Attrs, n.Created)
				}
				// Every long-term credential is standing; the expiry, when
				// there is one, is recorded as it is.
				switch {
				case c.Expires == nil && !n.Expires.IsZero():
					t.Errorf("credential %s without an expiry expires %s", c.ID, n.Expires)
				case c.Expires != nil && !n.Expires.Equal(*c.Expires):
					t.Errorf("credential %s expires %s, want %s", c.ID, n.Expires, *c.Expires)
				}
				if _, ok := g.edges[edgeKey(a.UserARN(u.Name), inventory.EdgeHasCredential, id)]; !ok {
					t.Errorf("edge %s has_credential %s missing", a.UserARN(u.Name), id)
				}
			}
		}
	}
	got := 0
	for _, n := range g.nodes {
		if n.Attrs["type"] == "iam_service_credential" {
			got++
		}
	}
	if got != want || want == 0 {
		t.Errorf("%d service-specific credentials in the graph, want the estate's %d", got, want)
	}
}

// serviceCredentialCalls counts the ListServiceSpecificCredentials calls
// of each form the estate takes at pageSize: AllUsers, one paged call per
// service; per user, one paged call per user.
func serviceCredentialCalls(e *lab.Estate, pageSize int) (allUsers, perUser int) {
	for _, a := range e.AWS.Accounts {
		for _, svc := range labaws.ServiceCredentialServices() {
			n := 0
			for _, u := range a.Users {
				for _, c := range u.ServiceCredentials {
					if c.Service == svc {
						n++
					}
				}
			}
			allUsers += pages(n, pageSize)
		}
		for _, u := range a.Users {
			perUser += pages(len(u.ServiceCredentials), pageSize)
		}
	}
	return allUsers, perUser
}

// TestServiceCredentialsEveryUserAtOnce: one paged AllUsers call per
// service finds every user's credentials, through the real SDK client.
func TestServiceCredentialsEveryUserAtOnce(t *testing.T) {
	e := loadEstate(t, "service-credentials.yaml")
	const pageSize = 1
	l := startLab(t, e, lab.Options{PageSize: pageSize})
	res, _ := cleanScan(t, awsscan.Config{Services: []string{awsscan.ServiceIAM}}, labOptions(l, testOptions(4)))
	wantServiceCredentials(t, e, readGraph(t, res.store))
	allUsers, _ := serviceCredentialCalls(e, pageSize)
	if got := l.Stats().Calls["aws/iam:ListServiceSpecificCredentials"]; got != allUsers || allUsers <= len(labaws.ServiceCredentialServices()) {
		t.Errorf("ListServiceSpecificCredentials calls = %d, want %d: one paged AllUsers call per service, several pages", got, allUsers)
	}
}

// TestServiceCredentialsPerUserWhereAllUsersIsRefused: where the AllUsers
// form is denied, each user's credentials are listed instead, and the graph
// is the same.
func TestServiceCredentialsPerUserWhereAllUsersIsRefused(t *testing.T) {
	e := loadEstate(t, "service-credentials.yaml")
	const pageSize = 1
	clean := startLab(t, e, lab.Options{PageSize: pageSize})
	cfg := awsscan.Config{Services: []string{awsscan.ServiceIAM}}
	cleanRes, _ := cleanScan(t, cfg, labOptions(clean, testOptions(4)))

	refused := startLab(t, e, lab.Options{PageSize: pageSize, DenyOps: []string{"aws:iam:ListServiceSpecificCredentials(AllUsers)"}})
	res, scopes := cleanScan(t, cfg, labOptions(refused, testOptions(4)))
	g := readGraph(t, res.store)
	wantServiceCredentials(t, e, g)
	if got, want := g.fingerprint(), readGraph(t, cleanRes.store).fingerprint(); got != want {
		t.Errorf("the per-user listing found another graph than AllUsers:\n%s\nwant:\n%s", got, want)
	}
	if !slices.ContainsFunc(scopes, func(s inventory.Scope) bool { return s.Name == awsscan.ServiceCredentialsScope }) {
		t.Errorf("completed scopes %v lack %s", scopes, awsscan.ServiceCredentialsScope)
	}
	_, perUser := serviceCredentialCalls(e, pageSize)
	st := refused.Stats()
	// The first AllUsers call is refused, then every user is listed.
	if got := st.Calls["aws/iam:ListServiceSpecificCredentials"]; got != 1+perUser || st.Denied != 1 || perUser <= len(e.AWS.Accounts[0].Users) {
		t.Errorf("ListServiceSpecificCredentials calls = %d (%d denied), want 1 refused and %d per user, several pages", got, st.Denied, perUser)
	}
}

// TestServiceCredentialsDeniedFailOnlyTheirScope: a principal denied
// ListServiceSpecificCredentials keeps the rest of the account's IAM, and
// the credentials' scope keeps its last state.
func TestServiceCredentialsDeniedFailOnlyTheirScope(t *testing.T) {
	e := loadEstate(t, "service-credentials.yaml")
	l := startLab(t, e, lab.Options{DenyOps: []string{"aws:iam:ListServiceSpecificCredentials"}})
	res := scan(t, context.Background(), awsscan.Config{Services: []string{awsscan.ServiceIAM}}, labOptions(l, testOptions(4)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	ctx := context.Background()
	errs, _ := res.store.ScanErrors(ctx, res.scanID)
	if len(errs) != 1 || errs[0].Scope != awsscan.ServiceCredentialsScope || errs[0].Operation != "iam:ListServiceSpecificCredentials" ||
		errs[0].Class != "denied" || errs[0].Warning || !strings.Contains(errs[0].Message, "AccessDenied") {
		t.Fatalf("scan errors = %+v, want one denial of the service credentials' scope", errs)
	}
	scopes, _ := res.store.CompletedScopes(ctx, res.scanID)
	if len(scopes) != 2 || scopes[0].Name != inventory.GlobalScope || scopes[1].Name != awsscan.EscalationScope {
		t.Errorf("completed scopes = %v, want IAM's and the escalation paths'", scopes)
	}
	g := readGraph(t, res.store)
	checkEstate(t, e, g)
	for id, n := range g.nodes {
		if n.Attrs["type"] == "iam_service_credential" {
			t.Errorf("credential %s written by a scope that failed", id)
		}
	}
}
