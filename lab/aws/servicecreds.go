package aws

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// Service-specific credentials, as the IAM API Reference describes them
// (CreateServiceSpecificCredential, ListServiceSpecificCredentials,
// ServiceSpecificCredentialMetadata): a user may hold at most two per
// service; Amazon Bedrock and CloudWatch Logs long-term API keys may carry
// an expiration date (CredentialAgeDays, 1 to 36600 days); the others never
// expire. The secret (the API key, or the password) is returned only when
// the credential is created, never by a list.

// ServiceCredential is a service-specific credential of a user: a Bedrock
// or CloudWatch Logs long-term API key, or a CodeCommit or Amazon Keyspaces
// user name and password.
type ServiceCredential struct {
	// ID is the ServiceSpecificCredentialId: 20 to 128 letters, digits and
	// underscores, such as ACCA followed by upper-case letters and digits.
	ID string `yaml:"id"`
	// Service is the ServiceName, one of ServiceCredentialServices.
	Service string `yaml:"service"`
	// Secret is a canary: the lab never sends, logs or prints it.
	Secret kit.Secret `yaml:"secret,omitempty"`
	// Status is Active (default), Inactive or Expired.
	Status  string    `yaml:"status,omitempty"`
	Created time.Time `yaml:"created"`
	// Expires is nil for a credential without an expiration date; only
	// Bedrock and CloudWatch Logs API keys may have one.
	Expires *time.Time `yaml:"expires,omitempty"`
}

// The services IAM issues service-specific credentials for, by the
// ServiceName they are listed under.
const (
	ServiceBedrock    = "bedrock.amazonaws.com"
	ServiceLogs       = "logs.amazonaws.com"
	ServiceCodeCommit = "codecommit.amazonaws.com"
	ServiceKeyspaces  = "cassandra.amazonaws.com"
)

// ServiceCredentialServices lists the services IAM issues service-specific
// credentials for.
func ServiceCredentialServices() []string {
	return []string{ServiceBedrock, ServiceLogs, ServiceCodeCommit, ServiceKeyspaces}
}

// apiKeyService reports whether service's credentials are API keys: those
// have an alias and may expire; the others are a user name and password.
func apiKeyService(service string) bool { return service == ServiceBedrock || service == ServiceLogs }

// Statuses a ServiceCredential may have besides those of access keys.
const CredentialExpired = "Expired"

// String describes the credential without its secret.
func (c ServiceCredential) String() string {
	return fmt.Sprintf("service-specific credential %s for %s (%s)", c.ID, c.Service, c.status())
}

// GoString is String for %#v.
func (c ServiceCredential) GoString() string { return c.String() }

func (c ServiceCredential) status() string {
	if c.Status == "" {
		return KeyActive
	}
	return c.Status
}

// serviceCredentialMetadata is a ServiceSpecificCredentialMetadata: ids,
// names, status and dates, never the secret.
type serviceCredentialMetadata struct {
	CreateDate                  string
	ExpirationDate              string `xml:",omitempty"`
	ServiceCredentialAlias      string `xml:",omitempty"`
	ServiceName                 string
	ServiceSpecificCredentialID string `xml:"ServiceSpecificCredentialId"`
	ServiceUserName             string `xml:",omitempty"`
	Status                      string
	UserName                    string
}

type listServiceSpecificCredentialsResult struct {
	IsTruncated                bool
	Marker                     string `xml:",omitempty"`
	ServiceSpecificCredentials members[serviceCredentialMetadata]
}

// serviceCredentialOf is c of user u as the list answers it. The public
// names are derived as the IAM API Reference describes them: a password
// credential's ServiceUserName joins the user's name and the account id
// (jane-at-123456789012); an API key's ServiceCredentialAlias holds the
// user's name and a suffix, which the lab derives from the credential id.
func serviceCredentialOf(account string, u *User, c *ServiceCredential) serviceCredentialMetadata {
	m := serviceCredentialMetadata{
		CreateDate:                  isoDate(c.Created),
		ServiceName:                 c.Service,
		ServiceSpecificCredentialID: c.ID,
		Status:                      c.status(),
		UserName:                    u.Name,
	}
	if apiKeyService(c.Service) {
		suffix := c.ID
		if len(suffix) > 8 {
			suffix = suffix[len(suffix)-8:]
		}
		m.ServiceCredentialAlias = u.Name + "+" + strings.ToLower(suffix)
	} else {
		m.ServiceUserName = u.Name + "-at-" + account
	}
	if c.Expires != nil {
		m.ExpirationDate = isoDate(*c.Expires)
	}
	return m
}

