package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/spf13/cobra"
)

// jsonSchemaVersion versions every JSON document aam prints.
const jsonSchemaVersion = 1

func newInventoryCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Read the inventory graph",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, args []string) error { return c.Help() },
	}
	cmd.AddCommand(newInventoryListCmd(g, nil), newInventoryShowCmd(g, nil), newInventoryScansCmd(g, nil), newInventoryGraphCmd(g, nil))
	return cmd
}

// ListOptions are the flags of aam inventory list.
type ListOptions struct {
	*globalOptions
	Kind     string
	Provider string
	Output   string
}

func validOutput(o string) error {
	if o != "table" && o != "json" {
		return usagef("-o must be table or json (got %q)", o)
	}
	return nil
}

func newInventoryListCmd(g *globalOptions, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List current nodes: agents, identities, credentials, resources",
		Example: `  aam inventory list --kind credential
  aam inventory list --provider aws -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInventoryList(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "only nodes of this kind: "+kindNames())
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "only nodes of this provider")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func kindNames() string {
	var s []string
	for _, k := range inventory.NodeKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func runInventoryList(ctx context.Context, o *ListOptions) error {
	if err := validOutput(o.Output); err != nil {
		return err
	}
	if o.Kind != "" {
		ok := false
		for _, k := range inventory.NodeKinds {
			ok = ok || string(k) == o.Kind
		}
		if !ok {
			return usagef("unknown --kind %q: use one of %s", o.Kind, kindNames())
		}
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	nodes, err := store.Nodes(ctx, inventory.NodeFilter{Kind: inventory.NodeKind(o.Kind), Provider: o.Provider})
	if err != nil {
		return err
	}
	if o.Output == "json" {
		out := struct {
			SchemaVersion int        `json:"schema_version"`
			Nodes         []jsonNode `json:"nodes"`
		}{SchemaVersion: jsonSchemaVersion, Nodes: []jsonNode{}}
		for _, n := range nodes {
			out.Nodes = append(out.Nodes, toJSONNode(n))
		}
		return writeJSON(o.IO, out)
	}
	if len(nodes) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no nodes match: run aam scan first, or widen --kind/--provider")
		return nil
	}
	t := newTable(o.IO, "KIND", "PROVIDER", "TENANT", "NAME", "ID", "DETAIL")
	for _, n := range nodes {
		t.row(string(n.Kind), n.Provider, n.Tenant, n.Name, n.ID, detail(n, o.Now()))
	}
	return t.flush()
}

// detail is the one-line summary of what matters about a node.
func detail(n inventory.NodeRecord, now time.Time) string {
	var parts []string
	add := func(k string) {
		if v, ok := n.Attrs[k]; ok && v != nil && v != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	for _, k := range []string{inventory.AttrType, "principal_type", "status"} {
		add(k)
	}
	if !n.Created.IsZero() {
		parts = append(parts, fmt.Sprintf("age=%dd", int(now.Sub(n.Created).Hours()/24)))
	}
	switch {
	case !n.LastUsed.IsZero():
		parts = append(parts, "last_used="+n.LastUsed.Format("2006-01-02"))
	case n.Attrs["never_used"] == true:
		parts = append(parts, "never_used")
	}
	return strings.Join(parts, " ")
}

type jsonNode struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	Provider  string         `json:"provider"`
	Tenant    string         `json:"tenant"`
	Name      string         `json:"name"`
	Created   *time.Time     `json:"created,omitempty"`
	LastUsed  *time.Time     `json:"last_used,omitempty"`
	Expires   *time.Time     `json:"expires,omitempty"`
	Attrs     map[string]any `json:"attrs"`
	FirstSeen int64          `json:"first_seen_scan"`
	LastSeen  int64          `json:"last_seen_scan"`
	GoneIn    int64          `json:"gone_in_scan,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toJSONNode(n inventory.NodeRecord) jsonNode {
	attrs := n.Attrs
	if attrs == nil {
		attrs = map[string]any{}
	}
	return jsonNode{ID: n.ID, Kind: string(n.Kind), Provider: n.Provider, Tenant: n.Tenant, Name: n.Name,
		Created: timePtr(n.Created), LastUsed: timePtr(n.LastUsed), Expires: timePtr(n.Expires),
		Attrs: attrs, FirstSeen: n.FirstSeen, LastSeen: n.LastSeen, GoneIn: n.GoneIn}
}

