package aws

import (
	"context"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/fanout"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagent"
	batypes "github.com/aws/aws-sdk-go-v2/service/bedrockagent/types"
)

// draftVersion is the working version every Bedrock agent has.
const draftVersion = "DRAFT"

// bedrockAgents scans every Bedrock agent of the region.
func (rs *regionScan) bedrockAgents(ctx context.Context) error {
	var ids []string
	p := bedrockagent.NewListAgentsPaginator(rs.c.agents, &bedrockagent.ListAgentsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if len(ids) == 0 && serviceAbsent(err) {
				rs.scope.Absent()
				return nil
			}
			rs.scope.Fail("bedrock-agent:ListAgents", err)
			return nil
		}
		for _, a := range page.AgentSummaries {
			ids = append(ids, deref(a.AgentId))
		}
	}
	return fanout.ForEach(ctx, rs.scanner.opts.Concurrency, ids, rs.bedrockAgent)
}

// actionGroup is one action group, gathered over the agent's versions:
// each version may run a different executor.
type actionGroup struct {
	id, name, state string
	versions        []string
	lambdas         map[string][]string // executor function ARN or name -> versions
	customControl   map[string][]string // RETURN_CONTROL -> versions
}

func (rs *regionScan) bedrockAgent(ctx context.Context, id string) error {
	out, err := rs.c.agents.GetAgent(ctx, &bedrockagent.GetAgentInput{AgentId: &id})
	if err != nil {
		if !notFound(err) {
			rs.scope.Fail("bedrock-agent:GetAgent", err)
		}
		return nil
	}
	a := out.Agent
	if a == nil {
		return nil
	}
	agentARN := deref(a.AgentArn)

	// The DRAFT version and every version an alias routes to.
	versions := map[string]bool{draftVersion: true}
	var aliases []map[string]any
	ap := bedrockagent.NewListAgentAliasesPaginator(rs.c.agents, &bedrockagent.ListAgentAliasesInput{AgentId: &id})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			rs.scope.Fail("bedrock-agent:ListAgentAliases", err)
			return nil
		}
		for _, al := range page.AgentAliasSummaries {
			var routes []string
			for _, r := range al.RoutingConfiguration {
				if v := deref(r.AgentVersion); v != "" {
					routes = append(routes, v)
					versions[v] = true
				}
			}
			aliases = append(aliases, map[string]any{"id": deref(al.AgentAliasId), "name": deref(al.AgentAliasName), "routes_to": routes, "status": string(al.AgentAliasStatus)})
		}
	}
	var versionList []string
	for v := range versions {
		versionList = append(versionList, v)
	}
	sort.Strings(versionList)

	attrs := map[string]any{
		inventory.AttrType: "bedrock_agent", "agent_id": id, "region": rs.region, "status": string(a.AgentStatus),
		"foundation_model": deref(a.FoundationModel), "versions": versionList, "has_guardrail": a.GuardrailConfiguration != nil,
	}
	if g := a.GuardrailConfiguration; g != nil {
		attrs["guardrail"] = map[string]any{"id": deref(g.GuardrailIdentifier), "version": deref(g.GuardrailVersion)}
	}
	if len(aliases) > 0 {
		attrs["aliases"] = aliases
	}
	if a.CustomerEncryptionKeyArn != nil {
		attrs["kms_key"] = *a.CustomerEncryptionKeyArn
	}
	n := inventory.Node{ID: agentARN, Kind: inventory.KindAgent, Name: deref(a.AgentName), Created: deref(a.CreatedAt), Attrs: attrs}
	if err := rs.scope.Node(ctx, n); err != nil {
		return err
	}
	// The role each served version runs as: DRAFT's from GetAgent, each
	// numbered version's from GetAgentVersion (a live alias may still serve
	// a version with an older, broader role).
	roles := map[string][]string{deref(a.AgentResourceRoleArn): {draftVersion}}
	unknownVersions := map[string]string{} // version -> why its role is unknown
	var noGuardrail []string
	if a.GuardrailConfiguration == nil {
		noGuardrail = append(noGuardrail, draftVersion)
	}
	for _, v := range versionList {
		if v == draftVersion {
			continue
		}
		out, err := rs.c.agents.GetAgentVersion(ctx, &bedrockagent.GetAgentVersionInput{AgentId: &id, AgentVersion: &v})
		if err != nil {
			// Without it the version's role and guardrail are unknown: not
			// taken to be DRAFT's.
			reason := rs.scope.Enrichment("bedrock-agent:GetAgentVersion", err)
			unknownVersions[v] = reason
			continue
		}
		if av := out.AgentVersion; av != nil {
			r := deref(av.AgentResourceRoleArn)
			roles[r] = append(roles[r], v)
			if av.GuardrailConfiguration == nil {
				noGuardrail = append(noGuardrail, v)
			}
		}
	}
	if len(unknownVersions) > 0 {
		// Which role (and guardrail) these versions have only
		// GetAgentVersion says.
		unknown := map[string]any{}
		for _, v := range slices.Sorted(maps.Keys(unknownVersions)) {
			unknown[string(inventory.EdgeRunsAs)+" version "+v] = unknownVersions[v]
			unknown["guardrail version "+v] = unknownVersions[v]
		}
		attrs[inventory.AttrUnknown] = unknown
	}
	if len(noGuardrail) > 0 || len(unknownVersions) > 0 {
		if len(noGuardrail) > 0 {
			sort.Strings(noGuardrail)
			attrs["versions_without_guardrail"] = noGuardrail
		}
		if err := rs.scope.Node(ctx, n); err != nil { // the same node, now with the attributes
			return err
		}
	}
	roleARNs := slices.Sorted(maps.Keys(roles))
	for _, r := range roleARNs {
		versions := roles[r]
		sort.Strings(versions)
		if err := rs.runsAs(ctx, agentARN, r, map[string]any{"via": "agentResourceRoleArn", "versions": versions}); err != nil {
			return err
		}
	}
	// Lambdas that run for the agent outside its action groups.
	var extra []struct{ fn, executor string }
	if co := a.CustomOrchestration; co != nil {
		if ex, ok := co.Executor.(*batypes.OrchestrationExecutorMemberLambda); ok && ex.Value != "" {
			extra = append(extra, struct{ fn, executor string }{ex.Value, "custom_orchestration"})
		}
	}
	if po := a.PromptOverrideConfiguration; po != nil && deref(po.OverrideLambda) != "" {
		extra = append(extra, struct{ fn, executor string }{*po.OverrideLambda, "prompt_override"})
	}
	for _, x := range extra {
		fn, err := rs.function(ctx, x.fn)
		if err != nil {
			return err
		}
		if fn != "" {
			if err := rs.scope.Edge(ctx, agentARN, inventory.EdgeUsesTool, fn, map[string]any{"executor": x.executor}); err != nil {
				return err
			}
		}
	}

	groups := map[string]*actionGroup{}
	kbs := map[string][]string{} // knowledge base id -> versions
	for _, v := range versionList {
		if !rs.actionGroups(ctx, id, v, groups) || !rs.agentKnowledgeBases(ctx, id, v, kbs) {
			return nil
		}
	}
	for _, g := range sortedGroups(groups) {
		gid := agentARN + "/actiongroup/" + g.id
		gattrs := map[string]any{inventory.AttrType: "bedrock_action_group", "state": g.state, "versions": g.versions}
		if len(g.customControl) > 0 {
			gattrs["custom_control"] = g.customControl
		}
		if err := rs.scope.Node(ctx, inventory.Node{ID: gid, Kind: inventory.KindResource, Name: g.name, Attrs: gattrs}); err != nil {
			return err
		}
		if err := rs.scope.Edge(ctx, agentARN, inventory.EdgeUsesTool, gid, map[string]any{"versions": g.versions}); err != nil {
			return err
		}
		// Versions may name one function by name and by ARN: group them by
		// the function they resolve to.
		byFunction := map[string][]string{}
		for ref, versions := range g.lambdas {
			fn, err := rs.function(ctx, ref)
			if err != nil {
				return err
			}
			if fn != "" {
				byFunction[fn] = append(byFunction[fn], versions...)
			}
		}
		fns := slices.Sorted(maps.Keys(byFunction))
		for _, fn := range fns {
			versions := byFunction[fn]
			sort.Strings(versions)
			if err := rs.scope.Edge(ctx, gid, inventory.EdgeUsesTool, fn, map[string]any{"executor": "lambda", "versions": versions}); err != nil {
				return err
			}
		}
	}
	kbIDs := slices.Sorted(maps.Keys(kbs))
	for _, kb := range kbIDs {
		arn, err := rs.knowledgeBase(ctx, kb)
		if err != nil {
			return err
		}
		if arn == "" {
			continue
		}
		sort.Strings(kbs[kb])
		if err := rs.scope.Edge(ctx, agentARN, inventory.EdgeUsesTool, arn, map[string]any{"versions": kbs[kb]}); err != nil {
			return err
		}
	}
	return nil
}

