// Package lab emulates the provider APIs aam scans on loopback, driven by
// an estate file, so that scanners can be demonstrated, tested and
// benchmarked with their real SDK clients and never touch a real tenant.
//
// This package composes the providers' emulations:
//
//   - an Estate (estate.go) is a version-2 file with one section per
//     provider (aws: today; azure:, gcp:, github:, openai:, anthropic:,
//     mcp: as they come), each decoded strictly by its provider; a
//     version-1 file (top-level accounts:) is read as the aws section.
//     DemoEstate is the embedded demo, Generate builds large synthetic
//     estates;
//   - a Lab (lab.go) serves each provider of an estate on its own loopback
//     listener (plain HTTP, or TLS under a throwaway CA made at start),
//     with one set of counters keyed by provider and operation
//     ("aws/lambda:GetFunctionConfiguration") and fault switches named by
//     provider (faults.go: "aws:111111111111", "aws:lambda:GetFunctionConfiguration");
//     Targets says how a client reaches each tenant.
//
// Each provider lives in a folder of its own with its emulated state kept
// apart from its wire handlers (lab/aws); the machinery they share is in
// lab/internal/kit. No lab package imports a provider SDK or the scanners,
// and provider folders do not import each other: the lab is written from
// the providers' documentation, so a misreading on either side shows up as
// a failing test instead of passing on both.
package lab
