package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the command's standard streams; tests replace them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY is set when Out is a terminal: tables are aligned for people,
	// and tab-separated for programs otherwise.
	OutTTY bool
}

// SystemStreams are the process's own streams.
func SystemStreams() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, OutTTY: term.IsTerminal(int(os.Stdout.Fd()))}
}
