package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aam-dev/aam/inventory"
	"github.com/spf13/cobra"
)

// GraphOptions are the flags of aam inventory graph.
type GraphOptions struct {
	*globalOptions
	ID     string
	Depth  int
	Format string
}

func newInventoryGraphCmd(g *globalOptions, runF func(context.Context, *GraphOptions) error) *cobra.Command {
	opts := &GraphOptions{globalOptions: g}
	var follow []string
	for _, k := range inventory.ReachEdges {
		follow = append(follow, string(k))
	}
	cmd := &cobra.Command{
		Use:   "graph ID",
		Short: "Export a node and what it reaches as Graphviz DOT, Mermaid or JSON",
		Long: `Export a node and what it reaches, for docs and tickets: the current nodes
it reaches through ` + strings.Join(follow, ", ") + ` edges, up to --depth
edges away, and the edges of those kinds between them.

ID is a node id, or a name or the end of an id that names one node.`,
		Example: `  aam inventory graph dev-sandbox-agent --format mermaid
  aam inventory graph arn:aws:iam::111111111111:role/bedrock-agent-admin --format dot | dot -Tsvg > role.svg`,
		Args: exactArgs(1, "one node id or name (see aam inventory list)"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInventoryGraph(c.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Depth, "depth", inventory.ReachDepth, "follow at most this many edges from the node")
	cmd.Flags().StringVar(&opts.Format, "format", "dot", "output format: dot, mermaid or json")
	return cmd
}

// exportGraph is the part of the graph one export shows.
type exportGraph struct {
	Nodes []inventory.NodeRecord
	Edges []inventory.EdgeRecord
}

func runInventoryGraph(ctx context.Context, o *GraphOptions) error {
	var write func(io.Writer, exportGraph) error
	switch o.Format {
	case "dot":
		write = writeDOT
	case "mermaid":
		write = writeMermaid
	case "json":
		write = func(w io.Writer, g exportGraph) error { return writeGraphJSON(o.IO, g) }
	default:
		return usagef("unknown --format %q: use dot, mermaid or json", o.Format)
	}
	if o.Depth < 1 {
		return usagef("--depth must be at least 1 (got %d)", o.Depth)
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	start, err := resolveNode(ctx, store, o.ID, "graph")
	if err != nil {
		return err
	}
	reached, err := store.ReachFrom(ctx, []string{start.ID}, inventory.ReachEdges, o.Depth)
	if err != nil {
		return err
	}
	g := exportGraph{Nodes: []inventory.NodeRecord{start}}
	in := map[string]bool{start.ID: true}
	ids := []string{start.ID}
	for _, r := range reached[start.ID] {
		if !in[r.To.ID] {
			in[r.To.ID] = true
			g.Nodes = append(g.Nodes, r.To)
			ids = append(ids, r.To.ID)
		}
	}
	// Every edge of the followed kinds between the nodes shown, not only
	// the shortest paths: two ways to one key are both worth seeing.
	edges, err := store.EdgesFrom(ctx, ids, inventory.ReachEdges...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		for _, e := range edges[id] {
			if in[e.To] {
				g.Edges = append(g.Edges, e)
			}
		}
	}
	return write(o.IO.Out, g)
}

// nodeLabel is what a drawing shows of a node: its kind and name.
func nodeLabel(n inventory.NodeRecord) string {
	name := n.Name
	if name == "" {
		name = n.ID
	}
	return string(n.Kind) + ": " + name
}

// dotQuote makes s a Graphviz quoted string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "").Replace(s) + `"`
}

func writeDOT(w io.Writer, g exportGraph) error {
	var b strings.Builder
	b.WriteString("digraph aam {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "  %s [label=%s];\n", dotQuote(n.ID), dotQuote(nodeLabel(n)))
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "  %s -> %s [label=%s];\n", dotQuote(e.From), dotQuote(e.To), dotQuote(string(e.Kind)))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidLabel makes s safe inside a quoted Mermaid label: quotes and
// angle brackets become entity codes, which Mermaid renders as the
// character.
func mermaidLabel(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ", "\r", " ", "|", "#124;").Replace(s)
}

func writeMermaid(w io.Writer, g exportGraph) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	// Ids hold colons and slashes Mermaid would read as syntax: each node
	// is n1, n2... in the order listed, its id in the label.
	short := map[string]string{}
	for i, n := range g.Nodes {
		short[n.ID] = fmt.Sprintf("n%d", i+1)
		fmt.Fprintf(&b, "  %s[\"%s<br/>%s\"]\n", short[n.ID], mermaidLabel(nodeLabel(n)), mermaidLabel(n.ID))
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "  %s -->|%s| %s\n", short[e.From], mermaidLabel(string(e.Kind)), short[e.To])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type jsonGraphNode struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"`
	Tenant   string `json:"tenant"`
	Name     string `json:"name"`
}

type jsonGraphEdge struct {
	From string `json:"from"`
	Kind string `json:"kind"`
	To   string `json:"to"`
}

func writeGraphJSON(streams *IOStreams, g exportGraph) error {
	doc := struct {
		SchemaVersion int             `json:"schema_version"`
		Root          string          `json:"root"`
		Nodes         []jsonGraphNode `json:"nodes"`
		Edges         []jsonGraphEdge `json:"edges"`
	}{SchemaVersion: jsonSchemaVersion, Root: g.Nodes[0].ID, Nodes: []jsonGraphNode{}, Edges: []jsonGraphEdge{}}
	for _, n := range g.Nodes {
		doc.Nodes = append(doc.Nodes, jsonGraphNode{ID: n.ID, Kind: string(n.Kind), Provider: n.Provider, Tenant: n.Tenant, Name: n.Name})
	}
	for _, e := range g.Edges {
		doc.Edges = append(doc.Edges, jsonGraphEdge{From: e.From, Kind: string(e.Kind), To: e.To})
	}
	return writeJSON(streams, doc)
}
