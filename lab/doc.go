// Package lab emulates cloud provider APIs on loopback, driven by an estate
// file, so that scanners can be demonstrated, tested and benchmarked with
// their real SDK clients and never touch a real tenant.
//
// For AWS it serves IAM and STS over the query protocol (POST / with a form
// body, XML answers), as the AWS SDKs speak it:
//
//   - an Estate (estate.go, read with ParseEstate or LoadEstate) lists
//     accounts with their roles, users, groups, customer-managed policies
//     and access keys; DemoEstate is the embedded demo;
//   - a Server (server.go) authenticates each request by its SigV4 signature
//     (sigv4.go), telling accounts apart by the access key id that signed
//     it, and answers GetAccountAuthorizationDetails, ListUsers, ListRoles,
//     GetRole, ListAccessKeys, GetAccessKeyLastUsed, ListAccountAliases
//     (iam.go) and GetCallerIdentity (sts.go), paged (paging.go) like IAM;
//   - faults (faults.go) add latency, throttle every Nth request and deny
//     accounts, switchable while the server runs; Stats counts calls.
//
// The lab shares no code with the scanners and imports no provider SDK: it
// is written from the providers' documentation, so a misreading on either
// side shows up as a failing test instead of passing on both. Secrets in an
// estate are canaries: user access key secrets are never sent, logged or
// printed.
package lab
