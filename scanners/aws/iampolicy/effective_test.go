package iampolicy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEffective(t *testing.T) {
	const (
		adminStar   = `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
		powerUser   = `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`
		bucket      = "arn:aws:s3:::b/*"
		bucketStar  = "arn:aws:s3:::*"
		mfaDenyIAM  = `{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}`
		denyIAMStar = `{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}`
	)
	type src struct{ name, doc string }
	tests := []struct {
		name    string
		sources []src
		want    []Grant
	}{
		{
			name:    "administrator",
			sources: []src{{"arn:aws:iam::aws:policy/AdministratorAccess", adminStar}},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"*"}, Sensitive: true,
				Sources: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}},
		},
		{
			name: "deny removes covered patterns on every resource",
			sources: []src{
				{"inline:a", `{"Statement":[
					{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole","iam:Get*"],"Resource":"*"},
					{"Effect":"Allow","Action":["iam:CreateUser","s3:PutObject"],"Resource":"` + bucket + `"}]}`},
				{"inline:deny", denyIAMStar},
			},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"inline:a"}},
				{Resource: bucket, Level: Write, Actions: []string{"s3:PutObject"}, Sources: []string{"inline:a"}},
			},
		},
		{
			name: "deny that does not cover an allowed pattern keeps it",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":["s3:*","iam:Get*"],"Resource":"*"}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":["s3:Delete*","iam:GetUser"],"Resource":"*"}}`},
			},
			// The Deny refuses part of what s3:* allows: an exception, not a subtraction.
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"iam:Get*", "s3:*"}, Sources: []string{"inline:a"},
				Exceptions: []Exception{{Actions: []string{"s3:Delete*", "iam:GetUser"}, Source: "inline:deny"}}}},
		},
		{
			name: "deny on a resource removes from that resource and narrower ones, not from *",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":["*","` + bucket + `","arn:aws:s3:::c"]}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":["` + bucket + `"]}}`},
				{"inline:deny2", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::C"}}`}, // ARNs are case-sensitive
			},
			// On "*" the Denies refuse a part: each is kept as an exception.
			want: []Grant{
				{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:a"}, Exceptions: []Exception{
					{Actions: []string{"s3:*"}, Resources: []string{bucket}, Source: "inline:deny"},
					{Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::C"}, Source: "inline:deny2"},
				}},
				{Resource: "arn:aws:s3:::c", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:a"}},
			},
		},
		{
			name: "deny on a wildcard ARN removes from the resources it covers",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["` + bucket + `","arn:aws:dynamodb:us-east-1:1:table/t"]}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"` + bucketStar + `"}}`},
			},
			want: []Grant{{Resource: "arn:aws:dynamodb:us-east-1:1:table/t", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"inline:a"}}},
		},
		{
			name: "deny with NotAction keeps only what it lets through",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":["s3:*","s3:GetObject","ec2:*","iam:PassRole","s3:*Acl"],"Resource":"*"}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","NotAction":["s3:Get*","sts:GetCallerIdentity"],"Resource":"*"}}`},
			},
			// s3:*Acl overlaps s3:Get* without being narrowable to it: kept
			// whole, with the Deny as an exception. s3:GetObject is in s3:Get*.
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*Acl", "s3:Get*"}, Sources: []string{"inline:a"},
				Exceptions: []Exception{{Actions: []string{"NotAction:s3:Get*", "NotAction:sts:GetCallerIdentity"}, Source: "inline:deny"}}}},
		},
		{
			name: "deny with NotAction on a NotAction allow",
			sources: []src{
				{"group:Dev/inline:power", powerUser},
				{"inline:deny", `{"Statement":{"Effect":"Deny","NotAction":["s3:*","iam:PassRole"],"Resource":"*"}}`},
			},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"group:Dev/inline:power"}}},
		},
		{
			name:    "conditional deny does not subtract but is an exception",
			sources: []src{{"inline:a", `{"Statement":{"Effect":"Allow","Action":["iam:*","s3:GetObject"],"Resource":"*"}}`}, {"inline:mfa", mfaDenyIAM}},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"iam:*", "s3:GetObject"},
				Sources: []string{"inline:a"}, Exceptions: []Exception{{Actions: []string{"iam:*"}, Source: "inline:mfa",
					Conditions: []Condition{{Operator: "BoolIfExists", Key: "aws:MultiFactorAuthPresent", Values: []string{"false"}}}}}}},
		},
		{
			name: "conditional deny on other actions is not flagged",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
				{"inline:mfa", mfaDenyIAM},
			},
			want: []Grant{{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"inline:a"}}},
		},
		{
			name:    "NotAction allow that excludes iam is write",
			sources: []src{{"group:Dev/inline:PowerUserAccess-201310141133", powerUser}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"NotAction:iam:*"}, Sensitive: true,
				Sources: []string{"group:Dev/inline:PowerUserAccess-201310141133"}}},
		},
		{
			name:    "NotAction allow that leaves iam is admin",
			sources: []src{{"inline:a", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"*"}}`}},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"NotAction:s3:DeleteBucket"}, Sensitive: true,
				Sources: []string{"inline:a"}}},
		},
		{
			name: "deny adds to a NotAction allow's exclusions",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"*"}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":["iam:*","kms:*","secretsmanager:*","ssm:*","bedrock-agentcore:*"],"Resource":"*"}}`},
			},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{
				"NotAction:bedrock-agentcore:*", "NotAction:iam:*", "NotAction:kms:*", "NotAction:s3:DeleteBucket",
				"NotAction:secretsmanager:*", "NotAction:ssm:*"},
				Sources: []string{"inline:a"}}},
		},
		{
			name:    "NotAction of everything allows nothing",
			sources: []src{{"inline:a", `{"Statement":{"Effect":"Allow","NotAction":"*","Resource":"*"}}`}},
			want:    nil,
		},
		{
			name: "everything denied: grant dropped",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/x"}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`},
			},
			want: nil,
		},
		{
			name: "allows with different conditions make different grants",
			sources: []src{
				{"inline:cond", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`},
				{"inline:cond2", `{"Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"` + bucket + `","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}}}`},
				{"inline:plain", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"` + bucket + `","Condition":{}}}`},
			},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Conditional: true, Sources: []string{"inline:cond"},
					Conditions: []Condition{{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"10.0.0.0/8"}}}},
				// An empty Condition element constrains nothing.
				{Resource: bucket, Level: Read, Actions: []string{"s3:ListBucket"}, Sources: []string{"inline:plain"}},
				{Resource: bucket, Level: Write, Actions: []string{"s3:PutObject"}, Conditional: true, Sources: []string{"inline:cond2"},
					Conditions: []Condition{{Operator: "StringEquals", Key: "aws:PrincipalTag/team", Values: []string{"x"}}}},
			},
		},
		{
			name: "a conditional allow that an unconditional one repeats adds nothing",
			sources: []src{
				{"b", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true}}}}`},
				{"a", `{"Statement":{"Effect":"Allow","Action":"S3:get*","Resource":"*"}}`},
			},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"S3:get*"}, Sources: []string{"a"}},
				{Resource: "*", Level: Write, Actions: []string{"s3:PutObject"}, Sources: []string{"b"}, Conditional: true,
					Conditions: []Condition{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}}}},
			},
		},
		{
			name: "sources and actions merge, sorted and deduplicated",
			sources: []src{
				{"z", `{"Statement":{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}}`},
				{"a", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["*","*"]},{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`},
				{"nil document", ""},
			},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"kms:Decrypt", "s3:GetObject", "s3:PutObject"}, Sensitive: true, Sources: []string{"a", "z"}}},
		},
		{
			name: "NotResource allow",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret/*","arn:aws:s3:::secret"]}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}}`},
			},
			want: []Grant{{Resource: "*", NotResource: true, Excluded: []string{"arn:aws:s3:::secret", "arn:aws:s3:::secret/*"},
				Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:a"},
				Exceptions: []Exception{{Actions: []string{"s3:Delete*"}, Source: "inline:deny"}}}},
		},
		{
			name: "deny with NotResource applies to resources it does not exclude",
			sources: []src{
				{"inline:a", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":["` + bucket + `","arn:aws:s3:::keep/*"]}}`},
				{"inline:deny", `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::keep/*"}}`},
			},
			want: []Grant{{Resource: "arn:aws:s3:::keep/*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:a"}}},
		},
		{
			name: "grants sorted by resource",
			sources: []src{
				{"a", `{"Statement":[
					{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::z/*"},
					{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::x"},
					{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
					{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"}]}`},
			},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"a"}},
				{Resource: "*", NotResource: true, Excluded: []string{"arn:aws:s3:::x"}, Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"a"}},
				{Resource: "arn:aws:s3:::a/*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"a"}},
				{Resource: "arn:aws:s3:::z/*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"a"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sources []Source
			for _, s := range tt.sources {
				var doc *Document
				if s.doc != "" {
					doc = mustDecode(t, s.doc)
				}
				sources = append(sources, Source{Name: s.name, Document: doc})
			}
			got := Effective(sources)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Effective mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEffectiveEmpty(t *testing.T) {
	if got := Effective(nil); len(got) != 0 {
		t.Errorf("Effective(nil) = %v", got)
	}
}
