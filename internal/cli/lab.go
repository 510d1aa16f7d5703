package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aam-dev/aam/lab"
	"github.com/spf13/cobra"
)

func newLabCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run the lab: a loopback emulation of the provider APIs",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, args []string) error { return c.Help() },
	}
	cmd.AddCommand(newLabServeCmd(g, nil), newLabGenerateCmd(g, nil))
	return cmd
}

// LabGenerateOptions are the flags of aam lab generate.
type LabGenerateOptions struct {
	*globalOptions
	Accounts, Agents int
	Region           string
	Seed             int64
	Out              string
}

func newLabGenerateCmd(g *globalOptions, runF func(context.Context, *LabGenerateOptions) error) *cobra.Command {
	opts := &LabGenerateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a generated estate for the lab (scale tests and benchmarks)",
		Example: `  aam lab generate --accounts 2 --agents 50 --out big.yaml
  aam lab serve --estate big.yaml --latency 20ms --aws-config big.aws.config`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runLabGenerate(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Accounts, "accounts", 2, "number of accounts")
	f.IntVar(&opts.Agents, "agents", 50, "agents per account, half Bedrock agents and half AgentCore runtimes")
	f.StringVar(&opts.Region, "region", "us-east-1", "region the agents run in")
	f.Int64Var(&opts.Seed, "seed", 1, "the same seed always gives the same estate")
	f.StringVarP(&opts.Out, "out", "o", "", "write here instead of stdout")
	return cmd
}

func runLabGenerate(ctx context.Context, o *LabGenerateOptions) error {
	if o.Accounts < 1 || o.Accounts > 1000 || o.Agents < 0 || o.Agents > 100000 {
		return usagef("--accounts must be 1..1000 and --agents 0..100000 (got %d and %d)", o.Accounts, o.Agents)
	}
	e := lab.Generate(lab.GenerateOptions{Accounts: o.Accounts, AgentsPerAccount: o.Agents, Region: o.Region, Seed: o.Seed})
	raw, err := e.YAML()
	if err != nil {
		return err
	}
	// What is written must read back as the lab reads any estate file.
	if _, err := lab.ParseEstate(raw); err != nil {
		return fmt.Errorf("generated estate is invalid (please report this bug): %w", err)
	}
	if o.Out == "" {
		_, err = o.IO.Out.Write(raw)
		return err
	}
	if err := os.WriteFile(o.Out, raw, 0o600); err != nil {
		return fmt.Errorf("write the estate: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "wrote %d account(s), %d agent(s) to %s\n", o.Accounts, o.Accounts*o.Agents, o.Out)
	return nil
}

// LabServeOptions are the flags of aam lab serve.
type LabServeOptions struct {
	*globalOptions
	Estate        string
	Addr          string
	AWSConfigPath string
	PageSize      int
	Latency       time.Duration
	ThrottleEvery int
	Deny          []string
	DenyOps       []string
	TLS           bool
}

func newLabServeCmd(g *globalOptions, runF func(context.Context, *LabServeOptions) error) *cobra.Command {
	opts := &LabServeOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an estate on loopback until interrupted",
		Long: `Serve an estate (the built-in demo estate, or --estate FILE) on loopback,
speaking the providers' wire protocols, until interrupted. It prints, for
each account, the environment that points the AWS SDK (and aam) at it, and
with --aws-config writes an AWS config file with one profile per account.`,
		Example: `  aam lab serve
  aam lab serve --estate testdata/estates/two-accounts.yaml --aws-config lab.aws.config --throttle-every 3`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runLabServe(c.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Estate, "estate", "", "estate file (YAML); default: the built-in demo estate")
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	f.StringVar(&opts.AWSConfigPath, "aws-config", "", "write an AWS config file with one profile per account here")
	f.IntVar(&opts.PageSize, "page-size", 0, "items per page of every list (0: 100)")
	f.DurationVar(&opts.Latency, "latency", 0, "latency added to every call")
	f.IntVar(&opts.ThrottleEvery, "throttle-every", 0, "throttle every Nth call (0: never)")
	f.StringArrayVar(&opts.Deny, "deny", nil, "answer access denied to every call of a tenant, as provider:tenant (aws:111111111111; a bare account id means aws; repeatable)")
	f.StringArrayVar(&opts.DenyOps, "deny-op", nil, "answer access denied to one operation for every tenant, as provider:service:Operation (aws:lambda:GetFunctionConfiguration; repeatable)")
	f.BoolVar(&opts.TLS, "tls", false, "serve https under a throwaway CA, written to a temporary file for AWS_CA_BUNDLE")
	return cmd
}

// labOptions are the lab's settings from the flags.
func (o *LabServeOptions) labOptions() lab.Options {
	return lab.Options{Addr: o.Addr, TLS: o.TLS, PageSize: o.PageSize, Latency: o.Latency, ThrottleEvery: o.ThrottleEvery, Deny: o.Deny, DenyOps: o.DenyOps}
}

func runLabServe(ctx context.Context, o *LabServeOptions) error {
	if o.PageSize < 0 || o.ThrottleEvery < 0 || o.Latency < 0 {
		return usagef("--page-size, --throttle-every and --latency must not be negative")
	}
	var (
		estate *lab.Estate
		err    error
	)
	if o.Estate == "" {
		estate, err = lab.DemoEstate()
	} else {
		estate, err = lab.LoadEstate(o.Estate)
	}
	if err != nil {
		return err
	}
	l, err := lab.Start(estate, o.labOptions())
	if err != nil {
		return usageError{err}
	}
	defer l.Close()
	caFile := ""
	if o.TLS {
		dir, err := os.MkdirTemp("", "aam-lab-")
		if err != nil {
			return fmt.Errorf("write the lab's CA certificate: %w", err)
		}
		defer os.RemoveAll(dir)
		caFile = filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(caFile, l.CAPEM(), 0o644); err != nil {
			return fmt.Errorf("write the lab's CA certificate: %w", err)
		}
	}
	w := o.IO.Out
	fmt.Fprint(w, l.Instructions(caFile))
	if o.AWSConfigPath != "" && l.AWS() != nil {
		if err := os.WriteFile(o.AWSConfigPath, []byte(l.AWS().AWSConfigFile(caFile)), 0o600); err != nil {
			return fmt.Errorf("write the AWS config file: %w", err)
		}
		fmt.Fprintf(w, "\nAWS config file with one profile per account: %s (use AWS_CONFIG_FILE=%s AWS_PROFILE=<alias>)\n", o.AWSConfigPath, o.AWSConfigPath)
	}
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	st := l.Stats()
	fmt.Fprintf(o.IO.ErrOut, "lab stopped after %d calls (%d throttled, %d denied)\n", st.Total(), st.Throttled, st.Denied)
	return nil
}
