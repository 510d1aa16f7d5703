package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/inventory/inventorytest"
	"github.com/google/go-cmp/cmp"
)

// inventory show with a name several nodes have says how many have it, all
// of them, and lists the ids of the first ten by id, saying so when there
// are more.
func TestShowByNameOfSeveralNodes(t *testing.T) {
	ctx := context.Background()
	groupID := func(i int) string { return fmt.Sprintf("%s/actiongroup/G%05d", inventorytest.AgentID(i), i) }
	groups := func(n int) []string {
		var ids []string
		for i := range n {
			ids = append(ids, groupID(i))
		}
		return ids
	}
	tests := []struct {
		name   string
		agents int
		term   string
		want   string   // the message's first line
		ids    []string // the ids it lists, in order
	}{
		// Agent i's action group is named "tools", as is every other's.
		{"two", 2, "tools", `"tools" names 2 nodes: show one by its id:`, groups(2)},
		{"ten", 10, "tools", `"tools" names 10 nodes: show one by its id:`, groups(10)},
		{"eleven", 11, "tools", `"tools" names 11 nodes: show one by its id (first 10 shown):`, groups(10)},
		{"thirty", 30, "tools", `"tools" names 30 nodes: show one by its id (first 10 shown):`, groups(10)},
		// An agent and its role share a name.
		{"an agent and its role", 30, "agent-00007", `"agent-00007" names 2 nodes: show one by its id:`,
			[]string{inventorytest.AgentID(7), fmt.Sprintf("arn:aws:iam::%s:role/agent-00007", inventorytest.Tenant)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := writtenStore(t, func(w *inventory.Store) error { return inventorytest.WriteEstate(ctx, w, tt.agents) })
			err := cli.ShowNode(ctx, s, tt.term, "table", io.Discard)
			if err == nil {
				t.Fatalf("show %s showed a node", tt.term)
			}
			lines := strings.Split(err.Error(), "\n")
			if lines[0] != tt.want {
				t.Errorf("message %q, want %q", lines[0], tt.want)
			}
			var ids []string
			for _, l := range lines[1:] {
				ids = append(ids, strings.TrimPrefix(l, "  "))
			}
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("listed ids (-want +got):\n%s", diff)
			}
		})
	}
}

// inventory show of an agent gives the effective access of the role it
// runs as with its path hop by hop, and the credentials that role can read
// through can_escalate steps with their methods; a secret behind a step
// that only acts on the caller's behalf is not one of them.
func TestShowEscalation(t *testing.T) {
	ctx := context.Background()
	const (
		agent   = "arn:aws:bedrock:us-east-1:111:agent/A"
		role    = "arn:aws:iam::111:role/agent"
		admin   = "arn:aws:iam::111:role/admin"
		kbRole  = "arn:aws:iam::111:role/kb"
		secret  = "arn:aws:secretsmanager:us-east-1:111:secret:provider-key"
		kbCreds = "arn:aws:secretsmanager:us-east-1:111:secret:kb-only"
	)
	global := inventory.Scope{Provider: "aws", Tenant: "111", Name: inventory.GlobalScope}
	g := (&inventorytest.Graph{}).Add(global,
		inventory.Node{ID: agent, Kind: inventory.KindAgent, Name: "A"},
		inventorytest.Identity(role, "iam_role"), inventorytest.Identity(admin, "iam_role"), inventorytest.Identity(kbRole, "iam_role"),
		inventorytest.Credential(secret, true), inventorytest.Credential(kbCreds, true),
		inventory.Edge{From: agent, To: role, Kind: inventory.EdgeRunsAs},
		inventorytest.Access(role, "bucket", inventory.LevelWrite),
		inventorytest.Access(admin, "*", inventory.LevelAdmin),
		inventorytest.Escalation(role, admin, "sts:AssumeRole", ""),
		inventorytest.Escalation(role, secret, "secretsmanager:GetSecretValue", ""),
		inventorytest.Escalation(role, kbRole, "iam:PassRole+bedrock:CreateKnowledgeBase", inventory.LevelRead),
		inventorytest.Escalation(kbRole, kbCreds, "secretsmanager:GetSecretValue", ""))
	s, _ := writtenStore(t, func(w *inventory.Store) error { return inventorytest.WriteScan(ctx, w, g) })

	var out strings.Builder
	if err := cli.ShowNode(ctx, s, agent, "json", &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Effective []struct {
			ID, Own, Level string
			Path           []inventory.EscalationHop
		} `json:"effective_access"`
		Escalated []struct {
			ID, From string
			Path     []string
		} `json:"escalation_credentials"`
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatal(err)
	}
	var effective []string
	for _, e := range got.Effective {
		line := fmt.Sprintf("%s own=%s level=%s", e.ID, e.Own, e.Level)
		for _, h := range e.Path {
			line += fmt.Sprintf(" → %s %s %s cap=%s", h.Edge, h.ID, h.Method, h.LevelCap)
		}
		effective = append(effective, line)
	}
	wantEffective := []string{role + " own=write level=admin → can_escalate " + admin + " sts:AssumeRole cap="}
	if diff := cmp.Diff(wantEffective, effective); diff != "" {
		t.Errorf("effective access (-want +got):\n%s", diff)
	}
	var escalated []string
	for _, e := range got.Escalated {
		escalated = append(escalated, e.ID+" from "+e.From+": "+strings.Join(e.Path, " "))
	}
	wantEscalated := []string{secret + " from " + role + ": secretsmanager:GetSecretValue→" + secret}
	if diff := cmp.Diff(wantEscalated, escalated); diff != "" {
		t.Errorf("credentials reachable through can_escalate (-want +got):\n%s", diff)
	}

	out.Reset()
	if err := cli.ShowNode(ctx, s, role, "table", &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  " + role + ": admin (own: write)\n    1. can_escalate → " + admin + " by sts:AssumeRole\n",
		"method=iam:PassRole+bedrock:CreateKnowledgeBase level_cap=read",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("inventory show %s does not say %q:\n%s", role, want, out.String())
		}
	}
}
