package aws

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/aam-dev/aam/inventory"
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
			return ref, rs.node(ctx, inventory.Node{ID: ref, Kind: inventory.KindResource, Tenant: accountOf(ref), Name: parts[len(parts)-1], Ref: true,
				Attrs: map[string]any{"type": "lambda_function"}})
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
			return id, rs.node(ctx, inventory.Node{ID: id, Kind: inventory.KindResource, Name: lastSegment(id),
				Attrs: map[string]any{"type": "lambda_function", "missing": true}})
		}
		rs.fail("lambda:GetFunctionConfiguration", err)
		return "", nil
	}
	arn := deref(out.FunctionArn)
	attrs := map[string]any{"type": "lambda_function", "runtime": string(out.Runtime), "region": rs.region}
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
	if err := rs.node(ctx, n); err != nil {
		return "", err
	}
	if err := rs.runsAs(ctx, arn, deref(out.Role), map[string]any{"via": "execution_role"}); err != nil {
		return "", err
	}
	if out.Environment != nil {
		if err := rs.holdsSecrets(ctx, arn, out.Environment.Variables, keys); err != nil {
			return "", err
		}
	}
	return arn, rs.usesKeys(ctx, arn, keys)
}
