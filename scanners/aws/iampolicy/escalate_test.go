package iampolicy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const acct = "111122223333"

func arnOf(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }

// allow is a policy of one Allow statement; cond, when not empty, is its
// Condition element's JSON.
func allow(actions []string, resource, cond string) string {
	q := make([]string, len(actions))
	for i, a := range actions {
		q[i] = fmt.Sprintf("%q", a)
	}
	c := ""
	if cond != "" {
		c = `,"Condition":` + cond
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[%s],"Resource":%q%s}]}`, strings.Join(q, ","), resource, c)
}

func trustOf(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
}

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// ident builds an identity of kind from its policies (and boundary, when
// not empty) as the scanner does.
func ident(t testing.TB, kind, name, trust, boundary string, policies ...string) Identity {
	t.Helper()
	p := Policies{Subject: Subject{ARN: arnOf(kind, name)}}
	for i, raw := range policies {
		p.Identity = append(p.Identity, Source{Name: fmt.Sprintf("inline:%d", i), Document: mustDecode(t, raw)})
	}
	if boundary != "" {
		p.Boundary = &Source{Name: "boundary", Document: mustDecode(t, boundary)}
	}
	id := IdentityOf(kind, p)
	id.Access = AccessOf(id.Grants)
	if trust != "" {
		id.Trust = mustDecode(t, trust)
	}
	return id
}

func TestEscalations(t *testing.T) {
	caller := func(t *testing.T, policy, boundary string, more ...string) Identity {
		return ident(t, "role", "caller", trustOf(`{"Service":"bedrock.amazonaws.com"}`), boundary, append([]string{policy}, more...)...)
	}
	adminRole := func(t *testing.T, trust string) Identity { return ident(t, "role", "admin", trust, "", adminPolicy) }
	root := trustOf(`{"AWS":"arn:aws:iam::` + acct + `:root"}`)
	service := func(s string) string { return trustOf(`{"Service":"` + s + `"}`) }
	// iam:PassRole on "*" is already admin on every resource: the callers
	// pass one role only, so that the target's access is not a subset.
	pass := func(others ...string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + arnOf("role", "admin") + `"},` +
			`{"Effect":"Allow","Action":["` + strings.Join(others, `","`) + `"],"Resource":"*"}]}`
	}
	passIf := func(cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + arnOf("role", "admin") + `","Condition":` + cond + `},` +
			`{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}`
	}
	tests := []struct {
		name  string
		ids   func(t *testing.T) []Identity
		want  []string // "from>to method" with " conditional", " cap=read" or " floor=admin"
		check func(t *testing.T, got []Escalation)
	}{
		{
			name: "assume role: root trust admits a caller allowed by its policy",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", ""), ""), adminRole(t, root)}
			},
			want: []string{"caller>admin sts:AssumeRole"},
		},
		{
			name: "assume role: trust names another account",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", ""), ""), adminRole(t, trustOf(`{"AWS":"arn:aws:iam::999988887777:root"}`))}
			},
		},
		{
			name: "assume role: root trust without an identity Allow",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"s3:GetObject"}, "*", ""), ""), adminRole(t, root)}
			},
		},
		{
			name: "assume role: trust naming the caller's ARN needs no identity Allow",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"s3:GetObject"}, "*", ""), ""), adminRole(t, trustOf(`{"AWS":"`+arnOf("role", "caller")+`"}`))}
			},
			want: []string{"caller>admin sts:AssumeRole"},
		},
		{
			name: "assume role: a trust naming the caller does not pass its boundary",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"s3:GetObject"}, "*", ""), allow([]string{"s3:*"}, "*", "")),
					adminRole(t, trustOf(`{"AWS":"`+arnOf("role", "caller")+`"}`))}
			},
		},
		{
			name: "assume role: a trust naming the caller does not pass its Deny",
			ids: func(t *testing.T) []Identity {
				deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`
				return []Identity{caller(t, allow([]string{"s3:GetObject"}, "*", ""), "", deny), adminRole(t, trustOf(`{"AWS":"`+arnOf("role", "caller")+`"}`))}
			},
		},
		{
			name: "assume role: the trust denies the caller",
			ids: func(t *testing.T) []Identity {
				trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"},` +
					`{"Effect":"Deny","Principal":{"AWS":"` + arnOf("role", "caller") + `"},"Action":"sts:AssumeRole"}]}`
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", ""), ""), adminRole(t, trust)}
			},
		},
		{
			name: "assume role: a condition of the trust guards it",
			ids: func(t *testing.T) []Identity {
				trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", ""), ""), adminRole(t, trust)}
			},
			want: []string{"caller>admin sts:AssumeRole conditional"},
		},
		{
			name: "assume role: resource scope excludes the role",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, arnOf("role", "other-*"), ""), ""), adminRole(t, root)}
			},
		},
		{
			name: "assume role: the boundary removes it",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", ""), allow([]string{"s3:*"}, "*", "")), adminRole(t, root)}
			},
		},
		{
			name: "assume role: a condition guards it",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, "*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), ""), adminRole(t, root)}
			},
			want: []string{"caller>admin sts:AssumeRole conditional"},
		},
		{
			name: "pass role to lambda with create and invoke",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, pass("lambda:CreateFunction", "lambda:InvokeFunction"), ""), adminRole(t, service("lambda.amazonaws.com"))}
			},
			want: []string{"caller>admin iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"},
		},
		{
			name: "pass role: the role does not trust the service",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, pass("lambda:CreateFunction", "lambda:InvokeFunction"), ""), adminRole(t, service("ec2.amazonaws.com"))}
			},
		},
		{
			name: "pass role: iam:PassedToService names another service",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, passIf(`{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`), ""), adminRole(t, service("lambda.amazonaws.com"))}
			},
		},
		{
			name: "pass role: iam:PassedToService naming the service is no guard",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, passIf(`{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}`), ""), adminRole(t, service("lambda.amazonaws.com"))}
			},
			want: []string{"caller>admin iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"},
		},
		{
			name: "pass role: a conditional Deny guards it",
			ids: func(t *testing.T) []Identity {
				deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"false"}}}]}`
				return []Identity{caller(t, passIf(`{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}`), "", deny), adminRole(t, service("lambda.amazonaws.com"))}
			},
			want: []string{"caller>admin iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction conditional"},
		},
		{
			name: "pass role: no way to run the function",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, pass("lambda:CreateFunction"), ""), adminRole(t, service("lambda.amazonaws.com"))}
			},
		},
		{
			name: "pass role to bedrock is capped at what bedrock does",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PassRole"}, arnOf("role", "admin"), ""), "", allow([]string{"bedrock:CreateAgent"}, "arn:aws:bedrock:*:"+acct+":agent/*", "")), adminRole(t, service("bedrock.amazonaws.com"))}
			},
			want: []string{"caller>admin iam:PassRole+bedrock:CreateAgent cap=read"},
		},
		{
			name: "put role policy on the target",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PutRolePolicy"}, arnOf("role", "admin"), ""), ""), adminRole(t, service("ec2.amazonaws.com"))}
			},
			want: []string{"caller>admin iam:PutRolePolicy floor=admin"},
		},
		{
			name: "put role policy on a low-privilege role gives admin, though its access is a subset",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PutRolePolicy"}, arnOf("role", "app"), ""), "", allow([]string{"s3:GetObject"}, "*", "")),
					ident(t, "role", "app", service("ec2.amazonaws.com"), "", allow([]string{"s3:GetObject"}, "*", ""))}
			},
			want: []string{"caller>app iam:PutRolePolicy floor=admin"},
		},
		{
			name: "put role policy on a role with a read-only boundary gives read",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PutRolePolicy"}, arnOf("role", "app"), ""), ""),
					ident(t, "role", "app", service("ec2.amazonaws.com"), allow([]string{"s3:Get*"}, "*", ""), allow([]string{"s3:GetObject"}, "*", ""))}
			},
			want: []string{"caller>app iam:PutRolePolicy floor=read"},
		},
		{
			name: "put role policy on a role with a read-only boundary: no edge from a caller reading everything",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PutRolePolicy"}, arnOf("role", "app"), ""), "", allow([]string{"s3:Get*"}, "*", "")),
					ident(t, "role", "app", service("ec2.amazonaws.com"), allow([]string{"s3:Get*"}, "*", ""), allow([]string{"s3:GetObject"}, "*", ""))}
			},
		},
		{
			name: "attach user policy on a user with a write boundary gives write",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:AttachUserPolicy"}, arnOf("user", "ops"), ""), ""),
					ident(t, "user", "ops", "", allow([]string{"s3:*"}, "*", ""), allow([]string{"s3:GetObject"}, "*", ""))}
			},
			want: []string{"caller>ops iam:AttachUserPolicy floor=write"},
		},
		{
			name: "update assume role policy gives the role as it is",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:UpdateAssumeRolePolicy"}, arnOf("role", "app"), ""), ""),
					ident(t, "role", "app", service("ec2.amazonaws.com"), "", allow([]string{"s3:GetObject"}, "*", ""))}
			},
			want: []string{"caller>app iam:UpdateAssumeRolePolicy"},
		},
		{
			name: "put role policy: resource scope excludes the target",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:PutRolePolicy"}, arnOf("role", "app-*"), ""), ""), adminRole(t, service("ec2.amazonaws.com"))}
			},
		},
		{
			name: "create access key of another user",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"iam:CreateAccessKey"}, arnOf("user", "*"), ""), ""), ident(t, "user", "ops", "", "", adminPolicy)}
			},
			want: []string{"caller>ops iam:CreateAccessKey"},
		},
		{
			name: "create access key: a deny removes it",
			ids: func(t *testing.T) []Identity {
				deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"` + arnOf("user", "ops") + `"}]}`
				return []Identity{caller(t, allow([]string{"iam:CreateAccessKey"}, arnOf("user", "*"), ""), "", deny), ident(t, "user", "ops", "", "", adminPolicy)}
			},
		},
		{
			name: "new version of a policy attached to the target",
			ids: func(t *testing.T) []Identity {
				p := "arn:aws:iam::" + acct + ":policy/app"
				target := ident(t, "role", "app", service("ec2.amazonaws.com"), "", allow([]string{"s3:GetObject"}, "*", ""))
				target.Policies = []string{p, "arn:aws:iam::aws:policy/ReadOnlyAccess"}
				return []Identity{caller(t, allow([]string{"iam:CreatePolicyVersion"}, p, ""), ""), target}
			},
			want: []string{"caller>app iam:CreatePolicyVersion floor=admin"},
		},
		{
			name: "group policy only on a group the caller belongs to",
			ids: func(t *testing.T) []Identity {
				u := ident(t, "user", "dev", "", "", allow([]string{"iam:PutGroupPolicy"}, arnOf("group", "*"), ""))
				u.Groups = []string{arnOf("group", "devs")}
				return []Identity{u, ident(t, "group", "devs", "", "", allow([]string{"s3:GetObject"}, "*", "")), ident(t, "group", "admins", "", "", adminPolicy)}
			},
			want: []string{"dev>devs iam:PutGroupPolicy floor=admin"},
		},
		{
			name: "no edge to a target whose access is a subset",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, adminPolicy, ""), ident(t, "role", "reader", root, "", allow([]string{"s3:GetObject"}, "*", ""))}
			},
		},
		{
			name: "an edge to a target with other resources at a lower level",
			ids: func(t *testing.T) []Identity {
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, arnOf("role", "keys"), ""), "", allow([]string{"s3:*"}, "arn:aws:s3:::logs", "")),
					ident(t, "role", "keys", root, "", allow([]string{"kms:Decrypt"}, "arn:aws:kms:eu-west-1:"+acct+":key/k", ""))}
			},
			want: []string{"caller>keys sts:AssumeRole"},
		},
		{
			name: "a chain of two methods",
			ids: func(t *testing.T) []Identity {
				mid := ident(t, "role", "deployer", root, "", pass("cloudformation:CreateStack"))
				return []Identity{caller(t, allow([]string{"sts:AssumeRole"}, arnOf("role", "deployer"), ""), ""), mid, adminRole(t, service("cloudformation.amazonaws.com"))}
			},
			want: []string{"caller>deployer sts:AssumeRole", "deployer>admin iam:PassRole+cloudformation:CreateStack"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Escalations(acct, tc.ids(t))
			var lines []string
			for _, e := range got {
				l := lastName(e.From) + ">" + lastName(e.To) + " " + e.Method
				if e.Conditional {
					l += " conditional"
				}
				if e.LevelCap != None {
					l += " cap=" + e.LevelCap.String()
				}
				if e.LevelFloor != None {
					l += " floor=" + e.LevelFloor.String()
				}
				if len(e.Permissions) == 0 {
					t.Errorf("%s: no permissions recorded", l)
				}
				lines = append(lines, l)
			}
			if !slices.Equal(lines, tc.want) {
				t.Errorf("got %q, want %q", lines, tc.want)
			}
		})
	}
}

func lastName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func TestAllowsPermissions(t *testing.T) {
	g := Evaluate(Policies{Identity: []Source{{Name: "p", Document: mustDecode(t, allow([]string{"iam:Pass*", "s3:*"}, "*", ""))}}})
	a, ok := Allows(g, "iam:PassRole", arnOf("role", "x"))
	if !ok || !slices.Equal(a.Permissions, []string{"iam:Pass*"}) {
		t.Errorf("Allows = %+v, %v; want the permission iam:Pass*", a, ok)
	}
	if _, ok := Allows(g, "iam:CreateAccessKey", arnOf("user", "x")); ok {
		t.Error("Allows(iam:CreateAccessKey) = true for a policy of iam:Pass* and s3:*")
	}
}
