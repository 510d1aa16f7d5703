package aws

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// GenerateOptions size a synthetic estate.
type GenerateOptions struct {
	// Accounts is the number of accounts (at least 1).
	Accounts int
	// AgentsPerAccount is the number of agents of each account, half
	// Bedrock agents and half AgentCore runtimes.
	AgentsPerAccount int
	// Region is where the agents run (default us-east-1).
	Region string
	// Seed picks the estate: the same options always give the same estate.
	Seed int64
}

// generatedToday is the date a generated estate is set against, as the
// demo is.
var generatedToday = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// GenerateEstate builds a valid estate of the given size, deterministically:
// per account, users with access keys (some old), and agents alternating
// between Bedrock agents (each with its own role, some AdministratorAccess,
// some sharing a role or without a guardrail; an action group running a
// Lambda function whose environment holds a canary and sometimes a user's
// access key id; a knowledge base for every third; an alias) and AgentCore
// runtimes (some without an inbound authorizer, each with a workload
// identity and a canary in its environment), with a gateway for every four
// runtimes whose targets use an API key and an OAuth2 credential provider.
// Defaults are filled in as ParseEstate fills them. Every secret is a fresh
// CANARY-aam- value.
func GenerateEstate(opts GenerateOptions) *Estate {
	g := generator{
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed_a4a1_ab00_0001)),
		region: orDefault(opts.Region, labRegion),
		keyIDs: map[string]bool{},
	}
	e := &Estate{}
	for i := range max(opts.Accounts, 1) {
		e.Accounts = append(e.Accounts, g.account(i, max(opts.AgentsPerAccount, 0)))
	}
	e.applyDefaults()
	return e
}

type generator struct {
	rng    *rand.Rand
	region string
	keyIDs map[string]bool
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	anyAlnum   = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func (g *generator) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *generator) canary() string { return "CANARY-aam-" + g.chars(anyAlnum, 24) }

// keyID is a fresh AKIA key id, unique in the estate.
func (g *generator) keyID() string {
	for {
		id := "AKIA" + g.chars(upperAlnum, 16)
		if !g.keyIDs[id] {
			g.keyIDs[id] = true
			return id
		}
	}
}

// daysAgo is a time between lo and hi days before the estate's date.
func (g *generator) daysAgo(lo, hi int) time.Time {
	d := lo + g.rng.IntN(hi-lo+1)
	return generatedToday.Add(-time.Duration(d)*24*time.Hour + time.Duration(g.rng.IntN(86400))*time.Second)
}

func serviceTrust(service, account string, scoped bool) Document {
	if !scoped {
		return Document(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`)
	}
	return Document(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`)
}

const invokeModels = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],"Resource":"*"}]}`

func (g *generator) account(i, agents int) Account {
	id := fmt.Sprintf("%012d", 700000000000+i+1)
	a := Account{
		ID:              id,
		Alias:           fmt.Sprintf("gen-%04d", i+1),
		AccessKeyID:     g.keyID(),
		SecretAccessKey: g.canary(),
	}

	// Users with one key each: some far older than 400 days.
	for u := range max(2, agents/5) {
		created := g.daysAgo(30, 900)
		used := generatedToday.Add(-time.Duration(g.rng.IntN(72)) * time.Hour)
		a.Users = append(a.Users, User{
			Name:    fmt.Sprintf("svc-user-%02d", u+1),
			Created: created,
			AccessKeys: []AccessKey{{
				ID:       g.keyID(),
				Secret:   kit.Secret(g.canary()),
				Created:  created.Add(time.Hour),
				LastUsed: &KeyLastUsed{Date: used, Service: "s3", Region: g.region},
			}},
		})
	}

	base := g.daysAgo(400, 700)
	a.Roles = append(a.Roles,
		Role{Name: "tools-lambda", Created: base, TrustPolicy: serviceTrust("lambda.amazonaws.com", id, false),
			ManagedPolicies: []string{AWSManagedPolicyARN("AWSLambdaBasicExecutionRole")}},
		Role{Name: "kb-role", Path: "/service-role/", Created: base, TrustPolicy: serviceTrust("bedrock.amazonaws.com", id, true),
			ManagedPolicies: []string{AWSManagedPolicyARN("AmazonS3ReadOnlyAccess")}},
		Role{Name: "gateway-role", Created: base, TrustPolicy: serviceTrust("bedrock-agentcore.amazonaws.com", id, true),
			InlinePolicies: []InlinePolicy{{Name: "targets", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}`}}},
	)

	r := Region{Name: g.region}
	var runtimes []int
	for k := range agents {
		if k%2 == 0 {
			g.bedrockAgent(&a, &r, k)
		} else {
			g.runtime(&a, &r, k)
			runtimes = append(runtimes, k)
		}
	}
	g.gateways(&a, &r, runtimes)
	if agents > 0 {
		a.Regions = []Region{r}
	}
	return a
}

