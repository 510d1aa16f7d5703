package cli_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
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
			path := filepath.Join(t.TempDir(), "aam.db")
			w, err := inventory.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := inventorytest.WriteEstate(ctx, w, tt.agents); err != nil {
				t.Fatal(err)
			}
			w.Close()
			s, err := inventory.OpenReadOnly(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = cli.ShowNode(ctx, s, tt.term, "table", io.Discard)
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
