package aws

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// Estate is the set of cloud accounts the lab serves. Read one with
// ParseEstate (or, from a whole estate file, lab.ParseEstate), which fill
// in defaults and validate it.
type Estate struct {
	Accounts []Account `yaml:"accounts"`
}

// Account is one AWS account and its IAM entities.
//
// AccessKeyID and SecretAccessKey are the credentials a scanner signs with
// for this account: the lab tells accounts apart by the access key id in the
// SigV4 Authorization header, as AWS does.
type Account struct {
	// ID is the 12-digit account id; required and unique in the estate.
	ID string `yaml:"id"`
	// Alias is the account alias (ListAccountAliases) and the profile name
	// in AWSConfigFile; optional.
	Alias string `yaml:"alias,omitempty"`
	// AccessKeyID is the key id a scanner signs with for this account.
	AccessKeyID string `yaml:"access_key_id"`
	// SecretAccessKey is the lab secret of AccessKeyID.
	SecretAccessKey string `yaml:"secret_access_key"`
	// Principal is the ARN GetCallerIdentity returns; see CallerARN.
	Principal string `yaml:"principal,omitempty"`

	Roles    []Role          `yaml:"roles,omitempty"`
	Users    []User          `yaml:"users,omitempty"`
	Groups   []Group         `yaml:"groups,omitempty"`
	Policies []ManagedPolicy `yaml:"policies,omitempty"`

	// Regions are what the account runs per region: Bedrock agents,
	// Lambda functions, AgentCore resources.
	Regions []Region `yaml:"regions,omitempty"`
}

// Role is an IAM role.
type Role struct {
	Name        string    `yaml:"name"`
	Path        string    `yaml:"path,omitempty"` // default "/"
	Description string    `yaml:"description,omitempty"`
	Created     time.Time `yaml:"created"`
	// LastUsed is nil for a role that was never used.
	LastUsed    *RoleLastUsed `yaml:"last_used,omitempty"`
	TrustPolicy Document      `yaml:"trust_policy"`

	InlinePolicies []InlinePolicy `yaml:"inline_policies,omitempty"`
	// ManagedPolicies are policy ARNs: AWS-managed
	// (arn:aws:iam::aws:policy/NAME, see AWSManagedPolicy) or this account's
	// customer-managed ones (Account.PolicyARN).
	ManagedPolicies []string          `yaml:"managed_policies,omitempty"`
	Tags            map[string]string `yaml:"tags,omitempty"`
	// PermissionsBoundary is a managed policy ARN, or empty.
	PermissionsBoundary string `yaml:"permissions_boundary,omitempty"`
}

// RoleLastUsed is when and where a role was last used.
type RoleLastUsed struct {
	Date   time.Time `yaml:"date"`
	Region string    `yaml:"region"`
}

// User is an IAM user.
type User struct {
	Name    string    `yaml:"name"`
	Path    string    `yaml:"path,omitempty"` // default "/"
	Created time.Time `yaml:"created"`
	// Groups are names of groups of the same account.
	Groups          []string          `yaml:"groups,omitempty"`
	InlinePolicies  []InlinePolicy    `yaml:"inline_policies,omitempty"`
	ManagedPolicies []string          `yaml:"managed_policies,omitempty"`
	Tags            map[string]string `yaml:"tags,omitempty"`
	AccessKeys      []AccessKey       `yaml:"access_keys,omitempty"`
	// PermissionsBoundary is a managed policy ARN, or empty.
	PermissionsBoundary string `yaml:"permissions_boundary,omitempty"`
	// ServiceCredentials are the user's service-specific credentials:
	// Bedrock API keys and the like.
	ServiceCredentials []ServiceCredential `yaml:"service_credentials,omitempty"`
}

// AccessKey is a long-lived access key of a user.
type AccessKey struct {
	ID string `yaml:"id"`
	// Secret is a canary: the lab never sends, logs or prints it.
	Secret  kit.Secret `yaml:"secret,omitempty"`
	Status  string     `yaml:"status,omitempty"` // Active (default) or Inactive
	Created time.Time  `yaml:"created"`
	// LastUsed is nil for a key that was never used.
	LastUsed *KeyLastUsed `yaml:"last_used,omitempty"`
}

// KeyLastUsed is when, where and for which service a key was last used.
type KeyLastUsed struct {
	Date    time.Time `yaml:"date"`
	Service string    `yaml:"service"`
	Region  string    `yaml:"region"`
}

// Group is an IAM group.
type Group struct {
	Name            string         `yaml:"name"`
	Path            string         `yaml:"path,omitempty"` // default "/"
	Created         time.Time      `yaml:"created"`
	InlinePolicies  []InlinePolicy `yaml:"inline_policies,omitempty"`
	ManagedPolicies []string       `yaml:"managed_policies,omitempty"`
}

// InlinePolicy is a policy embedded in a role, user or group.
type InlinePolicy struct {
	Name     string   `yaml:"name"`
	Document Document `yaml:"document"`
}

// ManagedPolicy is a customer-managed policy of an account; its ARN is
// arn:aws:iam::ACCOUNT:policy PATH NAME. AWSManagedPolicy returns the
// built-in AWS-managed ones in the same shape.
type ManagedPolicy struct {
	Name        string    `yaml:"name"`
	Path        string    `yaml:"path,omitempty"` // default "/"
	Description string    `yaml:"description,omitempty"`
	Created     time.Time `yaml:"created"`
	Document    Document  `yaml:"document"`
}

// Key statuses an AccessKey may have.
const (
	KeyActive   = "Active"
	KeyInactive = "Inactive"
)

// DefaultPrincipalName is the IAM user name of the default scanner
// principal, arn:aws:iam::ACCOUNT:user/aam-scanner.
const DefaultPrincipalName = "aam-scanner"

