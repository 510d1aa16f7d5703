// Package aws is the lab's emulation of AWS: IAM and STS over the query
// protocol (POST / with a form body, XML answers), and Agents for Amazon
// Bedrock, Bedrock AgentCore Control and Lambda over rest-json, as the AWS
// SDKs speak them. The lab package composes it with the other providers.
//
//   - the estate's aws section (estate.go, region.go; read with ParseEstate
//     or decoded by the lab and Prepare'd) lists accounts with their roles,
//     users, groups, customer-managed policies and access keys, and per
//     region their Bedrock agents, knowledge bases, Lambda functions and
//     AgentCore runtimes, gateways, credential providers and workload
//     identities; GenerateEstate (generate.go) builds large synthetic ones;
//   - the State (state.go) is the emulated AWS built from it: the
//     provider's records, indexed, with the sessions STS issued. It holds
//     no wire answers: the handlers read it (and STS writes sessions);
//     remediation and the broker will write it;
//   - a Server (server.go) authenticates each request by its SigV4
//     signature (sigv4.go), telling accounts apart by the access key id
//     that signed it (an account's scanner key, or a session key STS
//     AssumeRole issued for one of its roles, auth.go), and routes it by the
//     service of the credential scope: IAM (iam.go) and STS
//     GetCallerIdentity and AssumeRole (sts.go, trust policies evaluated by
//     trust.go) over the query protocol (wire.go); bedrock (bedrock.go),
//     bedrock-agentcore (agentcore.go) and lambda (lambda.go) over rest-json
//     (restjson.go), serving the resources of the region the scope names;
//     every list is paged (paging.go) as its API pages it;
//   - fault switches, counters, listeners and paging tokens come from
//     lab/internal/kit; Operations names what DenyOps can deny.
//
// The lab shares no code with the scanners and imports no provider SDK: it
// is written from the providers' documentation, so a misreading on either
// side shows up as a failing test instead of passing on both. Secrets in an
// estate are canaries: user access key secrets, API keys and OAuth client
// secrets of credential providers are never sent, logged or printed.
// Environment variables of functions and runtimes are answered as AWS
// answers them, canaries included, but never logged or printed; the session
// credentials AssumeRole issues are answered once and never logged.
package aws
