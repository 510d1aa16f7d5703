package aws

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Agents for Amazon Bedrock (bedrock-agent, API version 2023-06-05, SigV4
// signing name bedrock), written from the API Reference and checked against
// the botocore model and the Go SDK's serializers: the paths end in / where
// the SDK sends one; list operations are POST with maxResults and nextToken
// in the body.

func bedrockAgentService() *restService {
	return &restService{
		signingName: bedrockSigningName,
		name:        "bedrock-agent",
		iamPrefix:   "bedrock",
		guess: func(p string) bool {
			return strings.HasPrefix(p, "/agents/") || strings.HasPrefix(p, "/knowledgebases/")
		},
		ops: []*restOp{
			op("ListAgents", http.MethodPost, listAgents, "/agents/").paged("maxResults", "nextToken", 1000, false),
			op("GetAgent", http.MethodGet, getAgent, "/agents/{agentId}/"),
			op("ListAgentVersions", http.MethodPost, listAgentVersions, "/agents/{agentId}/agentversions/").paged("maxResults", "nextToken", 1000, false),
			op("GetAgentVersion", http.MethodGet, getAgentVersion, "/agents/{agentId}/agentversions/{agentVersion}/"),
			op("ListAgentAliases", http.MethodPost, listAgentAliases, "/agents/{agentId}/agentaliases/").paged("maxResults", "nextToken", 1000, false),
			op("GetAgentAlias", http.MethodGet, getAgentAlias, "/agents/{agentId}/agentaliases/{agentAliasId}/"),
			op("ListAgentActionGroups", http.MethodPost, listAgentActionGroups, "/agents/{agentId}/agentversions/{agentVersion}/actiongroups/").paged("maxResults", "nextToken", 1000, false),
			op("GetAgentActionGroup", http.MethodGet, getAgentActionGroup, "/agents/{agentId}/agentversions/{agentVersion}/actiongroups/{actionGroupId}/"),
			op("ListAgentKnowledgeBases", http.MethodPost, listAgentKnowledgeBases, "/agents/{agentId}/agentversions/{agentVersion}/knowledgebases/").paged("maxResults", "nextToken", 1000, false),
			op("ListKnowledgeBases", http.MethodPost, listKnowledgeBases, "/knowledgebases/").paged("maxResults", "nextToken", 1000, false),
			op("GetKnowledgeBase", http.MethodGet, getKnowledgeBase, "/knowledgebases/{knowledgeBaseId}"),
		},
	}
}

// Wire records, field names as in the botocore model.

type guardrailConfiguration struct {
	GuardrailIdentifier string `json:"guardrailIdentifier"`
	GuardrailVersion    string `json:"guardrailVersion"`
}

type agentSummary struct {
	AgentID                string                  `json:"agentId"`
	AgentName              string                  `json:"agentName"`
	AgentStatus            string                  `json:"agentStatus"`
	Description            string                  `json:"description,omitempty"`
	UpdatedAt              string                  `json:"updatedAt"`
	LatestAgentVersion     string                  `json:"latestAgentVersion,omitempty"`
	GuardrailConfiguration *guardrailConfiguration `json:"guardrailConfiguration,omitempty"`
}

type listAgentsOutput struct {
	AgentSummaries []agentSummary `json:"agentSummaries"`
	NextToken      string         `json:"nextToken,omitempty"`
}

type agentRecord struct {
	AgentArn                string                  `json:"agentArn"`
	AgentID                 string                  `json:"agentId"`
	AgentName               string                  `json:"agentName"`
	AgentVersion            string                  `json:"agentVersion"`
	AgentStatus             string                  `json:"agentStatus"`
	AgentResourceRoleArn    string                  `json:"agentResourceRoleArn"`
	FoundationModel         string                  `json:"foundationModel,omitempty"`
	Description             string                  `json:"description,omitempty"`
	IdleSessionTTLInSeconds int                     `json:"idleSessionTTLInSeconds"`
	OrchestrationType       string                  `json:"orchestrationType"`
	AgentCollaboration      string                  `json:"agentCollaboration"`
	GuardrailConfiguration  *guardrailConfiguration `json:"guardrailConfiguration,omitempty"`
	CreatedAt               string                  `json:"createdAt"`
	UpdatedAt               string                  `json:"updatedAt"`
	PreparedAt              string                  `json:"preparedAt,omitempty"`
}

type getAgentOutput struct {
	Agent agentRecord `json:"agent"`
}

type agentVersionSummary struct {
	AgentName              string                  `json:"agentName"`
	AgentStatus            string                  `json:"agentStatus"`
	AgentVersion           string                  `json:"agentVersion"`
	CreatedAt              string                  `json:"createdAt"`
	UpdatedAt              string                  `json:"updatedAt"`
	Description            string                  `json:"description,omitempty"`
	GuardrailConfiguration *guardrailConfiguration `json:"guardrailConfiguration,omitempty"`
}

type listAgentVersionsOutput struct {
	AgentVersionSummaries []agentVersionSummary `json:"agentVersionSummaries"`
	NextToken             string                `json:"nextToken,omitempty"`
}

type routingConfiguration struct {
	AgentVersion string `json:"agentVersion"`
}

type agentAliasSummary struct {
	AgentAliasID         string                 `json:"agentAliasId"`
	AgentAliasName       string                 `json:"agentAliasName"`
	RoutingConfiguration []routingConfiguration `json:"routingConfiguration"`
	AgentAliasStatus     string                 `json:"agentAliasStatus"`
	AliasInvocationState string                 `json:"aliasInvocationState"`
	CreatedAt            string                 `json:"createdAt"`
	UpdatedAt            string                 `json:"updatedAt"`
}

type listAgentAliasesOutput struct {
	AgentAliasSummaries []agentAliasSummary `json:"agentAliasSummaries"`
	NextToken           string              `json:"nextToken,omitempty"`
}

type agentAliasRecord struct {
	AgentID              string                 `json:"agentId"`
	AgentAliasID         string                 `json:"agentAliasId"`
	AgentAliasName       string                 `json:"agentAliasName"`
	AgentAliasArn        string                 `json:"agentAliasArn"`
	RoutingConfiguration []routingConfiguration `json:"routingConfiguration"`
	AgentAliasStatus     string                 `json:"agentAliasStatus"`
	AliasInvocationState string                 `json:"aliasInvocationState"`
	CreatedAt            string                 `json:"createdAt"`
	UpdatedAt            string                 `json:"updatedAt"`
}

type getAgentAliasOutput struct {
	AgentAlias agentAliasRecord `json:"agentAlias"`
}

type actionGroupSummary struct {
	ActionGroupID    string `json:"actionGroupId"`
	ActionGroupName  string `json:"actionGroupName"`
	ActionGroupState string `json:"actionGroupState"`
	Description      string `json:"description,omitempty"`
	UpdatedAt        string `json:"updatedAt"`
}

type listAgentActionGroupsOutput struct {
	ActionGroupSummaries []actionGroupSummary `json:"actionGroupSummaries"`
	NextToken            string               `json:"nextToken,omitempty"`
}

// actionGroupExecutor is a union: exactly one member is set.
type actionGroupExecutor struct {
	Lambda        string `json:"lambda,omitempty"`
	CustomControl string `json:"customControl,omitempty"`
}

type agentActionGroupRecord struct {
	AgentID             string              `json:"agentId"`
	AgentVersion        string              `json:"agentVersion"`
	ActionGroupID       string              `json:"actionGroupId"`
	ActionGroupName     string              `json:"actionGroupName"`
	Description         string              `json:"description,omitempty"`
	ActionGroupExecutor actionGroupExecutor `json:"actionGroupExecutor"`
	ActionGroupState    string              `json:"actionGroupState"`
	CreatedAt           string              `json:"createdAt"`
	UpdatedAt           string              `json:"updatedAt"`
}

type getAgentActionGroupOutput struct {
	AgentActionGroup agentActionGroupRecord `json:"agentActionGroup"`
}

type agentKnowledgeBaseSummary struct {
	KnowledgeBaseID    string `json:"knowledgeBaseId"`
	KnowledgeBaseState string `json:"knowledgeBaseState"`
	Description        string `json:"description,omitempty"`
	UpdatedAt          string `json:"updatedAt"`
}

type listAgentKnowledgeBasesOutput struct {
	AgentKnowledgeBaseSummaries []agentKnowledgeBaseSummary `json:"agentKnowledgeBaseSummaries"`
	NextToken                   string                      `json:"nextToken,omitempty"`
}

type knowledgeBaseSummary struct {
	KnowledgeBaseID string `json:"knowledgeBaseId"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	Status          string `json:"status"`
	UpdatedAt       string `json:"updatedAt"`
}

type listKnowledgeBasesOutput struct {
	KnowledgeBaseSummaries []knowledgeBaseSummary `json:"knowledgeBaseSummaries"`
	NextToken              string                 `json:"nextToken,omitempty"`
}

type knowledgeBaseConfiguration struct {
	Type                             string                            `json:"type"`
	VectorKnowledgeBaseConfiguration *vectorKnowledgeBaseConfiguration `json:"vectorKnowledgeBaseConfiguration,omitempty"`
}

type vectorKnowledgeBaseConfiguration struct {
	EmbeddingModelArn string `json:"embeddingModelArn"`
}

type knowledgeBaseRecord struct {
	KnowledgeBaseArn           string                     `json:"knowledgeBaseArn"`
	KnowledgeBaseID            string                     `json:"knowledgeBaseId"`
	Name                       string                     `json:"name"`
	Description                string                     `json:"description,omitempty"`
	RoleArn                    string                     `json:"roleArn"`
	Status                     string                     `json:"status"`
	KnowledgeBaseConfiguration knowledgeBaseConfiguration `json:"knowledgeBaseConfiguration"`
	CreatedAt                  string                     `json:"createdAt"`
	UpdatedAt                  string                     `json:"updatedAt"`
}

type getKnowledgeBaseOutput struct {
	KnowledgeBase knowledgeBaseRecord `json:"knowledgeBase"`
}

func guardrailOf(a *BedrockAgent) *guardrailConfiguration { return versionGuardrail(a, DraftVersion) }

// versionGuardrail is the guardrail of version v of a.
func versionGuardrail(a *BedrockAgent, v string) *guardrailConfiguration {
	g := a.GuardrailOf(v)
	if g == nil {
		return nil
	}
	return &guardrailConfiguration{GuardrailIdentifier: g.ID, GuardrailVersion: g.Version}
}

// latestVersion is the highest numbered version, DRAFT for an agent that
// has none.
func latestVersion(a *BedrockAgent) string {
	latest, n := DraftVersion, 0
	for _, v := range a.Versions {
		if k, err := strconv.Atoi(v); err == nil && k > n {
			latest, n = v, k
		}
	}
	return latest
}

// agent finds the agent of the path, or answers ResourceNotFound.
func (c *restCall) agent() (*BedrockAgent, *apiError) {
	id := c.vars["agentId"]
	a, ok := c.region.agents[id]
	if !ok {
		return nil, c.notFound("Agent %s does not exist in %s: check the agent id and the region", id, c.region.region.Name)
	}
	return a, nil
}

// agentVersion finds the agent and the version of the path.
func (c *restCall) agentVersion() (*BedrockAgent, string, *apiError) {
	a, aerr := c.agent()
	if aerr != nil {
		return nil, "", aerr
	}
	v := c.vars["agentVersion"]
	if v != DraftVersion && !slices.Contains(a.Versions, v) {
		return nil, "", c.notFound("Version %s of agent %s does not exist: use DRAFT or a numbered version ListAgentVersions answers", v, a.ID)
	}
	return a, v, nil
}

func listAgents(c *restCall) (any, *apiError) {
	agents := c.region.region.BedrockAgents
	pg, aerr := c.page(len(agents), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentsOutput{AgentSummaries: []agentSummary{}, NextToken: pg.Next}
	for i := pg.Start; i < pg.End; i++ {
		a := &agents[i]
		out.AgentSummaries = append(out.AgentSummaries, agentSummary{
			AgentID:                a.ID,
			AgentName:              a.Name,
			AgentStatus:            a.Status,
			Description:            a.Description,
			UpdatedAt:              restTime(a.Updated),
			LatestAgentVersion:     latestVersion(a),
			GuardrailConfiguration: guardrailOf(a),
		})
	}
	return out, nil
}

func getAgent(c *restCall) (any, *apiError) {
	a, aerr := c.agent()
	if aerr != nil {
		return nil, aerr
	}
	rec := agentRecord{
		AgentArn:                BedrockAgentARN(c.region.region.Name, c.account.ID, a.ID),
		AgentID:                 a.ID,
		AgentName:               a.Name,
		AgentVersion:            DraftVersion,
		AgentStatus:             a.Status,
		AgentResourceRoleArn:    c.account.roleARN(a.Role),
		FoundationModel:         a.FoundationModel,
		Description:             a.Description,
		IdleSessionTTLInSeconds: 600,
		OrchestrationType:       "DEFAULT",
		AgentCollaboration:      "DISABLED",
		GuardrailConfiguration:  guardrailOf(a),
		CreatedAt:               restTime(a.Created),
		UpdatedAt:               restTime(a.Updated),
	}
	if a.Status == AgentStatusPrepared {
		rec.PreparedAt = restTime(a.Updated)
	}
	return getAgentOutput{Agent: rec}, nil
}

type agentVersionRecord struct {
	AgentArn                string                  `json:"agentArn"`
	AgentID                 string                  `json:"agentId"`
	AgentName               string                  `json:"agentName"`
	AgentResourceRoleArn    string                  `json:"agentResourceRoleArn"`
	AgentStatus             string                  `json:"agentStatus"`
	Version                 string                  `json:"version"`
	FoundationModel         string                  `json:"foundationModel,omitempty"`
	Description             string                  `json:"description,omitempty"`
	IdleSessionTTLInSeconds int                     `json:"idleSessionTTLInSeconds"`
	AgentCollaboration      string                  `json:"agentCollaboration"`
	GuardrailConfiguration  *guardrailConfiguration `json:"guardrailConfiguration,omitempty"`
	CreatedAt               string                  `json:"createdAt"`
	UpdatedAt               string                  `json:"updatedAt"`
}

// getAgentVersion answers a numbered version (DRAFT is GetAgent's).
func getAgentVersion(c *restCall) (any, *apiError) {
	a, v, aerr := c.agentVersion()
	if aerr != nil {
		return nil, aerr
	}
	if v == DraftVersion {
		return nil, c.notFound("Version DRAFT of agent %s is read with GetAgent: GetAgentVersion answers numbered versions", a.ID)
	}
	return struct {
		AgentVersion agentVersionRecord `json:"agentVersion"`
	}{agentVersionRecord{
		AgentArn:                BedrockAgentARN(c.region.region.Name, c.account.ID, a.ID),
		AgentID:                 a.ID,
		AgentName:               a.Name,
		AgentResourceRoleArn:    c.account.roleARN(a.RoleOf(v)),
		AgentStatus:             "PREPARED",
		Version:                 v,
		FoundationModel:         a.FoundationModel,
		Description:             a.Description,
		IdleSessionTTLInSeconds: 600,
		AgentCollaboration:      "DISABLED",
		GuardrailConfiguration:  versionGuardrail(a, v),
		CreatedAt:               restTime(a.Created),
		UpdatedAt:               restTime(a.Updated),
	}}, nil
}

func listAgentVersions(c *restCall) (any, *apiError) {
	a, aerr := c.agent()
	if aerr != nil {
		return nil, aerr
	}
	versions := append([]string{DraftVersion}, a.Versions...)
	pg, aerr := c.page(len(versions), a.ID)
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentVersionsOutput{AgentVersionSummaries: []agentVersionSummary{}, NextToken: pg.Next}
	for _, v := range versions[pg.Start:pg.End] {
		status := AgentStatusPrepared
		if v == DraftVersion {
			status = a.Status
		}
		out.AgentVersionSummaries = append(out.AgentVersionSummaries, agentVersionSummary{
			AgentName:              a.Name,
			AgentStatus:            status,
			AgentVersion:           v,
			CreatedAt:              restTime(a.Created),
			UpdatedAt:              restTime(a.Updated),
			Description:            a.Description,
			GuardrailConfiguration: guardrailOf(a),
		})
	}
	return out, nil
}

func aliasRouting(al AgentAlias) []routingConfiguration {
	return []routingConfiguration{{AgentVersion: al.RoutesTo}}
}

func listAgentAliases(c *restCall) (any, *apiError) {
	a, aerr := c.agent()
	if aerr != nil {
		return nil, aerr
	}
	pg, aerr := c.page(len(a.Aliases), a.ID)
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentAliasesOutput{AgentAliasSummaries: []agentAliasSummary{}, NextToken: pg.Next}
	for _, al := range a.Aliases[pg.Start:pg.End] {
		out.AgentAliasSummaries = append(out.AgentAliasSummaries, agentAliasSummary{
			AgentAliasID:         al.ID,
			AgentAliasName:       al.Name,
			RoutingConfiguration: aliasRouting(al),
			AgentAliasStatus:     AgentStatusPrepared,
			AliasInvocationState: "ACCEPT_INVOCATIONS",
			CreatedAt:            restTime(a.Updated),
			UpdatedAt:            restTime(a.Updated),
		})
	}
	return out, nil
}

func getAgentAlias(c *restCall) (any, *apiError) {
	a, aerr := c.agent()
	if aerr != nil {
		return nil, aerr
	}
	id := c.vars["agentAliasId"]
	for _, al := range a.Aliases {
		if al.ID != id {
			continue
		}
		return getAgentAliasOutput{AgentAlias: agentAliasRecord{
			AgentID:              a.ID,
			AgentAliasID:         al.ID,
			AgentAliasName:       al.Name,
			AgentAliasArn:        AgentAliasARN(c.region.region.Name, c.account.ID, a.ID, al.ID),
			RoutingConfiguration: aliasRouting(al),
			AgentAliasStatus:     AgentStatusPrepared,
			AliasInvocationState: "ACCEPT_INVOCATIONS",
			CreatedAt:            restTime(a.Updated),
			UpdatedAt:            restTime(a.Updated),
		}}, nil
	}
	return nil, c.notFound("Alias %s of agent %s does not exist: use an alias id ListAgentAliases answers", id, a.ID)
}

func listAgentActionGroups(c *restCall) (any, *apiError) {
	a, v, aerr := c.agentVersion()
	if aerr != nil {
		return nil, aerr
	}
	var groups []ActionGroup
	for _, g := range a.ActionGroups {
		if g.InVersion(v) {
			groups = append(groups, g)
		}
	}
	pg, aerr := c.page(len(groups), a.ID+"/"+v)
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentActionGroupsOutput{ActionGroupSummaries: []actionGroupSummary{}, NextToken: pg.Next}
	for _, g := range groups[pg.Start:pg.End] {
		out.ActionGroupSummaries = append(out.ActionGroupSummaries, actionGroupSummary{
			ActionGroupID:    g.ID,
			ActionGroupName:  g.Name,
			ActionGroupState: g.State,
			Description:      g.Description,
			UpdatedAt:        restTime(a.Updated),
		})
	}
	return out, nil
}

func getAgentActionGroup(c *restCall) (any, *apiError) {
	a, v, aerr := c.agentVersion()
	if aerr != nil {
		return nil, aerr
	}
	id := c.vars["actionGroupId"]
	for _, g := range a.ActionGroups {
		if g.ID != id || !g.InVersion(v) {
			continue
		}
		exec := actionGroupExecutor{CustomControl: "RETURN_CONTROL"}
		if !g.ReturnControl {
			exec = actionGroupExecutor{Lambda: c.region.lambdaARN(g.Lambda)}
		}
		return getAgentActionGroupOutput{AgentActionGroup: agentActionGroupRecord{
			AgentID:             a.ID,
			AgentVersion:        v,
			ActionGroupID:       g.ID,
			ActionGroupName:     g.Name,
			Description:         g.Description,
			ActionGroupExecutor: exec,
			ActionGroupState:    g.State,
			CreatedAt:           restTime(a.Created),
			UpdatedAt:           restTime(a.Updated),
		}}, nil
	}
	return nil, c.notFound("Action group %s of agent %s version %s does not exist: use an id ListAgentActionGroups answers", id, a.ID, v)
}

func listAgentKnowledgeBases(c *restCall) (any, *apiError) {
	a, v, aerr := c.agentVersion()
	if aerr != nil {
		return nil, aerr
	}
	var kbs []*KnowledgeBase
	for _, ref := range a.KnowledgeBases {
		if kb, ok := c.region.knowledgeBase(ref); ok {
			kbs = append(kbs, kb)
		}
	}
	pg, aerr := c.page(len(kbs), a.ID+"/"+v)
	if aerr != nil {
		return nil, aerr
	}
	out := listAgentKnowledgeBasesOutput{AgentKnowledgeBaseSummaries: []agentKnowledgeBaseSummary{}, NextToken: pg.Next}
	for _, kb := range kbs[pg.Start:pg.End] {
		out.AgentKnowledgeBaseSummaries = append(out.AgentKnowledgeBaseSummaries, agentKnowledgeBaseSummary{
			KnowledgeBaseID:    kb.ID,
			KnowledgeBaseState: "ENABLED",
			Description:        kb.Description,
			UpdatedAt:          restTime(a.Updated),
		})
	}
	return out, nil
}

func listKnowledgeBases(c *restCall) (any, *apiError) {
	kbs := c.region.region.KnowledgeBases
	pg, aerr := c.page(len(kbs), "")
	if aerr != nil {
		return nil, aerr
	}
	out := listKnowledgeBasesOutput{KnowledgeBaseSummaries: []knowledgeBaseSummary{}, NextToken: pg.Next}
	for _, kb := range kbs[pg.Start:pg.End] {
		out.KnowledgeBaseSummaries = append(out.KnowledgeBaseSummaries, knowledgeBaseSummary{
			KnowledgeBaseID: kb.ID,
			Name:            kb.Name,
			Description:     kb.Description,
			Status:          kb.Status,
			UpdatedAt:       restTime(kb.Updated),
		})
	}
	return out, nil
}

func getKnowledgeBase(c *restCall) (any, *apiError) {
	id := c.vars["knowledgeBaseId"]
	kb, ok := c.region.kbs[id]
	if !ok {
		return nil, c.notFound("Knowledge base %s does not exist in %s: check the knowledge base id and the region", id, c.region.region.Name)
	}
	region := c.region.region.Name
	return getKnowledgeBaseOutput{KnowledgeBase: knowledgeBaseRecord{
		KnowledgeBaseArn: KnowledgeBaseARN(region, c.account.ID, kb.ID),
		KnowledgeBaseID:  kb.ID,
		Name:             kb.Name,
		Description:      kb.Description,
		RoleArn:          c.account.roleARN(kb.Role),
		Status:           kb.Status,
		KnowledgeBaseConfiguration: knowledgeBaseConfiguration{
			Type: "VECTOR",
			VectorKnowledgeBaseConfiguration: &vectorKnowledgeBaseConfiguration{
				EmbeddingModelArn: "arn:aws:bedrock:" + region + "::foundation-model/amazon.titan-embed-text-v2:0",
			},
		},
		CreatedAt: restTime(kb.Created),
		UpdatedAt: restTime(kb.Updated),
	}}, nil
}

// knowledgeBase resolves an agent's knowledge base reference (id or name).
func (r *regionState) knowledgeBase(ref string) (*KnowledgeBase, bool) {
	if kb, ok := r.kbs[ref]; ok {
		return kb, true
	}
	for i := range r.region.KnowledgeBases {
		if r.region.KnowledgeBases[i].Name == ref {
			return &r.region.KnowledgeBases[i], true
		}
	}
	return nil, false
}
