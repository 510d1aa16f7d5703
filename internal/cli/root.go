// Package cli is aam's command line: a cobra tree whose commands parse flags
// into an options struct and call a run function. Exit codes are decided in
// exit.go.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
	"github.com/aam-dev/aam/scanners/aws"
	"github.com/spf13/cobra"
)

// Version and Commit are set at build time with -ldflags
// "-X github.com/aam-dev/aam/internal/cli.Version=v1.2.3 -X github.com/aam-dev/aam/internal/cli.Commit=<git sha>"
// (see .goreleaser.yaml).
var (
	Version = "dev"
	Commit  = ""
)

// Main runs aam with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], SystemStreams())
}

// Run runs aam with args and returns the exit code.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	root := NewRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var pe partialError
		if !errors.As(err, &pe) {
			fmt.Fprintln(io.ErrOut, "aam: "+err.Error())
		} else {
			fmt.Fprintln(io.ErrOut, "aam: "+pe.msg)
		}
		var ue usageError
		if errors.As(err, &ue) && !strings.Contains(err.Error(), "--help") {
			fmt.Fprintln(io.ErrOut, "Run 'aam --help' for usage.")
		}
	}
	return exitCode(err)
}

// globalOptions are the flags every command has.
type globalOptions struct {
	DB  string
	IO  *IOStreams
	Now func() time.Time
}

// registry is the explicit list of providers this build scans.
func registry() (*scanners.Registry, error) {
	return scanners.NewRegistry(aws.Provider())
}

// NewRootCmd builds the command tree.
func NewRootCmd(io *IOStreams) *cobra.Command {
	g := &globalOptions{IO: io, Now: time.Now}
	root := &cobra.Command{
		Use:   "aam",
		Short: "Agentic Access Management: find AI agents, their identities and standing secrets",
		Long: `aam finds the AI agents an organisation runs, the non-human identities they
act as and the standing secrets behind them, and keeps them as a graph in SQLite.

Start with the demo, which scans a built-in lab estate on loopback:

  aam scan --demo
  aam inventory list --kind credential`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.PersistentFlags().StringVar(&g.DB, "db", "aam.db", "path of the inventory database")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newScanCmd(g, nil),
		newInventoryCmd(g),
		newQueryCmd(g, nil),
		newPostureCmd(g),
		newDiffCmd(g, nil),
		newControlsCmd(g),
		newLabCmd(g),
		newVersionCmd(g),
	)
	// Unknown commands and bad arguments are usage errors.
	root.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q", args[0])
		}
		return nil
	}
	root.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
	return root
}

// exactArgs is cobra.ExactArgs as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s (got %d arguments)", c.CommandPath(), what, len(args))
		}
		return nil
	}
}

func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q)", c.CommandPath(), args[0])
	}
	return nil
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print aam's version",
		Args:  noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			bi, _ := debug.ReadBuildInfo()
			v, commit := buildVersion(Version, Commit, bi)
			_, err := fmt.Fprintln(g.IO.Out, versionLine(v, commit, inventory.SchemaVersion()))
			return err
		},
	}
}

// versionLine is what aam version prints. Scripts may rely on it starting
// with "aam <version>" and containing "inventory schema N".
func versionLine(version, commit string, schema int) string {
	if commit == "" {
		return fmt.Sprintf("aam %s (inventory schema %d)", version, schema)
	}
	return fmt.Sprintf("aam %s (commit %s, inventory schema %d)", version, commit, schema)
}

// buildVersion returns the version and commit set at build time (a
// release's) or else, for go install and go build builds, the module version
// and VCS revision the go command recorded in bi, which may be nil.
func buildVersion(version, commit string, bi *debug.BuildInfo) (string, string) {
	if bi == nil {
		return version, commit
	}
	if version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	if commit == "" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	return version, commit
}