// allUsersForm names the form of ListServiceSpecificCredentials with
// AllUsers=true, which a fault switch can deny alone: as for a principal
// allowed to list some users' credentials, but not every user's at once.
const allUsersForm = "ListServiceSpecificCredentials(AllUsers)"

func listServiceSpecificCredentials(c call) (any, *apiError) {
	allUsers := false
	if c.params.has("AllUsers") {
		switch v := c.params.get("AllUsers"); v {
		case "true":
			allUsers = true
		case "false":
		default:
			return nil, validationError("1 validation error detected: Value '%s' at 'allUsers' failed to satisfy constraint: Member must be true or false", v)
		}
	}
	service := c.params.get("ServiceName")
	if c.params.has("ServiceName") && !slices.Contains(ServiceCredentialServices(), service) {
		return nil, &apiError{status: http.StatusBadRequest, code: "NotSupportedService", outcome: answered,
			message: fmt.Sprintf("Service %s does not support service-specific credentials.", service)}
	}
	a := c.account
	var users []*User
	narrow := "all"
	switch {
	case allUsers && c.params.has("UserName"):
		return nil, validationError("AllUsers cannot be specified together with UserName: send one of them")
	case allUsers:
		for i := range a.Users {
			users = append(users, &a.Users[i])
		}
	default:
		name := c.params.get("UserName")
		if !c.params.has("UserName") {
			// Without UserName, IAM lists the calling user's credentials.
			name = principalUserName(c.principal)
			if name == "" {
				return nil, validationError("Must specify userName when calling with non-User credentials")
			}
		}
		u, ok := a.userByName[strings.ToLower(name)]
		if !ok {
			return nil, noSuchEntity("The user with name %s cannot be found.", name)
		}
		users, narrow = []*User{u}, "user/"+strings.ToLower(name)
	}
	var creds []serviceCredentialMetadata
	for _, u := range users {
		for i := range u.ServiceCredentials {
			sc := &u.ServiceCredentials[i]
			if service == "" || sc.Service == service {
				creds = append(creds, serviceCredentialOf(a.ID, u, sc))
			}
		}
	}
	pg, err := paginate(c.params, c.pageSize, kit.List{Op: c.action, Tenant: a.ID, Narrow: narrow + "/" + service}, len(creds))
	if err != nil {
		return nil, err
	}
	return listServiceSpecificCredentialsResult{
		IsTruncated:                pg.Truncated,
		Marker:                     pg.Next,
		ServiceSpecificCredentials: members[serviceCredentialMetadata](creds[pg.Start:pg.End]),
	}, nil
}

// serviceCredentials validates the service-specific credentials of user
// (where names it).
func (v *validator) serviceCredentials(where string, u *User) {
	perService := map[string]int{}
	for j, c := range u.ServiceCredentials {
		cw := fmt.Sprintf("%s: service credential #%d", where, j+1)
		if c.ID != "" {
			cw = where + ": service credential " + c.ID
		}
		if len(c.ID) < 20 || !isAccessKeyID(c.ID) {
			v.addf(cw, "id %q is not a valid service-specific credential id: use 20 to 128 letters, digits or underscores, such as ACCA followed by 17 upper-case letters and digits", c.ID)
		} else if prev, ok := v.keyOwners[c.ID]; ok {
			v.addf(cw, "id %s is also used by %s: ids must be unique across the whole estate", c.ID, prev)
		} else {
			v.keyOwners[c.ID] = cw
		}
		if !slices.Contains(ServiceCredentialServices(), c.Service) {
			v.addf(cw, "service %q does not issue service-specific credentials: use one of %s", c.Service, strings.Join(ServiceCredentialServices(), ", "))
		}
		perService[c.Service]++
		if s := c.status(); s != KeyActive && s != KeyInactive && s != CredentialExpired {
			v.addf(cw, "status %q is not known: use Active, Inactive or Expired", s)
		}
		v.created(cw, c.Created)
		if c.Expires != nil {
			switch {
			case !apiKeyService(c.Service):
				v.addf(cw, "has an expiry, which only Bedrock and CloudWatch Logs API keys can have: drop expires")
			case !c.Expires.After(c.Created):
				v.addf(cw, "expires is not after created: set an expiry after the creation date, or drop expires for a key that never expires")
			}
		}
	}
	for _, svc := range ServiceCredentialServices() {
		if perService[svc] > 2 {
			v.addf(where, "has %d service-specific credentials for %s: AWS allows at most two per service", perService[svc], svc)
		}
	}
}
