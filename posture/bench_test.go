package posture

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aam-dev/aam/inventory"
)

// benchUnits is how many units the large estate has: each writes about 13
// nodes and edges, so 77,000 units make about 1,000,000 rows.
const benchUnits = 77000

// BenchmarkEvaluateMillion evaluates every built-in control over a
// generated inventory of about 1,000,000 current nodes and edges shaped as
// the AWS scanner writes them (agents with versions and aliases, roles with
// access and trust, Lambdas with keys and inline secrets, knowledge bases,
// gateways, runtimes), and reports the time per evaluation, the findings
// and the peak Go heap while evaluating. The estate is written once into
// $AAM_POSTURE_BENCH_DB when set (and reused), else into a temporary
// folder.
//
//	AAM_POSTURE_BENCH_DB=/tmp/posture-1m.db go test ./posture -run '^$' -bench EvaluateMillion -benchtime 3x
func BenchmarkEvaluateMillion(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("AAM_POSTURE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "aam.db")
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		rows, err := writeLargeEstate(ctx, path, benchUnits, estateChange{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("wrote %d nodes and edges in %s", rows, time.Since(start).Round(time.Millisecond))
	}
	store, err := inventory.OpenReadOnlyWith(ctx, path, inventory.ReadOptions{MapBytes: MapBytes})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	var rows int64
	store.EachRow(ctx, `SELECT (SELECT count(*) FROM current_nodes) + (SELECT count(*) FROM current_edges)`, nil, func(_ []string, r []any) error {
		rows = asInt(r[0])
		return nil
	})
	cat, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	if only := os.Getenv("AAM_POSTURE_BENCH_CONTROLS"); only != "" {
		// One control at a time, timed as it goes (AAM_POSTURE_BENCH_CONTROLS=all
		// or a list of ids), to find a slow one.
		for _, c := range cat.Controls {
			if only != "all" && !strings.Contains(only, c.ID) {
				continue
			}
			start := time.Now()
			ev, err := Evaluate(ctx, store, &Catalogue{Controls: []*Control{c}}, Options{Now: testNow})
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s %7d findings %8s\n", c.ID, len(ev.Findings), time.Since(start).Round(time.Millisecond))
		}
		return
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	var findings int
	for range b.N {
		ev, err := Evaluate(ctx, store, cat, Options{Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		findings = len(ev.Findings)
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(findings), "findings")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// estateChange is how a later scan of the large estate differs from the
// first; the zero value is the first scan.
type estateChange struct {
	// later is how long after the first scan this one runs.
	later time.Duration
	// added is how many units the estate has grown by.
	added int
	// rotate rotates one IAM user access key in rotate (a new key id,
	// the old one gone); 0 rotates none.
	rotate int
	// fix fixes the planted mistakes of one ten-unit block in fix: the
	// agent gets its guardrail, the Lambda loses its inline secret; 0
	// fixes none.
	fix int
}

// keyID is the id of user key k, rotated or not.
func (c estateChange) keyID(k int) string {
	if c.rotate > 0 && k%c.rotate == 0 {
		return fmt.Sprintf("AKIA9%015d", k)
	}
	return fmt.Sprintf("AKIA%016d", k)
}

// writeLargeEstate writes units units of an AWS-shaped estate in one
// finished scan, changed by ch, and returns how many nodes and edges it
// wrote.
func writeLargeEstate(ctx context.Context, path string, units int, ch estateChange) (int, error) {
	s, err := inventory.OpenForScan(ctx, path, inventory.Options{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	now := testNow.Add(ch.later)
	sc, err := s.BeginScan(ctx, inventory.ScanInfo{Providers: []string{"aws"}, Now: func() time.Time { return now }})
	if err != nil {
		return 0, err
	}
	const acct = "111111111111"
	global := inventory.Scope{Provider: "aws", Tenant: acct, Name: inventory.GlobalScope}
	region := inventory.Scope{Provider: "aws", Tenant: acct, Name: "us-east-1/bedrock-agent"}
	core := inventory.Scope{Provider: "aws", Tenant: acct, Name: "us-east-1/agentcore"}
	w := &benchWriter{ctx: ctx, sc: sc}
	iam := func(kind, name string) string { return fmt.Sprintf("arn:aws:iam::%s:%s/%s", acct, kind, name) }
	w.node(global, inventory.Node{ID: "aws:service:bedrock.amazonaws.com", Kind: inventory.KindIdentity, Ref: true, Attrs: map[string]any{"principal_type": "service"}})
	w.node(global, inventory.Node{ID: "aws:service:lambda.amazonaws.com", Kind: inventory.KindIdentity, Ref: true, Attrs: map[string]any{"principal_type": "service"}})
	w.node(global, inventory.Node{ID: "aws:principal:*", Kind: inventory.KindIdentity, Ref: true, Attrs: map[string]any{"principal_type": "anyone"}})
	w.node(global, inventory.Node{ID: "aws:" + acct + ":resource/*", Kind: inventory.KindResource, Attrs: map[string]any{"type": "resource_pattern"}})
	levels := []string{inventory.LevelRead, inventory.LevelWrite}
	for i := range units + ch.added {
		// Mistakes are planted in a minority of units, at rates of a
		// large estate that has had some care: one agent in ten without a
		// guardrail, one Lambda in ten with a secret in its environment,
		// one key in ten past rotation, and so on.
		env := []string{"prod", "dev", "staging"}[i%3]
		agent := fmt.Sprintf("arn:aws:bedrock:us-east-1:%s:agent/A%07d", acct, i)
		role := iam("role", fmt.Sprintf("agent-%06d", i))
		if i%20 == 1 {
			role = iam("role", fmt.Sprintf("agent-%06d", i-1)) // shared by a prod and a dev agent
		}
		group := agent + "/actiongroup/G1"
		fn := fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:tools-%06d", acct, i)
		fnRole := iam("role", fmt.Sprintf("lambda-%05d", i/10))
		secret := fn + "#env/API_TOKEN"
		user := iam("user", fmt.Sprintf("deployer-%06d", i/5))
		key := "aws:access-key:" + ch.keyID(i/5)
		fixed := ch.fix > 0 && (i/10)%ch.fix == 0
		created := testNow.AddDate(0, 0, -(i % 60))
		if i%10 == 0 {
			created = testNow.AddDate(0, 0, -(100 + i%400))
		}
		agentAttrs := map[string]any{"type": "bedrock_agent", "has_guardrail": i%10 != 3 || fixed, "versions": []string{"1", "DRAFT"},
			"aliases": []map[string]any{{"name": env, "routes_to": []string{"1"}, "status": "PREPARED"}}}
		if i%10 == 3 && !fixed {
			agentAttrs["versions_without_guardrail"] = []string{"1", "DRAFT"}
		}
		w.node(region, inventory.Node{ID: agent, Kind: inventory.KindAgent, Name: fmt.Sprintf("agent-%06d-%s", i, env), Created: created, Attrs: agentAttrs})
		if i%20 != 1 {
			w.node(global, inventory.Node{ID: role, Kind: inventory.KindIdentity, Name: fmt.Sprintf("agent-%06d", i), Created: created,
				LastUsed: testNow.AddDate(0, 0, -(i % 30)), Attrs: map[string]any{"type": "iam_role"}})
		}
		w.node(region, inventory.Node{ID: group, Kind: inventory.KindResource, Name: "tools", Attrs: map[string]any{"type": "bedrock_action_group"}})
		envNames := []string{"TABLE_NAME"}
		if i%10 == 5 && !fixed {
			envNames = []string{"API_TOKEN", "TABLE_NAME"}
		}
		w.node(region, inventory.Node{ID: fn, Kind: inventory.KindResource, Name: fmt.Sprintf("tools-%06d", i),
			Attrs: map[string]any{"type": "lambda_function", "env_var_names": envNames}})
		if i%10 == 0 {
			w.node(global, inventory.Node{ID: fnRole, Kind: inventory.KindIdentity, Name: fmt.Sprintf("lambda-%05d", i/10),
				Created: created, LastUsed: testNow.AddDate(0, 0, -1), Attrs: map[string]any{"type": "iam_role"}})
			w.edge(global, "aws:service:lambda.amazonaws.com", inventory.EdgeCanAssume, fnRole, map[string]any{"trust": "constrained", "trust_reason": "aws:SourceAccount"})
			w.edge(global, fnRole, inventory.EdgeCanAccess, "aws:"+acct+":resource/*", map[string]any{"level": levels[(i/10)%2], "actions": []string{"dynamodb:GetItem"}, "resource": "*"})
		}
		if i%10 == 5 && !fixed {
			w.node(region, inventory.Node{ID: secret, Kind: inventory.KindCredential, Name: "API_TOKEN",
				Attrs: map[string]any{"type": "inline_secret", "standing": true, "found_in": "environment", "env_var": "API_TOKEN",
					"fingerprint": fmt.Sprintf("hmac-sha256:%024x", i/20)}})
			w.edge(region, fn, inventory.EdgeHoldsSecret, secret, map[string]any{"env_var": "API_TOKEN"})
		}
		if i%5 == 0 {
			w.node(global, inventory.Node{ID: user, Kind: inventory.KindIdentity, Name: fmt.Sprintf("deployer-%06d", i/5), Created: created, Attrs: map[string]any{"type": "iam_user"}})
			status := "Active"
			if i%50 == 0 {
				status = "Inactive"
			}
			keyAttrs := map[string]any{"type": "iam_access_key", "standing": true, "status": status, "fingerprint": ch.keyID(i / 5)}
			lastUsed := testNow.AddDate(0, 0, -(i % 20))
			if i%40 == 0 {
				keyAttrs["never_used"] = true
				lastUsed = time.Time{}
			}
			w.node(global, inventory.Node{ID: key, Kind: inventory.KindCredential, Name: ch.keyID(i / 5), Created: created, LastUsed: lastUsed, Attrs: keyAttrs})
			w.edge(global, user, inventory.EdgeHasCredential, key, nil)
			w.edge(global, user, inventory.EdgeCanAccess, "aws:"+acct+":resource/*", map[string]any{"level": "write", "actions": []string{"lambda:UpdateFunctionCode"}, "resource": "*"})
		}
		w.edge(region, agent, inventory.EdgeRunsAs, role, map[string]any{"versions": []string{"DRAFT"}, "via": "agentResourceRoleArn"})
		if i%50 == 7 {
			w.edge(region, agent, inventory.EdgeRunsAs, iam("role", "agents-admin"), map[string]any{"versions": []string{"1"}, "via": "agentResourceRoleArn"})
		} else {
			w.edge(region, agent, inventory.EdgeRunsAs, role, map[string]any{"versions": []string{"1", "DRAFT"}, "via": "agentResourceRoleArn"})
		}
		w.edge(region, agent, inventory.EdgeUsesTool, group, map[string]any{"versions": []string{"1", "DRAFT"}})
		w.edge(region, group, inventory.EdgeUsesTool, fn, map[string]any{"executor": "lambda", "versions": []string{"1", "DRAFT"}})
		w.edge(region, fn, inventory.EdgeRunsAs, fnRole, map[string]any{"via": "execution_role"})
		if i%50 == 5 {
			w.edge(region, fn, inventory.EdgeUsesCredential, iam("user", fmt.Sprintf("deployer-%06d", i/5))+"#no-key", nil)
			w.edge(region, fn, inventory.EdgeUsesCredential, "aws:access-key:"+ch.keyID((i/5)-1), map[string]any{"env_var": "DEPLOYER_KEY_ID", "found_in": "environment"})
		}
		if i%20 != 1 {
			actions, level := []string{"bedrock:InvokeModel", "dynamodb:Query"}, levels[i%2]
			switch i % 100 {
			case 11:
				actions, level = []string{"NotAction:iam:*"}, inventory.LevelAdmin
			case 13:
				actions = []string{"iam:PassRole"}
			case 17:
				actions, level = []string{"*"}, inventory.LevelAdmin
			}
			w.edge(global, role, inventory.EdgeCanAccess, "aws:"+acct+":resource/*", map[string]any{"level": level, "actions": actions, "resource": "*", "sources": []string{"inline:p"}})
			trust, reason, from := "constrained", "bedrock.amazonaws.com, only when acting for aws:SourceAccount", "aws:service:bedrock.amazonaws.com"
			switch i % 100 {
			case 23:
				trust, reason, from = "open", "any AWS principal", "aws:principal:*"
			case 29:
				trust, reason = "service-unguarded", "no aws:SourceAccount condition"
			}
			w.edge(global, from, inventory.EdgeCanAssume, role, map[string]any{"trust": trust, "trust_reason": reason, "actions": []string{"sts:AssumeRole"}})
			if i%100 == 31 {
				w.edge(global, role, inventory.EdgeCanEscalate, iam("role", "agents-admin"), map[string]any{"method": "sts:AssumeRole"})
			}
		}
		if i%4 == 0 {
			kb := fmt.Sprintf("arn:aws:bedrock:us-east-1:%s:knowledge-base/KB%07d", acct, i)
			w.node(region, inventory.Node{ID: kb, Kind: inventory.KindResource, Attrs: map[string]any{"type": "bedrock_knowledge_base"}})
			w.edge(region, kb, inventory.EdgeRunsAs, fnRole, map[string]any{"via": "roleArn"})
			w.edge(region, agent, inventory.EdgeUsesTool, kb, map[string]any{"versions": []string{"1", "DRAFT"}})
		}
		if i%10 == 0 {
			gw := fmt.Sprintf("arn:aws:bedrock-agentcore:us-east-1:%s:gateway/gw-%06d", acct, i)
			target := gw + "/target/T1"
			provider := fmt.Sprintf("arn:aws:bedrock-agentcore:us-east-1:%s:token-vault/default/apikeycredentialprovider/key-%06d", acct, i)
			runtimeID := fmt.Sprintf("arn:aws:bedrock-agentcore:us-east-1:%s:runtime/rt_%06d", acct, i)
			inbound, enforcement := "jwt", "enforce"
			if i%50 == 0 {
				inbound, enforcement = "none", "none"
			}
			w.node(core, inventory.Node{ID: gw, Kind: inventory.KindResource, Attrs: map[string]any{"type": "agentcore_gateway", "inbound_auth": inbound,
				"policy_enforcement": enforcement, "policy_engine_name": "engine"}})
			w.node(core, inventory.Node{ID: target, Kind: inventory.KindResource, Attrs: map[string]any{"type": "agentcore_gateway_target", "credential_types": []string{"OAUTH"}}})
			w.node(core, inventory.Node{ID: provider, Kind: inventory.KindCredential, Created: created,
				Attrs: map[string]any{"type": "agentcore_oauth2_provider", "standing": true, "fingerprint": provider}})
			userIdentity := "forwarded"
			if i%40 == 0 {
				userIdentity = "not_verified"
			}
			w.node(core, inventory.Node{ID: runtimeID, Kind: inventory.KindAgent, Name: fmt.Sprintf("rt_%06d", i),
				Attrs: map[string]any{"type": "agentcore_runtime", "inbound_auth": "jwt", "user_identity": userIdentity}})
			w.edge(core, gw, inventory.EdgeUsesTool, target, nil)
			w.edge(core, target, inventory.EdgeUsesCredential, provider, map[string]any{"credential_type": "OAUTH"})
			w.edge(core, runtimeID, inventory.EdgeUsesTool, gw, map[string]any{"found_in": "environment"})
			w.edge(core, runtimeID, inventory.EdgeRunsAs, role, map[string]any{"via": "roleArn"})
		}
	}
	w.node(global, inventory.Node{ID: iam("role", "agents-admin"), Kind: inventory.KindIdentity, Attrs: map[string]any{"type": "iam_role"}})
	w.edge(global, iam("role", "agents-admin"), inventory.EdgeCanAccess, "aws:"+acct+":resource/*", map[string]any{"level": "admin", "actions": []string{"*"}, "resource": "*", "sources": []string{"arn:aws:iam::aws:policy/AdministratorAccess"}})
	w.edge(global, "aws:service:bedrock.amazonaws.com", inventory.EdgeCanAssume, iam("role", "agents-admin"), map[string]any{"trust": "constrained", "trust_reason": "aws:SourceAccount"})
	for _, scope := range []inventory.Scope{global, region, core} {
		if w.err == nil {
			w.err = sc.CompleteScope(ctx, scope)
		}
	}
	if w.err != nil {
		sc.Abandon()
		return 0, w.err
	}
	return w.rows, sc.Finish(ctx, inventory.ScanOK)
}

type benchWriter struct {
	ctx  context.Context
	sc   *inventory.Scan
	err  error
	rows int
}

func (w *benchWriter) node(s inventory.Scope, n inventory.Node) {
	if w.err != nil {
		return
	}
	n.Provider, n.Tenant = s.Provider, s.Tenant
	if n.Name == "" {
		n.Name = filepath.Base(n.ID)
	}
	w.rows++
	w.err = w.sc.Node(w.ctx, s, n)
}

func (w *benchWriter) edge(s inventory.Scope, from string, kind inventory.EdgeKind, to string, attrs map[string]any) {
	if w.err != nil {
		return
	}
	w.rows++
	w.err = w.sc.Edge(w.ctx, s, inventory.Edge{From: from, Kind: kind, To: to, Attrs: attrs})
}
