package aws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/internal/labscan"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/lab"
	labaws "github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// now is the clock of every test scan.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func loadEstate(t testing.TB, name string) *lab.Estate {
	t.Helper()
	e, err := lab.LoadEstate(filepath.Join("..", "..", "testdata", "estates", name))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func startLab(t testing.TB, e *lab.Estate, opts lab.Options) *lab.Lab {
	t.Helper()
	l, err := lab.Start(e, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// labOptions points opts at every tenant of the lab, and nothing else,
// through the one hand-off the demo uses (internal/labscan); in us-east-1
// unless regions are given.
func labOptions(l *lab.Lab, opts scanners.Options, regions ...string) scanners.Options {
	if len(regions) == 0 {
		regions = []string{"us-east-1"}
	}
	opts.Regions = regions
	return labscan.Options(l, opts)
}

type scanResult struct {
	store  *inventory.Store
	scanID int64
	err    error
}

func testOptions(concurrency int) scanners.Options {
	return scanners.Options{
		Concurrency: concurrency,
		Limiter:     scanners.NewLimiter(concurrency),
		Transport:   scanners.NewTransport(true, nil),
		MaxAttempts: 10,
		MaxBackoff:  20 * time.Millisecond,
		Now:         func() time.Time { return now },
		// One key for every test scan, so two scans' fingerprints compare.
		FingerprintKey: func() []byte { return []byte("aam-test-fingerprint-key-32bytes") },
	}
}

// scan runs the AWS scanner over cfg into a new store and finishes the scan.
func scan(t testing.TB, ctx context.Context, cfg awsscan.Config, opts scanners.Options) scanResult {
	t.Helper()
	store, err := inventory.Open(context.Background(), filepath.Join(t.TempDir(), "aam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s, err := awsscan.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := store.BeginScan(context.Background(), inventory.ScanInfo{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	scanErr := s.Scan(ctx, sc)
	if err := sc.Finish(context.Background(), inventory.ScanOK); err != nil {
		t.Fatal(err)
	}
	return scanResult{store: store, scanID: sc.ID(), err: scanErr}
}

// graph is the current graph of a store as comparable strings.
type graph struct {
	nodes map[string]inventory.NodeRecord
	edges map[string]inventory.EdgeRecord // "from -kind-> to"
}

func edgeKey(from string, kind inventory.EdgeKind, to string) string {
	return from + " -" + string(kind) + "-> " + to
}

func readGraph(t testing.TB, s *inventory.Store) graph {
	t.Helper()
	ctx := context.Background()
	ns, err := s.Nodes(ctx, inventory.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	g := graph{nodes: map[string]inventory.NodeRecord{}, edges: map[string]inventory.EdgeRecord{}}
	for _, n := range ns {
		g.nodes[n.ID] = n
		out, _, err := s.EdgesOf(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out {
			g.edges[edgeKey(e.From, e.Kind, e.To)] = e
		}
	}
	return g
}

// fingerprint is the graph without scan ids, to compare two scans.
func (g graph) fingerprint() string {
	var lines []string
	for id, n := range g.nodes {
		a, _ := json.Marshal(n.Attrs)
		lines = append(lines, fmt.Sprintf("N %s %s %s %s %s %s %s", id, n.Kind, n.Tenant, n.Name, n.Created, n.LastUsed, a))
	}
	for k, e := range g.edges {
		a, _ := json.Marshal(e.Attrs)
		lines = append(lines, fmt.Sprintf("E %s %s", k, a))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// expectedTrust derives, independently of the scanner's policy package,
// the principals each role's trust policy lets assume it.
func expectedTrust(t testing.TB, a labaws.Account, r labaws.Role) []string {
	t.Helper()
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.TrustPolicy), &doc); err != nil {
		t.Fatalf("trust policy of %s: %v", r.Name, err)
	}
	var stmts []map[string]json.RawMessage
	if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, one)
	}
	strs := func(raw json.RawMessage) []string {
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			return list
		}
		var s string
		json.Unmarshal(raw, &s)
		return []string{s}
	}
	var from []string
	for _, st := range stmts {
		if strings.Trim(string(st["Effect"]), `"`) != "Allow" {
			continue
		}
		assumes := false
		for _, act := range strs(st["Action"]) {
			assumes = assumes || strings.HasPrefix(strings.ToLower(act), "sts:assumerole") || act == "sts:*" || act == "*"
		}
		if !assumes {
			continue
		}
		if string(st["Principal"]) == `"*"` {
			from = append(from, "aws:principal:*")
			continue
		}
		var principals map[string]json.RawMessage
		if err := json.Unmarshal(st["Principal"], &principals); err != nil {
			t.Fatalf("role %s: principal: %v", r.Name, err)
		}
		for typ, raw := range principals {
			for _, p := range strs(raw) {
				switch {
				case p == "*":
					from = append(from, "aws:principal:*")
				case typ == "Service":
					from = append(from, "aws:service:"+p)
				case typ == "Federated" && !strings.HasPrefix(p, "arn:"):
					from = append(from, "aws:federated:"+p)
				case typ == "AWS" && len(p) == 12:
					from = append(from, "arn:aws:iam::"+p+":root")
				default:
					from = append(from, p)
				}
			}
		}
	}
	return from
}

// nilIfEmpty is s as a node attribute holds it: absent when empty.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkEstate asserts the graph holds every role, user, group and key of
// the estate with their trust, membership and key edges and their
// permissions boundaries, as the estate file says.
func checkEstate(t *testing.T, e *lab.Estate, g graph) {
	t.Helper()
	for _, a := range e.AWS.Accounts {
		for _, r := range a.Roles {
			arn := a.RoleARN(r.Name)
			n, ok := g.nodes[arn]
			if !ok {
				t.Errorf("role %s missing", arn)
				continue
			}
			if n.Kind != inventory.KindIdentity || n.Tenant != a.ID || n.Name != r.Name || !n.Created.Equal(r.Created) {
				t.Errorf("role %s = %s %s %s %s, want identity %s %s %s", arn, n.Kind, n.Tenant, n.Name, n.Created, a.ID, r.Name, r.Created)
			}
			if r.LastUsed != nil && !n.LastUsed.Equal(r.LastUsed.Date) {
				t.Errorf("role %s last used %s, want %s", arn, n.LastUsed, r.LastUsed.Date)
			}
			for _, from := range expectedTrust(t, a, r) {
				if _, ok := g.edges[edgeKey(from, inventory.EdgeCanAssume, arn)]; !ok {
					t.Errorf("trust edge %s -> %s missing", from, arn)
				}
				if _, ok := g.nodes[from]; !ok {
					t.Errorf("principal node %s missing", from)
				}
			}
			for _, p := range r.ManagedPolicies {
				if p != "arn:aws:iam::aws:policy/AdministratorAccess" {
					continue
				}
				e, ok := g.edges[edgeKey(arn, inventory.EdgeCanAccess, "aws:"+a.ID+":resource/*")]
				// A boundary caps the access and is named on the edge; one
				// whose document was not returned is not applied.
				_, unapplied := n.Attrs["boundary_not_applied"]
				switch {
				case (r.PermissionsBoundary == "" || unapplied) && (!ok || e.Attrs["level"] != "admin"):
					t.Errorf("role %s with AdministratorAccess: access edge %v, want level admin on every resource", arn, e.Attrs)
				case r.PermissionsBoundary != "" && !unapplied && ok && e.Attrs[inventory.AttrBoundary] != r.PermissionsBoundary:
					t.Errorf("role %s with AdministratorAccess under %s: access edge %v, want the boundary named", arn, r.PermissionsBoundary, e.Attrs)
				}
			}
			if n.Attrs[inventory.AttrBoundary] != nilIfEmpty(r.PermissionsBoundary) {
				t.Errorf("role %s boundary %v, want %q", arn, n.Attrs[inventory.AttrBoundary], r.PermissionsBoundary)
			}
		}
		for _, grp := range a.Groups {
			arn := a.GroupARN(grp.Name)
			if n, ok := g.nodes[arn]; !ok || n.Kind != inventory.KindIdentity || n.Attrs["type"] != "iam_group" || n.Name != grp.Name {
				t.Errorf("group %s missing or wrong: %+v", arn, n)
			}
		}
		for _, u := range a.Users {
			arn := a.UserARN(u.Name)
			if n, ok := g.nodes[arn]; !ok || n.Kind != inventory.KindIdentity || !n.Created.Equal(u.Created) || n.Attrs[inventory.AttrBoundary] != nilIfEmpty(u.PermissionsBoundary) {
				t.Errorf("user %s missing or wrong: %+v", arn, n)
			}
			for _, grp := range u.Groups {
				if _, ok := g.edges[edgeKey(arn, inventory.EdgeMemberOf, a.GroupARN(grp))]; !ok {
					t.Errorf("user %s member_of group %s missing", arn, grp)
				}
			}
			for _, k := range u.AccessKeys {
				id := awsscan.AccessKeyID(k.ID)
				n, ok := g.nodes[id]
				if !ok {
					t.Errorf("key %s of %s missing", k.ID, arn)
					continue
				}
				status := k.Status
				if status == "" {
					status = labaws.KeyActive
				}
				if n.Kind != inventory.KindCredential || n.Attrs["status"] != status || !n.Created.Equal(k.Created) || n.Tenant != a.ID {
					t.Errorf("key %s = %s status %v created %s, want credential %s %s", k.ID, n.Kind, n.Attrs["status"], n.Created, status, k.Created)
				}
				wantAge := float64(int(now.Sub(k.Created) / (24 * time.Hour)))
				if n.Attrs["age_days"] != wantAge {
					t.Errorf("key %s age_days = %v, want %v", k.ID, n.Attrs["age_days"], wantAge)
				}
				switch {
				case k.LastUsed == nil && (n.Attrs["never_used"] != true || !n.LastUsed.IsZero()):
					t.Errorf("never-used key %s: never_used=%v last used %s", k.ID, n.Attrs["never_used"], n.LastUsed)
				case k.LastUsed != nil && (!n.LastUsed.Equal(k.LastUsed.Date) || n.Attrs["last_used_service"] != k.LastUsed.Service):
					t.Errorf("key %s last used %s %v, want %s %s", k.ID, n.LastUsed, n.Attrs["last_used_service"], k.LastUsed.Date, k.LastUsed.Service)
				}
				if _, ok := g.edges[edgeKey(arn, inventory.EdgeHasCredential, id)]; !ok {
					t.Errorf("edge %s has_credential %s missing", arn, id)
				}
			}
		}
	}
	// Nothing invented: every role, user and key node comes from the estate.
	want := map[string]bool{}
	for _, a := range e.AWS.Accounts {
		for _, r := range a.Roles {
			want[a.RoleARN(r.Name)] = true
		}
		for _, u := range a.Users {
			want[a.UserARN(u.Name)] = true
			for _, k := range u.AccessKeys {
				want[awsscan.AccessKeyID(k.ID)] = true
			}
		}
		for _, grp := range a.Groups {
			want[a.GroupARN(grp.Name)] = true
		}
	}
	for id, n := range g.nodes {
		typ, _ := n.Attrs["type"].(string)
		if (typ == "iam_role" || typ == "iam_user" || typ == "iam_group" || typ == "iam_access_key") && !want[id] {
			t.Errorf("node %s (%s) is not in the estate", id, typ)
		}
	}
}

// accountScopes names every scope of one account scanned in regions:
// account-wide, IAM, the users' service-specific credentials and the
// escalation paths; per region, each agent service and AgentCore's policy
// engines.
func accountScopes(regions ...string) []string {
	out := []string{inventory.GlobalScope, awsscan.ServiceCredentialsScope, awsscan.EscalationScope}
	for _, r := range regions {
		out = append(out, awsscan.RegionScope(r, awsscan.ServiceBedrockAgent), awsscan.RegionScope(r, awsscan.ServiceAgentCore), awsscan.AgentCorePolicyScope(r))
	}
	return out
}

// pages is how many calls paging n items takes at size per page.
func pages(n, size int) int {
	if n == 0 {
		return 1
	}
	return (n + size - 1) / size
}

func TestScanFindsTheEstate(t *testing.T) {
	for _, name := range []string{"demo", "two-accounts.yaml", "small.yaml"} {
		t.Run(name, func(t *testing.T) {
			var e *lab.Estate
			if name == "demo" {
				var err error
				if e, err = lab.DemoEstate(); err != nil {
					t.Fatal(err)
				}
			} else {
				e = loadEstate(t, name)
			}
			const pageSize = 2
			srv := startLab(t, e, lab.Options{PageSize: pageSize})
			res := scan(t, context.Background(), awsscan.Config{}, labOptions(srv, testOptions(4)))
			if res.err != nil {
				t.Fatal(res.err)
			}
			errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
			if len(errs) > 0 {
				t.Fatalf("scan errors: %+v", errs)
			}
			checkEstate(t, e, readGraph(t, res.store))

			// Every list was paged to the end, with several pages.
			wantKeyCalls, wantKeys, wantDetailCalls := 0, 0, 0
			for _, a := range e.AWS.Accounts {
				for _, u := range a.Users {
					wantKeyCalls += pages(len(u.AccessKeys), pageSize)
					wantKeys += len(u.AccessKeys)
				}
				wantDetailCalls += pages(detailEntries(a), pageSize)
			}
			st := srv.Stats()
			if got := st.Calls["aws/iam:ListAccessKeys"]; got != wantKeyCalls {
				t.Errorf("ListAccessKeys calls = %d, want %d (every user, every page)", got, wantKeyCalls)
			}
			if got := st.Calls["aws/iam:GetAccessKeyLastUsed"]; got != wantKeys {
				t.Errorf("GetAccessKeyLastUsed calls = %d, want %d", got, wantKeys)
			}
			if got := st.Calls["aws/iam:GetAccountAuthorizationDetails"]; got != wantDetailCalls || got <= len(e.AWS.Accounts) {
				t.Errorf("GetAccountAuthorizationDetails calls = %d, want %d (several pages per account)", got, wantDetailCalls)
			}
		})
	}
}

// detailEntries counts what GetAccountAuthorizationDetails lists for an
// account: users, groups, roles, its own policies and the AWS-managed
// policies attached to something.
func detailEntries(a labaws.Account) int {
	attached := map[string]bool{}
	mark := func(arns []string) {
		for _, p := range arns {
			if strings.HasPrefix(p, "arn:aws:iam::aws:policy/") {
				attached[p] = true
			}
		}
	}
	for _, r := range a.Roles {
		mark(r.ManagedPolicies)
	}
	for _, u := range a.Users {
		mark(u.ManagedPolicies)
	}
	for _, g := range a.Groups {
		mark(g.ManagedPolicies)
	}
	return len(a.Users) + len(a.Groups) + len(a.Roles) + len(a.Policies) + len(attached)
}

func TestThrottledScanFindsWhatACleanScanFinds(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	clean := startLab(t, e, lab.Options{PageSize: 2})
	want := readGraph(t, scan(t, context.Background(), awsscan.Config{}, labOptions(clean, testOptions(4))).store).fingerprint()

	throttled := startLab(t, e, lab.Options{PageSize: 2, ThrottleEvery: 3})
	res := scan(t, context.Background(), awsscan.Config{}, labOptions(throttled, testOptions(4)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	if errs, _ := res.store.ScanErrors(context.Background(), res.scanID); len(errs) > 0 {
		t.Fatalf("throttled scan recorded errors: %+v", errs)
	}
	st := throttled.Stats()
	total := 0
	for _, n := range st.Calls {
		total += n
	}
	// Every third request is throttled, except an SDK's retry of a throttled
	// one, which still takes its turn: how often a retry falls on a third
	// turn depends on how calls interleave, so at worst one in six.
	if st.Throttled == 0 || st.Throttled < total/6 {
		t.Errorf("lab throttled %d of %d calls, want between a sixth and a third", st.Throttled, total)
	}
	if got := readGraph(t, res.store).fingerprint(); got != want {
		t.Errorf("throttled scan found a different graph:\n%s\nwant:\n%s", got, want)
	}
}

func TestDeniedAccountIsRecordedAndTheOtherCompletes(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	denied := e.AWS.Accounts[1]
	srv := startLab(t, e, lab.Options{PageSize: 2, Deny: []string{denied.ID}})
	res := scan(t, context.Background(), awsscan.Config{}, labOptions(srv, testOptions(4)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	ctx := context.Background()
	errs, _ := res.store.ScanErrors(ctx, res.scanID)
	// One error per scope of the denied account: IAM, its service-specific
	// credentials and its escalation paths (which need IAM's users), and
	// each agent service of the region; each stops at its first denied call.
	wantScopes := map[string]string{
		inventory.GlobalScope:                                         "iam:GetAccountAuthorizationDetails",
		awsscan.ServiceCredentialsScope:                               "iam:GetAccountAuthorizationDetails",
		awsscan.EscalationScope:                                       "iam:GetAccountAuthorizationDetails",
		awsscan.RegionScope("us-east-1", awsscan.ServiceBedrockAgent): "bedrock-agent:ListAgents",
		awsscan.RegionScope("us-east-1", awsscan.ServiceAgentCore):    "bedrock-agentcore-control:ListApiKeyCredentialProviders",
		awsscan.AgentCorePolicyScope("us-east-1"):                     "bedrock-agentcore-control:ListPolicyEngineSummaries",
	}
	if len(errs) != len(wantScopes) {
		t.Fatalf("scan errors = %+v, want one per scope of %s", errs, denied.ID)
	}
	for _, se := range errs {
		if se.Tenant != denied.ID || wantScopes[se.Scope] != se.Operation || !strings.Contains(se.Message, "AccessDenied") || !strings.Contains(se.Message, "SecurityAudit") {
			t.Errorf("scan error %+v, want AccessDenied for %s with a hint", se, denied.ID)
		}
	}
	// The other account completes all its scopes.
	scopes, _ := res.store.CompletedScopes(ctx, res.scanID)
	other := e.AWS.Accounts[0].ID
	wantOther := map[string]bool{}
	for _, name := range accountScopes("us-east-1") {
		wantOther[name] = true
	}
	for _, sc := range scopes {
		if sc.Tenant != other || !wantOther[sc.Name] {
			t.Errorf("completed scope %v, want only %s's", sc, other)
		}
		delete(wantOther, sc.Name)
	}
	if len(wantOther) > 0 {
		t.Errorf("scopes of %s not completed: %v", other, wantOther)
	}
	g := readGraph(t, res.store)
	only := &lab.Estate{AWS: &labaws.Estate{Accounts: e.AWS.Accounts[:1]}}
	checkEstate(t, only, g)
	for id, n := range g.nodes {
		if n.Tenant == denied.ID && n.Attrs["type"] != nil {
			t.Errorf("node %s of the denied account was written", id)
		}
	}
}

func TestConcurrencyBoundsCallsInFlight(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			srv := startLab(t, e, lab.Options{PageSize: 2, Latency: 15 * time.Millisecond})
			res := scan(t, context.Background(), awsscan.Config{}, labOptions(srv, testOptions(n)))
			if res.err != nil {
				t.Fatal(res.err)
			}
			st := srv.Stats()
			if st.MaxInFlight > n {
				t.Errorf("--concurrency %d: the lab saw %d calls in flight", n, st.MaxInFlight)
			}
			if st.MaxInFlight < n {
				t.Errorf("--concurrency %d: at most %d calls were in flight: the scan did not fan out", n, st.MaxInFlight)
			}
		})
	}
}

func TestTimeoutKeepsWhatFinished(t *testing.T) {
	e := loadEstate(t, "two-accounts.yaml")
	// The timeout falls after each account's first call (GetCallerIdentity)
	// and before any scope's first call can answer: halfway between one
	// latency and two, which leaves the first call room for the race
	// detector on a busy machine.
	const latency = time.Second
	srv := startLab(t, e, lab.Options{Latency: latency})
	ctx, cancel := context.WithTimeout(context.Background(), latency*3/2)
	defer cancel()
	res := scan(t, ctx, awsscan.Config{}, labOptions(srv, testOptions(4)))
	if res.err != nil {
		t.Fatal(res.err)
	}
	scopes, _ := res.store.CompletedScopes(context.Background(), res.scanID)
	if len(scopes) != 0 {
		t.Errorf("scopes %v completed within %v at %v a call", scopes, latency*3/2, latency)
	}
	errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
	if len(errs) != len(accountScopes("us-east-1"))*len(e.AWS.Accounts) {
		t.Fatalf("scan errors = %+v, want one per scope of each account", errs)
	}
	for _, se := range errs {
		if !strings.Contains(se.Message, "timed out") {
			t.Errorf("error %+v does not say it timed out", se)
		}
	}
	if g := readGraph(t, res.store); len(g.nodes) != 0 {
		t.Errorf("%d nodes written by scopes that never completed", len(g.nodes))
	}
}

func TestDemoTransportRefusesRealAddresses(t *testing.T) {
	// Both are refused before any lookup or packet: 192.0.2.1 is a
	// documentation address that no test ever reaches.
	for _, endpoint := range []string{"https://iam.amazonaws.com", "http://192.0.2.1:80"} {
		opts := testOptions(2)
		opts.MaxAttempts = 1
		opts.Targets = []scanners.Target{{Provider: awsscan.ProviderName, Label: "real", Endpoint: endpoint, Regions: []string{"us-east-1"},
			Credentials: map[string]string{"access_key_id": "AKIAEXAMPLE", "secret_access_key": "x"}}}
		res := scan(t, context.Background(), awsscan.Config{}, opts)
		errs, _ := res.store.ScanErrors(context.Background(), res.scanID)
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "demo mode refuses") {
			t.Errorf("%s: scan errors = %+v, want the demo guard's refusal", endpoint, errs)
		}
	}
}

// TestVersion1EstateServesAsVersion2: a version-1 estate file (top-level
// accounts:) and its version-2 form (the same text under aws:) serve the
// same answers: the same calls find the same graph.
func TestVersion1EstateServesAsVersion2(t *testing.T) {
	for _, name := range []string{"two-accounts.yaml", "agents-3.yaml"} {
		t.Run(name, func(t *testing.T) {
			v1, err := os.ReadFile(filepath.Join("..", "..", "testdata", "estates", name))
			if err != nil {
				t.Fatal(err)
			}
			var v2 strings.Builder
			v2.WriteString("version: 2\naws:\n")
			for _, l := range strings.Split(string(v1), "\n") {
				if strings.TrimSpace(l) != "" {
					v2.WriteString("  ")
				}
				v2.WriteString(l + "\n")
			}
			var graphs []string
			var calls []map[string]int
			for _, text := range []string{string(v1), v2.String()} {
				e, err := lab.ParseEstate([]byte(text))
				if err != nil {
					t.Fatal(err)
				}
				l := startLab(t, e, lab.Options{PageSize: 2})
				res, _ := cleanScan(t, awsscan.Config{}, labOptions(l, testOptions(1), e.AWS.RegionNames()...))
				graphs = append(graphs, readGraph(t, res.store).fingerprint())
				calls = append(calls, l.Stats().Calls)
			}
			if len(graphs[0]) < 1000 {
				t.Fatalf("the scan found too little to compare: %d bytes", len(graphs[0]))
			}
			if graphs[0] != graphs[1] {
				t.Error("the version-1 and version-2 forms serve different graphs")
			}
			if !maps.Equal(calls[0], calls[1]) {
				t.Errorf("calls differ: v1 %v, v2 %v", calls[0], calls[1])
			}
		})
	}
}