func (g *generator) bedrockAgent(a *Account, r *Region, k int) {
	n := k + 1
	created := g.daysAgo(20, 380)
	role := fmt.Sprintf("agent-role-%03d", n)
	if k >= 14 && k%14 == 0 {
		// Every seventh Bedrock agent shares the role of the one before.
		role = fmt.Sprintf("agent-role-%03d", n-2)
	} else {
		rl := Role{Name: role, Path: "/service-role/", Created: created.Add(-time.Hour),
			TrustPolicy:    serviceTrust("bedrock.amazonaws.com", a.ID, g.rng.IntN(3) > 0),
			InlinePolicies: []InlinePolicy{{Name: "invoke-models", Document: invokeModels}}}
		if g.rng.IntN(5) == 0 {
			rl.ManagedPolicies = []string{AWSManagedPolicyARN("AdministratorAccess")}
		}
		a.Roles = append(a.Roles, rl)
	}

	fn := Lambda{
		Name:        fmt.Sprintf("agent-%03d-tools", n),
		Role:        "tools-lambda",
		Created:     created.Add(-2 * time.Hour),
		Environment: map[string]string{"API_TOKEN": g.canary(), "STAGE": "prod"},
	}
	if g.rng.IntN(3) == 0 {
		u := a.Users[g.rng.IntN(len(a.Users))]
		fn.Environment["TOOLS_ACCESS_KEY_ID"] = u.AccessKeys[0].ID
		fn.Environment["TOOLS_SECRET_ACCESS_KEY"] = u.AccessKeys[0].Secret.Reveal()
	}
	r.Lambdas = append(r.Lambdas, fn)

	ag := BedrockAgent{
		Name:            fmt.Sprintf("agent-%03d", n),
		Description:     fmt.Sprintf("Generated agent %d", n),
		Role:            role,
		FoundationModel: "anthropic.claude-3-haiku-20240307-v1:0",
		Created:         created,
		Updated:         created.Add(time.Duration(g.rng.IntN(400)) * time.Hour),
		Versions:        []string{"1"},
		Aliases:         []AgentAlias{{Name: "live", RoutesTo: "1"}},
		ActionGroups:    []ActionGroup{{Name: "tools", Lambda: fn.Name}},
	}
	if g.rng.IntN(2) == 0 {
		ag.Guardrail = &Guardrail{ID: "gr" + g.chars("abcdefghijklmnopqrstuvwxyz0123456789", 10), Version: "1"}
	}
	if k%3 == 0 {
		kb := KnowledgeBase{Name: fmt.Sprintf("kb-%03d", n), Role: "kb-role", Created: created.Add(-time.Hour)}
		r.KnowledgeBases = append(r.KnowledgeBases, kb)
		ag.KnowledgeBases = []string{kb.Name}
	}
	r.BedrockAgents = append(r.BedrockAgents, ag)
}

