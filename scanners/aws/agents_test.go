package aws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// keyIDPattern is this test's own reading of an AWS access key id.
var keyIDPattern = regexp.MustCompile(`^A[KS]IA[A-Z0-9]{16}$`)

func envKeys(env map[string]string) map[string]string {
	keys := map[string]string{}
	for k, v := range env {
		if keyIDPattern.MatchString(v) {
			keys[k] = v
		}
	}
	return keys
}

// envSecrets are the variables the estate holds canary secrets in, less an
// access key's own secret, which the key node stands for. This test's own
// reading of the rule, names compared upper-cased: AWS_SECRET_ACCESS_KEY or
// AWS_SESSION_TOKEN beside any key id, or PREFIX_SECRET_ACCESS_KEY or
// PREFIX_SESSION_TOKEN beside a key id in PREFIX_ACCESS_KEY_ID.
func envSecrets(env map[string]string) []string {
	idVars := map[string]bool{}
	for k := range envKeys(env) {
		idVars[strings.ToUpper(k)] = true
	}
	ownSecret := func(name string) bool {
		name = strings.ToUpper(name)
		if len(idVars) > 0 && (name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN") {
			return true
		}
		for _, half := range []string{"SECRET_ACCESS_KEY", "SESSION_TOKEN"} {
			if prefix, ok := strings.CutSuffix(name, half); ok && idVars[prefix+"ACCESS_KEY_ID"] {
				return true
			}
		}
		return false
	}
	var out []string
	for k, v := range env {
		if strings.HasPrefix(v, "CANARY-") && !ownSecret(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sortedNames(env map[string]string) []string {
	var names []string
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func attrStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// expectedAgents checks, from the estate alone, every agent of every
// region with what it runs as, its tools and the credentials on its way, and
// returns how many agents it checked.
func checkAgents(t *testing.T, e *lab.Estate, g graph, s *inventory.Store) int {
	t.Helper()
	ctx := context.Background()
	agents := 0
	hasEdge := func(from string, kind inventory.EdgeKind, to string) inventory.EdgeRecord {
		t.Helper()
		ed, ok := g.edges[edgeKey(from, kind, to)]
		if !ok {
			t.Errorf("edge %s missing", edgeKey(from, kind, to))
		}
		return ed
	}
	for _, a := range e.AWS.Accounts {
		for _, r := range a.Regions {
			lambdaKeys := map[string][]string{} // lambda ARN -> credentials in its environment
			for _, l := range r.Lambdas {
				arn := r.LambdaARN(a.ID, l.Name)
				for _, k := range envKeys(l.Environment) {
					lambdaKeys[arn] = append(lambdaKeys[arn], awsscan.AccessKeyID(k))
				}
				for _, v := range envSecrets(l.Environment) {
					lambdaKeys[arn] = append(lambdaKeys[arn], arn+"#env/"+v)
				}
			}
			checkLambda := func(ref string) string {
				t.Helper()
				arn := r.LambdaARN(a.ID, ref)
				l, ok := r.Lambda(ref)
				n, found := g.nodes[arn]
				if !found {
					t.Errorf("lambda %s missing", arn)
					return arn
				}
				if !ok {
					return arn
				}
				hasEdge(arn, inventory.EdgeRunsAs, a.ResolveRoleARN(l.Role))
				if got, want := strings.Join(attrStrings(n.Attrs["env_var_names"]), ","), strings.Join(sortedNames(l.Environment), ","); got != want {
					t.Errorf("lambda %s env var names = %s, want %s", arn, got, want)
				}
				for v, k := range envKeys(l.Environment) {
					if ed := hasEdge(arn, inventory.EdgeUsesCredential, awsscan.AccessKeyID(k)); ed.Attrs != nil && ed.Attrs["env_var"] != v {
						t.Errorf("lambda %s key edge env_var = %v, want %s", arn, ed.Attrs["env_var"], v)
					}
				}
				for _, v := range envSecrets(l.Environment) {
					hasEdge(arn, inventory.EdgeHoldsSecret, arn+"#env/"+v)
				}
				return arn
			}

			for _, ag := range r.BedrockAgents {
				agents++
				arn := labaws.BedrockAgentARN(r.Name, a.ID, ag.ID)
				n, ok := g.nodes[arn]
				if !ok {
					t.Errorf("bedrock agent %s (%s) missing", arn, ag.Name)
					continue
				}
				if n.Kind != inventory.KindAgent || n.Name != ag.Name || n.Attrs["has_guardrail"] != (ag.Guardrail != nil) {
					t.Errorf("agent %s = %s %q guardrail %v", arn, n.Kind, n.Name, n.Attrs["has_guardrail"])
				}
				// DRAFT and every version an alias serves, each with the
				// role it runs as and its own action groups.
				served := map[string]bool{labaws.DraftVersion: true}
				for _, al := range ag.Aliases {
					served[al.RoutesTo] = true
				}
				// The served versions without a guardrail, each as the lab
				// answers it (DRAFT by GetAgent, a number by
				// GetAgentVersion).
				var bare []string
				for v := range served {
					if ag.GuardrailOf(v) == nil {
						bare = append(bare, v)
					}
				}
				sort.Strings(bare)
				if got := attrStrings(n.Attrs["versions_without_guardrail"]); !slices.Equal(got, bare) {
					t.Errorf("agent %s versions without guardrail = %v, want %v", ag.Name, got, bare)
				}
				var wantKeys []string
				for v := range served {
					hasEdge(arn, inventory.EdgeRunsAs, a.ResolveRoleARN(ag.RoleOf(v)))
					for _, grp := range ag.ActionGroups {
						if !grp.InVersion(v) {
							continue
						}
						gid := arn + "/actiongroup/" + grp.ID
						hasEdge(arn, inventory.EdgeUsesTool, gid)
						if grp.Lambda != "" {
							fn := checkLambda(grp.Lambda)
							if ed := hasEdge(gid, inventory.EdgeUsesTool, fn); ed.Attrs != nil && !slices.Contains(attrStrings(ed.Attrs["versions"]), v) {
								t.Errorf("%s -> %s: versions %v, want %s among them", gid, fn, ed.Attrs["versions"], v)
							}
							wantKeys = append(wantKeys, lambdaKeys[fn]...)
						}
					}
				}
				for _, kbID := range ag.KnowledgeBases {
					kb, ok := r.KnowledgeBase(kbID)
					if !ok {
						t.Fatalf("estate: knowledge base %s", kbID)
					}
					kbARN := labaws.KnowledgeBaseARN(r.Name, a.ID, kb.ID)
					hasEdge(arn, inventory.EdgeUsesTool, kbARN)
					hasEdge(kbARN, inventory.EdgeRunsAs, a.ResolveRoleARN(kb.Role))
				}
				checkReach(t, ctx, s, arn, wantKeys)
			}

			ac := r.AgentCore
			providerARN := func(c labaws.TargetCredential) string {
				switch c.Type {
				case "API_KEY":
					return labaws.APIKeyProviderARN(r.Name, a.ID, c.Provider)
				case "OAUTH":
					return labaws.OAuth2ProviderARN(r.Name, a.ID, c.Provider)
				}
				return ""
			}
			gatewayCreds := map[string][]string{} // gateway id -> provider ARNs of its targets
			for _, gw := range ac.Gateways {
				garn := labaws.GatewayARN(r.Name, a.ID, gw.ID)
				gn, ok := g.nodes[garn]
				if !ok {
					t.Errorf("gateway %s missing", garn)
					continue
				}
				// Who may call it, and whether its tool calls are checked.
				wantAuth := map[string]string{"CUSTOM_JWT": "jwt", "AWS_IAM": "iam", "NONE": "none"}[gw.AuthorizerType]
				wantPolicy := map[string]any{"policy_enforcement": "none"}
				if pe := gw.PolicyEngine; pe != nil {
					engine, _ := r.PolicyEngine(pe.Engine)
					wantPolicy = map[string]any{"policy_enforcement": strings.ToLower(pe.Mode), "policy_engine": r.PolicyEngineARNOf(a.ID, pe.Engine),
						"policy_engine_name": engine.Name, "policy_engine_status": engine.Status}
				}
				if gn.Attrs["inbound_auth"] != wantAuth {
					t.Errorf("gateway %s inbound_auth %v, want %s", gw.Name, gn.Attrs["inbound_auth"], wantAuth)
				}
				for k, v := range wantPolicy {
					if gn.Attrs[k] != v {
						t.Errorf("gateway %s %s = %v, want %v", gw.Name, k, gn.Attrs[k], v)
					}
				}
				hasEdge(garn, inventory.EdgeRunsAs, a.ResolveRoleARN(gw.Role))
				for _, tg := range gw.Targets {
					tid := garn + "/target/" + tg.ID
					hasEdge(garn, inventory.EdgeUsesTool, tid)
					if p := providerARN(tg.Credential); p != "" {
						ed := hasEdge(tid, inventory.EdgeUsesCredential, p)
						if ed.Attrs != nil && ed.Attrs["credential_type"] != tg.Credential.Type {
							t.Errorf("target %s credential_type %v, want %s", tid, ed.Attrs["credential_type"], tg.Credential.Type)
						}
						gatewayCreds[gw.ID] = append(gatewayCreds[gw.ID], p)
					}
					if tg.Lambda != "" {
						fn := checkLambda(tg.Lambda)
						hasEdge(tid, inventory.EdgeUsesTool, fn)
						gatewayCreds[gw.ID] = append(gatewayCreds[gw.ID], lambdaKeys[fn]...)
					}
				}
			}
			for _, p := range ac.APIKeyProviders {
				n, ok := g.nodes[labaws.APIKeyProviderARN(r.Name, a.ID, p.Name)]
				if !ok || n.Kind != inventory.KindCredential || n.Attrs["standing"] != true || !n.Created.Equal(p.Created) {
					t.Errorf("API key provider %s = %+v", p.Name, n)
				}
			}
			for _, p := range ac.OAuth2Providers {
				n, ok := g.nodes[labaws.OAuth2ProviderARN(r.Name, a.ID, p.Name)]
				if !ok || n.Kind != inventory.KindCredential || n.Attrs["standing"] != true || n.Attrs["client_id"] != p.ClientID || !n.Created.Equal(p.Created) {
					t.Errorf("OAuth2 provider %s = %+v", p.Name, n)
				}
			}
			for _, rt := range ac.Runtimes {
				agents++
				arn := labaws.RuntimeARN(r.Name, a.ID, rt.ID)
				n, ok := g.nodes[arn]
				if !ok {
					t.Errorf("runtime %s (%s) missing", arn, rt.Name)
					continue
				}
				hasEdge(arn, inventory.EdgeRunsAs, a.ResolveRoleARN(rt.Role))
				if rt.WorkloadIdentity != "" {
					hasEdge(arn, inventory.EdgeRunsAs, labaws.WorkloadIdentityARN(r.Name, a.ID, rt.WorkloadIdentity))
				}
				// Without a JWT authorizer a runtime takes SigV4 callers
				// only, and no end user is verified.
				auth, _ := n.Attrs["inbound_authorizer"].(map[string]any)
				wantAuth, wantUser := "jwt", "verified"
				if slices.ContainsFunc(rt.RequestHeaders, func(h string) bool { return strings.EqualFold(h, "Authorization") }) {
					wantUser = "forwarded"
				}
				if rt.Authorizer == nil {
					wantAuth, wantUser = "iam", "not_verified"
				}
				if (auth["type"] == "aws_iam") != (rt.Authorizer == nil) || n.Attrs["inbound_auth"] != wantAuth || n.Attrs["user_identity"] != wantUser {
					t.Errorf("runtime %s inbound %v %v user identity %v, want %s %s (estate authorizer %v, headers %v)",
						rt.Name, n.Attrs["inbound_auth"], auth, n.Attrs["user_identity"], wantAuth, wantUser, rt.Authorizer, rt.RequestHeaders)
				}
				if got, want := strings.Join(attrStrings(n.Attrs["env_var_names"]), ","), strings.Join(sortedNames(rt.Environment), ","); got != want {
					t.Errorf("runtime %s env var names = %s, want %s", rt.Name, got, want)
				}
				var wantKeys []string
				for _, k := range envKeys(rt.Environment) {
					wantKeys = append(wantKeys, awsscan.AccessKeyID(k))
				}
				for _, v := range envSecrets(rt.Environment) {
					hasEdge(arn, inventory.EdgeHoldsSecret, arn+"#env/"+v)
					wantKeys = append(wantKeys, arn+"#env/"+v)
				}
				for _, gw := range ac.Gateways {
					for _, v := range rt.Environment {
						if strings.Contains(v, labaws.GatewayURL(r.Name, gw.ID)) {
							hasEdge(arn, inventory.EdgeUsesTool, labaws.GatewayARN(r.Name, a.ID, gw.ID))
							wantKeys = append(wantKeys, gatewayCreds[gw.ID]...)
							break
						}
					}
				}
				checkReach(t, ctx, s, arn, wantKeys)
			}
		}
	}
	return agents
}

// checkReach asserts that the credentials reachable from agent are exactly
// want, the ones the estate gives it: its functions' and runtime's keys and
// inline secrets, and its gateways' credential providers.
func checkReach(t *testing.T, ctx context.Context, s *inventory.Store, agent string, want []string) {
	t.Helper()
	paths, err := s.Reach(ctx, agent, inventory.ReachEdges, inventory.KindCredential, 6)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range paths {
		got[p.To.ID] = true
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
		if !got[w] {
			t.Errorf("agent %s does not reach credential %s (reaches %v)", agent, w, got)
		}
	}
	for c := range got {
		if !wanted[c] {
			t.Errorf("agent %s reaches credential %s, which the estate does not give it", agent, c)
		}
	}
}

func agentEstates(t *testing.T) map[string]*lab.Estate {
	demo, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*lab.Estate{"demo": demo, "two-accounts.yaml": loadEstate(t, "two-accounts.yaml")}
}

func TestScanFindsEveryAgent(t *testing.T) {
	for name, e := range agentEstates(t) {
		t.Run(name, func(t *testing.T) {
			const pageSize = 2
			srv := startLab(t, e, lab.Options{PageSize: pageSize})
			regions := e.AWS.RegionNames()
			res := scan(t, context.Background(), awsscan.Config{}, labOptions(srv, testOptions(8), regions...))
			if res.err != nil {
				t.Fatal(res.err)
			}
			if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
				t.Fatalf("scan errors: %+v", errs)
			}
			g := readGraph(t, res.store)
			checkEstate(t, e, g)
			if n := checkAgents(t, e, g, res.store); n < 2 {
				t.Errorf("the estate has %d agents: too few for this test", n)
			}
			// Every list was paged to the end.
			st := srv.Stats()
			wantAgentPages, wantRuntimePages := 0, 0
			for _, a := range e.AWS.Accounts {
				for _, region := range regions {
					r, _ := a.Region(region)
					wantAgentPages += pages(len(r.BedrockAgents), pageSize)
					wantRuntimePages += pages(len(r.AgentCore.Runtimes), pageSize)
				}
			}
			if got := st.Calls["aws/bedrock-agent:ListAgents"]; got != wantAgentPages {
				t.Errorf("ListAgents calls = %d, want %d", got, wantAgentPages)
			}
			if got := st.Calls["aws/bedrock-agentcore-control:ListAgentRuntimes"]; got != wantRuntimePages {
				t.Errorf("ListAgentRuntimes calls = %d, want %d", got, wantRuntimePages)
			}
		})
	}
}

// scanInto runs one scan of cfg into an existing store and returns its id.
func scanInto(t *testing.T, store *inventory.Store, cfg awsscan.Config, opts scanners.Options) int64 {
	t.Helper()
	s, err := awsscan.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := store.BeginScan(context.Background(), inventory.ScanInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Scan(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	if err := sc.Finish(context.Background(), inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
	return sc.ID()
}

func TestAgentGoneBetweenScansAndRegionsNotScannedKept(t *testing.T) {
	before, err := lab.ParseEstate(lab.DemoEstateYAML())
	if err != nil {
		t.Fatal(err)
	}
	after, err := lab.ParseEstate(lab.DemoEstateYAML())
	if err != nil {
		t.Fatal(err)
	}
	regions := before.AWS.RegionNames()
	// Remove the first Bedrock agent and the first runtime of the first
	// account's first region from the later estate.
	acct := &after.AWS.Accounts[0]
	r := &acct.Regions[0]
	if len(r.BedrockAgents) == 0 || len(r.AgentCore.Runtimes) == 0 {
		t.Fatal("the demo's first region needs a Bedrock agent and a runtime")
	}
	goneAgent := labaws.BedrockAgentARN(r.Name, acct.ID, r.BedrockAgents[0].ID)
	goneRuntime := labaws.RuntimeARN(r.Name, acct.ID, r.AgentCore.Runtimes[0].ID)
	r.BedrockAgents = r.BedrockAgents[1:]
	r.AgentCore.Runtimes = r.AgentCore.Runtimes[1:]

	store, err := inventory.Open(context.Background(), t.TempDir()+"/aam.db")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	scanWith := func(e *lab.Estate, regions []string) int64 {
		srv := startLab(t, e, lab.Options{PageSize: 2})
		return scanInto(t, store, awsscan.Config{}, labOptions(srv, testOptions(8), regions...))
	}
	scanWith(before, regions)

	// Scanning only another region (or none of the first) marks nothing gone.
	var others []string
	for _, reg := range regions {
		if reg != r.Name {
			others = append(others, reg)
		}
	}
	if len(others) == 0 {
		others = []string{"eu-west-3"} // a region the estate has nothing in
	}
	scanWith(after, others)
	for _, id := range []string{goneAgent, goneRuntime} {
		if n, err := store.NodeByID(context.Background(), id); err != nil || n.GoneIn != 0 {
			t.Errorf("%s marked gone (%v) by a scan of other regions only", id, err)
		}
	}

	second := scanWith(after, regions)
	for _, id := range []string{goneAgent, goneRuntime} {
		n, err := store.NodeByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if n.GoneIn != second {
			t.Errorf("%s: gone_in = %d, want %d (it left the estate)", id, n.GoneIn, second)
		}
	}
	// Everything still in the estate is current.
	g := readGraph(t, store)
	checkAgents(t, after, g, store)
	if _, ok := g.nodes[goneAgent]; ok {
		t.Errorf("gone agent %s still listed as current", goneAgent)
	}
}

// A target with a role is reached with its credentials assuming the role:
// the role's account is scanned, and a role that cannot be assumed fails
// that account alone.
func TestAccountThroughAssumedRole(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	alpha, beta := e.AWS.Accounts[0], e.AWS.Accounts[1]
	role := beta.RoleARN("alpha-reader")
	srv := startLab(t, e, lab.Options{PageSize: 2})
	direct := labTarget(alpha, srv.URL("aws"), "us-east-1")
	viaAlpha := func(externalID string) scanners.Target {
		tg := labTarget(alpha, srv.URL("aws"), "us-east-1")
		tg.Tenant, tg.Label, tg.RoleARN, tg.ExternalID = beta.ID, beta.Alias, role, externalID
		return tg
	}
	scanTargets := func(ts ...scanners.Target) scanResult {
		opts := testOptions(4)
		opts.Targets = ts
		return scan(t, context.Background(), awsscan.Config{}, opts)
	}
	tenants := func(t *testing.T, res scanResult) map[string]int {
		t.Helper()
		scopes, err := res.store.CompletedScopes(context.Background(), res.scanID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, sc := range scopes {
			out[sc.Tenant]++
		}
		return out
	}

	t.Run("the role's account alone", func(t *testing.T) {
		before := srv.Stats().Calls["aws/sts:AssumeRole"]
		res := scanTargets(viaAlpha("lab-ext"))
		if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
			t.Fatalf("scan errors: %+v", errs)
		}
		if got := tenants(t, res); len(got) != 1 || got[beta.ID] != len(accountScopes("us-east-1")) {
			t.Errorf("completed scopes by account = %v, want every scope of %s and no other", got, beta.ID)
		}
		if srv.Stats().Calls["aws/sts:AssumeRole"] == before {
			t.Error("the lab saw no AssumeRole")
		}
		// Beta's IAM was read through the role: its roles and keys are there.
		only := &lab.Estate{AWS: &labaws.Estate{Accounts: e.AWS.Accounts[1:]}}
		checkEstate(t, only, readGraph(t, res.store))
	})
	t.Run("assumable", func(t *testing.T) {
		res := scanTargets(direct, viaAlpha("lab-ext"))
		if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
			t.Fatalf("scan errors: %+v", errs)
		}
		if n := len(accountScopes("us-east-1")); len(tenants(t, res)) != 2 || tenants(t, res)[alpha.ID] != n || tenants(t, res)[beta.ID] != n {
			t.Errorf("completed scopes by account = %v, want every scope of %s and of %s", tenants(t, res), alpha.ID, beta.ID)
		}
		checkEstate(t, e, readGraph(t, res.store))
	})
	t.Run("unassumable", func(t *testing.T) {
		res := scanTargets(direct, viaAlpha("wrong-external-id"))
		errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
		if len(errs) != 1 || errs[0].Tenant != beta.ID || !strings.Contains(errs[0].Message, "assuming the account's role failed") || !strings.Contains(errs[0].Message, "external_id") {
			t.Fatalf("scan errors = %+v, want one for %s saying the role could not be assumed", errs, beta.ID)
		}
		if got := tenants(t, res); len(got) != 1 || got[alpha.ID] != len(accountScopes("us-east-1")) {
			t.Errorf("completed scopes by account = %v, want every scope of alpha", got)
		}
	})
}

// panicWriter panics when asked to write a full node of one type, as a
// scanner bug would, from whichever goroutine writes it.
type panicWriter struct {
	inventory.Writer
	typ string
}

func (p panicWriter) Node(ctx context.Context, s inventory.Scope, n inventory.Node) error {
	if n.Attrs["type"] == p.typ && !n.Ref {
		panic("test panic on " + p.typ)
	}
	return p.Writer.Node(ctx, s, n)
}

func TestPanicFailsOneScopeNotTheProcess(t *testing.T) {
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	srv := startLab(t, e, lab.Options{})
	// Keys are written by the IAM scope's worker goroutines; agents by
	// the region scopes' fan-out.
	broken := map[string]string{ // the scope each type's panic must keep incomplete
		"iam_access_key":    inventory.GlobalScope,
		"bedrock_agent":     awsscan.RegionScope("us-east-1", awsscan.ServiceBedrockAgent),
		"agentcore_runtime": awsscan.RegionScope("us-east-1", awsscan.ServiceAgentCore),
	}
	for typ, brokenScope := range broken {
		t.Run(typ, func(t *testing.T) {
			store, err := inventory.Open(context.Background(), t.TempDir()+"/aam.db")
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			s, err := awsscan.New(awsscan.Config{}, labOptions(srv, testOptions(4)))
			if err != nil {
				t.Fatal(err)
			}
			sc, err := store.BeginScan(context.Background(), inventory.ScanInfo{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Scan(context.Background(), panicWriter{sc, typ}); err != nil {
				t.Fatal(err)
			}
			if err := sc.Finish(context.Background(), inventory.ScanPartial); err != nil {
				t.Fatal(err)
			}
			errs, _ := store.ScanErrors(context.Background(), sc.ID())
			found := false
			for _, se := range errs {
				found = found || strings.Contains(se.Message, "scanner bug: panic: test panic")
			}
			if !found {
				t.Errorf("scan errors = %+v, want the panic recorded", errs)
			}
			scopes, _ := store.CompletedScopes(context.Background(), sc.ID())
			if len(scopes) == 0 {
				t.Error("no scope completed: the panic took down more than its scope")
			}
			for _, s := range scopes {
				if s.Name == brokenScope {
					t.Errorf("scope %v completed although it panicked: its rows would be marked gone", s)
				}
			}
		})
	}
}

// An endpoint that does not offer an enriching call (GetAgentVersion, the
// credential providers' Get) is passed over: the scope completes from what
// the listings said.
func TestEndpointWithoutOptionalCalls(t *testing.T) {
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	labSrv := labaws.NewServer(e.AWS, labaws.Options{})
	optionalPath := regexp.MustCompile(`^/agents/[^/]+/agentversions/[^/]+/$|^/identities/Get(ApiKey|Oauth2)CredentialProvider$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if optionalPath.MatchString(r.URL.Path) && (r.Method == http.MethodGet || strings.HasPrefix(r.URL.Path, "/identities/")) {
			http.NotFound(w, r) // a plain 404, as a server without the route answers
			return
		}
		labSrv.ServeHTTP(w, r)
	}))
	defer srv.Close()
	opts := testOptions(4)
	opts.Targets = labTargets(e, srv.URL, "us-east-1")
	res := scan(t, context.Background(), awsscan.Config{}, opts)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("scan errors: %+v", errs)
	}
	scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID)
	if len(scopes) != len(accountScopes("us-east-1"))*len(e.AWS.Accounts) {
		t.Errorf("completed scopes = %v, want every scope", scopes)
	}
	g := readGraph(t, res.store)
	for _, a := range e.AWS.Accounts {
		r, _ := a.Region("us-east-1")
		for _, p := range r.AgentCore.APIKeyProviders {
			if n, ok := g.nodes[labaws.APIKeyProviderARN(r.Name, a.ID, p.Name)]; !ok || n.Attrs["standing"] != true || !n.Created.Equal(p.Created) {
				t.Errorf("API key provider %s from the listing = %+v", p.Name, n)
			}
		}
	}
}

// An endpoint that speaks only IAM and STS (an emulator, a region without
// the agent services) is not a failure: the agent scopes are skipped and
// keep their state, and nothing is recorded.
func TestEndpointWithoutAgentServices(t *testing.T) {
	e := loadEstate(t, "small.yaml")
	labSrv := labaws.NewServer(e.AWS, labaws.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/" {
			// As an IAM-only emulator answers what it does not know.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>unknown</Message></Error></ErrorResponse>`)
			return
		}
		labSrv.ServeHTTP(w, r)
	}))
	defer srv.Close()
	opts := testOptions(4)
	opts.Targets = []scanners.Target{labTarget(e.AWS.Accounts[0], srv.URL, "us-east-1")}
	res := scan(t, context.Background(), awsscan.Config{}, opts)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("scan errors: %+v", errs)
	}
	scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID)
	if len(scopes) != 3 || scopes[0].Name != inventory.GlobalScope || scopes[1].Name != awsscan.EscalationScope || scopes[2].Name != awsscan.ServiceCredentialsScope {
		t.Errorf("completed scopes = %v, want IAM's only: %s, %s and %s", scopes, inventory.GlobalScope, awsscan.EscalationScope, awsscan.ServiceCredentialsScope)
	}
	checkEstate(t, e, readGraph(t, res.store))
}