func sortedGroups(m map[string]*actionGroup) []*actionGroup {
	out := make([]*actionGroup, 0, len(m))
	for _, g := range m {
		sort.Strings(g.versions)
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// actionGroups gathers the action groups of one agent version; false when
// a call failed (recorded).
func (rs *regionScan) actionGroups(ctx context.Context, agentID, version string, groups map[string]*actionGroup) bool {
	p := bedrockagent.NewListAgentActionGroupsPaginator(rs.c.agents, &bedrockagent.ListAgentActionGroupsInput{AgentId: &agentID, AgentVersion: &version})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if notFound(err) {
				return true // the version was deleted while we scanned
			}
			rs.scope.Fail("bedrock-agent:ListAgentActionGroups", err)
			return false
		}
		for _, s := range page.ActionGroupSummaries {
			gid := deref(s.ActionGroupId)
			out, err := rs.c.agents.GetAgentActionGroup(ctx, &bedrockagent.GetAgentActionGroupInput{AgentId: &agentID, AgentVersion: &version, ActionGroupId: &gid})
			if err != nil {
				if notFound(err) {
					continue
				}
				rs.scope.Fail("bedrock-agent:GetAgentActionGroup", err)
				return false
			}
			g := groups[gid]
			if g == nil {
				g = &actionGroup{id: gid, lambdas: map[string][]string{}, customControl: map[string][]string{}}
				groups[gid] = g
			}
			g.versions = append(g.versions, version)
			if ag := out.AgentActionGroup; ag != nil {
				// Versions are listed numbered first, DRAFT last: keep the
				// name and state of the first (a version in service).
				if g.name == "" {
					g.name, g.state = deref(ag.ActionGroupName), string(ag.ActionGroupState)
				}
				switch ex := ag.ActionGroupExecutor.(type) {
				case *batypes.ActionGroupExecutorMemberLambda:
					g.lambdas[ex.Value] = append(g.lambdas[ex.Value], version)
				case *batypes.ActionGroupExecutorMemberCustomControl:
					g.customControl[string(ex.Value)] = append(g.customControl[string(ex.Value)], version)
				}
			}
		}
	}
	return true
}

