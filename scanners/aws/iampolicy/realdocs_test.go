package iampolicy

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Every document in the provider-written samples decodes, and decodes to the
// same thing once URL-encoded as the live query API sends it.
func TestDecodeProviderSamples(t *testing.T) {
	var docs []namedDoc
	for _, name := range []string{"GetAccountAuthorizationDetails.xml", "GetRole.xml", "ListRoles_urlencoded_truncated.xml"} {
		docs = append(docs, xmlDocuments(t, name)...)
	}
	docs = append(docs, cliDocuments(t, "cli_get-account-authorization-details.output.json")...)
	if len(docs) < 15 {
		t.Fatalf("found %d documents in testdata, want at least 15", len(docs))
	}
	for _, d := range docs {
		doc, err := Decode(d.raw)
		if err != nil {
			t.Errorf("%s: %v", d.path, err)
			continue
		}
		if len(doc.Statements) == 0 {
			t.Errorf("%s: no statements", d.path)
		}
		// The same document in the other form: URL-encoded if the sample
		// is plain, plain if it is URL-encoded.
		other := iamEscape(d.raw)
		if !strings.HasPrefix(strings.TrimSpace(d.raw), "{") {
			if other, err = url.PathUnescape(d.raw); err != nil {
				t.Fatalf("%s: %v", d.path, err)
			}
		}
		again, err := Decode(other)
		if err != nil {
			t.Errorf("%s, other form: %v", d.path, err)
			continue
		}
		if diff := cmp.Diff(doc, again); diff != "" {
			t.Errorf("%s: the two forms decode differently (-sample +other):\n%s", d.path, diff)
		}
	}
}

func TestListRolesURLEncodedTrust(t *testing.T) {
	docs := xmlDocuments(t, "ListRoles_urlencoded_truncated.xml")
	if len(docs) != 1 {
		t.Fatalf("found %d documents, want 1", len(docs))
	}
	if strings.HasPrefix(docs[0].raw, "{") {
		t.Fatal("sample is not URL-encoded")
	}
	doc := mustDecode(t, docs[0].raw)
	if doc.Version != "2008-10-17" {
		t.Errorf("Version = %q", doc.Version)
	}
	want := []Trust{{Principal: Principal{Type: "Service", ID: "ec2.amazonaws.com"}, Actions: []string{"sts:AssumeRole"}}}
	if diff := cmp.Diff(want, Trusts(doc)); diff != "" {
		t.Errorf("Trusts mismatch (-want +got):\n%s", diff)
	}
}

// The users, groups and roles of the GetAccountAuthorizationDetails sample,
// with the documents the sample gives them.
func TestEffectiveAuthorizationDetailsSample(t *testing.T) {
	byPath := make(map[string][]*Document)
	for _, d := range xmlDocuments(t, "GetAccountAuthorizationDetails.xml") {
		byPath[d.path] = append(byPath[d.path], mustDecode(t, d.raw))
	}
	const (
		userPolicies  = "GetAccountAuthorizationDetailsResponse/GetAccountAuthorizationDetailsResult/UserDetailList/member/UserPolicyList/member/PolicyDocument"
		groupPolicies = "GetAccountAuthorizationDetailsResponse/GetAccountAuthorizationDetailsResult/GroupDetailList/member/GroupPolicyList/member/PolicyDocument"
		rolePolicies  = "GetAccountAuthorizationDetailsResponse/GetAccountAuthorizationDetailsResult/RoleDetailList/member/RolePolicyList/member/PolicyDocument"
		roleTrust     = "GetAccountAuthorizationDetailsResponse/GetAccountAuthorizationDetailsResult/RoleDetailList/member/AssumeRolePolicyDocument"
	)
	if len(byPath[userPolicies]) != 1 || len(byPath[groupPolicies]) != 3 || len(byPath[rolePolicies]) != 1 || len(byPath[roleTrust]) != 1 {
		t.Fatalf("unexpected sample layout: %d user, %d group, %d role policies, %d trusts",
			len(byPath[userPolicies]), len(byPath[groupPolicies]), len(byPath[rolePolicies]), len(byPath[roleTrust]))
	}
	bobDeny := byPath[userPolicies][0]
	admins, dev, finance := byPath[groupPolicies][0], byPath[groupPolicies][1], byPath[groupPolicies][2]

	tests := []struct {
		name    string
		sources []Source
		want    []Grant
	}{
		{
			name: "Bob: Admins, with billing denied, is still admin, except billing",
			sources: []Source{
				{Name: "inline:DenyBillingPolicy", Document: bobDeny},
				{Name: "group:Admins/inline:AdministratorAccess-201409151020", Document: admins},
			},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"*"}, Sensitive: true,
				Sources:    []string{"group:Admins/inline:AdministratorAccess-201409151020"},
				Exceptions: []Exception{{Actions: []string{"aws-portal:*"}, Source: "inline:DenyBillingPolicy"}}}},
		},
		{
			name:    "Charlie: Dev's PowerUserAccess copy is write",
			sources: []Source{{Name: "group:Dev/inline:PowerUserAccess-201310141133", Document: dev}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"NotAction:iam:*"}, Sensitive: true,
				Sources: []string{"group:Dev/inline:PowerUserAccess-201310141133"}}},
		},
		{
			// Admins' "*" allows all Finance allows: the access comes from Admins.
			name: "Elaine: Finance and Admins",
			sources: []Source{
				{Name: "group:Finance/inline:policygen-201310141157", Document: finance},
				{Name: "group:Admins/inline:AdministratorAccess-201409151020", Document: admins},
			},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"*"}, Sensitive: true,
				Sources: []string{"group:Admins/inline:AdministratorAccess-201409151020"}}},
		},
		{
			name:    "EC2role: S3 and DynamoDB full access is write",
			sources: []Source{{Name: "inline:S3andDDBaccess-EC2role-201407301009", Document: byPath[rolePolicies][0]}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"dynamodb:*", "s3:*"},
				Sources: []string{"inline:S3andDDBaccess-EC2role-201407301009"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Effective(tt.sources), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Effective mismatch (-want +got):\n%s", diff)
			}
		})
	}
	trusts := Trusts(byPath[roleTrust][0])
	if len(trusts) != 1 || trusts[0].Principal != (Principal{Type: "Service", ID: "ec2.amazonaws.com"}) {
		t.Errorf("EC2role trusts = %+v", trusts)
	}
}