type jsonEdge struct {
	From     string         `json:"from"`
	Kind     string         `json:"kind"`
	To       string         `json:"to"`
	PeerKind string         `json:"peer_kind,omitempty"`
	PeerName string         `json:"peer_name,omitempty"`
	Attrs    map[string]any `json:"attrs"`
}

func toJSONEdges(es []inventory.EdgeRecord) []jsonEdge {
	out := []jsonEdge{}
	for _, e := range es {
		attrs := e.Attrs
		if attrs == nil {
			attrs = map[string]any{}
		}
		out = append(out, jsonEdge{From: e.From, Kind: string(e.Kind), To: e.To, PeerKind: string(e.PeerKind), PeerName: e.PeerName, Attrs: attrs})
	}
	return out
}

func writeJSON(io *IOStreams, v any) error {
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ShowOptions are the flags of aam inventory show.
type ShowOptions struct {
	*globalOptions
	ID     string
	Output string
}

func newInventoryShowCmd(g *globalOptions, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one node and its edges in both directions",
		Example: `  aam inventory show arn:aws:iam::111111111111:role/bedrock-agent-admin`,
		Args:    exactArgs(1, "one node id (see aam inventory list)"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInventoryShow(c.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func runInventoryShow(ctx context.Context, o *ShowOptions) error {
	if err := validOutput(o.Output); err != nil {
		return err
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	return showNode(ctx, store, o)
}

// shownMatches is how many of the nodes a name matches show lists.
const shownMatches = 10

// showNode writes what aam inventory show prints about o.ID, read from
// store in a number of statements that does not depend on the graph.
// resolveNode finds the node term names: its id, or a name or the end of
// an id (a key id, a role name) that names one node. verb is what the
// command does with it, for the hint when term names several.
func resolveNode(ctx context.Context, store *inventory.Store, term, verb string) (inventory.NodeRecord, error) {
	n, err := store.NodeByID(ctx, term)
	if errors.Is(err, inventory.ErrNotFound) {
		// A name or the end of an id (a key id, a role name) will do when
		// it names one node.
		found, total, ferr := store.FindNodes(ctx, term, shownMatches)
		switch {
		case ferr != nil:
			return n, ferr
		case total == 1:
			n, err = found[0], nil
		case total > 1:
			var ids []string
			for _, f := range found {
				ids = append(ids, "  "+f.ID)
			}
			shown := ""
			if total > len(found) {
				shown = fmt.Sprintf(" (first %d shown)", len(found))
			}
			return n, fmt.Errorf("%q names %d nodes: %s one by its id%s:\n%s", term, total, verb, shown, strings.Join(ids, "\n"))
		default:
			return n, fmt.Errorf("no node with id or name %q: list ids with aam inventory list", term)
		}
	}
	return n, err
}

func showNode(ctx context.Context, store *inventory.Store, o *ShowOptions) error {
	n, err := resolveNode(ctx, store, o.ID, "show")
	if err != nil {
		return err
	}
	o.ID = n.ID
	out, in, err := store.EdgesOf(ctx, o.ID)
	if err != nil {
		return err
	}
	reach, err := reachable(ctx, store, o.ID)
	if err != nil {
		return err
	}
	effective, escalated, err := escalations(ctx, store, n, reach)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return writeJSON(o.IO, struct {
			SchemaVersion int             `json:"schema_version"`
			Node          jsonNode        `json:"node"`
			Out           []jsonEdge      `json:"out"`
			In            []jsonEdge      `json:"in"`
			Reaches       []jsonReach     `json:"reaches"`
			Effective     []jsonEffective `json:"effective_access"`
			Escalated     []jsonReach     `json:"escalation_credentials"`
		}{jsonSchemaVersion, toJSONNode(n), toJSONEdges(out), toJSONEdges(in), reach, effective, escalated})
	}
	w := o.IO.Out
	fmt.Fprintf(w, "%s %s\n", n.Kind, n.Name)
	fmt.Fprintf(w, "  id:        %s\n", n.ID)
	fmt.Fprintf(w, "  provider:  %s   tenant: %s\n", n.Provider, n.Tenant)
	for _, tv := range []struct {
		label string
		t     time.Time
	}{{"created", n.Created}, {"last used", n.LastUsed}, {"expires", n.Expires}} {
		if !tv.t.IsZero() {
			fmt.Fprintf(w, "  %-10s %s\n", tv.label+":", tv.t.Format(time.RFC3339))
		}
	}
	fmt.Fprintf(w, "  seen:      scans %d..%d", n.FirstSeen, n.LastSeen)
	if n.GoneIn != 0 {
		fmt.Fprintf(w, " (gone in scan %d)", n.GoneIn)
	}
	fmt.Fprintln(w)
	keys := make([]string, 0, len(n.Attrs))
	for k := range n.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(n.Attrs[k])
		fmt.Fprintf(w, "  %s: %s\n", k, v)
	}
	for _, dir := range []struct {
		title string
		edges []inventory.EdgeRecord
		out   bool
	}{{"Out", out, true}, {"In", in, false}} {
		fmt.Fprintf(w, "\n%s (%d):\n", dir.title, len(dir.edges))
		if len(dir.edges) == 0 {
			continue
		}
		t := newSummaryTable(o.IO, "  EDGE", "PEER KIND", "PEER", "DETAIL")
		for _, e := range dir.edges {
			peer := e.To
			if !dir.out {
				peer = e.From
			}
			t.row("  "+string(e.Kind), string(e.PeerKind), peer, edgeDetail(e))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if len(reach) > 0 {
		var through []string
		for _, k := range inventory.ReachEdges {
			through = append(through, string(k))
		}
		fmt.Fprintf(w, "\nReaches (%d identities and credentials, through %s):\n", len(reach), strings.Join(through, ", "))
		t := newSummaryTable(o.IO, "  KIND", "NODE", "DETAIL", "PATH")
		for _, r := range reach {
			t.row("  "+r.Kind, r.ID, r.Detail, strings.Join(r.Path, " "))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	// The text shows the node's own effective access, and that of the
	// identities it reaches only when a step raises it.
	var shown []jsonEffective
	for _, e := range effective {
		if e.ID == n.ID || len(e.Path) > 0 {
			shown = append(shown, e)
		}
	}
	if len(shown) > 0 {
		fmt.Fprintf(w, "\nEffective access (own access and %s steps):\n", inventory.EdgeCanEscalate)
		for _, e := range shown {
			own := e.Own
			if own == "" {
				own = "none"
			}
			fmt.Fprintf(w, "  %s: %s (own: %s)\n", e.ID, e.Level, own)
			for i, h := range e.Path {
				line := fmt.Sprintf("    %d. %s → %s by %s", i+1, h.Edge, h.ID, h.Method)
				if h.LevelFloor != "" {
					line += " (gives at least " + h.LevelFloor + ")"
				}
				if h.LevelCap != "" {
					line += " (gives at most " + h.LevelCap + ")"
				}
				fmt.Fprintln(w, line)
			}
		}
	}
	if len(escalated) > 0 {
		fmt.Fprintf(w, "\nCredentials reachable through %s (%d):\n", inventory.EdgeCanEscalate, len(escalated))
		t := newSummaryTable(o.IO, "  CREDENTIAL", "DETAIL", "FROM", "PATH")
		for _, r := range escalated {
			t.row("  "+r.ID, r.Detail, r.From, strings.Join(r.Path, " "))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}

// jsonEffective is the effective access of an identity a node is or
// reaches: its own level, the highest it can become, and the steps there.
type jsonEffective struct {
	ID    string                    `json:"id"`
	Own   string                    `json:"own"`
	Level string                    `json:"level"`
	Path  []inventory.EscalationHop `json:"path"`
}

// escalations reads, in two statements whatever the graph, the effective
// access of the node (when it is an identity) and of the identities it
// reaches, listing those whose level comes through a step or who have any
// level, and the credentials those identities can read through
// can_escalate steps, each with the identity it is read from and the
// methods of the steps.
func escalations(ctx context.Context, store *inventory.Store, n inventory.NodeRecord, reach []jsonReach) ([]jsonEffective, []jsonReach, error) {
	var ids []string
	if n.Kind == inventory.KindIdentity {
		ids = append(ids, n.ID)
	}
	for _, r := range reach {
		if r.Kind == string(inventory.KindIdentity) {
			ids = append(ids, r.ID)
		}
	}
	effective, escalated := []jsonEffective{}, []jsonReach{}
	if len(ids) == 0 {
		return effective, escalated, nil
	}
	eff, err := store.EffectiveAccessOf(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		e, ok := eff[id]
		if !ok || e.Level == "" && len(e.Path) == 0 {
			continue
		}
		path := e.Path
		if path == nil {
			path = []inventory.EscalationHop{}
		}
		effective = append(effective, jsonEffective{ID: id, Own: e.Own, Level: e.Level, Path: path})
	}
	creds, err := store.EscalationCredentials(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		for _, r := range creds[id] {
			if seen[r.To.ID] {
				continue
			}
			seen[r.To.ID] = true
			j := jsonReach{ID: r.To.ID, Kind: string(r.To.Kind), Name: r.To.Name, From: id, Detail: credentialDetail(r)}
			for _, st := range r.Steps {
				j.Path = append(j.Path, fmt.Sprintf("%v→%s", st.Attrs[inventory.AttrMethod], nameOr(st.PeerName, st.To)))
			}
			escalated = append(escalated, j)
		}
	}
	return effective, escalated, nil
}

// jsonReach is an identity or credential a node reaches, and how.
type jsonReach struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Detail string `json:"detail,omitempty"`
	// From is, for a credential reached through can_escalate steps, the
	// identity the steps leave from.
	From string   `json:"from,omitempty"`
	Path []string `json:"path"`
}

// reachable lists the identities a node acts as (with the highest access
// they grant) and the credentials it can use, each with its path.
func reachable(ctx context.Context, store *inventory.Store, id string) ([]jsonReach, error) {
	reach, err := store.Reach(ctx, id, inventory.ReachEdges, "", inventory.ReachDepth)
	if err != nil {
		return nil, err
	}
	out := []jsonReach{}
	for _, r := range reach {
		if r.To.Kind != inventory.KindIdentity && r.To.Kind != inventory.KindCredential {
			continue
		}
		j := jsonReach{ID: r.To.ID, Kind: string(r.To.Kind), Name: r.To.Name}
		for _, st := range r.Steps {
			hop := string(st.Kind) + "→" + nameOr(st.PeerName, st.To)
			if v, ok := st.Attrs["env_var"]; ok {
				hop += fmt.Sprintf(" (env %v)", v)
			}
			if v, ok := st.Attrs["credential_type"]; ok {
				hop += fmt.Sprintf(" (%v)", v)
			}
			j.Path = append(j.Path, hop)
		}
		switch r.To.Kind {
		case inventory.KindIdentity:
			if r.Access != "" {
				j.Detail = "access=" + r.Access
			}
		case inventory.KindCredential:
			j.Detail = credentialDetail(r)
		}
		out = append(out, j)
	}
	return out, nil
}

// credentialDetail says what a reached credential is: its type, status,
// age, and whether it is standing.
func credentialDetail(r inventory.Reached) string {
	var parts []string
	if v, ok := r.To.Attrs[inventory.AttrType]; ok {
		parts = append(parts, fmt.Sprint(v))
	}
	if v, ok := r.To.Attrs["status"]; ok {
		parts = append(parts, fmt.Sprint(v))
	}
	if v, ok := r.To.Attrs["age_days"]; ok {
		parts = append(parts, fmt.Sprintf("age=%vd", v))
	}
	if r.Standing {
		parts = append(parts, inventory.AttrStanding)
	}
	return strings.Join(parts, " ")
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func edgeDetail(e inventory.EdgeRecord) string {
	var parts []string
	if l, ok := e.Attrs[inventory.AttrLevel]; ok {
		parts = append(parts, fmt.Sprintf("%s=%v", inventory.AttrLevel, l))
	}
	if m, ok := e.Attrs[inventory.AttrMethod]; ok {
		parts = append(parts, fmt.Sprintf("%s=%v", inventory.AttrMethod, m))
	}
	if c, ok := e.Attrs[inventory.AttrLevelCap]; ok {
		parts = append(parts, fmt.Sprintf("%s=%v", inventory.AttrLevelCap, c))
	}
	if f, ok := e.Attrs[inventory.AttrLevelFloor]; ok {
		parts = append(parts, fmt.Sprintf("%s=%v", inventory.AttrLevelFloor, f))
	}
	if t, ok := e.Attrs[inventory.AttrTrust]; ok {
		parts = append(parts, fmt.Sprintf("%s=%v", inventory.AttrTrust, t))
	}
	if a, ok := e.Attrs["actions"].([]any); ok {
		var s []string
		for _, x := range a {
			s = append(s, fmt.Sprint(x))
		}
		if len(s) > 4 {
			s = append(s[:4], fmt.Sprintf("+%d", len(s)-4))
		}
		parts = append(parts, "actions="+strings.Join(s, ","))
	}
	if c, ok := e.Attrs["conditional"].(bool); ok && c {
		parts = append(parts, "conditional")
	}
	if e.Kind == inventory.EdgeCanAccess {
		parts = append(parts, accessDetail(e.Attrs)...)
	}
	if c, ok := e.Attrs["cross_account"].(bool); ok && c {
		parts = append(parts, "cross_account")
	}
	if v, ok := e.Attrs["versions"].([]any); ok && len(v) > 0 {
		var s []string
		for _, x := range v {
			s = append(s, fmt.Sprint(x))
		}
		parts = append(parts, "versions="+strings.Join(s, ","))
	}
	if conds, ok := e.Attrs[inventory.AttrConditions].([]any); ok && len(conds) > 0 {
		parts = append(parts, "conditions="+conditionsDetail(conds))
	}
	if r, ok := e.Attrs[inventory.AttrTrustReason].(string); ok && r != "" {
		parts = append(parts, fmt.Sprintf("why=%q", r))
	}
	return strings.Join(parts, " ")
}

// conditionsDetail writes the conditions of an edge (inventory.AttrConditions)
// on one line: Operator(key="value"|"value"), a withheld value as <withheld>.
func conditionsDetail(conds []any) string {
	var out []string
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		var values []string
		if vs, ok := m["values"].([]any); ok {
			for _, v := range vs {
				values = append(values, fmt.Sprintf("%q", fmt.Sprint(v)))
			}
		}
		if _, ok := m["withheld"]; ok {
			values = append(values, "<withheld>")
		}
		out = append(out, fmt.Sprintf("%v(%v=%s)", m["operator"], m["key"], strings.Join(values, "|")))
	}
	return strings.Join(out, ",")
}
