package iampolicy

import (
	"strings"
	"testing"
)

// trustCase is one trust policy, the page of AWS's documentation its rule
// comes from, and the class of each of its trusts (in Trusts order).
type trustCase struct {
	name string
	// page names the AWS documentation page; a policy quoted from it is
	// kept verbatim, and a case says when it is adapted (a placeholder
	// replaced, an element of a resource policy put in a trust policy).
	page string
	doc  string
	tc   TrustContext
	want []TrustClass
	// reason holds words the first verdict's reason must contain.
	reason []string
}

// prod is the role's account in most cases, and dev an account aam scans.
var (
	prod    = TrustContext{Account: "111122223333"}
	scans   = func(ids ...string) func(string) bool { return func(a string) bool { return containsString(ids, a) } }
	withDev = TrustContext{Account: "111122223333", Own: scans("444455556666")}
)

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func runTrustCases(t *testing.T, cases []trustCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustDecode(t, tt.doc)
			trusts, denies := Trusts(doc), TrustDenies(doc)
			if len(trusts) != len(tt.want) {
				t.Fatalf("%d trusts, want %d (%s)", len(trusts), len(tt.want), tt.page)
			}
			for i, tr := range trusts {
				v := ClassifyTrust(tr, denies, tt.tc)
				t.Logf("%s: %s", v.Class, v.Reason)
				if v.Class != tt.want[i] {
					t.Errorf("trust %d (%s:%s): %s (%s), want %s; rule from %s", i, tr.Principal.Type, tr.Principal.ID, v.Class, v.Reason, tt.want[i], tt.page)
				}
				if v.Reason == "" {
					t.Errorf("trust %d has no reason", i)
				}
				if i == 0 {
					for _, w := range tt.reason {
						if !strings.Contains(v.Reason, w) {
							t.Errorf("reason %q does not say %q", v.Reason, w)
						}
					}
				}
			}
		})
	}
}