func (rs *regionScan) agentKnowledgeBases(ctx context.Context, agentID, version string, kbs map[string][]string) bool {
	p := bedrockagent.NewListAgentKnowledgeBasesPaginator(rs.c.agents, &bedrockagent.ListAgentKnowledgeBasesInput{AgentId: &agentID, AgentVersion: &version})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if notFound(err) {
				return true
			}
			rs.scope.Fail("bedrock-agent:ListAgentKnowledgeBases", err)
			return false
		}
		for _, kb := range page.AgentKnowledgeBaseSummaries {
			id := deref(kb.KnowledgeBaseId)
			kbs[id] = append(kbs[id], version)
		}
	}
	return true
}

// knowledgeBaseOnce is the one lookup of a knowledge base.
type knowledgeBaseOnce struct {
	once sync.Once
	arn  string
	err  error
}

// knowledgeBase writes a knowledge base and the role it runs as, once per
// region, and returns its ARN ("" when it could not be read).
func (rs *regionScan) knowledgeBase(ctx context.Context, id string) (string, error) {
	rs.mu.Lock()
	ko, ok := rs.kbs[id]
	if !ok {
		ko = &knowledgeBaseOnce{}
		rs.kbs[id] = ko
	}
	rs.mu.Unlock()
	ko.once.Do(func() {
		out, err := rs.c.agents.GetKnowledgeBase(ctx, &bedrockagent.GetKnowledgeBaseInput{KnowledgeBaseId: &id})
		if err != nil {
			// An enrichment: the agent's listing names the knowledge base;
			// its name and the role it runs as only GetKnowledgeBase says.
			reason := rs.scope.Enrichment("bedrock-agent:GetKnowledgeBase", err)
			arn := "arn:aws:bedrock:" + rs.region + ":" + rs.account + ":knowledge-base/" + id
			ko.arn, ko.err = arn, rs.scope.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindResource, Name: id, Attrs: map[string]any{
				inventory.AttrType: "bedrock_knowledge_base", "region": rs.region,
				inventory.AttrUnknown: map[string]any{string(inventory.EdgeRunsAs): reason, "name": reason, "status": reason},
			}})
			return
		}
		kb := out.KnowledgeBase
		if kb == nil {
			return
		}
		arn := deref(kb.KnowledgeBaseArn)
		attrs := map[string]any{inventory.AttrType: "bedrock_knowledge_base", "status": string(kb.Status), "region": rs.region}
		if ko.err = rs.scope.Node(ctx, inventory.Node{ID: arn, Kind: inventory.KindResource, Name: deref(kb.Name), Created: deref(kb.CreatedAt), Attrs: attrs}); ko.err != nil {
			return
		}
		if ko.err = rs.runsAs(ctx, arn, deref(kb.RoleArn), map[string]any{"via": "roleArn"}); ko.err != nil {
			return
		}
		ko.arn = arn
	})
	return ko.arn, ko.err
}
