package iampolicy

import "testing"

func TestManagedPolicyLevel(t *testing.T) {
	tests := []struct {
		arn   string
		level Level
		ok    bool
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", Admin, true},
		{"arn:aws:iam::aws:policy/PowerUserAccess", Write, true},
		{"arn:aws:iam::aws:policy/IAMFullAccess", Admin, true},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", Read, true},
		{"arn:aws:iam::aws:policy/SecurityAudit", Read, true},
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", Read, true},
		{"arn:aws:iam::aws:policy/job-function/SystemAdministrator", Write, true},
		{"arn:aws:iam::aws:policy/AmazonS3FullAccess", Write, true},
		{"arn:aws:iam::aws:policy/AmazonBedrockFullAccess", Write, true},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", Write, true},
		{"arn:aws-us-gov:iam::aws:policy/AdministratorAccess", Admin, true},
		{"arn:aws-cn:iam::aws:policy/ReadOnlyAccess", Read, true},
		// Not AWS-managed, not known, or not a policy ARN.
		{"arn:aws:iam::123456789012:policy/AdministratorAccess", None, false},
		{"arn:aws:iam::aws:policy/AmazonMadeUpAccess", None, false},
		{"arn:aws:iam::aws:policy/job-function/AdministratorAccess", None, false},
		{"arn:aws:iam::aws:role/AdministratorAccess", None, false},
		{"arn:aws:s3::aws:policy/AdministratorAccess", None, false},
		{"AdministratorAccess", None, false},
		{"", None, false},
	}
	for _, tt := range tests {
		level, ok := ManagedPolicyLevel(tt.arn)
		if level != tt.level || ok != tt.ok {
			t.Errorf("ManagedPolicyLevel(%q) = %v, %v; want %v, %v", tt.arn, level, ok, tt.level, tt.ok)
		}
	}
}
