package posture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodControl = `id: ACME-001
title: Roles named temp
severity: low
providers: [aws]
rationale: Temporary roles outlive their purpose.
remediation: Delete the role.
thresholds:
  min_days:
    default: 3
    description: days before a temp role counts
mappings:
  owasp_nhi: [NHI1]
query: |
  SELECT id AS subject_id, 'temporary role ' || name AS message
  FROM current_nodes
  WHERE kind = 'identity' AND name LIKE 'temp-%'
    AND julianday(:now) - julianday(created_at) > :min_days
`

// TestBuiltinCatalogue loads aam's own controls: each parses, its ids are
// AAM-, its mappings are real items, and its query names only its
// thresholds.
func TestBuiltinCatalogue(t *testing.T) {
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Controls) == 0 {
		t.Fatal("no built-in controls")
	}
	for _, c := range cat.Controls {
		if !strings.HasPrefix(c.ID, "AAM-") {
			t.Errorf("%s: built-in id without AAM-", c.ID)
		}
		for _, m := range c.Mappings.OWASPNHI {
			if NHITitles[m] == "" {
				t.Errorf("%s maps to unknown NHI item %s", c.ID, m)
			}
		}
		for _, m := range c.Mappings.OWASPAgentic {
			if AgenticTitles[m] == "" {
				t.Errorf("%s maps to unknown ASI item %s", c.ID, m)
			}
		}
	}
}

func TestParseControlRefusesWithLine(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"bad severity", strings.Replace(goodControl, "severity: low", "severity: hgh", 1), "line 3: severity \"hgh\""},
		{"unknown field", goodControl + "owner: me\n", "line 18: field owner is not a control field"},
		{"no title", strings.Replace(goodControl, "title: Roles named temp\n", "", 1), "no title"},
		{"aam prefix", strings.Replace(goodControl, "ACME-001", "AAM-900", 1), "line 1: id AAM-900: the AAM- prefix is aam's own"},
		{"write", strings.Replace(goodControl, "SELECT id AS subject_id", "DELETE FROM nodes; SELECT id AS subject_id", 1), "refused"},
		{"undeclared parameter", strings.Replace(goodControl, ":min_days", ":max_days", 1), "line 13: the query uses :max_days"},
		{"bad mapping", strings.Replace(goodControl, "[NHI1]", "[NHI11]", 1), "line 11: owasp_nhi item \"NHI11\""},
		{"threshold without default", strings.Replace(goodControl, "    default: 3\n", "", 1), "threshold min_days has no default"},
		{"go evaluator", strings.Replace(goodControl, "query: |", "evaluator: agent-reaches-standing-credential\nx: |", 1), "field x is not a control field"},
		{"duplicate key", goodControl + "title: again\n", "line 18: title given twice (first on line 2)"},
		{"yaml syntax", "id: [", "fix the YAML syntax"},
		{"type", strings.Replace(goodControl, "providers: [aws]", "providers: aws", 1), "line 4: cannot unmarshal !!str `aws`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseControl("controls/acme.yaml", []byte(tt.text), false)
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.text)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "controls/acme.yaml") {
				t.Errorf("error %q\nwant it to name the file and contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "acme-001.yaml"), []byte(goodControl), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a control"), 0o644)
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n := len(cat.Controls)
	if err := cat.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	if len(cat.Controls) != n+1 {
		t.Fatalf("%d controls after loading one, want %d", len(cat.Controls), n+1)
	}
	c, ok := cat.Lookup("acme-001")
	if !ok || c.Source != filepath.Join(dir, "acme-001.yaml") || c.Thresholds[0].Default != 3 {
		t.Fatalf("loaded control %+v", c)
	}
	// The same id twice is refused, naming both files.
	os.WriteFile(filepath.Join(dir, "acme-dup.yaml"), []byte(goodControl), 0o644)
	cat, _ = Builtin()
	err = cat.LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "acme-dup.yaml") || !strings.Contains(err.Error(), "already taken by") {
		t.Fatalf("duplicate id: %v", err)
	}
	// A folder without controls says so.
	empty := t.TempDir()
	if err := cat.LoadDir(empty); err == nil || !strings.Contains(err.Error(), "holds no control file") {
		t.Fatalf("empty folder: %v", err)
	}
}

func TestQueryParams(t *testing.T) {
	got, err := queryParams("SELECT ':not' , \":nor\" FROM t -- :nope\n WHERE a > :one AND b < :two_2 AND c = :one /* :x */ AND json_extract(attrs, '$.x')")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "one,two_2" {
		t.Fatalf("params %v, want one,two_2", got)
	}
	for _, q := range []string{"SELECT ? FROM t", "SELECT @x FROM t", "SELECT $x FROM t"} {
		if _, err := queryParams(q); err == nil {
			t.Errorf("%s: an unnamed or @/$ parameter was accepted", q)
		}
	}
	// A doubled quote stays inside its literal.
	got, err = queryParams("SELECT 'it''s :not' FROM t WHERE a = :yes")
	if err != nil || strings.Join(got, ",") != "yes" {
		t.Errorf("params %v (%v), want yes", got, err)
	}
}
