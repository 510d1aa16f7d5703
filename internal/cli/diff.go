package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/posture"
	"github.com/aam-dev/aam/report"
	"github.com/spf13/cobra"
)

// DiffOptions are the flags of aam diff.
type DiffOptions struct {
	*globalOptions
	From, To int64
	Output   string
	FailOn   string
}

func newDiffCmd(g *globalOptions, runF func(context.Context, *DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what changed between two scans: agents, identities, credentials, findings",
		Long: `Show what changed between two complete scans (ok or partial): the agents,
identities and credentials new and gone, and the findings new and resolved.

Without --from and --to, the last two complete scans are compared. A
rotated key shows as one credential gone and one new. Findings are
compared by fingerprint, between the evaluations aam posture stored for
each scan: run aam posture after each scan to have them.

--fail-on SEVERITY exits 3 when a new finding at or above it appears (a
finding a baseline suppressed when it was stored does not count).`,
		Example: `  aam diff
  aam diff --from 3 --to 5 -o markdown
  aam diff --fail-on high`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runDiff(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.From, "from", 0, "the older scan (default: the complete scan before --to)")
	f.Int64Var(&opts.To, "to", 0, "the newer scan (default: the last complete scan)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json or markdown")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit 3 when a new finding at or above this severity appears: critical, high, medium or low")
	return cmd
}

// diffRenderer is what renders a drift: one type per format in report/.
type diffRenderer interface {
	Render(w io.Writer, d *posture.Drift) error
}

func runDiff(ctx context.Context, o *DiffOptions) error {
	var r diffRenderer
	switch o.Output {
	case "table":
		r = report.DiffTable{}
	case "json":
		r = report.DiffJSON{}
	case "markdown":
		r = report.DiffMarkdown{}
	default:
		return usagef("unknown output %q: use table, json or markdown", o.Output)
	}
	failOn := posture.SeverityNone
	if o.FailOn != "" {
		sev, err := posture.ParseSeverity(o.FailOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		failOn = sev
	}
	if o.From < 0 || o.To < 0 || (o.From != 0 && o.To != 0 && o.From >= o.To) {
		return usagef("--from must name an older scan than --to (got --from %d --to %d): list scans with aam inventory scans", o.From, o.To)
	}
	store, err := inventory.OpenReadOnly(ctx, o.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	from, to, err := diffScans(ctx, store, o.From, o.To)
	if err != nil {
		return err
	}
	scan := func(s inventory.ScanRecord) posture.DriftScan {
		return posture.DriftScan{ID: s.ID, Status: string(s.Status), Finished: s.Finished}
	}
	d := &posture.Drift{From: scan(from), To: scan(to)}
	nodes, err := store.Drift(ctx, from.ID, to.ID, inventory.DriftKinds)
	if err != nil {
		return err
	}
	d.New, d.Gone = posture.DriftNodes(nodes.New), posture.DriftNodes(nodes.Gone)
	if d.Findings, err = posture.CompareFindings(ctx, store, from.ID, to.ID); err != nil {
		return err
	}
	if err := r.Render(o.IO.Out, d); err != nil {
		return err
	}
	if failOn == posture.SeverityNone {
		return nil
	}
	if !d.Findings.Compared() {
		return fmt.Errorf("--fail-on %s: findings not compared: %s", failOn, report.FindingsNote(d))
	}
	if n := d.Findings.NewAtOrAbove(failOn); n > 0 {
		return findingsError{fmt.Sprintf("--fail-on %s: %d new finding(s) at or above %s since scan %d", failOn, n, failOn, from.ID)}
	}
	return nil
}

// diffScans picks the two scans to compare: those named, or the last two
// complete scans, or the complete scan before the one named --to.
func diffScans(ctx context.Context, store *inventory.Store, fromID, toID int64) (from, to inventory.ScanRecord, err error) {
	complete := func(id int64, flag string) (inventory.ScanRecord, error) {
		s, err := store.ScanByID(ctx, id)
		if errors.Is(err, inventory.ErrNotFound) {
			return s, usagef("%s %d: no such scan: list scans with aam inventory scans", flag, id)
		}
		if err != nil {
			return s, err
		}
		if (s.Status != inventory.ScanOK && s.Status != inventory.ScanPartial) || s.Finished.IsZero() {
			return s, usagef("%s %d: scan %d is %s, not complete: pick an ok or partial scan with aam inventory scans", flag, id, id, s.Status)
		}
		return s, nil
	}
	// The complete scans, newest first: enough to find the one before any.
	scans, err := store.CompleteScans(ctx, 1<<20)
	if err != nil {
		return from, to, err
	}
	if toID != 0 {
		if to, err = complete(toID, "--to"); err != nil {
			return from, to, err
		}
	} else {
		if len(scans) == 0 {
			return from, to, fmt.Errorf("no complete scan to compare: run aam scan twice")
		}
		to = scans[0]
	}
	if fromID != 0 {
		if from, err = complete(fromID, "--from"); err != nil {
			return from, to, err
		}
		if from.ID >= to.ID {
			return from, to, usagef("--from %d is not older than scan %d: pick an older scan with aam inventory scans", from.ID, to.ID)
		}
		return from, to, nil
	}
	for _, s := range scans {
		if s.ID < to.ID {
			return s, to, nil
		}
	}
	return from, to, fmt.Errorf("no complete scan before scan %d to compare it with: run aam scan again, then aam diff", to.ID)
}
