// Package sarifcheck validates SARIF files with Microsoft's SARIF
// Multitool (npm package @microsoft/sarif-multitool), against the SARIF
// 2.1.0 schema and its rules for GitHub code scanning, for the tests of
// the reports that write SARIF.
package sarifcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Environment variables the tests read.
const (
	// EnvTool is the path of the multitool: the npm package's
	// node_modules/.bin/sarif-multitool, or the platform binary
	// Sarif.Multitool.
	EnvTool = "AAM_SARIF_MULTITOOL"
	// EnvRequire, set to 1, makes a missing tool a failure instead of a
	// skip (CI sets it, so that validation never silently stops).
	EnvRequire = "AAM_REQUIRE_SARIF_MULTITOOL"
)

// Tool returns the multitool's path; without one it skips the test, or
// fails it when EnvRequire is 1.
func Tool(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvTool)
	require := os.Getenv(EnvRequire) == "1"
	if path == "" {
		if require {
			t.Fatalf("%s=1 but %s is unset: install it with npm install --prefix DIR @microsoft/sarif-multitool and set %s=DIR/node_modules/.bin/sarif-multitool (.ci/run does)", EnvRequire, EnvTool, EnvTool)
		}
		t.Skipf("SARIF Multitool not configured: set %s to node_modules/.bin/sarif-multitool of npm install @microsoft/sarif-multitool to validate the SARIF (.ci/run does)", EnvTool)
	}
	if _, err := os.Stat(path); err != nil {
		if require {
			t.Fatalf("%s=%s: %v: install @microsoft/sarif-multitool there", EnvTool, path, err)
		}
		t.Skipf("%s=%s: %v: install @microsoft/sarif-multitool there to validate the SARIF", EnvTool, path, err)
	}
	return path
}

// Problem is one thing the multitool reported.
type Problem struct {
	RuleID  string
	Level   string
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s %s: %s", p.Level, p.RuleID, p.Message) }

// GitHub says whether the problem is one of the multitool's GitHub
// (GHAS) rules, which GitHub code scanning enforces on upload.
func (p Problem) GitHub() bool { return strings.HasPrefix(p.RuleID, "GH") }

// RuleKinds are the multitool's rule sets Validate runs: the SARIF
// specification's (with the JSON schema) and GitHub Advanced Security's.
// Each runs on its own, because the npm package's launcher passes its
// arguments through a shell, where the ';' that joins kinds would end the
// command.
var RuleKinds = []string{"Sarif", "Ghas"}

// Validate runs the multitool on file with each of RuleKinds and returns
// every result it reports (errors, warnings and notes).
func Validate(ctx context.Context, tool, file string) ([]Problem, error) {
	var all []Problem
	dir, err := os.MkdirTemp("", "sarifcheck")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for _, kind := range RuleKinds {
		out := filepath.Join(dir, kind+".sarif")
		cmd := exec.CommandContext(ctx, tool, "validate", "--rule-kind", kind, "--log", "ForceOverwrite", "--output", out, file)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s validate --rule-kind %s: %v\n%s", tool, kind, err, buf.String())
		}
		ps, err := readLog(out)
		if err != nil {
			return nil, fmt.Errorf("%s validate --rule-kind %s: %v\n%s", tool, kind, err, buf.String())
		}
		all = append(all, ps...)
	}
	return all, nil
}

// readLog reads the multitool's own SARIF log: its results are the
// problems, and a failed or erroring invocation is an error (the tool
// exits 0 either way).
func readLog(path string) ([]Problem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the multitool wrote no log: %v", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID             string                           `json:"id"`
						MessageStrings map[string]struct{ Text string } `json:"messageStrings"`
						Default        struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
				ConfigNotifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolConfigurationNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text      string   `json:"text"`
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("read the multitool's log: %v", err)
	}
	if len(log.Runs) != 1 {
		return nil, fmt.Errorf("the multitool's log has %d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	for _, inv := range run.Invocations {
		if !inv.ExecutionSuccessful {
			return nil, fmt.Errorf("the multitool did not run successfully")
		}
		for _, n := range append(inv.Notifications, inv.ConfigNotifications...) {
			if n.Level == "error" {
				return nil, fmt.Errorf("the multitool failed: %s", n.Message.Text)
			}
		}
	}
	var out []Problem
	for _, r := range run.Results {
		p := Problem{RuleID: r.RuleID, Level: r.Level, Message: r.Message.Text}
		if r.RuleIndex != nil && *r.RuleIndex < len(run.Tool.Driver.Rules) {
			rule := run.Tool.Driver.Rules[*r.RuleIndex]
			if p.Level == "" {
				p.Level = rule.Default.Level
			}
			if p.Message == "" {
				p.Message = rule.MessageStrings[r.Message.ID].Text
			}
		}
		if p.Level == "" {
			// SARIF's default level.
			p.Level = "warning"
		}
		for i, a := range r.Message.Arguments {
			p.Message = strings.ReplaceAll(p.Message, fmt.Sprintf("{%d}", i), a)
		}
		out = append(out, p)
	}
	return out, nil
}

// Check validates file and fails t on every error, every GitHub rule
// violation, and every warning not in allow (rule id → why it is
// accepted); notes are logged.
func Check(t testing.TB, tool, file string, allow map[string]string) {
	t.Helper()
	problems, err := Validate(context.Background(), tool, file)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		switch {
		case p.Level == "error" || p.GitHub():
			t.Errorf("SARIF Multitool: %s", p)
		case p.Level == "warning" && allow[p.RuleID] == "":
			t.Errorf("SARIF Multitool: %s", p)
		case p.Level == "warning":
			t.Logf("SARIF Multitool (accepted: %s): %s", allow[p.RuleID], p)
		default:
			t.Logf("SARIF Multitool: %s", p)
		}
	}
}
