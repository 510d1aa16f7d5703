package aws

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners/secrets"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// lambdaOnce is the one lookup of a function, shared by every action group
// and gateway target that runs it.
type lambdaOnce struct {
	once sync.Once
	arn  string
	err  error
}

// lambdaTimeLayout is how Lambda writes LastModified.
const lambdaTimeLayout = "2006-01-02T15:04:05.000-0700"

// function writes the Lambda function ref (an ARN or a name) stands for, once,
// and returns its ARN. A function of this account and region is read with
// GetFunctionConfiguration: its execution role (runs_as) and the access key
// ids in its environment (uses_credential); no other environment value is
// read or kept. A function elsewhere is written as a reference.
func (rs *regionScan) function(ctx context.Context, ref string) (string, error) {
	rs.mu.Lock()
	lo, ok := rs.lambdas[ref]
	if !ok {
		lo = &lambdaOnce{}
		rs.lambdas[ref] = lo
	}
	rs.mu.Unlock()
	lo.once.Do(func() { lo.arn, lo.err = rs.readFunction(ctx, ref) })
	return lo.arn, lo.err
}

func (rs *regionScan) readFunction(ctx context.Context, ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 7)
		if len(parts) < 7 || parts[3] != rs.region || parts[4] != rs.account {
			// Another account or region: what it runs as is that scope's to say.
			return ref, rs.scope.Node(ctx, inventory.Node{ID: ref, Kind: inventory.KindResource, Tenant: accountOf(ref), Name: parts[len(parts)-1], Ref: true,
				Attrs: map[string]any{inventory.AttrType: "lambda_function"}})
		}
	}
	out, err := rs.c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &ref})
	if err != nil {
		if notFound(err) {
			// The executor names a function that does not exist (any more).
			id := ref
			if !strings.HasPrefix(id, "arn:") {
				id = "arn:aws:lambda:" + rs.region + ":" + rs.account + ":function:" + ref
			}
			return id, rs.scope.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindResource, Name: lastSegment(id),
				Attrs: map[string]any{inventory.AttrType: "lambda_function", "missing": true}})
		}
		// An enrichment: the function is known by its reference; what only
		// its configuration says (the role it runs as, its environment, the
		// keys and secrets held there) is marked unknown, never guessed.
		reason := rs.scope.Enrichment("lambda:GetFunctionConfiguration", err)
		id := ref
		if !strings.HasPrefix(id, "arn:") {
			id = "arn:aws:lambda:" + rs.region + ":" + rs.account + ":function:" + ref
		}
		return id, rs.scope.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindResource, Name: lastSegment(id),
			Attrs: map[string]any{inventory.AttrType: "lambda_function", "region": rs.region, inventory.AttrUnknown: map[string]any{
				string(inventory.EdgeRunsAs): reason, "env_var_names": reason,
				string(inventory.EdgeHoldsSecret): reason, string(inventory.EdgeUsesCredential): reason,
			}}})
	}
	arn := deref(out.FunctionArn)
	attrs := map[string]any{inventory.AttrType: "lambda_function", "runtime": string(out.Runtime), "region": rs.region}
	var names []string
	var keys map[string]string
	if out.Environment != nil {
		names, keys = environment(out.Environment.Variables)
		if len(names) > 0 {
			attrs["env_var_names"] = names
		}
	}
	n := inventory.Node{ID: arn, Kind: inventory.KindResource, Name: deref(out.FunctionName), Attrs: attrs}
	if t, err := time.Parse(lambdaTimeLayout, deref(out.LastModified)); err == nil {
		attrs["last_modified"] = t.UTC().Format(time.RFC3339)
	}
	if err := rs.scope.Node(ctx, n); err != nil {
		return "", err
	}
	if err := rs.runsAs(ctx, arn, deref(out.Role), map[string]any{"via": "execution_role"}); err != nil {
		return "", err
	}
	f := escFunction{arn: arn, role: deref(out.Role)}
	if out.Environment != nil {
		if err := rs.holdsSecrets(ctx, arn, out.Environment.Variables, keys); err != nil {
			return "", err
		}
		for _, k := range inlineSecrets(out.Environment.Variables, keys) {
			f.creds = append(f.creds, secretID(arn, k))
		}
	}
	// A key id is worth reading only beside its secret half.
	if out.Environment != nil && slices.ContainsFunc(slices.Collect(maps.Keys(out.Environment.Variables)), func(name string) bool { return keyPairSecret(name, keys) }) {
		for _, v := range slices.Sorted(maps.Keys(keys)) {
			f.creds = append(f.creds, AccessKeyID(keys[v]))
		}
	}
	rs.esc.function(f)
	return arn, rs.usesKeys(ctx, arn, keys)
}

