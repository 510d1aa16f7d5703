package iampolicy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTrusts(t *testing.T) {
	ec2 := Principal{Type: "Service", ID: "ec2.amazonaws.com"}
	tests := []struct {
		name   string
		doc    string
		allow  []Trust
		denies []Trust
	}{
		{
			name:  "service principal",
			doc:   `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			allow: []Trust{{Principal: ec2, Actions: []string{"sts:AssumeRole"}}},
		},
		{
			name: "account principal with external id, one trust per principal",
			doc: `{"Statement":{"Sid":"x","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:role/ci"],"Service":"bedrock.amazonaws.com"},
				"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}}`,
			allow: []Trust{
				{Sid: "x", Principal: Principal{Type: "AWS", ID: "arn:aws:iam::111122223333:root"}, Actions: []string{"sts:AssumeRole", "sts:TagSession"},
					Conditions: Conditions{"StringEquals": {"sts:ExternalId": {"abc"}}}},
				{Sid: "x", Principal: Principal{Type: "AWS", ID: "arn:aws:iam::444455556666:role/ci"}, Actions: []string{"sts:AssumeRole", "sts:TagSession"},
					Conditions: Conditions{"StringEquals": {"sts:ExternalId": {"abc"}}}},
				{Sid: "x", Principal: Principal{Type: "Service", ID: "bedrock.amazonaws.com"}, Actions: []string{"sts:AssumeRole", "sts:TagSession"},
					Conditions: Conditions{"StringEquals": {"sts:ExternalId": {"abc"}}}},
			},
		},
		{
			name: "federated web identity",
			doc: `{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
				"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/*"}}}}`,
			allow: []Trust{{
				Principal:  Principal{Type: "Federated", ID: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
				Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
				Conditions: Conditions{"ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": {"repo:o/*"}}},
			}},
		},
		{
			name: "wildcard actions count, other sts actions alone do not",
			doc: `{"Statement":[
				{"Effect":"Allow","Principal":"*","Action":"sts:*"},
				{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*"},
				{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:TagSession","sts:SetSourceIdentity"]},
				{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:GetObject"},
				{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"STS:assume*"}]}`,
			allow: []Trust{
				{Principal: Principal{Type: "*", ID: "*"}, Actions: []string{"sts:*"}},
				{Principal: Principal{Type: "AWS", ID: "*"}, Actions: []string{"*"}},
				{Principal: Principal{Type: "AWS", ID: "arn:aws:iam::1:root"}, Actions: []string{"STS:assume*"}},
			},
		},
		{
			name: "NotAction and NotPrincipal",
			doc: `{"Statement":[
				{"Effect":"Allow","NotPrincipal":{"AWS":["arn:aws:iam::1:root"]},"NotAction":"sts:TagSession"},
				{"Effect":"Allow","Principal":"*","NotAction":"sts:*"}]}`,
			allow: []Trust{{
				Principal: Principal{Type: "*", ID: "*"},
				Except:    []Principal{{Type: "AWS", ID: "arn:aws:iam::1:root"}},
				Actions:   []string{"NotAction:sts:TagSession"},
			}},
		},
		{
			name: "denies are reported separately",
			doc: `{"Statement":[
				{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
				{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}]}`,
			allow: []Trust{{Principal: ec2, Actions: []string{"sts:AssumeRole"}}},
			denies: []Trust{{Principal: Principal{Type: "*", ID: "*"}, Actions: []string{"sts:AssumeRole"},
				Conditions: Conditions{"StringNotEquals": {"aws:PrincipalOrgID": {"o-1"}}}}},
		},
		{
			name: "identity policy has no trusts",
			doc:  `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustDecode(t, tt.doc)
			if diff := cmp.Diff(tt.allow, Trusts(doc), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Trusts mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.denies, TrustDenies(doc), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("TrustDenies mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if got := Trusts(nil); got != nil {
		t.Errorf("Trusts(nil) = %v", got)
	}
}

// A Trust's conditions are its own: changing them leaves the document alone.
func TestTrustConditionsAreCopied(t *testing.T) {
	doc := mustDecode(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}`)
	trusts := Trusts(doc)
	trusts[0].Conditions["StringEquals"]["aws:PrincipalOrgID"][0] = "changed"
	if got := doc.Statements[0].Conditions["StringEquals"]["aws:PrincipalOrgID"][0]; got != "o-1" {
		t.Errorf("document condition = %q after changing the trust's copy", got)
	}
}
