package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/scanners"
)

// ShowNode writes to out what aam inventory show id -o output prints, read
// from store.
func ShowNode(ctx context.Context, store *inventory.Store, id, output string, out io.Writer) error {
	g := &globalOptions{DB: store.Path(), IO: &IOStreams{Out: out, ErrOut: io.Discard}, Now: time.Now}
	return showNode(ctx, store, &ShowOptions{globalOptions: g, ID: id, Output: output})
}

// ReadScanSummary reads from store what aam scan prints after a scan, and
// returns its agent rows as text.
func ReadScanSummary(ctx context.Context, store *inventory.Store) ([]string, error) {
	sum, err := newScanSummary(ctx, store, &scanners.Result{}, store.Path(), &scanPlan{})
	var rows []string
	for _, a := range sum.Agents {
		rows = append(rows, fmt.Sprintf("%s %s %s runs_as=%v access=%s secrets=%d", a.Name, a.Type, a.Tenant, a.RunsAs, a.Access, a.Secrets))
	}
	return rows, err
}
