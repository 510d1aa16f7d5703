package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aam-dev/aam/scanners"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagent"
	agentcore "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// IAMAPI is the part of the IAM client the scanner calls: reads only, so a
// scanner cannot change an account by construction.
type IAMAPI interface {
	iam.GetAccountAuthorizationDetailsAPIClient
	iam.ListAccessKeysAPIClient
	GetAccessKeyLastUsed(ctx context.Context, in *iam.GetAccessKeyLastUsedInput, opts ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, opts ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, opts ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, opts ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
}

// STSAPI is the part of the STS client the scanner calls.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// BedrockAgentAPI is the part of the bedrock-agent client the scanner calls.
type BedrockAgentAPI interface {
	bedrockagent.ListAgentsAPIClient
	bedrockagent.ListAgentAliasesAPIClient
	bedrockagent.ListAgentActionGroupsAPIClient
	bedrockagent.ListAgentKnowledgeBasesAPIClient
	GetAgent(ctx context.Context, in *bedrockagent.GetAgentInput, opts ...func(*bedrockagent.Options)) (*bedrockagent.GetAgentOutput, error)
	GetAgentVersion(ctx context.Context, in *bedrockagent.GetAgentVersionInput, opts ...func(*bedrockagent.Options)) (*bedrockagent.GetAgentVersionOutput, error)
	GetAgentActionGroup(ctx context.Context, in *bedrockagent.GetAgentActionGroupInput, opts ...func(*bedrockagent.Options)) (*bedrockagent.GetAgentActionGroupOutput, error)
	GetKnowledgeBase(ctx context.Context, in *bedrockagent.GetKnowledgeBaseInput, opts ...func(*bedrockagent.Options)) (*bedrockagent.GetKnowledgeBaseOutput, error)
}

// AgentCoreAPI is the part of the bedrock-agentcore-control client the scanner calls.
type AgentCoreAPI interface {
	agentcore.ListAgentRuntimesAPIClient
	agentcore.ListGatewaysAPIClient
	agentcore.ListGatewayTargetsAPIClient
	agentcore.ListApiKeyCredentialProvidersAPIClient
	agentcore.ListOauth2CredentialProvidersAPIClient
	agentcore.ListWorkloadIdentitiesAPIClient
	agentcore.ListPolicyEngineSummariesAPIClient
	GetAgentRuntime(ctx context.Context, in *agentcore.GetAgentRuntimeInput, opts ...func(*agentcore.Options)) (*agentcore.GetAgentRuntimeOutput, error)
	GetGateway(ctx context.Context, in *agentcore.GetGatewayInput, opts ...func(*agentcore.Options)) (*agentcore.GetGatewayOutput, error)
	GetGatewayTarget(ctx context.Context, in *agentcore.GetGatewayTargetInput, opts ...func(*agentcore.Options)) (*agentcore.GetGatewayTargetOutput, error)
	GetApiKeyCredentialProvider(ctx context.Context, in *agentcore.GetApiKeyCredentialProviderInput, opts ...func(*agentcore.Options)) (*agentcore.GetApiKeyCredentialProviderOutput, error)
	GetOauth2CredentialProvider(ctx context.Context, in *agentcore.GetOauth2CredentialProviderInput, opts ...func(*agentcore.Options)) (*agentcore.GetOauth2CredentialProviderOutput, error)
}

// LambdaAPI is the part of the Lambda client the scanner calls.
type LambdaAPI interface {
	GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

// clients are one account's SDK clients for its account-global services.
type clients struct {
	iam IAMAPI
	sts STSAPI
}

// regionClients are one account's clients for one region.
type regionClients struct {
	agents    BedrockAgentAPI
	agentcore AgentCoreAPI
	lambda    LambdaAPI
}

func newRegionClients(cfg awssdk.Config, region string) regionClients {
	cfg = cfg.Copy()
	cfg.Region = region
	return regionClients{
		agents:    bedrockagent.NewFromConfig(cfg),
		agentcore: agentcore.NewFromConfig(cfg),
		lambda:    lambda.NewFromConfig(cfg),
	}
}

// retryer returns the SDK's standard retryer with our attempts and backoff.
// Its client-side retry quota is off: throttling is the server's call, and
// a long scan must not fail because an earlier burst drained the bucket.
func retryer(attempts int, maxBackoff time.Duration) func() awssdk.Retryer {
	return func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.MaxBackoff = maxBackoff
			o.Backoff = retry.NewExponentialJitterBackoff(maxBackoff)
			o.RateLimiter = ratelimit.None
		})
	}
}

// loadConfig resolves one account's aws.Config: the standard chain (with
// its profile, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>), or for a
// target nothing but its credentials and endpoint; then the account's role,
// when it has one, is assumed with them.
func (s *Scanner) loadConfig(ctx context.Context, a AccountConfig, region string) (awssdk.Config, error) {
	if t := a.target; t != nil {
		base := s.opts.Transport
		if base == nil && s.opts.RootCAs != nil {
			base = scanners.NewTransport(false, s.opts.RootCAs)
		}
		client := &http.Client{Transport: s.opts.Limiter.Wrap(base)}
		cfg := awssdk.Config{
			Region:           region,
			Credentials:      awssdk.NewCredentialsCache(credentials.NewStaticCredentialsProvider(t.Credentials[credAccessKeyID], t.Credentials[credSecretAccessKey], "")),
			HTTPClient:       client,
			Retryer:          retryer(s.opts.MaxAttempts, s.opts.MaxBackoff),
			BaseEndpoint:     awssdk.String(t.Endpoint),
			RetryMaxAttempts: s.opts.MaxAttempts,
			Logger:           logging.Nop{},
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		return assumeRole(cfg, a), nil
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(retryer(s.opts.MaxAttempts, s.opts.MaxBackoff)),
		// The SDK's own warnings would bypass aam's output; failures are
		// recorded in scan_errors instead.
		config.WithLogger(logging.Nop{}),
	}
	if s.opts.Transport != nil {
		opts = append(opts, config.WithHTTPClient(&http.Client{Transport: s.opts.Transport}))
	}
	if a.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.Profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if s.cfg.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(s.cfg.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return cfg, fmt.Errorf("profile %q not found in the AWS config files: check the profile name in aam.yaml or ~/.aws/config", a.Profile)
		}
		return cfg, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: pass --region, set AWS_REGION, or set region in the profile or aam.yaml")
	}
	// Bound the SDK's own client (which carries AWS_CA_BUNDLE and the proxy
	// settings) by the scan's limiter; the scan's roots, when given, replace
	// the bundle's.
	trust := func(t *http.Transport) { scanners.TrustRoots(t, s.opts.RootCAs) }
	switch c := cfg.HTTPClient.(type) {
	case nil:
		// No custom settings: the client the SDK would have built.
		cfg.HTTPClient = &http.Client{Transport: s.opts.Limiter.Wrap(awshttp.NewBuildableClient().WithTransportOptions(trust).GetTransport())}
	case *awshttp.BuildableClient:
		cfg.HTTPClient = &http.Client{Transport: s.opts.Limiter.Wrap(c.WithTransportOptions(trust).GetTransport())}
	case *http.Client:
		cfg.HTTPClient = &http.Client{Transport: s.opts.Limiter.Wrap(c.Transport)}
	default:
		return cfg, fmt.Errorf("unexpected AWS HTTP client %T: please report this bug", c)
	}
	return assumeRole(cfg, a), nil
}

func newClients(cfg awssdk.Config) clients {
	return clients{
		iam: iam.NewFromConfig(cfg),
		sts: sts.NewFromConfig(cfg),
	}
}
