package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/spf13/cobra"
)

// ScansOptions are the flags of aam inventory scans.
type ScansOptions struct {
	*globalOptions
	Limit  int
	Output string
}

func newInventoryScansCmd(g *globalOptions, runF func(context.Context, *ScansOptions) error) *cobra.Command {
	opts := &ScansOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "scans",
		Short: "List the latest scans: status, scopes completed, errors",
		Long: `List the latest scans, newest first.

A scan that was killed (or whose machine stopped) is listed interrupted,
not running: no process holds its lock any more. Its scopes keep the state
of the last scan that finished them.`,
		Example: `  aam inventory scans
  aam inventory scans --limit 1 -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runInventoryScans(c.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Limit, "limit", 20, "list at most this many scans")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

type jsonScan struct {
	ID        int64  `json:"id"`
	Started   string `json:"started_at"`
	Finished  string `json:"finished_at,omitempty"`
	Status    string `json:"status"`
	Providers string `json:"providers"`
	Scopes    int    `json:"scopes_completed"`
	Errors    int    `json:"errors"`
	Warnings  int    `json:"warnings"`
}

func runInventoryScans(ctx context.Context, o *ScansOptions) error {
	if err := validOutput(o.Output); err != nil {
		return err
	}
	if o.Limit < 1 {
		return usagef("--limit must be at least 1 (got %d)", o.Limit)
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	scans, err := store.Scans(ctx, o.Limit)
	if err != nil {
		return err
	}
	rows := make([]jsonScan, 0, len(scans))
	for _, s := range scans {
		j := jsonScan{ID: s.ID, Started: s.Started.UTC().Format(time.RFC3339), Status: string(s.Status), Providers: s.Providers,
			Scopes: s.Scopes, Errors: s.Errors, Warnings: s.Warnings}
		if !s.Finished.IsZero() {
			j.Finished = s.Finished.UTC().Format(time.RFC3339)
		}
		rows = append(rows, j)
	}
	if o.Output == "json" {
		return writeJSON(o.IO, struct {
			SchemaVersion int        `json:"schema_version"`
			Scans         []jsonScan `json:"scans"`
		}{jsonSchemaVersion, rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no scans yet: run aam scan")
		return nil
	}
	t := newTable(o.IO, "SCAN", "STARTED", "FINISHED", "STATUS", "SCOPES", "ERRORS", "WARNINGS")
	for _, r := range rows {
		finished := r.Finished
		if finished == "" {
			finished = "-"
		}
		t.row(strconv.FormatInt(r.ID, 10), r.Started, finished, r.Status, strconv.Itoa(r.Scopes), strconv.Itoa(r.Errors), strconv.Itoa(r.Warnings))
	}
	return t.flush()
}
