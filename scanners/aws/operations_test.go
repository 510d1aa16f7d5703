package aws_test

import (
	"os"
	"strings"
	"testing"

	"github.com/aam-dev/aam/lab"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// documentedOperations reads the AWS table of docs/operations.md: operation
// -> class and permission.
func documentedOperations(t *testing.T) map[string][2]string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, aws, ok := strings.Cut(string(raw), "\n## AWS\n")
	if !ok {
		t.Fatal("docs/operations.md has no AWS section")
	}
	ops := map[string][2]string{}
	for _, line := range strings.Split(aws, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		op := strings.Trim(strings.TrimSpace(cells[1]), "`")
		ops[op] = [2]string{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[4])}
	}
	return ops
}

// TestEveryOperationIsDocumented: every call the demo scan makes (the lab
// counts them) is in docs/operations.md, as a listing or an enrichment,
// with the permission it needs; enrichment calls are the ones the scanner
// treats so (a denial keeps every scope, see the enrichment tests).
func TestEveryOperationIsDocumented(t *testing.T) {
	ops := documentedOperations(t)
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	l := startLab(t, e, lab.Options{})
	cleanScan(t, awsscan.Config{}, labOptions(l, testOptions(4), e.AWS.RegionNames()...))
	calls := l.Stats().Calls
	if len(calls) < 15 {
		t.Fatalf("the demo made %d kinds of call: too few for this test", len(calls))
	}
	for call := range calls {
		op := strings.TrimPrefix(call, "aws/")
		doc, ok := ops[op]
		switch {
		case !ok:
			t.Errorf("%s is not in docs/operations.md", op)
		case doc[0] != "listing" && doc[0] != "enrichment":
			t.Errorf("%s: class %q, want listing or enrichment", op, doc[0])
		case !strings.Contains(doc[1], ":") && doc[1] != "none (always allowed)":
			t.Errorf("%s: permission %q", op, doc[1])
		}
	}
	for _, op := range []string{"lambda:GetFunctionConfiguration", "bedrock-agentcore-control:GetApiKeyCredentialProvider", "bedrock-agentcore-control:GetOauth2CredentialProvider", "bedrock-agent:GetAgentVersion", "bedrock-agent:GetKnowledgeBase", "iam:GetAccessKeyLastUsed", "iam:GetPolicy", "iam:GetPolicyVersion"} {
		if ops[op][0] != "enrichment" {
			t.Errorf("%s is documented as %q; the scanner treats it as an enrichment", op, ops[op][0])
		}
	}
}

// TestEveryEnrichmentDeniedKeepsEveryScope denies each documented
// enrichment in turn: the demo scan keeps every scope and records only
// warnings of that operation.
func TestEveryEnrichmentDeniedKeepsEveryScope(t *testing.T) {
	for op, doc := range documentedOperations(t) {
		if doc[0] != "enrichment" {
			continue
		}
		t.Run(op, func(t *testing.T) { enrichmentScan(t, op) })
	}
}
