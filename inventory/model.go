// Package inventory holds aam's graph model (agents, identities, credentials,
// resources, people and the edges between them) and its SQLite store.
// It imports no provider SDK: scanners translate SDK types into this model.
package inventory

import (
	"context"
	"time"
)

// NodeKind is what a node is in the domain.
type NodeKind string

const (
	KindAgent      NodeKind = "agent"
	KindIdentity   NodeKind = "identity"
	KindCredential NodeKind = "credential"
	KindResource   NodeKind = "resource"
	KindPerson     NodeKind = "person"
)

// NodeKinds lists every node kind, in display order.
var NodeKinds = []NodeKind{KindAgent, KindIdentity, KindCredential, KindResource, KindPerson}

// EdgeKind is the relation an edge stands for.
type EdgeKind string

const (
	EdgeRunsAs         EdgeKind = "runs_as"
	EdgeHasCredential  EdgeKind = "has_credential"
	EdgeHoldsSecret    EdgeKind = "holds_secret"
	EdgeCanAssume      EdgeKind = "can_assume"
	EdgeCanAccess      EdgeKind = "can_access"
	EdgeUsesTool       EdgeKind = "uses_tool"
	EdgeUsesCredential EdgeKind = "uses_credential"
	EdgeOwnedBy        EdgeKind = "owned_by"
	EdgeCreatedBy      EdgeKind = "created_by"
	EdgeInvokes        EdgeKind = "invokes"
	// EdgeMemberOf goes from an identity to a group it belongs to.
	EdgeMemberOf EdgeKind = "member_of"
	// EdgeCanEscalate goes from an identity to an identity it can act as,
	// or to a credential whose secret it can read, by its own permissions
	// (AttrMethod says how).
	EdgeCanEscalate EdgeKind = "can_escalate"
)

// Node is one vertex of the graph. ID is a stable natural id: an ARN, an
// Azure resource id, a GCP resource name or a URN such as
// "aws:service:bedrock.amazonaws.com". A credential node never carries a
// secret value: only its id, fingerprint, age, last use and expiry.
type Node struct {
	ID       string
	Kind     NodeKind
	Provider string
	// Tenant is the account, subscription, project or org the node belongs to.
	Tenant string
	Name   string
	// Created, LastUsed and Expires are zero when unknown.
	Created  time.Time
	LastUsed time.Time
	Expires  time.Time
	// Attrs holds provider-specific attributes; it is stored as JSON.
	Attrs map[string]any
	// Ref marks a reference to a node that some scope may describe in full
	// (a trust principal in another account, a service principal): it
	// creates the node when missing but never overwrites a full description.
	Ref bool
}

// Edge is a directed relation between two nodes, identified by (From, Kind, To).
type Edge struct {
	From  string
	To    string
	Kind  EdgeKind
	Attrs map[string]any
}

// Scope names the slice of a tenant that one part of a scanner covers: an
// account and region, or an account-global service such as IAM. Rows written
// under a scope become current, and rows the scope no longer has are marked
// gone, only when that scope is completed.
type Scope struct {
	Provider string
	Tenant   string
	// Name is a region, or "global" for account-wide services.
	Name string
}

// GlobalScope is the scope name of account-wide services such as IAM.
const GlobalScope = "global"

// ScanError is a failure of one tenant, scope or operation during a scan.
type ScanError struct {
	Provider  string
	Tenant    string
	Scope     string
	Operation string
	Message   string
	// Class is what kind of failure it was: denied, throttled, not_found,
	// absent, malformed or other ("" when not classified).
	Class string
	// Warning is set for an enrichment call that failed: the item was kept
	// with the detail marked unknown and the scope still completed.
	Warning bool
}

// Writer receives what a scanner finds. Node and Edge stage rows for a scope;
// they become the scope's current state only when CompleteScope is called for
// it. A scope that is never completed keeps its last finished state.
// Implementations are safe for concurrent use. An error from Node, Edge or
// CompleteScope means the store failed and the scan should stop; RecordError
// records a provider failure and the scan goes on.
type Writer interface {
	Node(ctx context.Context, s Scope, n Node) error
	Edge(ctx context.Context, s Scope, e Edge) error
	CompleteScope(ctx context.Context, s Scope) error
	RecordError(ctx context.Context, e ScanError) error
}

// AccessLevelRank orders the privilege levels a can_access edge carries
// (AttrLevel): none < read < write < admin < unknown. Unknown (a policy that
// could not be read) ranks highest, so it is never taken for less than it
// may be.
func AccessLevelRank(level string) int {
	switch level {
	case LevelRead:
		return 1
	case LevelWrite:
		return 2
	case LevelAdmin:
		return 3
	case LevelUnknown:
		return 4
	}
	return 0
}
