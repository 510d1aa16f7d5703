package aws

import (
	"embed"
	"strings"
	"time"
)

// awsManagedDocs holds the documents of the built-in AWS-managed policies,
// one file per policy, formatted as AWS serves them. Some are abbreviated
// (ReadOnlyAccess, AmazonBedrockFullAccess, SecurityAudit): what matters for a scanner is
// their shape and the privileges they grant.
//
//go:embed awsmanaged/*.json
var awsManagedDocs embed.FS

// awsManagedEntry describes one built-in AWS-managed policy.
type awsManagedEntry struct {
	name, path, description, versionID string
	created, updated                   time.Time
}

// awsManagedCatalogue lists the built-in AWS-managed policies in the order
// the lab reports them.
func awsManagedCatalogue() []awsManagedEntry {
	original := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
	return []awsManagedEntry{
		{"AdministratorAccess", "/", "Provides full access to AWS services and resources.", "v1", original, original},
		{"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.", "v1", original, time.Date(2025, 11, 20, 18, 2, 11, 0, time.UTC)},
		{"PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.", "v1", original, time.Date(2023, 7, 6, 22, 4, 19, 0, time.UTC)},
		{"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.", "v1", original, time.Date(2019, 6, 21, 19, 40, 0, 0, time.UTC)},
		{"AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.", "v1", original, time.Date(2023, 8, 10, 21, 31, 39, 0, time.UTC)},
		{"AmazonBedrockFullAccess", "/", "Provides full access to Amazon Bedrock and its dependencies.", "v1", time.Date(2023, 12, 12, 17, 20, 31, 0, time.UTC), time.Date(2025, 7, 31, 16, 5, 54, 0, time.UTC)},
		{"SecurityAudit", "/", "The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account.", "v1", original, time.Date(2025, 11, 21, 17, 40, 12, 0, time.UTC)},
		{"AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.", "v1", time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC), time.Date(2015, 4, 9, 15, 3, 43, 0, time.UTC)},
	}
}

func (m awsManagedEntry) arn() string {
	return awsManagedARNPrefix + strings.TrimPrefix(m.path, "/") + m.name
}

func (m awsManagedEntry) document() Document {
	b, err := awsManagedDocs.ReadFile("awsmanaged/" + m.name + ".json")
	if err != nil {
		// Every catalogue entry has its file; TestAWSManagedCatalogue
		// checks it.
		return ""
	}
	return Document(b)
}

func lookupAWSManaged(name string) (awsManagedEntry, bool) {
	for _, m := range awsManagedCatalogue() {
		if m.name == name {
			return m, true
		}
	}
	return awsManagedEntry{}, false
}

// lookupAWSManagedARN finds the built-in AWS-managed policy with this ARN.
func lookupAWSManagedARN(arn string) (awsManagedEntry, bool) {
	for _, m := range awsManagedCatalogue() {
		if m.arn() == arn {
			return m, true
		}
	}
	return awsManagedEntry{}, false
}

// AWSManagedPolicyNames lists the built-in AWS-managed policies an estate
// may attach.
func AWSManagedPolicyNames() []string {
	var names []string
	for _, m := range awsManagedCatalogue() {
		names = append(names, m.name)
	}
	return names
}

// AWSManagedPolicy returns the built-in AWS-managed policy with this name,
// with its path, description, creation date and document.
func AWSManagedPolicy(name string) (ManagedPolicy, bool) {
	m, ok := lookupAWSManaged(name)
	if !ok {
		return ManagedPolicy{}, false
	}
	return ManagedPolicy{Name: m.name, Path: m.path, Description: m.description, Created: m.created, Document: m.document()}, true
}

// AWSManagedPolicyARN is the ARN of the AWS-managed policy with this name:
// arn:aws:iam::aws:policy/NAME, with the policy's path for the built-in
// ones that have one (service-role/).
func AWSManagedPolicyARN(name string) string {
	if m, ok := lookupAWSManaged(name); ok {
		return m.arn()
	}
	return awsManagedARNPrefix + name
}

// AWSManagedPolicyID is the unique id (ANPA...) the lab gives an
// AWS-managed policy.
func AWSManagedPolicyID(name string) string { return entityID("ANPA", "aws", "policy", name) }
