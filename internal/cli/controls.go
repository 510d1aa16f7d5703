package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aam-dev/aam/posture"
	"github.com/spf13/cobra"
)

// ControlsOptions are the flags of aam controls list and show.
type ControlsOptions struct {
	*globalOptions
	Output      string
	ControlsDir string
	ID          string
}

func newControlsCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List and show the controls aam posture evaluates",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, args []string) error { return c.Help() },
	}
	listOpts := &ControlsOptions{globalOptions: g}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the controls with their severity and mappings",
		Example: `  aam controls list
  aam controls list -o json
  aam controls list --controls-dir ./controls`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error { return runControlsList(c.Context(), listOpts) },
	}
	showOpts := &ControlsOptions{globalOptions: g}
	show := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one control: rationale, remediation, thresholds, mappings and query",
		Example: `  aam controls show AAM-004`,
		Args:    exactArgs(1, "one control id (see aam controls list)"),
		RunE: func(c *cobra.Command, args []string) error {
			showOpts.ID = args[0]
			return runControlsShow(c.Context(), showOpts)
		},
	}
	for _, o := range []struct {
		c *cobra.Command
		o *ControlsOptions
	}{{list, listOpts}, {show, showOpts}} {
		o.c.Flags().StringVarP(&o.o.Output, "output", "o", "table", "output format: table or json")
		o.c.Flags().StringVar(&o.o.ControlsDir, "controls-dir", "", "add the controls of this folder (*.yaml) to aam's own")
	}
	cmd.AddCommand(list, show)
	return cmd
}

func (o *ControlsOptions) catalogue() (*posture.Catalogue, error) {
	if err := validOutput(o.Output); err != nil {
		return nil, err
	}
	cat, err := posture.Builtin()
	if err != nil {
		return nil, err
	}
	if o.ControlsDir != "" {
		if err := cat.LoadDir(o.ControlsDir); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

func runControlsList(_ context.Context, o *ControlsOptions) error {
	cat, err := o.catalogue()
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return writeJSON(o.IO, struct {
			SchemaVersion int                `json:"schema_version"`
			CISAWSVersion string             `json:"cis_aws_version"`
			Controls      []*posture.Control `json:"controls"`
		}{jsonSchemaVersion, posture.CISAWSVersion, cat.Controls})
	}
	t := newTable(o.IO, "ID", "SEVERITY", "TITLE", "OWASP NHI", "OWASP AGENTIC", "CIS AWS "+posture.CISAWSVersion)
	for _, c := range cat.Controls {
		t.row(c.ID, c.Severity.String(), c.Title, dash(strings.Join(c.Mappings.OWASPNHI, ",")),
			dash(strings.Join(c.Mappings.OWASPAgentic, ",")), dash(strings.Join(c.Mappings.CISAWS, ",")))
	}
	return t.flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runControlsShow(_ context.Context, o *ControlsOptions) error {
	cat, err := o.catalogue()
	if err != nil {
		return err
	}
	c, ok := cat.Lookup(o.ID)
	if !ok {
		return fmt.Errorf("no control %s: see aam controls list", o.ID)
	}
	if o.Output == "json" {
		return writeJSON(o.IO, struct {
			SchemaVersion int              `json:"schema_version"`
			Control       *posture.Control `json:"control"`
		}{jsonSchemaVersion, c})
	}
	w := o.IO.Out
	fmt.Fprintf(w, "%s  %s\n", c.ID, c.Title)
	fmt.Fprintf(w, "Severity:   %s\n", c.Severity)
	fmt.Fprintf(w, "Providers:  %s\n", strings.Join(c.Providers, ", "))
	fmt.Fprintf(w, "Source:     %s\n", c.Source)
	var maps []string
	for _, m := range c.Mappings.OWASPNHI {
		maps = append(maps, fmt.Sprintf("OWASP NHI %s %s", m, posture.NHITitles[m]))
	}
	for _, m := range c.Mappings.OWASPAgentic {
		maps = append(maps, fmt.Sprintf("OWASP Agentic %s %s", m, posture.AgenticTitles[m]))
	}
	for _, m := range c.Mappings.CISAWS {
		maps = append(maps, fmt.Sprintf("CIS AWS Foundations v%s %s", posture.CISAWSVersion, m))
	}
	fmt.Fprintf(w, "Mappings:   %s\n", dash(strings.Join(maps, "; ")))
	fmt.Fprintf(w, "\nWhy it matters\n  %s\n\nWhat to do\n  %s\n", c.Rationale, c.Remediation)
	if len(c.Thresholds) > 0 {
		fmt.Fprintf(w, "\nThresholds (aam.yaml posture.thresholds.%s)\n", c.ID)
		for _, th := range c.Thresholds {
			fmt.Fprintf(w, "  %s = %d  %s\n", th.Name, th.Default, th.Description)
		}
	}
	if c.Query != "" {
		fmt.Fprintf(w, "\nQuery\n%s", indent(c.Query, "  "))
	} else {
		fmt.Fprintf(w, "\nEvaluated in Go: %s\n", c.Evaluator)
	}
	return nil
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = by + l
	}
	return strings.Join(lines, "\n") + "\n"
}