func (g *generator) runtime(a *Account, r *Region, k int) {
	n := k + 1
	created := g.daysAgo(10, 200)
	role := fmt.Sprintf("runtime-role-%03d", n)
	a.Roles = append(a.Roles, Role{Name: role, Created: created.Add(-time.Hour),
		TrustPolicy:    serviceTrust("bedrock-agentcore.amazonaws.com", a.ID, g.rng.IntN(2) == 0),
		InlinePolicies: []InlinePolicy{{Name: "invoke-models", Document: invokeModels}}})
	identity := fmt.Sprintf("runtime-%03d-identity", n)
	r.AgentCore.WorkloadIdentities = append(r.AgentCore.WorkloadIdentities, WorkloadIdentity{Name: identity, Created: created})
	rt := Runtime{
		Name:             fmt.Sprintf("runtime_%03d", n),
		Description:      fmt.Sprintf("Generated runtime %d", n),
		Role:             role,
		WorkloadIdentity: identity,
		Environment:      map[string]string{"MODEL_ID": "anthropic.claude-3-haiku-20240307-v1:0", "SECRET_TOKEN": g.canary()},
		Created:          created,
	}
	if g.rng.IntN(2) == 0 {
		rt.Authorizer = &JWTAuthorizer{
			DiscoveryURL:   "https://idp.example.com/" + a.ID + "/.well-known/openid-configuration",
			AllowedClients: []string{"client-" + g.chars("abcdefghijklmnopqrstuvwxyz0123456789", 12)},
		}
	}
	r.AgentCore.Runtimes = append(r.AgentCore.Runtimes, rt)
}

// gateways adds one gateway for every four runtimes, and links each
// runtime to its gateway through GATEWAY_URL.
func (g *generator) gateways(a *Account, r *Region, runtimes []int) {
	ac := &r.AgentCore
	for i := 0; i < len(runtimes); i += 4 {
		n := len(ac.Gateways) + 1
		created := g.daysAgo(10, 200)
		apiKey := APIKeyProvider{Name: fmt.Sprintf("api-key-%02d", n), APIKey: kit.Secret(g.canary()), Created: created}
		oauth := OAuth2Provider{Name: fmt.Sprintf("oauth-%02d", n), Vendor: "GithubOauth2", ClientID: "Iv1." + g.chars("0123456789abcdef", 16),
			ClientSecret: kit.Secret(g.canary()), Created: created}
		ac.APIKeyProviders = append(ac.APIKeyProviders, apiKey)
		ac.OAuth2Providers = append(ac.OAuth2Providers, oauth)
		gw := Gateway{
			Name:    fmt.Sprintf("gateway-%02d", n),
			Role:    "gateway-role",
			Created: created,
			Targets: []GatewayTarget{
				{Name: "partner-api", OpenAPI: true, Credential: TargetCredential{Type: CredentialAPIKey, Provider: apiKey.Name}},
				{Name: "github", MCPServer: "https://api.githubcopilot.com/mcp/", Credential: TargetCredential{Type: CredentialOAuth, Provider: oauth.Name, Scopes: []string{"repo"}}},
			},
		}
		if len(r.Lambdas) > 0 {
			gw.Targets = append(gw.Targets, GatewayTarget{Name: "tools", Lambda: r.Lambdas[g.rng.IntN(len(r.Lambdas))].Name})
		}
		if g.rng.IntN(3) == 0 {
			gw.AuthorizerType = AuthorizerNone
		} else {
			gw.Authorizer = &JWTAuthorizer{DiscoveryURL: "https://idp.example.com/" + a.ID + "/.well-known/openid-configuration", AllowedAudience: []string{"gateway"}}
		}
		ac.Gateways = append(ac.Gateways, gw)
		url := GatewayURL(r.Name, DefaultGatewayID(a.ID, r.Name, gw.Name))
		for j := i; j < min(i+4, len(runtimes)); j++ {
			ac.Runtimes[j].Environment["GATEWAY_URL"] = url
		}
	}
}
