package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/inventory"
	"github.com/aam-dev/aam/inventory/inventorytest"
)

// A query that ends because the command was interrupted (Ctrl-C cancels
// the command's context) or reached its --timeout says which, whether it
// was computing its first row or a later one, and never shows the
// context's own words.
func TestQueryInterruptedOrTimedOut(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "aam.db")
	w, err := inventory.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := inventorytest.WriteEstate(ctx, w, 1); err != nil {
		t.Fatal(err)
	}
	w.Close()
	const endless = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) `
	tests := []struct {
		name    string
		args    []string
		cancel  bool // Ctrl-C after a moment
		wantErr string
	}{
		{"interrupted before the first row", []string{endless + "SELECT count(*) FROM c", "--timeout", "0"}, true, "aam: query interrupted\n"},
		{"interrupted after the first row", []string{endless + "SELECT 1 UNION ALL SELECT count(*) FROM c", "--timeout", "0"}, true, "aam: query interrupted\n"},
		{"interrupted within its timeout", []string{endless + "SELECT 1 UNION ALL SELECT count(*) FROM c", "--timeout", "1h"}, true, "aam: query interrupted\n"},
		{"timed out", []string{endless + "SELECT 1 UNION ALL SELECT count(*) FROM c", "--timeout", "200ms"}, false, "aam: query timed out after 200ms: raise --timeout or narrow the query\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			var out, errOut bytes.Buffer
			args := append([]string{"query", "--db", db}, tt.args...)
			code := cli.Run(ctx, args, &cli.IOStreams{Out: &out, ErrOut: &errOut})
			if code != cli.ExitError || errOut.String() != tt.wantErr {
				t.Errorf("aam %s: exit %d, stderr %q; want exit %d and %q", strings.Join(args, " "), code, errOut.String(), cli.ExitError, tt.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}
