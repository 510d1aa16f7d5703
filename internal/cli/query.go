package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/spf13/cobra"
)

// QueryOptions are the flags of aam query.
type QueryOptions struct {
	*globalOptions
	SQL     string
	Output  string
	Timeout time.Duration
	MaxRows int
	// MaxBytes bounds the result's cell data, and any one value the query
	// computes.
	MaxBytes int64
}

func newQueryCmd(g *globalOptions, runF func(context.Context, *QueryOptions) error) *cobra.Command {
	opts := &QueryOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run one read-only SQL statement on the inventory",
		Long: `Run one read-only SQL statement on the inventory database.

The database is opened read-only; writes, ATTACH, PRAGMA and more than one
statement are refused. Tables: nodes, edges, scans, scopes, scan_scopes,
scan_errors, node_counts, edge_counts, effective_access, and once aam posture
has run findings and posture_runs; views current_nodes and current_edges
hold the current graph. The scans table keeps what each scan recorded: a scan
whose process died still says "running" there, and aam inventory scans shows
it interrupted.

A query is bounded: it stops after --timeout (default 30s; 0 for no limit)
or on Ctrl-C, and a result of more than --max-rows rows (default 100000) or
--max-bytes bytes of cell data (default 16777216, 16 MiB; a text or blob cell
counts its length, any other 8) is refused, as is any single value the query
computes that is longer than --max-bytes. Narrow the query with LIMIT, a
WHERE clause or fewer columns, or raise the limit.`,
		Example: `  aam query "SELECT kind, count(*) FROM current_nodes GROUP BY kind"
  aam query "SELECT from_id, to_id FROM current_edges WHERE kind = 'can_assume'" -o json
  aam query "SELECT id, attrs FROM nodes" --timeout 5m --max-bytes 268435456`,
		Args: exactArgs(1, "one SQL statement (quote it)"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.SQL = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runQuery(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "stop the query after this long (0: no limit)")
	f.IntVar(&opts.MaxRows, "max-rows", inventory.DefaultMaxQueryRows, "refuse a result of more rows")
	f.Int64Var(&opts.MaxBytes, "max-bytes", inventory.DefaultMaxQueryBytes, "refuse a result of more bytes of cell data, or a longer value")
	return cmd
}

func runQuery(ctx context.Context, o *QueryOptions) error {
	if err := validOutput(o.Output); err != nil {
		return err
	}
	switch {
	case o.Timeout < 0:
		return usagef("--timeout must not be negative (got %s): give a duration like 30s or 5m, or 0 for no limit", o.Timeout)
	case o.MaxRows < 1:
		return usagef("--max-rows must be at least 1 (got %d)", o.MaxRows)
	case o.MaxBytes < 1:
		return usagef("--max-bytes must be at least 1 (got %d)", o.MaxBytes)
	}
	if err := inventory.CheckReadOnlySQL(o.SQL); err != nil {
		return err
	}
	qctx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		qctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	store, err := inventory.OpenReadOnly(qctx, o.DB)
	if err != nil {
		return queryError(ctx, qctx, o, err)
	}
	defer store.Close()
	res, err := store.QueryLimited(qctx, o.SQL, inventory.QueryLimits{Rows: o.MaxRows, Bytes: o.MaxBytes})
	if err != nil {
		return queryError(ctx, qctx, o, err)
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

// queryError says why the query stopped: interrupted (ctx, the command's,
// ended: Ctrl-C), timed out (qctx, the query's, reached --timeout), or over
// a limit, with the flag that raises it.
func queryError(ctx, qctx context.Context, o *QueryOptions, err error) error {
	var le *inventory.LimitError
	switch {
	case ctx.Err() != nil:
		return errors.New("query interrupted")
	case errors.Is(qctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("query timed out after %s: raise --timeout or narrow the query", o.Timeout)
	case errors.As(err, &le) && le.Rows > 0:
		return fmt.Errorf("%w (or raise --max-rows)", err)
	case errors.As(err, &le):
		return fmt.Errorf("%w (or raise --max-bytes)", err)
	}
	return err
}