// String describes the key without its secret, so that printing an
// AccessKey with fmt never shows the canary.
func (k AccessKey) String() string {
	return fmt.Sprintf("access key %s (%s)", k.ID, k.status())
}

// GoString is String for %#v.
func (k AccessKey) GoString() string { return k.String() }

// String names the account without its secret access key.
func (a Account) String() string {
	if a.Alias != "" {
		return fmt.Sprintf("account %s (%s)", a.ID, a.Alias)
	}
	return "account " + a.ID
}

// GoString is String for %#v.
func (a Account) GoString() string { return a.String() }

func (k AccessKey) status() string {
	if k.Status == "" {
		return KeyActive
	}
	return k.Status
}

// ParseEstate decodes the AWS section of an estate (top-level accounts:)
// from YAML, rejecting unknown fields, and prepares it (see Prepare).
// Errors never contain secret values.
func ParseEstate(data []byte) (*Estate, error) {
	var est Estate
	if err := kit.DecodeStrict(data, &est); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("estate is empty: list the accounts under a top-level accounts: key")
		}
		return nil, fmt.Errorf("estate: %w", err)
	}
	if err := est.Prepare(); err != nil {
		return nil, err
	}
	return &est, nil
}

// Prepare fills in defaults (paths "/", key status Active, the default
// principal, the ids and statuses of region resources) and validates the
// estate (see Validate). The lab calls it on the aws section it decoded.
func (e *Estate) Prepare() error {
	e.applyDefaults()
	return e.Validate()
}

func (e *Estate) applyDefaults() {
	for i := range e.Accounts {
		a := &e.Accounts[i]
		if a.Principal == "" && a.ID != "" {
			a.Principal = a.CallerARN()
		}
		for j := range a.Roles {
			a.Roles[j].Path = pathOrRoot(a.Roles[j].Path)
		}
		for j := range a.Users {
			u := &a.Users[j]
			u.Path = pathOrRoot(u.Path)
			for k := range u.AccessKeys {
				u.AccessKeys[k].Status = u.AccessKeys[k].status()
			}
			for k := range u.ServiceCredentials {
				u.ServiceCredentials[k].Status = u.ServiceCredentials[k].status()
			}
		}
		for j := range a.Groups {
			a.Groups[j].Path = pathOrRoot(a.Groups[j].Path)
		}
		for j := range a.Policies {
			a.Policies[j].Path = pathOrRoot(a.Policies[j].Path)
		}
		for j := range a.Regions {
			a.Regions[j].applyDefaults(a.ID)
		}
	}
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Account returns the account with the given id.
func (e *Estate) Account(id string) (Account, bool) {
	for _, a := range e.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// ProfileName is the account's name in AWSConfigFile: its alias, or its id
// when it has none.
func (a Account) ProfileName() string {
	if a.Alias != "" {
		return a.Alias
	}
	return a.ID
}

// CallerARN is the ARN GetCallerIdentity returns for this account's scanner
// credentials: Principal, or arn:aws:iam::ID:user/aam-scanner.
func (a Account) CallerARN() string {
	if a.Principal != "" {
		return a.Principal
	}
	return "arn:aws:iam::" + a.ID + ":user/" + DefaultPrincipalName
}

// Role returns the role with the given name (IAM names are not case
// sensitive).
func (a Account) Role(name string) (Role, bool) {
	for _, r := range a.Roles {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Role{}, false
}

// User returns the user with the given name.
func (a Account) User(name string) (User, bool) {
	for _, u := range a.Users {
		if strings.EqualFold(u.Name, name) {
			return u, true
		}
	}
	return User{}, false
}

// Group returns the group with the given name.
func (a Account) Group(name string) (Group, bool) {
	for _, g := range a.Groups {
		if strings.EqualFold(g.Name, name) {
			return g, true
		}
	}
	return Group{}, false
}

// Policy returns the customer-managed policy with the given name.
func (a Account) Policy(name string) (ManagedPolicy, bool) {
	for _, p := range a.Policies {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return ManagedPolicy{}, false
}

// RoleARN is the ARN of the named role, with its path when the role is in
// the account (else path "/").
func (a Account) RoleARN(name string) string {
	r, _ := a.Role(name)
	return a.arn("role", r.Path, name)
}

// UserARN is the ARN of the named user.
func (a Account) UserARN(name string) string {
	u, _ := a.User(name)
	return a.arn("user", u.Path, name)
}

// GroupARN is the ARN of the named group.
func (a Account) GroupARN(name string) string {
	g, _ := a.Group(name)
	return a.arn("group", g.Path, name)
}

// PolicyARN is the ARN of the named customer-managed policy.
func (a Account) PolicyARN(name string) string {
	p, _ := a.Policy(name)
	return a.arn("policy", p.Path, name)
}

func (a Account) arn(kind, path, name string) string {
	return "arn:aws:iam::" + a.ID + ":" + kind + pathOrRoot(path) + name
}

const awsManagedARNPrefix = "arn:aws:iam::aws:policy/"

// RoleID is the unique id (AROA...) the lab gives the named role.
func (a Account) RoleID(name string) string { return entityID("AROA", a.ID, "role", name) }

// UserID is the unique id (AIDA...) the lab gives the named user.
func (a Account) UserID(name string) string { return entityID("AIDA", a.ID, "user", name) }

// GroupID is the unique id (AGPA...) the lab gives the named group.
func (a Account) GroupID(name string) string { return entityID("AGPA", a.ID, "group", name) }

// PolicyID is the unique id (ANPA...) the lab gives the named
// customer-managed policy.
func (a Account) PolicyID(name string) string { return entityID("ANPA", a.ID, "policy", name) }
