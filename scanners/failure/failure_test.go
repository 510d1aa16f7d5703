package failure

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

var errSDK = errors.New("sdk: AccessDenied")

// explainer is a provider's: it knows errSDK only.
var explainer = Explainer{
	Describe: func(err error) string { return "described: " + err.Error() },
	Classify: func(err error) Class {
		if errors.Is(err, errSDK) {
			return Denied
		}
		return Other
	},
}

func TestExplainer(t *testing.T) {
	own := Errorf(Malformed, "the API returned a %s without an id", "bedrock_agent")
	tests := []struct {
		name    string
		err     error
		message string
		class   Class
	}{
		{"the provider's error", errSDK, "described: sdk: AccessDenied", Denied},
		{"wrapped", fmt.Errorf("list agents: %w", errSDK), "described: list agents: sdk: AccessDenied", Denied},
		{"unknown to the provider", errors.New("boom"), "described: boom", Other},
		{"a failure that says what it is", own, "the API returned a bedrock_agent without an id", Malformed},
		{"even wrapped", fmt.Errorf("step: %w", own), "the API returned a bedrock_agent without an id", Malformed},
		// The outer word wins over the provider's reading of the cause.
		{"around a provider's error", Errorf(NotFound, "gone: %w", errSDK), "gone: sdk: AccessDenied", NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := explainer.Message(tt.err); got != tt.message {
				t.Errorf("Message = %q, want %q", got, tt.message)
			}
			if got := explainer.Class(tt.err); got != tt.class {
				t.Errorf("Class = %v, want %v", got, tt.class)
			}
		})
	}
}

func TestErrorfWrapsItsCause(t *testing.T) {
	err := Errorf(Malformed, "decode policy %q: %w", "p", errSDK)
	if !errors.Is(err, errSDK) || err.Msg != `decode policy "p": sdk: AccessDenied` || err.Class != Malformed {
		t.Errorf("Errorf = %+v", err)
	}
	if err := Errorf(Absent, "no %s", "service"); err.Err != nil || err.Error() != "no service" {
		t.Errorf("Errorf without %%w = %+v, want no cause", err)
	}
}

func TestInterrupted(t *testing.T) {
	tests := []struct {
		err  error
		want string
		ok   bool
	}{
		{context.DeadlineExceeded, "timed out (--timeout reached)", true},
		{fmt.Errorf("operation error STS: GetCallerIdentity: %w", context.DeadlineExceeded), "timed out (--timeout reached)", true},
		{context.Canceled, "cancelled", true},
		{errSDK, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		if got, ok := Interrupted(tt.err); got != tt.want || ok != tt.ok {
			t.Errorf("Interrupted(%v) = %q, %v; want %q, %v", tt.err, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClassString(t *testing.T) {
	want := map[Class]string{Other: "other", Denied: "denied", Throttled: "throttled", NotFound: "not_found", Absent: "absent", Malformed: "malformed", Class(42): "class(42)", Class(-1): "class(-1)"}
	for c, s := range want {
		if c.String() != s {
			t.Errorf("Class(%d) = %q, want %q", int(c), c.String(), s)
		}
	}
}
