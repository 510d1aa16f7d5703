package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table writes rows aligned for a terminal, or tab-separated when the output
// is piped, so scripts can cut columns (as gh does).
type table struct {
	out     io.Writer
	aligned bool
	rows    [][]string
}

func newTable(s *IOStreams, header ...string) *table {
	t := &table{out: s.Out, aligned: s.OutTTY}
	t.row(header...)
	return t
}

// newSummaryTable is always aligned: summaries are read by people.
func newSummaryTable(s *IOStreams, header ...string) *table {
	t := &table{out: s.Out, aligned: true}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	out := make([]string, len(cells))
	for i, c := range cells {
		// A cell never breaks the table's shape.
		out[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
	}
	t.rows = append(t.rows, out)
}

func (t *table) flush() error {
	w := t.out
	var tw *tabwriter.Writer
	if t.aligned {
		tw = tabwriter.NewWriter(t.out, 0, 4, 2, ' ', 0)
		w = tw
	}
	for _, r := range t.rows {
		if _, err := fmt.Fprintln(w, strings.Join(r, "\t")); err != nil {
			return err
		}
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
