package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestInventoryGraphFormats exports the demo's dev sandbox agent in each
// format and checks each is well formed: every edge's ends declared, and
// what the estate wires to the agent there (its role, and the OpenAI key of
// the Lambda function its action group calls).
func TestInventoryGraphFormats(t *testing.T) {
	db, _ := demoDB(t)
	const (
		agent  = "arn:aws:bedrock:us-east-1:222222222222:agent/D3VSBX9K2M"
		role   = "arn:aws:iam::222222222222:role/bedrock-agent-dev"
		secret = "arn:aws:lambda:us-east-1:222222222222:function:summarizer#env/OPENAI_API_KEY"
	)
	graph := func(args ...string) string {
		t.Helper()
		out, errOut, code := run(t, append([]string{"inventory", "graph", "--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("aam inventory graph %v exited %d: %s", args, code, errOut)
		}
		return out
	}

	// JSON: the reference the others are compared with.
	var doc struct {
		SchemaVersion int    `json:"schema_version"`
		Root          string `json:"root"`
		Nodes         []struct {
			ID, Kind, Name string
		} `json:"nodes"`
		Edges []struct {
			From, Kind, To string
		} `json:"edges"`
	}
	if err := json.Unmarshal([]byte(graph("dev-sandbox-agent", "--format", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	nodes := map[string]bool{}
	for _, n := range doc.Nodes {
		nodes[n.ID] = true
	}
	if doc.SchemaVersion != 1 || doc.Root != agent || !nodes[agent] || !nodes[role] || !nodes[secret] {
		t.Fatalf("json graph: schema %d, root %s, nodes %v", doc.SchemaVersion, doc.Root, nodes)
	}
	edges := map[string]bool{}
	for _, e := range doc.Edges {
		if !nodes[e.From] || !nodes[e.To] {
			t.Errorf("json edge %s -%s-> %s has an end not listed", e.From, e.Kind, e.To)
		}
		edges[e.From+" "+e.Kind+" "+e.To] = true
	}
	if !edges[agent+" runs_as "+role] {
		t.Errorf("json graph misses the agent's runs_as edge: %v", edges)
	}

	// DOT: braces balanced outside quotes, every edge's ends declared, the
	// same nodes and edges as the JSON.
	dot := graph(agent, "--format", "dot")
	if !strings.HasPrefix(dot, "digraph aam {\n") || !strings.HasSuffix(dot, "}\n") {
		t.Fatalf("dot:\n%s", dot)
	}
	depth, inQuote := 0, false
	for i := 0; i < len(dot); i++ {
		switch c := dot[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == '{' && !inQuote:
			depth++
		case c == '}' && !inQuote:
			depth--
		}
	}
	if depth != 0 || inQuote {
		t.Errorf("dot braces or quotes unbalanced (depth %d, in quote %v)", depth, inQuote)
	}
	dotNode := regexp.MustCompile(`(?m)^  "((?:[^"\\]|\\.)*)" \[label=`)
	dotEdge := regexp.MustCompile(`(?m)^  "((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[label="([a-z_]+)"\];$`)
	declared := map[string]bool{}
	for _, m := range dotNode.FindAllStringSubmatch(dot, -1) {
		declared[m[1]] = true
	}
	dotEdges := dotEdge.FindAllStringSubmatch(dot, -1)
	for _, m := range dotEdges {
		if !declared[m[1]] || !declared[m[2]] {
			t.Errorf("dot edge %s -> %s has an end not declared", m[1], m[2])
		}
		if !edges[m[1]+" "+m[3]+" "+m[2]] {
			t.Errorf("dot edge %s -%s-> %s is not in the json", m[1], m[3], m[2])
		}
	}
	if len(declared) != len(doc.Nodes) || len(dotEdges) != len(doc.Edges) {
		t.Errorf("dot has %d nodes and %d edges, json %d and %d", len(declared), len(dotEdges), len(doc.Nodes), len(doc.Edges))
	}

	// Mermaid: a flowchart whose nodes are n1, n2..., each declared once
	// before any edge uses it, labels without a raw quote.
	mm := graph(agent, "--format", "mermaid")
	lines := strings.Split(strings.TrimSuffix(mm, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("mermaid starts with %q", lines[0])
	}
	mNode := regexp.MustCompile(`^  (n[0-9]+)\["([^"]*)"\]$`)
	mEdge := regexp.MustCompile(`^  (n[0-9]+) -->\|([a-z_]+)\| (n[0-9]+)$`)
	mDeclared := map[string]bool{}
	var mEdges int
	for _, l := range lines[1:] {
		if m := mNode.FindStringSubmatch(l); m != nil {
			if mDeclared[m[1]] {
				t.Errorf("mermaid declares %s twice", m[1])
			}
			mDeclared[m[1]] = true
			continue
		}
		m := mEdge.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("mermaid line neither a node nor an edge: %q", l)
			continue
		}
		mEdges++
		if !mDeclared[m[1]] || !mDeclared[m[3]] {
			t.Errorf("mermaid edge %q uses an undeclared node", l)
		}
	}
	if len(mDeclared) != len(doc.Nodes) || mEdges != len(doc.Edges) {
		t.Errorf("mermaid has %d nodes and %d edges, json %d and %d", len(mDeclared), mEdges, len(doc.Nodes), len(doc.Edges))
	}

	// --depth 1 stops at the agent's own edges: the Lambda's key is two
	// edges further.
	var shallow struct {
		Nodes []struct{ ID string } `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(graph(agent, "--format", "json", "--depth", "1")), &shallow); err != nil {
		t.Fatal(err)
	}
	for _, n := range shallow.Nodes {
		if n.ID == secret {
			t.Errorf("--depth 1 reaches %s", secret)
		}
	}
	if len(shallow.Nodes) >= len(doc.Nodes) || len(shallow.Nodes) < 2 {
		t.Errorf("--depth 1 shows %d nodes, the default %d", len(shallow.Nodes), len(doc.Nodes))
	}

	// Bad flags and unknown nodes say what to do.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{agent, "--format", "png"}, 2, "use dot, mermaid or json"},
		{[]string{agent, "--depth", "0"}, 2, "--depth must be at least 1"},
		{[]string{"no-such-node"}, 1, "list ids with aam inventory list"},
	} {
		_, errOut, code := run(t, append([]string{"inventory", "graph", "--db", db}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("aam inventory graph %v exited %d (%s), want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
