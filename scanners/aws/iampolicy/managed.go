package iampolicy

import "strings"

// managedLevels ranks well-known AWS-managed policies by the path and name
// that follow "policy/" in their ARN. The levels follow Classify's rules
// applied to each policy's current document, judged as a whole: an
// iam:PassRole that the policy limits to its own service's roles, by an
// iam:PassedToService condition (AmazonBedrockFullAccess) or by role-name
// patterns (job-function/SystemAdministrator), does not make it Admin.
var managedLevels = map[string]Level{
	// Whole-account policies.
	"AdministratorAccess":            Admin,
	"PowerUserAccess":                Write,
	"ReadOnlyAccess":                 Read,
	"SecurityAudit":                  Read,
	"IAMFullAccess":                  Admin,
	"IAMReadOnlyAccess":              Read,
	"AWSOrganizationsFullAccess":     Admin,
	"AWSOrganizationsReadOnlyAccess": Read,
	// Job-function policies.
	"job-function/ViewOnlyAccess":        Read,
	"job-function/Billing":               Write,
	"job-function/DataScientist":         Write,
	"job-function/DatabaseAdministrator": Write,
	"job-function/NetworkAdministrator":  Write,
	"job-function/SupportUser":           Write,
	"job-function/SystemAdministrator":   Write,
	// Common service policies.
	"AmazonS3FullAccess":           Write,
	"AmazonS3ReadOnlyAccess":       Read,
	"AmazonEC2FullAccess":          Write,
	"AmazonEC2ReadOnlyAccess":      Read,
	"AmazonDynamoDBFullAccess":     Write,
	"AmazonDynamoDBReadOnlyAccess": Read,
	"AWSLambda_FullAccess":         Write,
	"AWSLambda_ReadOnlyAccess":     Read,
	"SecretsManagerReadWrite":      Write,
	"AmazonSSMFullAccess":          Write,
	"AmazonSSMReadOnlyAccess":      Read,
	"CloudWatchReadOnlyAccess":     Read,
	"AmazonBedrockFullAccess":      Write,
	"AmazonBedrockReadOnly":        Read,
	"BedrockAgentCoreFullAccess":   Write,
	"AmazonSageMakerFullAccess":    Write,
	"AmazonSageMakerReadOnly":      Read,
	// Service-role policies often attached to agents' execution roles.
	"service-role/AWSLambdaBasicExecutionRole":     Write,
	"service-role/AWSLambdaVPCAccessExecutionRole": Write,
}

// ManagedPolicyLevel returns the level of a well-known AWS-managed policy,
// such as arn:aws:iam::aws:policy/AdministratorAccess (Admin),
// .../PowerUserAccess (Write), .../ReadOnlyAccess (Read) or
// .../job-function/ViewOnlyAccess (Read), in any partition (aws, aws-cn,
// aws-us-gov). It is a fallback for when the scanner has an attachment but
// not the policy's document; ok is false for any other ARN, including
// customer-managed policies.
func ManagedPolicyLevel(arn string) (level Level, ok bool) {
	// arn:PARTITION:iam::aws:policy/PATH/NAME
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || parts[4] != "aws" {
		return None, false
	}
	name, found := strings.CutPrefix(parts[5], "policy/")
	if !found {
		return None, false
	}
	level, ok = managedLevels[name]
	return level, ok
}
