package aws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"
)

// Contract tests of the rest-json answers against the botocore models of
// bedrock-agent and bedrock-agentcore-control in ../shared/api-examples
// (output shapes, written by AWS): every member is one the model knows,
// required members are there, unions have one member, enums hold a listed
// value, and timestamps have the model's type: an ISO-8601 string where the
// shape says timestampFormat iso8601, else (the rest-json default) epoch
// seconds as a JSON number.

const restAPIExamples = "../../../shared/api-examples/aws"

type restShape struct {
	Type            string `json:"type"`
	Required        []string
	Union           bool   `json:"union"`
	Document        bool   `json:"document"`
	TimestampFormat string `json:"timestampFormat"`
	Enum            []string
	Members         map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value struct {
		Shape string `json:"shape"`
	} `json:"value"`
}

type restModel struct {
	Operations map[string]struct {
		Output struct {
			Shape string `json:"shape"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]restShape `json:"shapes"`
}

func loadRESTModel(t *testing.T, file string) *restModel {
	t.Helper()
	raw := readAPIExample(t, filepath.Join(restAPIExamples, file))
	var m restModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// conform checks the JSON answer of op against the model.
func (m *restModel) conform(op string, body []byte) error {
	o, ok := m.Operations[op]
	if !ok {
		return fmt.Errorf("the model has no operation %s", op)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return m.walk(v, o.Output.Shape, op)
}

func (m *restModel) walk(v any, shape, path string) error {
	s, ok := m.Shapes[shape]
	if !ok {
		return nil // outside the extracted closure
	}
	switch s.Type {
	case "structure":
		if s.Document {
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object (%s), got %T", path, shape, v)
		}
		if s.Union && len(obj) != 1 {
			return fmt.Errorf("%s: union %s has %d members set, want 1", path, shape, len(obj))
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				return fmt.Errorf("%s: required member %s is missing", path, r)
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			mem, ok := s.Members[k]
			if !ok {
				return fmt.Errorf("%s: member %s is not in shape %s", path, k, shape)
			}
			if err := m.walk(obj[k], mem.Shape, path+"."+k); err != nil {
				return err
			}
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want a list, got %T", path, v)
		}
		for i, x := range arr {
			if err := m.walk(x, s.Member.Shape, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want a map, got %T", path, v)
		}
		for k, x := range obj {
			if err := m.walk(x, s.Value.Shape, path+"."+k); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %T", path, v)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return fmt.Errorf("%s: %q is not one of %v", path, str, s.Enum)
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fmt.Errorf("%s: want a whole number, got %v", path, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %T", path, v)
		}
	case "timestamp":
		if s.TimestampFormat == "iso8601" {
			str, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: timestamp %s is iso8601: want a string, got %T", path, shape, v)
			}
			// The Go SDK parses 2006-01-02T15:04:05.999999999Z.
			if _, err := time.Parse("2006-01-02T15:04:05.999999999Z", str); err != nil {
				return fmt.Errorf("%s: %q is not an ISO-8601 UTC time the SDK parses", path, str)
			}
			return nil
		}
		if n, ok := v.(json.Number); !ok || n.String() == "" {
			return fmt.Errorf("%s: timestamp %s has no timestampFormat (epoch seconds under rest-json): want a number, got %T", path, shape, v)
		}
	}
	return nil
}

func TestRESTAnswersConformToTheModels(t *testing.T) {
	agentModel := loadRESTModel(t, "bedrock-agent/schema_agents_actiongroups.botocore.json")
	coreModel := loadRESTModel(t, "bedrock-agentcore-control/schema_runtimes_gateways_identity.botocore.json")
	e := mustDemo(t)
	srv := NewServer(e, Options{PageSize: 2})
	seen := map[string]bool{}
	for _, a := range e.Accounts {
		for _, r := range a.Regions {
			c := newRESTClient(t, srv, a, r.Name)
			add := func(m *restModel, op, service, method, path, body string) {
				seen[op] = true
				w := c.do(service, method, path, body)
				if w.Code != 200 {
					t.Errorf("%s %s: %d %s", op, path, w.Code, w.Body)
					return
				}
				if err := m.conform(op, w.Body.Bytes()); err != nil {
					t.Errorf("%s %s %s: %v", a.ID, r.Name, op, err)
				}
			}
			add(agentModel, "ListAgents", "bedrock", "POST", "/agents/", "{}")
			for _, ag := range r.BedrockAgents {
				add(agentModel, "GetAgent", "bedrock", "GET", "/agents/"+ag.ID+"/", "")
				add(agentModel, "ListAgentAliases", "bedrock", "POST", "/agents/"+ag.ID+"/agentaliases/", "{}")
				for _, al := range ag.Aliases {
					add(agentModel, "GetAgentAlias", "bedrock", "GET", "/agents/"+ag.ID+"/agentaliases/"+al.ID+"/", "")
				}
				add(agentModel, "ListAgentActionGroups", "bedrock", "POST", "/agents/"+ag.ID+"/agentversions/DRAFT/actiongroups/", "{}")
				for _, g := range ag.ActionGroups {
					add(agentModel, "GetAgentActionGroup", "bedrock", "GET", "/agents/"+ag.ID+"/agentversions/DRAFT/actiongroups/"+g.ID+"/", "")
				}
			}
			add(coreModel, "ListAgentRuntimes", "bedrock-agentcore", "POST", "/runtimes/", "")
			for _, rt := range r.AgentCore.Runtimes {
				add(coreModel, "GetAgentRuntime", "bedrock-agentcore", "GET", "/runtimes/"+rt.ID+"/", "")
			}
			add(coreModel, "ListGateways", "bedrock-agentcore", "GET", "/gateways/", "")
			for _, g := range r.AgentCore.Gateways {
				add(coreModel, "GetGateway", "bedrock-agentcore", "GET", "/gateways/"+g.ID+"/", "")
				add(coreModel, "ListGatewayTargets", "bedrock-agentcore", "GET", "/gateways/"+g.ID+"/targets/", "")
				for _, tg := range g.Targets {
					add(coreModel, "GetGatewayTarget", "bedrock-agentcore", "GET", "/gateways/"+g.ID+"/targets/"+tg.ID+"/", "")
				}
			}
			add(coreModel, "ListWorkloadIdentities", "bedrock-agentcore", "POST", "/identities/ListWorkloadIdentities", "{}")
			for _, w := range r.AgentCore.WorkloadIdentities {
				add(coreModel, "GetWorkloadIdentity", "bedrock-agentcore", "POST", "/identities/GetWorkloadIdentity", `{"name":"`+w.Name+`"}`)
			}
			add(coreModel, "ListApiKeyCredentialProviders", "bedrock-agentcore", "POST", "/identities/ListApiKeyCredentialProviders", "{}")
			for _, p := range r.AgentCore.APIKeyProviders {
				add(coreModel, "GetApiKeyCredentialProvider", "bedrock-agentcore", "POST", "/identities/GetApiKeyCredentialProvider", `{"name":"`+p.Name+`"}`)
			}
			add(coreModel, "ListOauth2CredentialProviders", "bedrock-agentcore", "POST", "/identities/ListOauth2CredentialProviders", "{}")
			for _, p := range r.AgentCore.OAuth2Providers {
				add(coreModel, "GetOauth2CredentialProvider", "bedrock-agentcore", "POST", "/identities/GetOauth2CredentialProvider", `{"name":"`+p.Name+`"}`)
			}
		}
	}
	// Every operation of both models was checked at least once.
	for _, m := range []*restModel{agentModel, coreModel} {
		for op := range m.Operations {
			if !seen[op] {
				t.Errorf("no answer of %s was checked", op)
			}
		}
	}
	// The model checker itself tells the two timestamp types apart.
	if err := coreModel.conform("GetWorkloadIdentity", []byte(`{"name":"w","workloadIdentityArn":"a","createdTime":"2026-01-01T00:00:00Z","lastUpdatedTime":1}`)); err == nil {
		t.Error("an ISO string for an epoch-seconds timestamp passed")
	}
	if err := coreModel.conform("ListGateways", []byte(`{"items":[{"gatewayId":"g","name":"n","status":"READY","createdAt":1,"updatedAt":1,"authorizerType":"NONE"}]}`)); err == nil {
		t.Error("a number for an ISO-8601 timestamp passed")
	}
}