// The AWS CLI sample: managed policy documents, and AWS-managed attachments
// that come without a document and fall back to ManagedPolicyLevel.
func TestCLIAuthorizationDetailsSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cli_get-account-authorization-details.output.json"))
	if err != nil {
		t.Fatal(err)
	}
	type attached struct {
		PolicyArn string
	}
	var details struct {
		RoleDetailList []struct {
			RoleName                 string
			AssumeRolePolicyDocument json.RawMessage
			AttachedManagedPolicies  []attached
		}
		GroupDetailList []struct {
			GroupName string
			// The sample gives a single object for some groups and an
			// array for others.
			AttachedManagedPolicies json.RawMessage
		}
		Policies []struct {
			Arn               string
			PolicyVersionList []struct {
				Document         json.RawMessage
				IsDefaultVersion bool
			}
		}
	}
	if err := json.Unmarshal(data, &details); err != nil {
		t.Fatal(err)
	}

	fallback := make(map[string]Level)
	for _, r := range details.RoleDetailList {
		for _, a := range r.AttachedManagedPolicies {
			if l, ok := ManagedPolicyLevel(a.PolicyArn); ok {
				fallback[r.RoleName+" "+a.PolicyArn] = l
			}
		}
	}
	for _, g := range details.GroupDetailList {
		var list []attached
		if err := json.Unmarshal(g.AttachedManagedPolicies, &list); err != nil {
			var one attached
			if err := json.Unmarshal(g.AttachedManagedPolicies, &one); err != nil {
				t.Fatalf("group %s: %v", g.GroupName, err)
			}
			list = []attached{one}
		}
		for _, a := range list {
			if l, ok := ManagedPolicyLevel(a.PolicyArn); ok {
				fallback[g.GroupName+" "+a.PolicyArn] = l
			}
		}
	}
	wantFallback := map[string]Level{
		"EC2role arn:aws:iam::aws:policy/AmazonS3FullAccess":       Write,
		"EC2role arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess": Write,
		"Admins arn:aws:iam::aws:policy/AdministratorAccess":       Admin,
		"Dev arn:aws:iam::aws:policy/PowerUserAccess":              Write,
	}
	if diff := cmp.Diff(wantFallback, fallback); diff != "" {
		t.Errorf("managed-policy fallback mismatch (-want +got):\n%s", diff)
	}

	levels := make(map[string][]Grant)
	for _, p := range details.Policies {
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion {
				doc := mustDecode(t, string(v.Document))
				levels[p.Arn] = Effective([]Source{{Name: p.Arn, Document: doc}})
			}
		}
	}
	crud := "arn:aws:iam::123456789012:policy/create-update-delete-set-managed-policies"
	s3ro := "arn:aws:iam::123456789012:policy/S3-read-only-specific-bucket"
	ec2 := "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
	want := map[string][]Grant{
		crud: {{Resource: "*", Level: Admin, Sources: []string{crud}, Actions: []string{
			"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
			"iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicies", "iam:ListPolicyVersions", "iam:SetDefaultPolicyVersion"}}},
		s3ro: {
			{Resource: "arn:aws:s3:::amzn-s3-demo-bucket", Level: Read, Actions: []string{"s3:Get*", "s3:List*"}, Sources: []string{s3ro}},
			{Resource: "arn:aws:s3:::amzn-s3-demo-bucket/*", Level: Read, Actions: []string{"s3:Get*", "s3:List*"}, Sources: []string{s3ro}},
		},
		ec2: {{Resource: "*", Level: Write, Sources: []string{ec2}, Actions: []string{
			"autoscaling:*", "cloudwatch:*", "ec2:*", "elasticloadbalancing:*"}}},
	}
	if diff := cmp.Diff(want, levels); diff != "" {
		t.Errorf("managed policy grants mismatch (-want +got):\n%s", diff)
	}
}
