package aws

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/aws/iampolicy"
)

const escAccount = "111122223333"

func escRole(t *testing.T, name string, statements ...string) iampolicy.Identity {
	t.Helper()
	arn := "arn:aws:iam::" + escAccount + ":role/" + name
	doc, err := iampolicy.Decode(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`)
	if err != nil {
		t.Fatal(err)
	}
	grants := iampolicy.Evaluate(iampolicy.Policies{Subject: iampolicy.Subject{ARN: arn}, Identity: []iampolicy.Source{{Name: "inline:p", Document: doc}}})
	return iampolicy.Identity{ARN: arn, Kind: "role", Grants: grants, Access: iampolicy.AccessOf(grants)}
}

func stmt(effect, action, resource, cond string) string {
	c := ""
	if cond != "" {
		c = `,"Condition":` + cond
	}
	return fmt.Sprintf(`{"Effect":%q,"Action":%q,"Resource":%q%s}`, effect, action, resource, c)
}

// The steps through a Lambda function and to an AgentCore credential
// provider: each with a case that gives the edge and cases that do not.
func TestEscalationsThroughFunctionsAndProviders(t *testing.T) {
	fn := "arn:aws:lambda:us-east-1:" + escAccount + ":function:tools"
	provider := "arn:aws:bedrock-agentcore:us-east-1:" + escAccount + ":token-vault/default/apikeycredentialprovider/crm"
	oauth := "arn:aws:bedrock-agentcore:us-east-1:" + escAccount + ":token-vault/default/oauth2credentialprovider/gh"
	secret := "arn:aws:secretsmanager:us-east-1:" + escAccount + ":secret:bedrock-agentcore-identity!default/apikey/crm-AbCdEf"
	envSecret := secretID(fn, "API_TOKEN")
	// The function's role holds write access to a table the callers
	// do not reach: its access is not a subset of theirs.
	execRole := func(t *testing.T) iampolicy.Identity {
		return escRole(t, "tools-exec", stmt("Allow", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:"+escAccount+":table/orders", ""))
	}
	tests := []struct {
		name   string
		caller []string // its statements
		want   []string // "to method" (to by last segment), "+conditional"
	}{
		{"update function code", []string{stmt("Allow", "lambda:UpdateFunctionCode", fn, "")}, []string{"tools-exec lambda:UpdateFunctionCode"}},
		{"update code: resource scope excludes the function", []string{stmt("Allow", "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:"+escAccount+":function:other", "")}, nil},
		{"update configuration under a condition", []string{stmt("Allow", "lambda:UpdateFunctionConfiguration", fn, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)},
			[]string{"tools-exec lambda:UpdateFunctionConfiguration +conditional"}},
		{"read the function's environment", []string{stmt("Allow", "lambda:GetFunctionConfiguration", "*", "")}, []string{"API_TOKEN lambda:GetFunctionConfiguration"}},
		{"read the environment: a deny removes it", []string{stmt("Allow", "lambda:Get*", "*", ""), stmt("Deny", "lambda:GetFunctionConfiguration", fn, "")}, nil},
		{"read the provider's secret", []string{stmt("Allow", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:"+escAccount+":secret:bedrock-agentcore-identity!default/apikey/*", "")},
			[]string{"crm secretsmanager:GetSecretValue"}},
		{"read secrets: resource scope excludes the vault", []string{stmt("Allow", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:"+escAccount+":secret:app/*", "")}, nil},
		{"API key with a workload token", []string{stmt("Allow", "bedrock-agentcore:GetResourceApiKey", "*", ""), stmt("Allow", "bedrock-agentcore:GetWorkloadAccessToken*", "*", "")},
			[]string{"crm bedrock-agentcore:GetResourceApiKey"}},
		{"API key without a workload token", []string{stmt("Allow", "bedrock-agentcore:GetResourceApiKey", "*", "")}, nil},
		{"OAuth2 token reaches the OAuth2 provider only", []string{stmt("Allow", "bedrock-agentcore:GetResourceOauth2Token", "*", ""), stmt("Allow", "bedrock-agentcore:GetWorkloadAccessToken", "*", "")},
			[]string{"gh bedrock-agentcore:GetResourceOauth2Token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &escalationInputs{iamRead: true}
			in.identity(escRole(t, "caller", tc.caller...))
			in.identity(execRole(t))
			in.function(escFunction{arn: fn, role: "arn:aws:iam::" + escAccount + ":role/tools-exec", creds: []string{envSecret}})
			in.provider(escProvider{arn: provider, secret: secret})
			in.provider(escProvider{arn: oauth, oauth2: true})
			var got []string
			for _, e := range escalations(escAccount, in) {
				if !strings.HasSuffix(e.from, "/caller") {
					continue
				}
				to := e.to[strings.LastIndexAny(e.to, "/")+1:]
				l := to + " " + e.attrs[inventory.AttrMethod].(string)
				if c, _ := e.attrs[inventory.AttrConditional].(bool); c {
					l += " +conditional"
				}
				if p, _ := e.attrs[inventory.AttrPermissions].([]string); len(p) == 0 {
					t.Errorf("%s: no permissions on the edge", l)
				}
				got = append(got, l)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// One edge per caller and target: the unconditional, uncapped step wins,
// the others are listed.
func TestMergeKeepsTheBestStep(t *testing.T) {
	e := func(method string, conditional bool) escalationEdge {
		return escalationEdge{"a", "b", map[string]any{inventory.AttrMethod: method, inventory.AttrConditional: conditional}}
	}
	got := merge([]escalationEdge{e("sts:AssumeRole", true), e("iam:UpdateAssumeRolePolicy", false), e("iam:PutRolePolicy", true)})
	if len(got) != 1 || got[0].attrs[inventory.AttrMethod] != "iam:UpdateAssumeRolePolicy" ||
		!slices.Equal(got[0].attrs["other_methods"].([]string), []string{"iam:PutRolePolicy", "sts:AssumeRole"}) {
		t.Errorf("merge = %+v", got)
	}
}

// A step that writes the target's permissions gives at least its floor:
// among unconditional, uncapped steps it wins, and the edge keeps the
// floor; a conditional one still loses to an unconditional step.
func TestMergePrefersAStepWithAFloor(t *testing.T) {
	e := func(method string, conditional bool, floor string) escalationEdge {
		attrs := map[string]any{inventory.AttrMethod: method, inventory.AttrConditional: conditional}
		if floor != "" {
			attrs[inventory.AttrLevelFloor] = floor
		}
		return escalationEdge{"a", "b", attrs}
	}
	tests := []struct {
		name      string
		edges     []escalationEdge
		method    string
		wantFloor any
	}{
		{"unconditional steps: the floor wins", []escalationEdge{e("sts:AssumeRole", false, ""), e("iam:PutRolePolicy", false, "admin")}, "iam:PutRolePolicy", "admin"},
		{"a conditional floor loses", []escalationEdge{e("sts:AssumeRole", false, ""), e("iam:PutRolePolicy", true, "admin")}, "sts:AssumeRole", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := merge(tc.edges)
			if len(got) != 1 || got[0].attrs[inventory.AttrMethod] != tc.method || got[0].attrs[inventory.AttrLevelFloor] != tc.wantFloor {
				t.Errorf("merge = %+v, want %s with floor %v", got, tc.method, tc.wantFloor)
			}
		})
	}
}

// escalations writes the floor of a step that writes the target's
// permissions as level_floor, and none on other steps.
func TestEscalationsWriteTheLevelFloor(t *testing.T) {
	in := &escalationInputs{iamRead: true}
	in.identity(escRole(t, "caller", stmt("Allow", "iam:PutRolePolicy", "arn:aws:iam::"+escAccount+":role/app", ""),
		stmt("Allow", "iam:CreateAccessKey", "arn:aws:iam::"+escAccount+":user/*", "")))
	in.identity(escRole(t, "app", stmt("Allow", "s3:GetObject", "*", "")))
	user := escRole(t, "ops", stmt("Allow", "s3:GetObject", "*", ""))
	user.ARN, user.Kind = "arn:aws:iam::"+escAccount+":user/ops", "user"
	in.identity(user)
	got := map[string]any{}
	for _, e := range escalations(escAccount, in) {
		got[e.attrs[inventory.AttrMethod].(string)] = e.attrs[inventory.AttrLevelFloor]
	}
	want := map[string]any{"iam:PutRolePolicy": "admin", "iam:CreateAccessKey": nil}
	if !maps.Equal(got, want) {
		t.Errorf("floors by method = %v, want %v", got, want)
	}
}