// Rule: a wildcard principal is open unless a condition pins who the caller
// is; sts:ExternalId does not.
func TestClassifyWildcardPrincipal(t *testing.T) {
	const principalPage = `IAM User Guide, "AWS JSON policy elements: Principal" (All principals)`
	const keysPage = `IAM User Guide, "AWS global condition context keys" (aws:PrincipalOrgID, aws:PrincipalOrgPaths)`
	const operatorsPage = `IAM User Guide, "IAM JSON policy elements: Condition operators" (...IfExists, Null)`
	runTrustCases(t, []trustCase{
		{
			name: "Principal * alone", page: principalPage + `: "Principal": "*" in a trust statement`,
			doc:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal": "*","Action":"sts:AssumeRole"}]}`,
			tc:     prod,
			want:   []TrustClass{TrustOpen},
			reason: []string{`Principal "*"`, "no condition pins who the caller is"},
		},
		{
			name: "AWS * alone", page: principalPage + `: "Principal" : { "AWS" : "*" } in a trust statement`,
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal" : { "AWS" : "*" },"Action":"sts:AssumeRole"}]}`,
			tc:   prod,
			want: []TrustClass{TrustOpen},
		},
		{
			// The Condition element is the page's, verbatim; the statement
			// around it is a trust's instead of its bucket policy's.
			name: "organization pinned", page: keysPage + ": its aws:PrincipalOrgID condition in a trust statement",
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
				"Condition": {"StringEquals":
      {"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}
    }}}`,
			tc:     prod,
			want:   []TrustClass{TrustConstrained},
			reason: []string{"organization", "o-xxxxxxxxxxx"},
		},
		{
			name: "organization path pinned", page: keysPage + ": its aws:PrincipalOrgPaths condition, verbatim",
			doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
				"Condition" : { "ForAnyValue:StringLike" : {
     "aws:PrincipalOrgPaths":["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*"]
}}}}`,
			tc:   prod,
			want: []TrustClass{TrustConstrained},
		},
		{
			// "another organization might have an OU or root with the same
			// ID as yours": an OU path without the organization pins nothing.
			name: "organization path without the organization", page: keysPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
				"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["*/ou-ab12-22222222/*"]}}}}`,
			tc:   prod,
			want: []TrustClass{TrustOpen},
		},
		{
			name: "any organization", page: keysPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
			reason: []string{"aws:PrincipalOrgID"},
		},
		{
			// "AWS does not treat the external ID as a secret."
			name: "guarded only by an external id",
			page: `IAM User Guide, "How to use an external ID when granting access to your AWS resources to a third party"; no page has this policy`,
			doc:  `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"12345"}}}}`,
			tc:   prod, want: []TrustClass{TrustOpen},
			reason: []string{"sts:ExternalId", "not treat an external id as a secret"},
		},
		{
			name: "IfExists holds for callers outside any organization", page: operatorsPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "ForAllValues holds when the key is absent", page: `IAM User Guide, "Creating a condition that tests multiple key values (set operations)"`,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "ForAnyValue on a single-valued key pins like the operator", page: `IAM User Guide, "Creating a condition that tests multiple key values (set operations)"`,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "Null only asks for some organization", page: operatorsPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"Null":{"aws:PrincipalOrgID":"false"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "a negated operator in an Allow admits everyone else", page: operatorsPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "one of two values admits any account", page: keysPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalAccount":["111122223333","*"]}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "the caller's account pinned to the role's", page: keysPage + " (aws:PrincipalAccount)",
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "a principal ARN in any account", page: keysPage + " (aws:PrincipalArn)",
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "conditions on how, not who", page: keysPage + " (aws:SourceIp, aws:MultiFactorAuthPresent)",
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
				"Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}`,
			tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{"aws:SourceIp", "aws:MultiFactorAuthPresent"},
		},
		{
			name: "a key aam does not judge", page: keysPage + " (aws:userid)",
			doc: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}}}`,
			tc:  prod, want: []TrustClass{TrustUnknown},
			reason: []string{"aws:userid"},
		},
		{
			name: "NotPrincipal admits everyone else", page: `IAM User Guide, "AWS JSON policy elements: NotPrincipal"`,
			doc: `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
			reason: []string{"NotPrincipal"},
		},
	})
}

// Rule: a Deny with a negated condition on a pinning key pins, with or
// without IfExists ("If you are using an "Effect": "Deny" element with a
// negated condition operator like StringNotEqualsIfExists, the request is
// still denied even if the tag is missing").
func TestClassifyTrustDenies(t *testing.T) {
	const page = `IAM User Guide, "IAM JSON policy elements: Condition operators" (...IfExists)`
	allowAll := `{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`
	runTrustCases(t, []trustCase{
		{
			name: "deny outside the organization", page: page,
			doc: `{"Statement":[` + allowAll + `,{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}]}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
			reason: []string{"o-xxxxxxxxxxx", "by a Deny"},
		},
		{
			name: "deny outside the organization, IfExists", page: page,
			doc: `{"Statement":[` + allowAll + `,{"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}]}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
		},
		{
			// The page's example is a bucket policy; here its statement
			// guards a trust (the action is sts:AssumeRole, no Resource).
			name: "deny every principal but one, of a third party",
			page: `IAM User Guide, "AWS JSON policy elements: Principal": the UsePrincipalArnInsteadOfNotPrincipalWithDeny statement in a trust policy`,
			doc: `{"Version":"2012-10-17","Statement":[` + allowAll + `,
    {
      "Sid": "UsePrincipalArnInsteadOfNotPrincipalWithDeny",
      "Effect": "Deny",
      "Action": "sts:AssumeRole",
      "Principal": "*",
      "Condition": {
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::444455556666:user/user-name"
        }
      }
    }]}`,
			tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{"444455556666", "sts:ExternalId"},
		},
		{
			name: "deny every principal but one, of an account aam scans",
			page: `IAM User Guide, "AWS JSON policy elements: Principal"`,
			doc:  `{"Statement":[` + allowAll + `,{"Effect":"Deny","Action":"sts:AssumeRole","Principal":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/user-name"}}}]}`,
			tc:   withDev, want: []TrustClass{TrustConstrained},
		},
		{
			name: "a deny of two tests refuses less", page: page,
			doc: `{"Statement":[` + allowAll + `,{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole",
				"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"},"Bool":{"aws:SecureTransport":"false"}}}]}`,
			tc: prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "a deny of another action does not apply", page: page,
			doc: `{"Statement":[` + allowAll + `,{"Effect":"Deny","Principal":"*","Action":"sts:TagSession","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}}}]}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "a deny without conditions refuses everyone", page: `IAM User Guide, "Policy evaluation logic" (an explicit deny overrides any allow)`,
			doc: `{"Statement":[` + allowAll + `,{"Sid":"Nobody","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*"}]}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
			reason: []string{"Nobody", "refuses every caller"},
		},
		{
			name: "a deny on the OIDC subject", page: page,
			doc: `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"},
				{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}]}`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
	})
}

// Rule: an account principal is constrained when it is the role's own
// account or one aam scans; a third party needs sts:ExternalId (the confused
// deputy).
func TestClassifyAccountPrincipals(t *testing.T) {
	const deputyPage = `IAM User Guide, "The confused deputy problem"`
	const ec2Page = `IAM User Guide, "Using an IAM role to grant permissions to applications running on Amazon EC2 instances"`
	runTrustCases(t, []trustCase{
		{
			// Verbatim but for the placeholder "Example Corp's AWS Account ID".
			name: "third party with the external id", page: deputyPage + ": its policy, Example Corp's account id filled in",
			doc: `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "999988887777"},
    "Condition": {"StringEquals": {"sts:ExternalId": "12345"}}
  }
}`,
			tc: prod, want: []TrustClass{TrustConstrained},
			reason: []string{"999988887777", "sts:ExternalId"},
		},
		{
			name: "third party without the external id", page: deputyPage + ": the same policy without its Condition",
			doc: `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "999988887777"}
  }
}`,
			tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{"999988887777", "confused deputy"},
		},
		{
			name: "an external id any value matches", page: deputyPage,
			doc: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"999988887777"},"Condition":{"StringLike":{"sts:ExternalId":"*"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "an external id only if sent", page: deputyPage,
			doc: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"999988887777"},"Condition":{"StringEqualsIfExists":{"sts:ExternalId":"12345"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			// The page's two accounts are both the reader's: "Imagine that
			// you are using two AWS accounts".
			name: "a role of an account aam scans", page: ec2Page + `: the efgh role trust policy, verbatim`,
			doc: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "efghTrustPolicy",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::111111111111:role/abcd"}
        }
    ]
}`,
			tc: TrustContext{Account: "222222222222", Own: scans("111111111111")}, want: []TrustClass{TrustConstrained},
			reason: []string{"111111111111", "aam scans"},
		},
		{
			name: "the same role when aam does not scan its account", page: ec2Page + `: the efgh role trust policy`,
			doc: `{"Version":"2012-10-17","Statement":[{"Sid":"efghTrustPolicy","Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::111111111111:role/abcd"}}]}`,
			tc:  TrustContext{Account: "222222222222"}, want: []TrustClass{TrustOpen},
		},
		{
			name: "the role's own account", page: `IAM User Guide, "AWS JSON policy elements: Principal" (AWS account principals)`,
			doc: `{"Statement":{"Effect":"Allow","Principal": { "AWS": "arn:aws:iam::123456789012:root" },"Action":"sts:AssumeRole"}}`,
			tc:  TrustContext{Account: "123456789012"}, want: []TrustClass{TrustConstrained},
			reason: []string{"own account 123456789012"},
		},
		{
			name: "several accounts, one a third party", page: `IAM User Guide, "AWS JSON policy elements: Principal"`,
			doc: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal" : { 
"AWS": [ 
  "123456789012",
  "555555555555" 
  ]
}}}`,
			tc: TrustContext{Account: "123456789012"}, want: []TrustClass{TrustConstrained, TrustOpen},
		},
		{
			// "if you delete the role, then you break the relationship ...
			// the principal ID appears in resource-based policies".
			name: "a deleted role's unique id", page: `IAM User Guide, "AWS JSON policy elements: Principal" (IAM role principals)`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"AROA1234567890EXAMPLE"},"Action":"sts:AssumeRole"}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
			reason: []string{"deleted"},
		},
	})
}

// Rule: a service principal without aws:SourceAccount or aws:SourceArn is
// service-unguarded.
func TestClassifyServicePrincipals(t *testing.T) {
	const comprehendPage = `Amazon Comprehend Developer Guide, "Cross-service confused deputy prevention"`
	runTrustCases(t, []trustCase{
		{
			name: "source account", page: comprehendPage + ": Using source account, verbatim",
			doc: `{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "ConfusedDeputyPreventionExamplePolicy",
    "Effect": "Allow",
    "Principal": {
          "Service": "comprehend.amazonaws.com"
    },
    "Action": "sts:AssumeRole",
    "Condition": {
        "StringEquals": {
             "aws:SourceAccount":"111122223333"
        }
    }
  }
}`,
			tc: prod, want: []TrustClass{TrustConstrained},
			reason: []string{"comprehend.amazonaws.com", "aws:SourceAccount"},
		},
		{
			name: "source account and ARN", page: comprehendPage + ": Trust policy for endpoints of encrypted models, verbatim",
			doc: `{
 "Version": "2012-10-17",
 "Statement": [
    {
        "Sid": "",
        "Effect": "Allow",
        "Principal": {
            "Service": "comprehend.amazonaws.com"
        },
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {
               "aws:SourceAccount": "111122223333"
            },
            "ArnEquals": {
               "aws:SourceArn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier-endpoint/endpoint-name"
            }
        }
    }
  ]
}`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "no source condition", page: `IAM User Guide, "Using an IAM role to grant permissions to applications running on Amazon EC2 instances": the abcd role trust policy, verbatim`,
			doc: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "abcdTrustPolicy",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ec2.amazonaws.com"}
        }
    ]
}`,
			tc: prod, want: []TrustClass{TrustServiceUnguarded},
			reason: []string{"ec2.amazonaws.com", "aws:SourceAccount", "confused deputy"},
		},
		{
			// Condition keys compare case-insensitively: AWS:SourceArn.
			name: "a source ARN of any account", page: comprehendPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:bedrock:*:*:agent/*"}}}}`,
			tc:  prod, want: []TrustClass{TrustServiceUnguarded},
		},
		{
			name: "a source ARN of one account", page: comprehendPage,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:bedrock:us-east-1:111122223333:agent/*"}}}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "a source account only if present", page: `IAM User Guide, "IAM JSON policy elements: Condition operators" (...IfExists)`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}}}`,
			tc:  prod, want: []TrustClass{TrustServiceUnguarded},
		},
		{
			name: "two services", page: `IAM User Guide, "AWS JSON policy elements: Principal" (AWS service principals)`,
			doc: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal": {
    "Service": [
        "ecs.amazonaws.com",
        "elasticloadbalancing.amazonaws.com"
   ]
}}}`,
			tc: prod, want: []TrustClass{TrustServiceUnguarded, TrustServiceUnguarded},
		},
	})
}

// Rule: a GitHub Actions trust is open unless the subject (or an owner
// claim) names the repository owner literally.
func TestClassifyGitHubTrust(t *testing.T) {
	const page = `IAM User Guide, "Configuring a role for GitHub OIDC identity provider"`
	condition := func(op, sub string) string {
		conds := `"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"` + op + `":{"token.actions.githubusercontent.com:sub":"` + sub + `"}`
		if op == "StringEquals" {
			conds = `"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"` + sub + `"}`
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{` + conds + `}}]}`
	}
	runTrustCases(t, []trustCase{
		{
			name: "organization, repository and branch", page: page + ": the example trust policy, verbatim",
			doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:GitHubOrg/GitHubRepo:ref:refs/heads/GitHubBranch"
        }
      }
    }
  ]
}`,
			tc: TrustContext{Account: "012345678910"}, want: []TrustClass{TrustConstrained},
			reason: []string{"owner GitHubOrg"},
		},
		{
			name: "any branch of the repository", page: page + ": the second example condition, verbatim",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
"Condition": {
  "StringLike": {
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:GitHubOrg/GitHubRepo:*"
  }
}}]}`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
		{
			// "We recommend this as a minimum trust policy condition".
			name: "any repository of the organization", page: page + ": the third example condition, verbatim",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
"Condition": {
  "StringLike": {
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:GitHubOrg/*"
  }
}}]}`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
		{
			// "If you do not include this condition, then GitHub Actions from
			// organizations or repositories outside of your control are able
			// to assume roles".
			name: "no sub condition", page: page + ": the example trust policy without its sub condition",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::012345678910:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
				"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`,
			tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{"token.actions.githubusercontent.com:sub", "any GitHub repository"},
		},
		{name: "sub *", page: page, doc: condition("StringLike", "*"), tc: prod, want: []TrustClass{TrustOpen}},
		{name: "sub repo:*", page: page, doc: condition("StringLike", "repo:*"), tc: prod, want: []TrustClass{TrustOpen}},
		{
			name: "sub repo:acme*", page: page, doc: condition("StringLike", "repo:acme*"), tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{`"repo:acme*"`, "does not name the owner"},
		},
		{name: "sub repo:acme?/app", page: page, doc: condition("StringLike", "repo:acme?/app:*"), tc: prod, want: []TrustClass{TrustOpen}},
		{name: "sub repo:acme/*", page: page, doc: condition("StringLike", "repo:acme/*"), tc: prod, want: []TrustClass{TrustConstrained}},
		{name: "immutable ids", page: `GitHub Docs, "OpenID Connect reference" (immutable subject claims)`, doc: condition("StringLike", "repo:acme@123/app@456:*"), tc: prod, want: []TrustClass{TrustConstrained}},
		{name: "a wildcard under StringEquals is literal", page: `IAM User Guide, "IAM JSON policy elements: Condition operators"`, doc: condition("StringEquals", "repo:acme*"), tc: prod, want: []TrustClass{TrustConstrained}},
		{name: "ForAnyValue pins", page: page, doc: condition("ForAnyValue:StringLike", "repo:acme/*"), tc: prod, want: []TrustClass{TrustConstrained}},
		{name: "ForAllValues does not", page: `aws-actions/configure-aws-credentials README ("Avoid ForAllValues: in Allow statements")`, doc: condition("ForAllValues:StringLike", "repo:acme/*"), tc: prod, want: []TrustClass{TrustOpen}},
		{name: "IfExists does not", page: `IAM User Guide, "IAM JSON policy elements: Condition operators"`, doc: condition("StringLikeIfExists", "repo:acme/*"), tc: prod, want: []TrustClass{TrustOpen}},
		{name: "a customized subject that starts with the owner id", page: `GitHub Docs, "OpenID Connect reference" (customizing the subject claims)`, doc: condition("StringLike", "repository_owner_id:1234:*"), tc: prod, want: []TrustClass{TrustConstrained}},
		{name: "a customized subject that starts with the workflow", page: `GitHub Docs, "OpenID Connect reference"`, doc: condition("StringLike", "job_workflow_ref:acme/wf/.github/workflows/deploy.yml@*"), tc: prod, want: []TrustClass{TrustOpen}},
		{
			name: "a GitHub Enterprise Server issuer", page: `GitHub Docs, "Configuring OpenID Connect in Amazon Web Services" (HOSTNAME/_services/token)`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/ghe.example.com/_services/token"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"ghe.example.com/_services/token:aud":"sts.amazonaws.com"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
	})
}

// The subjects of GitHub workflows of other owners, made up, that a pattern
// must not admit to pin the owner "acme".
var otherOwners = []string{
	"repo:evil-org/x:ref:refs/heads/main",
	"repo:acme-evil/x:ref:refs/heads/main",
	"repo:acmex/app:ref:refs/heads/main",
	"repo:notacme/x:ref:refs/heads/main",
	"repo:evil/acme:ref:refs/heads/main",
	"repo:evil/x:environment:acme",
	"repository_owner_id:999:repository_id:1:environment:prod",
}

// Tests the made-up subjects of other owners against each pattern with
// IAM's matching: a pattern judged constrained admits none of them, and one
// judged open admits at least one.
func TestGitHubPatternsAgainstOtherOwners(t *testing.T) {
	for _, pattern := range []string{
		"*", "repo:*", "repo:acme*", "repo:acme?/*", "repo:*/app:*", "repo:*acme/*", "*:ref:refs/heads/main",
		"repo:acme/*", "repo:acme/app:*", "repo:acme/app:ref:refs/heads/main", "repo:acme/*:environment:prod",
	} {
		doc := mustDecode(t, `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
			"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"`+pattern+`"}}}}`)
		v := ClassifyTrust(Trusts(doc)[0], nil, prod)
		var admitted []string
		for _, s := range otherOwners {
			if stringLike(pattern, s) {
				admitted = append(admitted, s)
			}
		}
		switch {
		case v.Class == TrustConstrained && len(admitted) > 0:
			t.Errorf("%q is judged constrained but admits %v", pattern, admitted)
		case v.Class == TrustOpen && len(admitted) == 0:
			t.Errorf("%q is judged open but admits none of the made-up subjects of other owners", pattern)
		case v.Class != TrustOpen && v.Class != TrustConstrained:
			t.Errorf("%q: %s (%s)", pattern, v.Class, v.Reason)
		}
	}
}

// Rule: an EKS service-account trust is open unless the subject names the
// namespace literally.
func TestClassifyEKSTrust(t *testing.T) {
	const page = `Amazon EKS User Guide, "Configuring a Kubernetes service account to assume an IAM role"`
	sub := func(op, value string) string {
		return `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"` + op + `":{"oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"` + value + `"}}}]}`
	}
	runTrustCases(t, []trustCase{
		{
			name: "one service account", page: page + ": the example output, verbatim",
			doc: `{
          "Version": "2012-10-17",
          "Statement": [
              {
                  "Effect": "Allow",
                  "Principal": {
                      "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
                  },
                  "Action": "sts:AssumeRoleWithWebIdentity",
                  "Condition": {
                      "StringEquals": {
                          "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:default:my-service-account",
                          "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com"
                      }
                  }
              }
          ]
      }`,
			tc: prod, want: []TrustClass{TrustConstrained},
			reason: []string{"namespace default"},
		},
		{
			// "If you want to allow all service accounts within a namespace
			// to use the role ... Replace StringEquals with StringLike and
			// replace $service_account with *".
			name: "every service account of a namespace", page: page,
			doc: sub("StringLike", "system:serviceaccount:default:*"), tc: prod, want: []TrustClass{TrustConstrained},
		},
		{name: "a service account name in any namespace", page: page, doc: sub("StringLike", "system:serviceaccount:*:my-service-account"), tc: prod, want: []TrustClass{TrustOpen}},
		{name: "a namespace prefix", page: page, doc: sub("StringLike", "system:serviceaccount:team-a*"), tc: prod, want: []TrustClass{TrustOpen}},
		{
			name: "no sub condition", page: page,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity",
				"Condition":{"StringEquals":{"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud":"sts.amazonaws.com"}}}}`,
			tc: prod, want: []TrustClass{TrustOpen},
			reason: []string{"any namespace"},
		},
	})
	for _, tt := range []struct {
		pattern string
		open    bool
	}{{"system:serviceaccount:default:*", false}, {"system:serviceaccount:*:my-service-account", true}, {"system:serviceaccount:team-a*", true}} {
		admits := stringLike(tt.pattern, "system:serviceaccount:other-ns:my-service-account") || stringLike(tt.pattern, "system:serviceaccount:team-a-evil:sa")
		if admits != tt.open {
			t.Errorf("%q admits a service account of another namespace: %v, but is judged open: %v", tt.pattern, admits, tt.open)
		}
	}
}

// Rule: web identity providers built into AWS are open without their app or
// pool condition; a SAML provider is the account's own.
func TestClassifyWebIdentityAndSAML(t *testing.T) {
	const page = `IAM User Guide, "Creating a role for web identity or OpenID Connect Federation (console)"`
	runTrustCases(t, []trustCase{
		{
			name: "Cognito identity pool", page: page + ": the Amazon Cognito trust policy, verbatim",
			doc: `{
       "Version": "2012-10-17",
       "Statement": {
           "Effect": "Allow",
           "Principal": {"Federated": "cognito-identity.amazonaws.com"},
           "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {
               "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-2:12345678-abcd-abcd-abcd-123456"},
               "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}
           }
       }
   }`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "Cognito without the pool", page: page,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}}`,
			tc:  prod, want: []TrustClass{TrustOpen},
			reason: []string{"cognito-identity.amazonaws.com:aud"},
		},
		{
			name: "Login with Amazon", page: page + ": RoleForLoginWithAmazon, verbatim",
			doc: `{
         "Version": "2012-10-17",
         "Statement": [{
             "Sid": "RoleForLoginWithAmazon",
             "Effect": "Allow",
             "Principal": {"Federated": "www.amazon.com"},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"www.amazon.com:app_id": "amzn1.application-oa2-123456"}}
         }]
     }`,
			tc: prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "Google without the audience", page: page,
			doc: `{"Version":"2012-10-17","Statement":[{"Sid":"RoleForGoogle","Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`,
			tc:  prod, want: []TrustClass{TrustOpen},
		},
		{
			name: "another OIDC provider", page: page + ` ("server.example.com:aud")`,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/server.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition": {"StringEquals": {"server.example.com:aud": "appid_from_oidc_idp"}}}}`,
			tc:  prod, want: []TrustClass{TrustUnknown},
			reason: []string{"server.example.com"},
		},
		{
			name: "another OIDC provider, one subject", page: page,
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/server.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"server.example.com:sub":"user-1"}}}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
		},
		{
			name: "SAML provider", page: `IAM User Guide, "AWS JSON policy elements: Principal" (SAML session principals)`,
			doc: `{"Statement":{"Effect":"Allow","Principal": { "Federated": "arn:aws:iam::AWS-account-ID:saml-provider/provider-name" },"Action":"sts:AssumeRoleWithSAML"}}`,
			tc:  prod, want: []TrustClass{TrustConstrained},
			reason: []string{"provider-name"},
		},
	})
}

func TestWorseTrust(t *testing.T) {
	order := []TrustClass{TrustConstrained, TrustServiceUnguarded, TrustUnknown, TrustOpen}
	for i, a := range order {
		for j, b := range order {
			got := WorseTrust(TrustVerdict{a, "a"}, TrustVerdict{b, "b"})
			want := a
			if j > i {
				want = b
			}
			if got.Class != want {
				t.Errorf("WorseTrust(%s, %s) = %s, want %s", a, b, got.Class, want)
			}
		}
	}
	names := map[string]bool{}
	for _, c := range order {
		names[c.String()] = true
	}
	if len(names) != 4 || !names["service-unguarded"] || TrustClass(9).String() != "trust(9)" {
		t.Errorf("class names: %v, %q", names, TrustClass(9).String())
	}
}

// stringLike is StringLike's matching: IAM's '*' and '?', case-sensitive.
func stringLike(pattern, value string) bool { return globMatch([]rune(pattern), []rune(value)) }

// ClassifyTrust never panics on a trust policy Decode accepts, and always
// answers one of the four classes with a reason.
func FuzzClassifyTrust(f *testing.F) {
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalOrgPaths":"o-1/*"}}}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":"repo:a?/*"}}},{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalArn":"arn:aws:iam::2:root"}}}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["AROA1234567890EXAMPLE","arn:aws:sts::3:assumed-role/r/s"],"Service":"x","Federated":"arn:aws:iam::1:saml-provider/p"},"Action":"sts:*","Condition":{"StringEquals":{"sts:ExternalId":[]}}}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		doc, err := Decode(raw)
		if err != nil {
			return
		}
		denies := TrustDenies(doc)
		for _, tr := range Trusts(doc) {
			v := ClassifyTrust(tr, denies, TrustContext{Account: "1", Own: func(a string) bool { return a == "2" }})
			if v.Class < TrustConstrained || v.Class > TrustOpen || v.Reason == "" {
				t.Fatalf("ClassifyTrust(%+v) = %+v", tr, v)
			}
		}
	})
}
