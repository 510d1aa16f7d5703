package cli

import (
	"errors"
	"fmt"
)

// Exit codes, decided here and nowhere else.
const (
	ExitOK    = 0
	ExitError = 1 // every tenant failed, bad input, a store failure
	ExitUsage = 2 // bad flags or arguments
	// ExitFindings: aam posture --fail-on found what fails the run.
	ExitFindings = 3
	ExitPartial  = 4 // some tenant or operation failed, or --timeout hit with results written
)

// usageError is a mistake in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// partialError reports a command that did its job but not all of it; its
// details have been printed already.
type partialError struct{ msg string }

func (e partialError) Error() string { return e.msg }

// findingsError is a posture run whose findings fail --fail-on; the report
// has been written already.
type findingsError struct{ msg string }

func (e findingsError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	var pe partialError
	var fe findingsError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &fe):
		return ExitFindings
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &pe):
		return ExitPartial
	}
	return ExitError
}
