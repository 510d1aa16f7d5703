package iampolicy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Each rule of Evaluate, tested with the policies of the IAM User Guide page
// that states it, copied verbatim (the page is named in each case), and
// with cases of our own around them.

type ruleCase struct {
	name     string
	subject  Subject
	identity []src
	boundary *src // nil: no boundary
	want     []Grant
}

type src struct{ name, doc string }

func runRules(t *testing.T, tests []ruleCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policies{Subject: tt.subject}
			for _, s := range tt.identity {
				p.Identity = append(p.Identity, Source{Name: s.name, Document: mustDecode(t, s.doc)})
			}
			if tt.boundary != nil {
				b := Source{Name: tt.boundary.name}
				if tt.boundary.doc != "" {
					b.Document = mustDecode(t, tt.boundary.doc)
				}
				p.Boundary = &b
			}
			if diff := cmp.Diff(tt.want, Evaluate(p), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

const adminAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// Permissions boundaries for IAM entities (IAM User Guide,
// access_policies_boundaries.html): "An entity's permissions boundary allows
// it to perform only the actions that are allowed by both its
// identity-based policies and its permissions boundaries", and an explicit
// deny in either policy overrides the allow (Policy evaluation logic,
// reference_policies_evaluation-logic.html).
func TestEvaluateBoundary(t *testing.T) {
	const (
		// The page's boundary for the user ShirleyRodriguez, verbatim.
		shirleyBoundary = `{ "Version":"2012-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "s3:*", "cloudwatch:*", "ec2:*" ], "Resource": "*" } ] }`
		// The page's identity policy that the boundary makes ineffective, verbatim.
		createUser = `{ "Version":"2012-10-17", "Statement": { "Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*" } }`

		boundaryARN = "arn:aws:iam::111111111111:policy/boundary"
		readOnly    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","dynamodb:Query"],"Resource":"*"}]}`
		noIAM       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":["iam:*","organizations:*"],"Resource":"*"}]}`
	)
	admin := src{"arn:aws:iam::aws:policy/AdministratorAccess", adminAccess}
	tests := []ruleCase{
		{
			name:     "access_policies_boundaries: the boundary does not allow iam:CreateUser, so Shirley may do nothing",
			identity: []src{{"inline:create-user", createUser}},
			boundary: &src{boundaryARN, shirleyBoundary},
			want:     nil,
		},
		{
			name:     "access_policies_boundaries: administrator access within Shirley's boundary is S3, CloudWatch and EC2",
			identity: []src{admin},
			boundary: &src{boundaryARN, shirleyBoundary},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"cloudwatch:*", "ec2:*", "s3:*"},
				Boundary: boundaryARN, Sources: []string{admin.name}}},
		},
		{
			name:     "a read-only boundary caps administrator access at read",
			identity: []src{admin},
			boundary: &src{boundaryARN, readOnly},
			want: []Grant{{Resource: "*", Level: Read, Actions: []string{"dynamodb:Query", "s3:Get*", "s3:List*"},
				Boundary: boundaryARN, Sources: []string{admin.name}}},
		},
		{
			name:     "an action the boundary allows more widely is kept as the identity wrote it",
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","ec2:RunInstances","iam:PassRole"],"Resource":"*"}]}`}},
			boundary: &src{boundaryARN, shirleyBoundary},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"ec2:RunInstances", "s3:GetObject"},
				Boundary: boundaryARN, Sources: []string{"inline:a"}}},
		},
		{
			name:     "a Deny in the boundary wins over the identity's Allow",
			identity: []src{{"inline:pass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","s3:GetObject"],"Resource":"*"}]}`}},
			boundary: &src{boundaryARN, noIAM},
			want:     []Grant{{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Boundary: boundaryARN, Sources: []string{"inline:pass"}}},
		},
		{
			name:     "a Deny in an identity policy still wins under a boundary",
			identity: []src{admin, {"inline:deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`}},
			boundary: &src{boundaryARN, shirleyBoundary},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"cloudwatch:*", "ec2:*"}, Boundary: boundaryARN,
				Sources: []string{admin.name}}},
		},
		{
			name:     "a boundary on narrower resources narrows the grant to them",
			identity: []src{{"inline:s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}},
			boundary: &src{boundaryARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"]}]}`},
			want: []Grant{
				{Resource: "arn:aws:s3:::reports", Level: Write, Actions: []string{"s3:*"}, Boundary: boundaryARN, Sources: []string{"inline:s3"}},
				{Resource: "arn:aws:s3:::reports/*", Level: Write, Actions: []string{"s3:*"}, Boundary: boundaryARN, Sources: []string{"inline:s3"}},
			},
		},
		{
			name:     "resources the boundary excludes are not granted",
			identity: []src{{"inline:s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::payroll/*","arn:aws:s3:::docs/*"]}]}`}},
			boundary: &src{boundaryARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::payroll/*"}]}`},
			want:     []Grant{{Resource: "arn:aws:s3:::docs/*", Level: Read, Actions: []string{"s3:GetObject"}, Boundary: boundaryARN, Sources: []string{"inline:s3"}}},
		},
		{
			name:     "a boundary with NotAction excludes from a wildcard",
			identity: []src{admin},
			boundary: &src{boundaryARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}`},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"NotAction:iam:*", "NotAction:organizations:*"}, Sensitive: true,
				Boundary: boundaryARN, Sources: []string{admin.name}}},
		},
		{
			name:     "the conditions of the boundary's Allow must hold too",
			identity: []src{{"inline:ec2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`}},
			boundary: &src{boundaryARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"ec2:*"}, Boundary: boundaryARN, Sources: []string{"inline:ec2"}, Conditional: true,
				Conditions: []Condition{
					{Operator: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"}},
					{Operator: "StringEquals", Key: "aws:RequestedRegion", Values: []string{"eu-west-1"}},
				}}},
		},
		{
			name:     "a boundary that allows nothing leaves nothing",
			identity: []src{admin},
			boundary: &src{boundaryARN, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`},
			want:     nil,
		},
		{
			name:     "a boundary whose document is unread is not applied",
			identity: []src{admin},
			boundary: &src{boundaryARN, ""},
			want:     []Grant{{Resource: "*", Level: Admin, Actions: []string{"*"}, Sensitive: true, Sources: []string{admin.name}}},
		},
	}
	runRules(t, tests)
}

// Conditions ride on the grant as their operators, keys and values; the
// level ignores them. IAM User Guide, "IAM JSON policy elements: Condition"
// (reference_policies_elements_condition.html), with the example pages
// named in each case.
func TestEvaluateConditions(t *testing.T) {
	const (
		// "Amazon EC2: Allows full EC2 access within a specific Region,
		// programmatically and in the console"
		// (reference_policies_examples_ec2_region.html), verbatim.
		ec2Region = `{ "Version":"2012-10-17", "Statement": [ { "Action": "ec2:*", "Resource": "*", "Effect": "Allow", "Condition": { "StringEquals": { "ec2:Region": "us-east-2" } } } ] }`
	)
	tests := []ruleCase{
		{
			name:     "reference_policies_examples_ec2_region: full EC2 access in us-east-2 is write, conditional on ec2:Region",
			identity: []src{{"inline:ec2-region", ec2Region}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"ec2:*"}, Sources: []string{"inline:ec2-region"}, Conditional: true,
				Conditions: []Condition{{Operator: "StringEquals", Key: "ec2:Region", Values: []string{"us-east-2"}}}}},
		},
		{
			name: "an unconditional allow beside it is a grant of its own",
			identity: []src{
				{"inline:ec2-region", ec2Region},
				{"inline:describe", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`},
			},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"ec2:Describe*"}, Sources: []string{"inline:describe"}},
				{Resource: "*", Level: Write, Actions: []string{"ec2:*"}, Sources: []string{"inline:ec2-region"}, Conditional: true,
					Conditions: []Condition{{Operator: "StringEquals", Key: "ec2:Region", Values: []string{"us-east-2"}}}},
			},
		},
		{
			name: "every test of the statement is kept, sorted by key",
			identity: []src{{"inline:mfa", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*",
				"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"},"Bool":{"aws:MultiFactorAuthPresent":true},"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}]}`}},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"iam:*"}, Sources: []string{"inline:mfa"}, Conditional: true,
				Conditions: []Condition{
					{Operator: "NumericLessThan", Key: "aws:MultiFactorAuthAge", Values: []string{"3600"}},
					{Operator: "Bool", Key: "aws:MultiFactorAuthPresent", Values: []string{"true"}},
					{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"192.0.2.0/24", "203.0.113.0/24"}},
				}}},
		},
	}
	runRules(t, tests)
}

