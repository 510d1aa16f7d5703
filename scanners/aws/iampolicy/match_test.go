package iampolicy

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "s3:GetObject", true},
		{"*", "", true},
		{"s3:*", "s3:GetObject", true},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"S3:get*", "s3:GETOBJECT", true},
		{"s3:*Object", "s3:GetObject", true},
		{"s3:*Object", "s3:GetObjectAcl", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:Getbject", false},
		{"iam:*Role*", "iam:PassRole", true},
		{"iam:*Role*", "iam:CreateRolePolicy", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
		{"", "s3:GetObject", false},
		{"s3:GetObject", "s3:GetObject2", false},
		{"?", "", false},
		{"*?", "a", true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.action); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		deny, allow string
		want        bool
	}{
		{"iam:*", "iam:Get*", true},
		{"iam:*", "iam:PassRole", true},
		{"IAM:*", "iam:passrole", true},
		{"*", "s3:*", true},
		{"*", "*", true},
		{"*:*", "iam:PassRole", true},
		{"s3:Get*", "s3:*", false},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:GetObject", "s3:Get*", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:*", "s3:?", true},
		{"s3:?", "s3:*", false},
		{"s3:?*", "s3:*?", true}, // equal after canonical rewriting
		{"s3:*?", "s3:?*", true},
		{"s3:*Object", "s3:Get*Object", true},
		{"s3:*Object", "s3:Get*", false},
		{"iam:PassRole", "iam:PassRole", true},
		{"iam:PassRole", "iam:PassRoles", false},
		{"iam:*", "sts:AssumeRole", false},
	}
	for _, tt := range tests {
		if got := Covers(tt.deny, tt.allow); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.deny, tt.allow, got, tt.want)
		}
	}
}

// Covers never claims an inclusion that a string contradicts, and overlaps
// is exact, over every small pattern and string on a two-letter alphabet.
func TestCoversAndOverlapsAgainstMatch(t *testing.T) {
	patterns := words("ab*?", 3)
	names := words("ab", 6)
	for _, a := range patterns {
		for _, b := range patterns {
			cov := covers([]rune(a), []rune(b))
			ov := overlaps([]rune(a), []rune(b))
			common := false
			for _, s := range names {
				ma, mb := globMatch([]rune(a), []rune(s)), globMatch([]rune(b), []rune(s))
				if cov && mb && !ma {
					t.Fatalf("covers(%q, %q) = true, but %q matches only the second", a, b, s)
				}
				common = common || (ma && mb)
			}
			if ov != common {
				t.Fatalf("overlaps(%q, %q) = %v, want %v", a, b, ov, common)
			}
		}
	}
}

// words lists every string over alphabet of length 0 to n.
func words(alphabet string, n int) []string {
	out := []string{""}
	level := []string{""}
	for range n {
		var next []string
		for _, w := range level {
			for _, c := range alphabet {
				next = append(next, w+string(c))
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

func TestLongPatternsAreConservative(t *testing.T) {
	long := "s3:" + strings.Repeat("a", maxCompareRunes)
	if Covers("s3:"+strings.Repeat("a", maxCompareRunes), long) {
		t.Error("Covers compared patterns past the bound")
	}
	if !Covers("*", long) {
		t.Error(`Covers("*", long) = false`)
	}
	if !actionOverlaps(long, "iam:*") {
		t.Error("overlaps past the bound is not conservative")
	}
}
