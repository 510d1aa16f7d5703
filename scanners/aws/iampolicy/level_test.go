package iampolicy

import (
	"encoding/json"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		action    string
		level     Level
		sensitive bool
	}{
		// Wildcards over everything.
		{"*", Admin, true},
		{"*:*", Admin, true},
		{"**", Admin, true},
		// IAM: writes and PassRole are admin, reads are reads.
		{"iam:PassRole", Admin, false},
		{"IAM:passrole", Admin, false},
		{"iam:*", Admin, false},
		{"iam:Get*", Read, false},
		{"iam:GetUser", Read, false},
		{"iam:List*", Read, false},
		{"iam:GenerateCredentialReport", Read, false},
		{"iam:SimulatePrincipalPolicy", Read, false},
		{"iam:CreateUser", Admin, false},
		{"iam:Put*", Admin, false},
		{"iam:AttachRolePolicy", Admin, false},
		{"iam:UpdateAssumeRolePolicy", Admin, false},
		{"iam:Ge*", Admin, false}, // could match a name no read verb starts
		// STS.
		{"sts:AssumeRole", Write, false},
		{"sts:AssumeRoleWithWebIdentity", Write, false},
		{"sts:Assume*", Write, false},
		{"sts:GetCallerIdentity", Read, false},
		{"sts:*", Admin, false},
		// Organizations.
		{"organizations:*", Admin, false},
		{"organizations:CreateAccount", Admin, false},
		{"organizations:ListAccounts", Read, false},
		{"organizations:Describe*", Read, false},
		// Other services.
		{"s3:GetObject", Read, false},
		{"S3:GETOBJECT", Read, false},
		{"s3:Get*", Read, false},
		{"s3:ListBucket", Read, false},
		{"s3:PutObject", Write, false},
		{"s3:*", Write, false},
		{"s3:*Object", Write, false},
		{"ec2:*", Write, false},
		{"dynamodb:Query", Read, false},
		{"dynamodb:Scan", Read, false},
		{"dynamodb:BatchGetItem", Read, false},
		{"cloudtrail:LookupEvents", Read, false},
		{"lightsail:DownloadDefaultKeyPair", Read, false},
		{"bedrock:InvokeModel", Write, false},
		// Sensitive reads.
		{"kms:Decrypt", Read, true},
		{"KMS:decrypt", Read, true},
		{"kms:*", Write, true},
		{"kms:Encrypt", Write, false},
		{"secretsmanager:GetSecretValue", Read, true},
		{"secretsmanager:Get*", Read, true},
		{"secretsmanager:DescribeSecret", Read, false},
		{"ssm:GetParameter", Read, true},
		{"ssm:GetParameter*", Read, true},
		{"ssm:GetParametersByPath", Read, true},
		{"ssm:DescribeParameters", Read, false},
		{"bedrock-agentcore:GetResourceApiKey", Read, true},
		// Wildcards in the service part.
		{"*:Get*", Read, true},
		{"*:Put*", Admin, false},
		{"s3*", Write, false},
		{"iam*", Admin, false},
		{"iam?PassRole", Admin, false},
		{"?3:Get*", Read, false},
		// Patterns that match no action.
		{"", None, false},
		{"s3:", None, false},
		{":GetObject", None, false},
		{"a:b:c", None, false},
		{"GetObject", None, false},
	}
	for _, tt := range tests {
		got := Classify(tt.action)
		if got.Level != tt.level || got.Sensitive != tt.sensitive {
			t.Errorf("Classify(%q) = %+v, want {Level:%v Sensitive:%v}", tt.action, got, tt.level, tt.sensitive)
		}
		if l := ActionLevel(tt.action); l != tt.level {
			t.Errorf("ActionLevel(%q) = %v, want %v", tt.action, l, tt.level)
		}
	}
}

func TestLevelText(t *testing.T) {
	for l, name := range map[Level]string{None: "none", Read: "read", Write: "write", Admin: "admin"} {
		if got := l.String(); got != name {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, name)
		}
		text, err := l.MarshalText()
		if err != nil || string(text) != name {
			t.Errorf("Level(%d).MarshalText() = %q, %v; want %q", int(l), text, err, name)
		}
		var back Level
		if err := back.UnmarshalText(text); err != nil || back != l {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, back, err, l)
		}
	}
	if !(None < Read && Read < Write && Write < Admin) {
		t.Error("levels are not ordered none < read < write < admin")
	}
	if got := Level(9).String(); got != "level(9)" {
		t.Errorf("Level(9).String() = %q", got)
	}
	if _, err := Level(-1).MarshalText(); err == nil {
		t.Error("MarshalText of an invalid level succeeded")
	}
	var l Level
	if err := l.UnmarshalText([]byte("Admin")); err == nil {
		t.Error(`UnmarshalText("Admin") succeeded; level names are lower-case`)
	}

	out, err := json.Marshal(struct{ Level Level }{Write})
	if err != nil || string(out) != `{"Level":"write"}` {
		t.Errorf("json.Marshal = %s, %v", out, err)
	}
}
