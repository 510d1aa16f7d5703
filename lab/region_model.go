package lab

import "strings"

// regionModel is the server's read-only view of one region of an account:
// the region with its defaults filled in, indexed by the keys the APIs look
// resources up by.
type regionModel struct {
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

// newRegionModel indexes r. It tolerates a region that was not validated:
// the first of duplicated ids or names wins.
func newRegionModel(account string, r Region) *regionModel {
	m := &regionModel{
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
	for i := range reg.BedrockAgents {
		index(m.agents, reg.BedrockAgents[i].ID, &reg.BedrockAgents[i])
	}
	for i := range reg.KnowledgeBases {
		index(m.kbs, reg.KnowledgeBases[i].ID, &reg.KnowledgeBases[i])
	}
	for i := range reg.Lambdas {
		index(m.lambdas, reg.Lambdas[i].Name, &reg.Lambdas[i])
	}
	ac := &reg.AgentCore
	for i := range ac.Runtimes {
		index(m.runtimes, ac.Runtimes[i].ID, &ac.Runtimes[i])
	}
	for i := range ac.Gateways {
		index(m.gateways, ac.Gateways[i].ID, &ac.Gateways[i])
	}
	for i := range ac.APIKeyProviders {
		index(m.apiKeys, ac.APIKeyProviders[i].Name, &ac.APIKeyProviders[i])
	}
	for i := range ac.OAuth2Providers {
		index(m.oauth2, ac.OAuth2Providers[i].Name, &ac.OAuth2Providers[i])
	}
	for i := range ac.WorkloadIdentities {
		index(m.identities, ac.WorkloadIdentities[i].Name, &ac.WorkloadIdentities[i])
	}
	return m
}

func index[T any](m map[string]*T, key string, v *T) {
	if _, dup := m[key]; key != "" && !dup {
		m[key] = v
	}
}

// regionOf returns the model of the named region of a, an empty one when
// the estate lists nothing there.
func (a *accountModel) regionOf(name string) *regionModel {
	if r, ok := a.regions[name]; ok {
		return r
	}
	return newRegionModel(a.id, Region{Name: name})
}

// roleARN resolves a role reference of this account (see
// Account.ResolveRoleARN).
func (a *accountModel) roleARN(role string) string {
	if role == "" || strings.HasPrefix(role, "arn:") {
		return role
	}
	if r, ok := a.roleByName[strings.ToLower(role)]; ok {
		return r.detail.Arn
	}
	return "arn:aws:iam::" + a.id + ":role/" + role
}

// lambdaARN resolves a function reference of the region.
func (r *regionModel) lambdaARN(function string) string {
	return r.region.LambdaARN(r.account, function)
}
