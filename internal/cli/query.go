package cli

import (
	"context"
	"fmt"

	"github.com/aam-dev/aam/inventory"
	"github.com/spf13/cobra"
)

// QueryOptions are the flags of aam query.
type QueryOptions struct {
	*globalOptions
	SQL    string
	Output string
}

func newQueryCmd(g *globalOptions, runF func(context.Context, *QueryOptions) error) *cobra.Command {
	opts := &QueryOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run one read-only SQL statement on the inventory",
		Long: `Run one read-only SQL statement on the inventory database.

The database is opened read-only; writes, ATTACH, PRAGMA and more than one
statement are refused. Tables: nodes, edges, scans, scopes, scan_scopes,
scan_errors; views current_nodes and current_edges hold the current graph.`,
		Example: `  aam query "SELECT kind, count(*) FROM current_nodes GROUP BY kind"
  aam query "SELECT from_id, to_id FROM current_edges WHERE kind = 'can_assume'" -o json`,
		Args: exactArgs(1, "one SQL statement (quote it)"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.SQL = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runQuery(c.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func runQuery(ctx context.Context, o *QueryOptions) error {
	if err := validOutput(o.Output); err != nil {
		return err
	}
	if err := inventory.CheckReadOnlySQL(o.SQL); err != nil {
		return err
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Query(ctx, o.SQL)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		rows := make([]map[string]any, 0, len(res.Rows))
		for _, r := range res.Rows {
			m := map[string]any{}
			for i, c := range res.Columns {
				m[c] = r[i]
			}
			rows = append(rows, m)
		}
		return writeJSON(o.IO, struct {
			SchemaVersion int              `json:"schema_version"`
			Columns       []string         `json:"columns"`
			Rows          []map[string]any `json:"rows"`
		}{jsonSchemaVersion, res.Columns, rows})
	}
	t := newTable(o.IO, res.Columns...)
	for _, r := range res.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			if v == nil {
				cells[i] = "NULL"
			} else {
				cells[i] = fmt.Sprint(v)
			}
		}
		t.row(cells...)
	}
	return t.flush()
}
