// Package failure names the kinds of failure a provider's API answers with,
// so that code shared by every scanner can decide what a failure means for
// a scope (fail it, pass over it, or keep a warning) without knowing any
// provider's SDK. Each provider maps its SDK's errors onto these classes, and
// writes the message people read, in its own errors.go.
package failure

import (
	"context"
	"errors"
	"fmt"
)

// Class is the kind of a failure.
type Class int

// The classes of failure. Other is the zero value: a failure no class fits
// (the network, a server error, a credential chain that found nothing).
const (
	Other Class = iota
	// Denied: the provider refused the call (no permission, or credentials
	// it does not accept).
	Denied
	// Throttled: still throttled after the SDK's retries.
	Throttled
	// NotFound: the item is gone (deleted between its listing and its read).
	NotFound
	// Absent: the endpoint does not offer the service or the operation (a
	// region without it, an emulator that lacks it).
	Absent
	// Malformed: an answer that could not be read, or an item without the id
	// every item must have.
	Malformed
)

var classNames = [...]string{
	Other:     "other",
	Denied:    "denied",
	Throttled: "throttled",
	NotFound:  "not_found",
	Absent:    "absent",
	Malformed: "malformed",
}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// Error is a failure whose class and message are already known: code that
// finds a problem itself (an item without an id, a document it cannot read)
// says what it is, and that message is recorded as it stands.
type Error struct {
	Class Class
	// Msg is what scan_errors keep: lowercase, what failed and what to do,
	// never a secret.
	Msg string
	// Err is the cause, if any.
	Err error
}

// Errorf returns an *Error of class c with a formatted message; a %w verb
// makes its operand the cause.
func Errorf(c Class, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Class: c, Msg: err.Error(), Err: errors.Unwrap(err)}
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Explainer turns one provider's errors into what scan_errors keep and what
// class each is. Each provider builds one in its errors.go.
type Explainer struct {
	// Describe returns the message for an error of the provider's SDK: the
	// service's own words and, where known, what to do. It must not return
	// a secret.
	Describe func(err error) string
	// Classify returns the class of an error of the provider's SDK.
	Classify func(err error) Class
}

// Message returns what scan_errors keep for err: an *Error's own message,
// or else the provider's description.
func (x Explainer) Message(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Msg
	}
	return x.Describe(err)
}

// Class returns err's class: an *Error's own, or else the provider's
// classification.
func (x Explainer) Class(err error) Class {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Class
	}
	return x.Classify(err)
}

// Interrupted returns the message for a call cut short by the scan's
// context, and whether err is one: the --timeout was reached, or the scan
// was cancelled (Ctrl-C).
func Interrupted(err error) (string, bool) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out (--timeout reached)", true
	case errors.Is(err, context.Canceled):
		return "cancelled", true
	}
	return "", false
}
