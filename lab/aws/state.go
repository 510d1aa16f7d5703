package aws

import (
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// State is the emulated AWS: accounts with their IAM entities and access
// keys, the sessions STS issued, and per region the Bedrock agents,
// knowledge bases, Lambda functions and AgentCore resources. It holds the
// provider's records (the estate's types), never wire answers: the handlers
// read it and build their answers from it, and STS AssumeRole writes the
// sessions it issues; remediation and the broker will write it too.
//
// It is safe for concurrent use: readers hold read, writers write.
type State struct {
	now func() time.Time

	mu       sync.RWMutex // guards the accounts and everything they hold
	accounts []*accountState
	byKey    map[string]*accountState // scanner access key id -> account

	sessionMu  sync.Mutex
	sessions   map[string]*session // issued access key id -> session
	denyAssume map[string]bool     // role ARN -> AssumeRole refused
}

// accountState is one account: its estate record with defaults filled in,
// indexed by the keys the APIs look entities up by.
type accountState struct {
	Account
	principal string // the scanner's ARN
	callerID  string // GetCallerIdentity UserId

	userByName map[string]*User // lower-case name
	roleByName map[string]*Role // lower-case name
	keys       map[string]keyRef

	// attachments and boundaries count, per managed policy ARN, the
	// entities it is attached to and the users and roles it bounds.
	attachments map[string]int
	boundaries  map[string]int

	regions map[string]*regionState // by region name
}

// keyRef is a user access key and its user.
type keyRef struct {
	user *User
	key  *AccessKey
}

// regionState is one region of an account: the region with its defaults
// filled in, indexed by the keys the APIs look resources up by.
type regionState struct {
	account string
	region  Region

	agents     map[string]*BedrockAgent     // by id
	kbs        map[string]*KnowledgeBase    // by id
	lambdas    map[string]*Lambda           // by name
	runtimes   map[string]*Runtime          // by id
	gateways   map[string]*Gateway          // by id
	apiKeys    map[string]*APIKeyProvider   // by name
	oauth2     map[string]*OAuth2Provider   // by name
	identities map[string]*WorkloadIdentity // by name
}

// session is a set of temporary credentials STS AssumeRole issued. Its
// secret and token are never logged, printed or put in an error.
type session struct {
	account   *accountState // the account of the assumed role
	secret    string
	token     string
	expires   time.Time
	principal string // arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION
	callerID  string // ROLEID:SESSION
}

// NewState builds the state of e (a copy: later changes to e are not
// seen), dating sessions by now (time.Now when nil). It tolerates an estate
// that was not validated: the first of duplicated names or key ids wins.
func NewState(e *Estate, now func() time.Time) *State {
	if now == nil {
		now = time.Now
	}
	s := &State{now: now, byKey: map[string]*accountState{}, sessions: map[string]*session{}, denyAssume: map[string]bool{}}
	if e == nil {
		return s
	}
	for _, a := range e.Accounts {
		as := newAccountState(kit.DeepCopy(a))
		s.accounts = append(s.accounts, as)
		if _, dup := s.byKey[as.AccessKeyID]; as.AccessKeyID != "" && !dup {
			s.byKey[as.AccessKeyID] = as
		}
	}
	return s
}

func newAccountState(a Account) *accountState {
	as := &accountState{
		Account:     a,
		principal:   a.CallerARN(),
		userByName:  map[string]*User{},
		roleByName:  map[string]*Role{},
		keys:        map[string]keyRef{},
		attachments: map[string]int{},
		boundaries:  map[string]int{},
		regions:     map[string]*regionState{},
	}
	as.callerID = callerUserID(a, as.principal)
	for _, r := range as.Regions {
		if _, dup := as.regions[r.Name]; !dup {
			as.regions[r.Name] = newRegionState(a.ID, r)
		}
	}
	count := func(arns []string) {
		for _, arn := range arns {
			as.attachments[arn]++
		}
	}
	for i := range as.Users {
		u := &as.Users[i]
		count(u.ManagedPolicies)
		if u.PermissionsBoundary != "" {
			as.boundaries[u.PermissionsBoundary]++
		}
		for j := range u.AccessKeys {
			k := &u.AccessKeys[j]
			if _, dup := as.keys[k.ID]; !dup {
				as.keys[k.ID] = keyRef{user: u, key: k}
			}
		}
		index(as.userByName, strings.ToLower(u.Name), u)
	}
	for i := range as.Groups {
		count(as.Groups[i].ManagedPolicies)
	}
	for i := range as.Roles {
		r := &as.Roles[i]
		count(r.ManagedPolicies)
		if r.PermissionsBoundary != "" {
			as.boundaries[r.PermissionsBoundary]++
		}
		index(as.roleByName, strings.ToLower(r.Name), r)
	}
	return as
}

// newRegionState indexes r. It tolerates a region that was not validated:
// the first of duplicated ids or names wins.
func newRegionState(account string, r Region) *regionState {
	m := &regionState{
		account:    account,
		region:     r.withDefaults(account),
		agents:     map[string]*BedrockAgent{},
		kbs:        map[string]*KnowledgeBase{},
		lambdas:    map[string]*Lambda{},
		runtimes:   map[string]*Runtime{},
		gateways:   map[string]*Gateway{},
		apiKeys:    map[string]*APIKeyProvider{},
		oauth2:     map[string]*OAuth2Provider{},
		identities: map[string]*WorkloadIdentity{},
	}
	reg := &m.region
	indexAll(m.agents, reg.BedrockAgents, func(a *BedrockAgent) string { return a.ID })
	indexAll(m.kbs, reg.KnowledgeBases, func(kb *KnowledgeBase) string { return kb.ID })
	indexAll(m.lambdas, reg.Lambdas, func(l *Lambda) string { return l.Name })
	ac := &reg.AgentCore
	indexAll(m.runtimes, ac.Runtimes, func(r *Runtime) string { return r.ID })
	indexAll(m.gateways, ac.Gateways, func(g *Gateway) string { return g.ID })
	indexAll(m.apiKeys, ac.APIKeyProviders, func(p *APIKeyProvider) string { return p.Name })
	indexAll(m.oauth2, ac.OAuth2Providers, func(p *OAuth2Provider) string { return p.Name })
	indexAll(m.identities, ac.WorkloadIdentities, func(w *WorkloadIdentity) string { return w.Name })
	return m
}

// indexAll indexes every item of items by key, the first of a duplicated
// key winning.
func indexAll[T any](m map[string]*T, items []T, key func(*T) string) {
	for i := range items {
		index(m, key(&items[i]), &items[i])
	}
}

func index[T any](m map[string]*T, key string, v *T) {
	if _, dup := m[key]; key != "" && !dup {
		m[key] = v
	}
}

// update runs fn with the state's write lock: every change to the
// accounts and what they hold goes through it (remediation and the broker
// will), so that no handler reads a half-made change.
func (s *State) update(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// account returns the account with this id, or nil. Callers hold mu.
func (s *State) account(id string) *accountState {
	for _, a := range s.accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Accounts lists the ids of the accounts, in estate order.
func (s *State) Accounts() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.accounts))
	for _, a := range s.accounts {
		ids = append(ids, a.ID)
	}
	return ids
}

