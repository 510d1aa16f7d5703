package posture

import (
	"testing"

	"github.com/aam-dev/aam/inventory"
	"github.com/google/go-cmp/cmp"
)

// AAM-003: an agent that reaches a standing credential through a tool's
// Lambda is found; one whose Lambda holds only a credential that expires
// on its own, or nothing, is not.
func TestAgentReachesStandingCredential(t *testing.T) {
	const (
		bad, good, clean = "arn:aws:bedrock:us-east-1:111111111111:agent/BAD", "arn:aws:bedrock:us-east-1:111111111111:agent/GOOD", "arn:aws:bedrock:us-east-1:111111111111:agent/CLEAN"
		fnBad, fnGood    = "arn:aws:lambda:us-east-1:111111111111:function:bad", "arn:aws:lambda:us-east-1:111111111111:function:good"
		key, token       = "aws:access-key:AKIAEXAMPLE000000001", "urn:test:token/short"
		role             = "arn:aws:iam::111111111111:role/r"
		ownerKey         = "aws:access-key:AKIAEXAMPLE000000002"
		user             = "arn:aws:iam::111111111111:user/u"
	)
	e := newEstate(t).
		node(inventory.Node{ID: bad, Kind: inventory.KindAgent}).
		node(inventory.Node{ID: good, Kind: inventory.KindAgent}).
		node(inventory.Node{ID: clean, Kind: inventory.KindAgent}).
		node(inventory.Node{ID: fnBad, Kind: inventory.KindResource}).
		node(inventory.Node{ID: fnGood, Kind: inventory.KindResource}).
		node(inventory.Node{ID: key, Kind: inventory.KindCredential, Attrs: map[string]any{inventory.AttrStanding: true}}).
		node(inventory.Node{ID: token, Kind: inventory.KindCredential, Expires: daysAgo(-1), Attrs: map[string]any{inventory.AttrStanding: false}}).
		node(inventory.Node{ID: role, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: user, Kind: inventory.KindIdentity}).
		node(inventory.Node{ID: ownerKey, Kind: inventory.KindCredential, Attrs: map[string]any{inventory.AttrStanding: true}}).
		edge(bad, inventory.EdgeUsesTool, fnBad, nil).
		edge(fnBad, inventory.EdgeUsesCredential, key, nil).
		edge(good, inventory.EdgeUsesTool, fnGood, nil).
		edge(fnGood, inventory.EdgeUsesCredential, token, nil).
		edge(clean, inventory.EdgeRunsAs, role, nil).
		// The role can be assumed by the user, not the other way round:
		// the user's key is not the clean agent's.
		edge(user, inventory.EdgeCanAssume, role, nil).
		edge(user, inventory.EdgeHasCredential, ownerKey, nil)
	fs := e.evaluate("AAM-003", nil)
	if diff := cmp.Diff([]string{bad}, subjects(fs, StatusFail)); diff != "" {
		t.Errorf("agents found (-want +got):\n%s", diff)
	}
	if len(fs) == 1 && (len(fs[0].About) != 1 || fs[0].About[0] != key) {
		t.Errorf("finding is about %v, want the key %s", fs[0].About, key)
	}
}