// environment reads an environment's variable names (values are never
// kept) and returns the access key ids among its values, by variable. It
// reads a Lambda function's environment and an AgentCore runtime's.
func environment(vars map[string]string) (names []string, keys map[string]string) {
	for k, v := range vars {
		names = append(names, k)
		if v = strings.TrimSpace(v); secrets.IsAccessKeyID(v) {
			if keys == nil {
				keys = map[string]string{}
			}
			keys[k] = v
		}
	}
	sort.Strings(names)
	return names, keys
}

// inlineSecrets returns the variables of env that hold a secret value
// inline. When env holds access key ids (keys), the secret half of a key
// pair (and its session token) is left out: the key's node stands for it.
func inlineSecrets(env map[string]string, keys map[string]string) []string {
	return secrets.Inline(env, func(name string) bool { return keyPairSecret(name, keys) })
}

// keyPairSecret reports whether the variable name holds the secret half,
// or the session token, of an access key whose id env holds (keys, by
// variable), ignoring case:
//   - AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, beside any access key id;
//   - <P>SECRET_ACCESS_KEY and <P>SESSION_TOKEN beside an id in
//     <P>ACCESS_KEY_ID, the same prefix P (DEPLOYER_SECRET_ACCESS_KEY beside
//     DEPLOYER_ACCESS_KEY_ID: Lambda reserves the AWS_ names).
//
// Any other name (AWS_SECRET_KEY, BACKUP_SECRET_ACCESS_KEY beside
// DEPLOYER_ACCESS_KEY_ID) is a secret of its own.
func keyPairSecret(name string, keys map[string]string) bool {
	if len(keys) > 0 && (strings.EqualFold(name, "AWS_SECRET_ACCESS_KEY") || strings.EqualFold(name, "AWS_SESSION_TOKEN")) {
		return true
	}
	for _, suffix := range []string{"SECRET_ACCESS_KEY", "SESSION_TOKEN"} {
		prefix, ok := cutSuffixFold(name, suffix)
		if !ok {
			continue
		}
		for idVar := range keys {
			if strings.EqualFold(idVar, prefix+"ACCESS_KEY_ID") {
				return true
			}
		}
	}
	return false
}

// cutSuffixFold cuts suffix from s when s ends with it, ignoring case.
func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return "", false
}

// holdsSecrets writes a credential node for each secret held inline in
// from's environment (its value never kept, only its fingerprint) and the
// holds_secret edge.
func (rs *regionScan) holdsSecrets(ctx context.Context, from string, env map[string]string, keys map[string]string) error {
	for _, k := range inlineSecrets(env, keys) {
		id := secretID(from, k)
		attrs := map[string]any{inventory.AttrType: "inline_secret", inventory.AttrStanding: true, "found_in": "environment", "env_var": k, inventory.AttrFingerprint: secrets.Fingerprint(rs.scanner.opts.FingerprintKey(), env[k])}
		if err := rs.scope.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindCredential, Name: k, Attrs: attrs}); err != nil {
			return err
		}
		if err := rs.scope.Edge(ctx, from, inventory.EdgeHoldsSecret, id, map[string]any{"env_var": k}); err != nil {
			return err
		}
	}
	return nil
}

// secretID is the graph id of the secret held inline in variable k of
// from's environment.
func secretID(from, k string) string { return from + "#env/" + k }

// usesKeys links from to every access key id found in its environment.
func (rs *regionScan) usesKeys(ctx context.Context, from string, keys map[string]string) error {
	vars := slices.Sorted(maps.Keys(keys))
	for _, v := range vars {
		keyID := keys[v]
		id := AccessKeyID(keyID)
		attrs := map[string]any{inventory.AttrType: "iam_access_key", inventory.AttrFingerprint: keyID, inventory.AttrStanding: strings.HasPrefix(keyID, "AKIA")}
		// Which account the key belongs to is known only to that account's IAM scope.
		if err := rs.scope.Node(ctx, inventory.Node{ID: id, Kind: inventory.KindCredential, Name: keyID, Tenant: "unknown", Ref: true, Attrs: attrs}); err != nil {
			return err
		}
		if err := rs.scope.Edge(ctx, from, inventory.EdgeUsesCredential, id, map[string]any{"env_var": v, "found_in": "environment"}); err != nil {
			return err
		}
	}
	return nil
}