// regionOf returns the state of the named region of a, an empty one when
// the estate lists nothing there.
func (a *accountState) regionOf(name string) *regionState {
	if r, ok := a.regions[name]; ok {
		return r
	}
	return newRegionState(a.ID, Region{Name: name})
}

// roleARN resolves a role reference of this account (see
// Account.ResolveRoleARN).
func (a *accountState) roleARN(role string) string {
	if role == "" || strings.HasPrefix(role, "arn:") {
		return role
	}
	if r, ok := a.roleByName[strings.ToLower(role)]; ok {
		return a.RoleARNOf(*r)
	}
	return "arn:aws:iam::" + a.ID + ":role/" + role
}

// RoleARNOf is the ARN of a role of the account, with its path.
func (a Account) RoleARNOf(r Role) string { return a.arn("role", r.Path, r.Name) }

// lambdaARN resolves a function reference of the region.
func (r *regionState) lambdaARN(function string) string {
	return r.region.LambdaARN(r.account, function)
}

// callerUserID is the UserId GetCallerIdentity answers for principal: the
// user's or role's unique id (with the session name for an assumed role),
// or the account id for the root user.
func callerUserID(a Account, principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) == 6 {
		resource := parts[5]
		switch {
		case resource == "root":
			return a.ID
		case strings.HasPrefix(resource, "user/"):
			return a.UserID(resource[strings.LastIndexByte(resource, '/')+1:])
		case strings.HasPrefix(resource, "assumed-role/"):
			f := strings.Split(resource, "/")
			if len(f) >= 3 {
				return a.RoleID(f[len(f)-2]) + ":" + f[len(f)-1]
			}
		case strings.HasPrefix(resource, "role/"):
			return a.RoleID(resource[strings.LastIndexByte(resource, '/')+1:])
		}
	}
	return entityID("AIDA", a.ID, "principal", principal)
}

// principalUserName is the IAM user name of principal, or "" when it is
// not an IAM user.
func principalUserName(principal string) string {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "user/") {
		return parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	}
	return ""
}

// SetAssumeRoleDenied makes AssumeRole of the role with this ARN answer
// AccessDenied, or lets its trust policy decide again.
func (s *State) SetAssumeRoleDenied(roleARN string, denied bool) {
	s.sessionMu.Lock()
	defer s.sessionMu.Unlock()
	if denied {
		s.denyAssume[roleARN] = true
	} else {
		delete(s.denyAssume, roleARN)
	}
}

func (s *State) assumeDenied(arns ...string) bool {
	s.sessionMu.Lock()
	defer s.sessionMu.Unlock()
	for _, arn := range arns {
		if s.denyAssume[arn] {
			return true
		}
	}
	return false
}

// addSession keeps a session STS issued under its access key id, dropping
// expired ones when there are too many.
func (s *State) addSession(keyID string, sess *session) {
	s.sessionMu.Lock()
	defer s.sessionMu.Unlock()
	if len(s.sessions) >= maxSessions {
		now := s.now()
		for id, old := range s.sessions {
			if !now.Before(old.expires) {
				delete(s.sessions, id)
			}
		}
	}
	s.sessions[keyID] = sess
}

// session returns a copy of the session of keyID.
func (s *State) session(keyID string) (session, bool) {
	s.sessionMu.Lock()
	defer s.sessionMu.Unlock()
	sess, ok := s.sessions[keyID]
	if !ok {
		return session{}, false
	}
	return *sess, true
}
