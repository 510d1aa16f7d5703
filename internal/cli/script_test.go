package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aam-dev/aam/internal/cli"
	"github.com/aam-dev/aam/lab"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aam": func() { os.Exit(cli.Main()) },
		// aam-exit runs aam and prints its exit code, so a script can
		// assert the exact code: exec aam-exit scan ...; stdout 'exit code 4'.
		"aam-exit": func() {
			code := cli.Main()
			fmt.Printf("exit code %d\n", code)
			os.Exit(0)
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			// Nothing from the developer's own AWS setup leaks in.
			for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
				env.Setenv(k, "")
			}
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, "no-aws-config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, "no-aws-credentials"))
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Values[labKey{}] = &labHolder{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lab-start": labStart,
			"lab-wait":  labWait,
			"lab-calls": labCalls,
		},
	})
}

// labKey finds the script's lab holder among its values (see Setup).
type labKey struct{}

// labHolder is where lab-start leaves the lab for lab-wait and lab-calls.
type labHolder struct{ lab *lab.Lab }

func scriptLab(ts *testscript.TestScript) *lab.Lab {
	l := ts.Value(labKey{}).(*labHolder).lab
	if l == nil {
		ts.Fatalf("no lab: run lab-start first")
	}
	return l
}

// labWait waits until the lab has answered at least N calls (at most 30 s):
// a background scan is then known to be under way.
//
//	lab-wait N
func labWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lab-wait N")
	}
	var n int
	_, err := fmt.Sscan(args[0], &n)
	ts.Check(err)
	l := scriptLab(ts)
	deadline := time.Now().Add(30 * time.Second)
	for l.Stats().Total() < n {
		if time.Now().After(deadline) {
			ts.Fatalf("the lab answered %d calls in 30s, waited for %d", l.Stats().Total(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// labCalls prints how many calls of one operation the lab received, as
// "calls N", for stdout to match.
//
//	lab-calls aws/sts:GetCallerIdentity
func labCalls(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lab-calls PROVIDER/SERVICE:OPERATION")
	}
	fmt.Fprintf(ts.Stdout(), "calls %d\n", scriptLab(ts).Stats().Calls[args[0]])
}

// labStart starts a lab for the rest of the script and writes
// $WORK/aws.config (one profile per account) and $WORK/aam.yaml (every
// profile), and points AWS_CONFIG_FILE at the former. It sets LAB_URL, and
// ACCOUNTn, KEYn and SECRETn for the n-th account's id and lab credentials.
//
//	lab-start [-estate FILE | -generate ACCOUNTS] [-deny PROVIDER:TENANT]... [-deny-op PROVIDER:SERVICE:OP]... [-latency DURATION] [-throttle N]
func labStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("lab-start does not fail")
	}
	var (
		opts   lab.Options
		estate *lab.Estate
		err    error
	)
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-estate":
			i++
			estate, err = lab.LoadEstate(ts.MkAbs(args[i]))
			ts.Check(err)
		case "-generate":
			i++
			var accounts int
			_, err = fmt.Sscan(args[i], &accounts)
			ts.Check(err)
			estate = lab.Generate(lab.GenerateOptions{Accounts: accounts, AgentsPerAccount: 2, Seed: 1})
		case "-deny":
			i++
			opts.Deny = append(opts.Deny, args[i])
		case "-deny-op":
			i++
			opts.DenyOps = append(opts.DenyOps, args[i])
		case "-latency":
			i++
			opts.Latency, err = time.ParseDuration(args[i])
			ts.Check(err)
		case "-throttle":
			i++
			_, err = fmt.Sscan(args[i], &opts.ThrottleEvery)
			ts.Check(err)
		default:
			ts.Fatalf("lab-start: unknown argument %q", args[i])
		}
	}
	if estate == nil {
		estate, err = lab.DemoEstate()
		ts.Check(err)
	}
	l, err := lab.Start(estate, opts)
	ts.Check(err)
	ts.Defer(func() { l.Close() })
	ts.Value(labKey{}).(*labHolder).lab = l
	awsConfig := ts.MkAbs("aws.config")
	ts.Check(os.WriteFile(awsConfig, []byte(l.AWS().AWSConfigFile("")), 0o600))
	ts.Setenv("AWS_CONFIG_FILE", awsConfig)
	var yaml strings.Builder
	yaml.WriteString("version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n")
	targets := l.Targets()
	for _, t := range targets {
		fmt.Fprintf(&yaml, "    - profile: %s\n", t.Label)
	}
	ts.Check(os.WriteFile(ts.MkAbs("aam.yaml"), []byte(yaml.String()), 0o600))
	ts.Setenv("LAB_URL", l.URL("aws"))
	for i, t := range targets {
		ts.Setenv(fmt.Sprintf("ACCOUNT%d", i+1), t.Tenant)
		ts.Setenv(fmt.Sprintf("KEY%d", i+1), t.Credentials["access_key_id"])
		ts.Setenv(fmt.Sprintf("SECRET%d", i+1), t.Credentials["secret_access_key"])
	}
}
