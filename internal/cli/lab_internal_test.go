package cli

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aam-dev/aam/lab"
)

// The flags of aam lab serve reach the lab's options, each of them.
func TestLabServeFlags(t *testing.T) {
	var got *LabServeOptions
	g := &globalOptions{IO: &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Now: time.Now}
	cmd := newLabServeCmd(g, func(_ context.Context, o *LabServeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--addr", "127.0.0.1:4566", "--tls", "--page-size", "3", "--latency", "20ms", "--throttle-every", "4",
		"--deny", "aws:111111111111", "--deny", "222222222222", "--deny-op", "aws:lambda:GetFunctionConfiguration"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := lab.Options{Addr: "127.0.0.1:4566", TLS: true, PageSize: 3, Latency: 20 * time.Millisecond, ThrottleEvery: 4,
		Deny: []string{"aws:111111111111", "222222222222"}, DenyOps: []string{"aws:lambda:GetFunctionConfiguration"}}
	if opts := got.labOptions(); !reflect.DeepEqual(opts, want) {
		t.Errorf("lab options %+v, want %+v", opts, want)
	}
}
