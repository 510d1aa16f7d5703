package iampolicy

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fuzzSeeds are documents of every shape the tests know, plus the provider
// samples in testdata.
func fuzzSeeds(t testing.TB) []string {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
		`{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":["s3:Get*","kms:Decrypt"],"NotResource":"arn:aws:s3:::x/*","Condition":{"Bool":{"aws:SecureTransport":true}}},{"Effect":"Deny","NotAction":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":[10,"x",false]}}}]}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","*"],"Service":"ec2.amazonaws.com","Federated":"x","CanonicalUser":"y"},"Action":["sts:AssumeRole*","sts:TagSession"]}}`,
		`{"Statement":{"Effect":"Deny","NotPrincipal":"*","NotAction":"sts:*"}}`,
		iamEscape(`{"Statement":{"Sid":"a+b c","Effect":"Allow","Action":"?3*:*Get?","Resource":"arn:aws:s3:::b/*"}}`),
		`{"Statement":{"Effect":"allow","Action":1}}`,
		`%7B%zz`,
		``,
	}
	for _, name := range []string{"GetAccountAuthorizationDetails.xml", "GetRole.xml", "ListRoles_urlencoded_truncated.xml"} {
		for _, d := range xmlDocuments(t, name) {
			seeds = append(seeds, d.raw)
		}
	}
	for _, d := range cliDocuments(t, "cli_get-account-authorization-details.output.json") {
		seeds = append(seeds, d.raw)
	}
	return seeds
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		doc, err := Decode(raw)
		if err != nil {
			if doc != nil {
				t.Fatal("Decode returned a document and an error")
			}
			msg := err.Error()
			if msg == "" || len(msg) > 1200 {
				t.Fatalf("error message of %d bytes", len(msg))
			}
			return
		}
		for i, st := range doc.Statements {
			if st.Effect != Allow && st.Effect != Deny {
				t.Fatalf("statement %d: effect %q", i, st.Effect)
			}
			if (st.Actions == nil) == (st.NotActions == nil) {
				t.Fatalf("statement %d: Action %v and NotAction %v", i, st.Actions, st.NotActions)
			}
			for _, p := range append(st.Principals, st.NotPrincipals...) {
				if p.Type == "" {
					t.Fatalf("statement %d: principal without a type", i)
				}
			}
		}
		checkGrants(t, Effective([]Source{{Name: "fuzz", Document: doc}}))
		Trusts(doc)
		TrustDenies(doc)
	})
}

func FuzzEffective(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var sources []Source
		for i, raw := range []string{a, b} {
			if doc, err := Decode(raw); err == nil {
				sources = append(sources, Source{Name: string(rune('a' + i)), Document: doc})
			}
		}
		plain := Effective(sources)
		checkGrants(t, plain)
		if len(sources) == 2 {
			// b as a's boundary, for a user whose name is in both.
			bounded := Evaluate(Policies{Subject: Subject{ARN: "arn:aws:iam::1:user/b", UserName: "b"}, Identity: sources[:1], Boundary: &sources[1]})
			checkGrants(t, bounded)
			for _, g := range bounded {
				if g.Boundary != "b" {
					t.Fatalf("grant on %q under boundary b names boundary %q", g.Resource, g.Boundary)
				}
			}
		}
		// A boundary that allows everything changes nothing but the name.
		open := Evaluate(Policies{Identity: sources, Boundary: &Source{Name: "all", Document: mustDecode(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}})
		for i := range open {
			open[i].Boundary = ""
		}
		if !reflect.DeepEqual(plain, open) {
			t.Fatalf("a boundary of Allow * on * changed the grants:\n%+v\n%+v", plain, open)
		}
	})
}

// FuzzCovers checks Covers, Match and the overlap test against each other on
// one probe string.
func FuzzCovers(f *testing.F) {
	f.Add("iam:*", "iam:Get*", "iam:GetUser")
	f.Add("s3:*?", "s3:?*", "s3:x")
	f.Add("*a*", "?a?", "bab")
	f.Fuzz(func(t *testing.T, deny, allow, action string) {
		ma, md := Match(allow, action), Match(deny, action)
		if Covers(deny, allow) && ma && !md {
			t.Fatalf("Covers(%q, %q), but %q matches only the allow pattern", deny, allow, action)
		}
		if ma && md && !actionOverlaps(deny, allow) {
			t.Fatalf("%q matches both %q and %q, but they do not overlap", action, deny, allow)
		}
		Classify(allow)
	})
}

// checkGrants checks the invariants Effective promises.
func checkGrants(t *testing.T, grants []Grant) {
	t.Helper()
	for i, g := range grants {
		if len(g.Actions) == 0 {
			t.Fatalf("grant %d on %q has no actions", i, g.Resource)
		}
		if g.Level < None || g.Level > Admin {
			t.Fatalf("grant %d: level %d", i, int(g.Level))
		}
		if !sort.StringsAreSorted(g.Actions) || !sort.StringsAreSorted(g.Sources) {
			t.Fatalf("grant %d: unsorted actions %q or sources %q", i, g.Actions, g.Sources)
		}
		seen := make(map[string]bool)
		for _, a := range g.Actions {
			if seen[strings.ToLower(a)] {
				t.Fatalf("grant %d: duplicate action %q", i, a)
			}
			seen[strings.ToLower(a)] = true
		}
		if i > 0 && grants[i-1].Resource > g.Resource {
			t.Fatalf("grants not sorted by resource: %q before %q", grants[i-1].Resource, g.Resource)
		}
	}
}
