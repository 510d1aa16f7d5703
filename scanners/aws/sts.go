package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callerIdentity returns the account the credentials reach and the ARN
// they act as (sts:GetCallerIdentity): every account's first call, so
// credentials, or a role, that do not work fail the account once.
func callerIdentity(ctx context.Context, api STSAPI) (account, arn string, err error) {
	id, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", err
	}
	return deref(id.Account), deref(id.Arn), nil
}

// assumeRole swaps cfg's credentials for the role's when the account is
// reached through one (sts:AssumeRole); the SDK's provider refreshes them
// before they expire.
func assumeRole(cfg awssdk.Config, a AccountConfig) awssdk.Config {
	if a.RoleARN == "" {
		return cfg
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "aam-scan"
		if a.ExternalID != "" {
			o.ExternalID = awssdk.String(a.ExternalID)
		}
	})
	cfg.Credentials = awssdk.NewCredentialsCache(provider)
	return cfg
}