// A Deny that refuses part of an allowed set (a resource, an action, a
// Region, a request without MFA) is kept on the grant as an exception; the
// level stays the worst case. IAM User Guide, "Policy evaluation logic"
// (an explicit deny overrides an allow), with the example pages named in
// each case.
func TestEvaluateExceptions(t *testing.T) {
	const (
		// "Amazon EC2: Requires MFA (GetSessionToken) for specific EC2
		// operations" (reference_policies_examples_ec2_require-mfa.html), verbatim.
		ec2MFA = `{ "Version":"2012-10-17", "Statement": [ { "Sid": "AllowAllActionsForEC2", "Effect": "Allow", "Action": "ec2:*", "Resource": "*" }, { "Sid": "DenyStopAndTerminateWhenMFAIsNotPresent", "Effect": "Deny", "Action": [ "ec2:StopInstances", "ec2:TerminateInstances" ], "Resource": "*", "Condition": { "BoolIfExists": {"aws:MultiFactorAuthPresent": false} } } ] }`
		// "AWS: Denies access to AWS based on the requested Region"
		// (reference_policies_examples_aws_deny-requested-region.html), verbatim.
		denyRegion = `{ "Version":"2012-10-17", "Statement": [ { "Sid": "DenyAllOutsideRequestedRegions", "Effect": "Deny", "NotAction": [ "cloudfront:*", "iam:*", "organizations:*", "route53:*", "support:*" ], "Resource": "*", "Condition": { "StringNotEquals": { "aws:RequestedRegion": [ "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3" ] } } } ] }`
		// "IAM JSON policy elements: NotResource"
		// (reference_policies_elements_notresource.html), verbatim.
		denyButPayroll = `{ "Version":"2012-10-17", "Statement": { "Effect": "Deny", "Action": "s3:*", "NotResource": [ "arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*" ] } }`

		s3All = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	)
	admin := src{"arn:aws:iam::aws:policy/AdministratorAccess", adminAccess}
	tests := []ruleCase{
		{
			name:     "reference_policies_examples_ec2_require-mfa: ec2:* except stopping and terminating without MFA",
			identity: []src{{"inline:ec2-mfa", ec2MFA}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"ec2:*"}, Sources: []string{"inline:ec2-mfa"},
				Exceptions: []Exception{{Actions: []string{"ec2:StopInstances", "ec2:TerminateInstances"}, Source: "inline:ec2-mfa",
					Conditions: []Condition{{Operator: "BoolIfExists", Key: "aws:MultiFactorAuthPresent", Values: []string{"false"}}}}}}},
		},
		{
			name:     "reference_policies_examples_aws_deny-requested-region: administrator access except outside four Regions",
			identity: []src{admin, {"inline:regions", denyRegion}},
			want: []Grant{{Resource: "*", Level: Admin, Actions: []string{"*"}, Sensitive: true, Sources: []string{admin.name},
				Exceptions: []Exception{{
					Actions: []string{"NotAction:cloudfront:*", "NotAction:iam:*", "NotAction:organizations:*", "NotAction:route53:*", "NotAction:support:*"},
					Source:  "inline:regions",
					Conditions: []Condition{{Operator: "StringNotEquals", Key: "aws:RequestedRegion",
						Values: []string{"eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3"}}},
				}}}},
		},
		{
			name:     "reference_policies_elements_notresource: s3:* except on anything but the Payroll folder",
			identity: []src{{"inline:s3", s3All}, {"group:HRPayroll/inline:deny", denyButPayroll}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:s3"},
				Exceptions: []Exception{{Actions: []string{"s3:*"}, Source: "group:HRPayroll/inline:deny",
					NotResources: []string{"arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"}}}}},
		},
		{
			name:     "reference_policies_elements_notresource: a grant inside the Payroll folder is untouched",
			identity: []src{{"inline:payroll", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::HRBucket/Payroll/*"}]}`}, {"group:HRPayroll/inline:deny", denyButPayroll}},
			want:     []Grant{{Resource: "arn:aws:s3:::HRBucket/Payroll/*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"inline:payroll"}}},
		},
		{
			name: "s3:* except the payroll bucket",
			identity: []src{{"inline:s3", s3All},
				{"inline:no-payroll", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::acme-payroll","arn:aws:s3:::acme-payroll/*"]}]}`}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:s3"},
				Exceptions: []Exception{{Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::acme-payroll", "arn:aws:s3:::acme-payroll/*"}, Source: "inline:no-payroll"}}}},
		},
		{
			name: "s3:* except one action",
			identity: []src{{"inline:s3", s3All},
				{"inline:keep-buckets", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`}},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:s3"},
				Exceptions: []Exception{{Actions: []string{"s3:DeleteBucket"}, Source: "inline:keep-buckets"}}}},
		},
		{
			name: "a Deny that removes the whole pattern leaves no exception",
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole"],"Resource":"*"}]}`},
				{"inline:deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`}},
			want: []Grant{{Resource: "*", Level: Read, Actions: []string{"s3:GetObject"}, Sources: []string{"inline:a"}}},
		},
		{
			name: "a Deny on other resources is no exception",
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::docs/*"}]}`},
				{"inline:deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::acme-payroll/*"}]}`}},
			want: []Grant{{Resource: "arn:aws:s3:::docs/*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:a"}}},
		},
		{
			name:     "a conditional Deny of the boundary is an exception named after it",
			identity: []src{{"inline:s3", s3All}},
			boundary: &src{"arn:aws:iam::111111111111:policy/b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`},
			want: []Grant{{Resource: "*", Level: Write, Actions: []string{"s3:*"}, Sources: []string{"inline:s3"}, Boundary: "arn:aws:iam::111111111111:policy/b",
				Exceptions: []Exception{{Actions: []string{"s3:PutObject"}, Source: "arn:aws:iam::111111111111:policy/b",
					Conditions: []Condition{{Operator: "Null", Key: "s3:x-amz-server-side-encryption", Values: []string{"true"}}}}}}},
		},
	}
	runRules(t, tests)
}

// IAM actions allowed only on the caller itself are not admin, unless they
// can change the caller's own permissions. IAM User Guide pages named in
// each case; access levels as the Service Authorization Reference gives
// them for IAM (Permissions management and Tagging on the user resource).
func TestEvaluateSelf(t *testing.T) {
	const (
		// "IAM: Allows IAM users to update their own credentials
		// programmatically and in the console"
		// (reference_policies_examples_iam_credentials_console.html), verbatim.
		ownCredentials = `{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "iam:ListUsers", "iam:GetAccountPasswordPolicy" ], "Resource": "*" }, { "Effect": "Allow", "Action": [ "iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser", "iam:*ServiceSpecificCredential*", "iam:*SigningCertificate*" ], "Resource": ["arn:aws:iam::*:user/${aws:username}"] } ] }`
		// "Permissions required to manage access keys"
		// (access-keys_required-permissions.html), the ManageOwnAccessKeys
		// policy, verbatim.
		manageOwnKeys = `{ "Version": "2012-10-17" , "Statement": [ { "Sid": "ManageOwnAccessKeys", "Effect": "Allow", "Action": [ "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed", "iam:GetUser", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:TagUser" ], "Resource": "arn:aws:iam::*:user/${aws:username}" } ] }`

		selfPattern = "arn:aws:iam::*:user/${aws:username}"
	)
	sam := Subject{ARN: "arn:aws:iam::111111111111:user/sam", UserName: "sam"}
	deployRole := Subject{ARN: "arn:aws:iam::111111111111:role/deploy"}
	tests := []ruleCase{
		{
			name:     "reference_policies_examples_iam_credentials_console: managing one's own credentials is write on self",
			subject:  sam,
			identity: []src{{"inline:own-credentials", ownCredentials}},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"iam:GetAccountPasswordPolicy", "iam:ListUsers"}, Sources: []string{"inline:own-credentials"}},
				{Resource: selfPattern, Level: Write, Self: true, Sources: []string{"inline:own-credentials"},
					Actions: []string{"iam:*AccessKey*", "iam:*ServiceSpecificCredential*", "iam:*SigningCertificate*", "iam:ChangePassword", "iam:GetUser"}},
			},
		},
		{
			name:     "reference_policies_examples_iam_credentials_console: for a user of unknown name it stays admin",
			identity: []src{{"inline:own-credentials", ownCredentials}},
			want: []Grant{
				{Resource: "*", Level: Read, Actions: []string{"iam:GetAccountPasswordPolicy", "iam:ListUsers"}, Sources: []string{"inline:own-credentials"}},
				{Resource: selfPattern, Level: Admin, Sources: []string{"inline:own-credentials"},
					Actions: []string{"iam:*AccessKey*", "iam:*ServiceSpecificCredential*", "iam:*SigningCertificate*", "iam:ChangePassword", "iam:GetUser"}},
			},
		},
		{
			name:     "access-keys_required-permissions: iam:TagUser on oneself can change what aws:PrincipalTag conditions grant: admin",
			subject:  sam,
			identity: []src{{"inline:keys", manageOwnKeys}},
			want: []Grant{{Resource: selfPattern, Level: Admin, Self: true, Sources: []string{"inline:keys"},
				Actions: []string{"iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed", "iam:GetUser", "iam:ListAccessKeys", "iam:TagUser", "iam:UpdateAccessKey"}}},
		},
		{
			name:     "attaching a policy to oneself is admin",
			subject:  sam,
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PutUserPolicy","iam:CreateAccessKey"],"Resource":"arn:aws:iam::111111111111:user/sam"}]}`}},
			want: []Grant{{Resource: "arn:aws:iam::111111111111:user/sam", Level: Admin, Self: true, Sources: []string{"inline:a"},
				Actions: []string{"iam:CreateAccessKey", "iam:PutUserPolicy"}}},
		},
		{
			name:     "every IAM action on oneself is admin",
			subject:  sam,
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`}},
			want:     []Grant{{Resource: selfPattern, Level: Admin, Self: true, Sources: []string{"inline:a"}, Actions: []string{"iam:*"}}},
		},
		{
			name:     "creating keys for every user is admin",
			subject:  sam,
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/*"}]}`}},
			want:     []Grant{{Resource: "arn:aws:iam::*:user/*", Level: Admin, Sources: []string{"inline:a"}, Actions: []string{"iam:CreateAccessKey"}}},
		},
		{
			name:     "a role passing itself is write",
			subject:  deployRole,
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111111111111:role/deploy"}]}`}},
			want: []Grant{{Resource: "arn:aws:iam::111111111111:role/deploy", Level: Write, Self: true, Sources: []string{"inline:a"},
				Actions: []string{"iam:PassRole"}}},
		},
		{
			name:     "a role rewriting its own trust policy is admin",
			subject:  deployRole,
			identity: []src{{"inline:a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:Delete*","Resource":"arn:aws:iam::111111111111:role/deploy"}]}`}},
			want: []Grant{{Resource: "arn:aws:iam::111111111111:role/deploy", Level: Admin, Self: true, Sensitive: true, Sources: []string{"inline:a"},
				Actions: []string{"NotAction:iam:Delete*"}}},
		},
	}
	runRules(t, tests)
}

func TestSubjectOwns(t *testing.T) {
	sam := Subject{ARN: "arn:aws:iam::111111111111:user/sam", UserName: "sam"}
	pathed := Subject{ARN: "arn:aws:iam::111111111111:user/people/sam", UserName: "sam"}
	role := Subject{ARN: "arn:aws:iam::111111111111:role/deploy"}
	tests := []struct {
		subject  Subject
		resource string
		want     bool
	}{
		{sam, "arn:aws:iam::111111111111:user/sam", true},
		{sam, "arn:aws:iam::*:user/${aws:username}", true},
		{sam, "arn:aws:iam::111111111111:user/${aws:username}", true},
		{sam, "arn:aws:iam::111111111111:user/${AWS:UserName}", true},
		{sam, "arn:*:iam::*:user/${aws:username}", true},
		{pathed, "arn:aws:iam::*:user/*/${aws:username}", true},
		{pathed, "arn:aws:iam::*:user/${aws:username}", true}, // names no user at all: still no one else
		{sam, "arn:aws:iam::222222222222:user/${aws:username}", false},
		{sam, "arn:aws:iam::*:user/*${aws:username}", false}, // also matches user/malsam
		{sam, "arn:aws:iam::*:user/*", false},
		{sam, "arn:aws:iam::*:role/${aws:username}", false},
		{sam, "arn:aws-cn:iam::*:user/${aws:username}", false},
		{sam, "arn:aws:s3:::home/${aws:username}", false},
		{sam, "*", false},
		{role, "arn:aws:iam::111111111111:role/deploy", true},
		{role, "arn:aws:iam::111111111111:role/deploy*", false},
		{role, "arn:aws:iam::*:user/${aws:username}", false},
		{Subject{}, "", false},
	}
	for _, tt := range tests {
		if got := tt.subject.Owns(tt.resource); got != tt.want {
			t.Errorf("%+v.Owns(%q) = %v, want %v", tt.subject, tt.resource, got, tt.want)
		}
	}
}

func TestConditionsList(t *testing.T) {
	doc := mustDecode(t, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"},
		"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","aws:PrincipalOrgID":["o-1","o-2"]},
		"Null":{}}}}`)
	want := []Condition{
		{Operator: "StringEquals", Key: "aws:PrincipalOrgID", Values: []string{"o-1", "o-2"}},
		{Operator: "StringEquals", Key: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}},
		{Operator: "StringLike", Key: "token.actions.githubusercontent.com:sub", Values: []string{"repo:acme/*"}},
	}
	if diff := cmp.Diff(want, doc.Statements[0].Conditions.List()); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
	if got := Conditions(nil).List(); len(got) != 0 {
		t.Errorf("nil conditions list %v", got)
	}
}
