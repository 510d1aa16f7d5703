// Package kit is the machinery every provider emulation of the lab shares:
// loopback listeners (plain HTTP, or TLS under a throwaway CA made at
// start), fault switches (latency, throttle every Nth call, deny a tenant,
// deny one operation), call and in-flight counters keyed by provider and
// operation, paging tokens, and strict estate YAML decoding whose errors
// carry line numbers and never echo a value.
//
// It knows no provider: lab/aws and the providers that follow build their
// wire protocols on it. It imports no provider SDK.
package kit
