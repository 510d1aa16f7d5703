package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
)

// scanSummary is what aam scan prints.
type scanSummary struct {
	ScanID     int64
	Status     inventory.ScanStatus
	Elapsed    time.Duration
	DB         string
	Scopes     []inventory.Scope
	Errors     []inventory.ScanError
	Nodes      []inventory.Count
	Edges      []inventory.Count
	LabURLs    []string // "provider URL"
	LabTenants int
	LabCalls   map[string]int
	Agents     []agentRow
}

// newScanSummary gathers what aam scan prints about res from the store.
func newScanSummary(ctx context.Context, store *inventory.Store, res *scanners.Result, db string, plan *scanPlan) (scanSummary, error) {
	// Read even when the scan's context is done: the summary says what was kept.
	ctx = context.WithoutCancel(ctx)
	sum := scanSummary{ScanID: res.ScanID, Status: res.Status, Elapsed: res.Elapsed, Scopes: res.Scopes, Errors: res.Errors, DB: db}
	if plan.lab != nil {
		sum.LabCalls = plan.lab.Stats().Calls
		for _, p := range plan.lab.Providers() {
			sum.LabURLs = append(sum.LabURLs, p+" at "+plan.lab.URL(p))
		}
		sum.LabTenants = plan.tenants
	}
	var err error
	if sum.Nodes, err = store.NodeCounts(ctx); err != nil {
		return sum, err
	}
	if sum.Edges, err = store.EdgeCounts(ctx); err != nil {
		return sum, err
	}
	if sum.Agents, err = agentRows(ctx, store); err != nil {
		return sum, err
	}
	return sum, nil
}

// agentRow is one agent in the summary: what it runs as, the highest
// access that grants, and how many standing secrets it can reach.
type agentRow struct {
	Name, Type, Tenant string
	RunsAs             []string
	Access             string
	Secrets            int
}

// agentRows reads the summary's agents in four statements, however many
// agents and edges there are.
func agentRows(ctx context.Context, store *inventory.Store) ([]agentRow, error) {
	agents, err := store.Nodes(ctx, inventory.NodeFilter{Kind: inventory.KindAgent})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	runsAs, err := store.EdgesFrom(ctx, ids, inventory.EdgeRunsAs)
	if err != nil {
		return nil, err
	}
	reach, err := store.ReachFrom(ctx, ids, inventory.ReachEdges, inventory.ReachDepth)
	if err != nil {
		return nil, err
	}
	// The credentials the identities an agent reaches can read through
	// can_escalate steps are the agent's too.
	var identities []string
	for _, rs := range reach {
		for _, r := range rs {
			if r.To.Kind == inventory.KindIdentity {
				identities = append(identities, r.To.ID)
			}
		}
	}
	escalated, err := store.EscalationCredentials(ctx, identities)
	if err != nil {
		return nil, err
	}
	var rows []agentRow
	for _, a := range agents {
		typ, _ := a.Attrs[inventory.AttrType].(string)
		row := agentRow{Name: a.Name, Type: typ, Tenant: a.Tenant}
		for _, e := range runsAs[a.ID] {
			row.RunsAs = append(row.RunsAs, nameOr(e.PeerName, e.To))
		}
		secrets := map[string]bool{}
		for _, r := range reach[a.ID] {
			row.Access = inventory.HighestAccess(row.Access, r.Access)
			if r.Standing {
				secrets[r.To.ID] = true
			}
			if r.To.Kind == inventory.KindIdentity {
				for _, c := range escalated[r.To.ID] {
					if c.Standing {
						secrets[c.To.ID] = true
					}
				}
			}
		}
		row.Secrets = len(secrets)
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Tenant != rows[j].Tenant {
			return rows[i].Tenant < rows[j].Tenant
		}
		return rows[i].Name < rows[j].Name
	})
	return rows, nil
}

func (s scanSummary) write(io *IOStreams) error {
	w := io.Out
	fmt.Fprintf(w, "Scan %d: %s in %s, written to %s\n", s.ScanID, s.Status, s.Elapsed.Round(time.Millisecond), s.DB)
	if len(s.LabURLs) > 0 {
		fmt.Fprintf(w, "Demo: the built-in estate (%d tenants) served by the lab (%s); nothing outside this machine was reached.\n", s.LabTenants, strings.Join(s.LabURLs, ", "))
	}
	fmt.Fprintln(w)
	t := newSummaryTable(io, "PROVIDER", "NODE KIND", "COUNT")
	for _, c := range s.Nodes {
		t.row(c.Provider, c.Kind, fmt.Sprint(c.N))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newSummaryTable(io, "PROVIDER", "EDGE KIND", "COUNT")
	for _, c := range s.Edges {
		t.row(c.Provider, c.Kind, fmt.Sprint(c.N))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(s.Agents) > 0 {
		fmt.Fprintln(w)
		t = newSummaryTable(io, "AGENT", "TYPE", "TENANT", "RUNS AS", "REACHES ACCESS", "STANDING SECRETS")
		for _, a := range s.Agents {
			access := a.Access
			if access == "" {
				access = "-"
			}
			t.row(a.Name, a.Type, a.Tenant, strings.Join(a.RunsAs, ", "), access, fmt.Sprint(a.Secrets))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nScopes complete: %d\n", len(s.Scopes))
	for _, sc := range s.Scopes {
		fmt.Fprintf(w, "  %s\n", sc)
	}
	if len(s.Errors) == 0 {
		fmt.Fprintln(w, "Partial failures: none")
	} else {
		warnings := 0
		for _, e := range s.Errors {
			if e.Warning {
				warnings++
			}
		}
		fmt.Fprintf(w, "Partial failures: %d", len(s.Errors))
		if warnings > 0 {
			fmt.Fprintf(w, " (%d of them enrichments: the items were kept, what only that call gives is marked unknown)", warnings)
		}
		fmt.Fprintln(w)
		for _, e := range s.Errors {
			where := strings.Trim(strings.Join([]string{e.Provider, e.Tenant, e.Scope}, "/"), "/")
			class := ""
			if e.Class != "" {
				class = "[" + e.Class + "] "
			}
			fmt.Fprintf(w, "  %s%s %s: %s\n", class, where, e.Operation, e.Message)
		}
	}
	if len(s.LabCalls) > 0 {
		ops := make([]string, 0, len(s.LabCalls))
		total := 0
		for op, n := range s.LabCalls {
			ops = append(ops, op)
			total += n
		}
		sort.Strings(ops)
		fmt.Fprintf(w, "\nLab calls: %d\n", total)
		t = newSummaryTable(io, "OPERATION", "CALLS")
		for _, op := range ops {
			t.row(op, fmt.Sprint(s.LabCalls[op]))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nNext: aam inventory list --kind agent --db %s, then aam inventory show <agent id>\n", s.DB)
	return nil
}
