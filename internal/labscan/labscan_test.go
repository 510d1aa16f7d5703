package labscan_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aam-dev/aam/internal/labscan"
	"github.com/aam-dev/aam/lab"
	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

func demoLab(t *testing.T, opts lab.Options) *lab.Lab {
	t.Helper()
	e, err := lab.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(e, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestOptions(t *testing.T) {
	l := demoLab(t, lab.Options{TLS: true})
	base := scanners.Options{Concurrency: 3, Targets: []scanners.Target{{Provider: "aws", Tenant: "999999999999", Endpoint: "https://example.com"}}}
	opts := labscan.Options(l, base)
	if opts.Concurrency != 3 {
		t.Error("the base options were not kept")
	}
	lt := l.Targets()
	if len(opts.Targets) != len(lt) || len(lt) != 2 {
		t.Fatalf("targets %+v, want the lab's %d and nothing else", opts.Targets, len(lt))
	}
	for i, tg := range opts.Targets {
		if tg.Provider != lt[i].Provider || tg.Tenant != lt[i].Tenant || tg.Endpoint != l.URL("aws") || !reflect.DeepEqual(tg.Credentials, lt[i].Credentials) {
			t.Errorf("target %d = %+v, want the lab's %+v", i, tg, lt[i])
		}
	}
	opts.Targets[0].Credentials["access_key_id"] = "changed"
	if l.Targets()[0].Credentials["access_key_id"] == "changed" {
		t.Error("the scanner targets share their credentials map with the lab")
	}
	if want := []string{"us-east-1", "us-west-2"}; !reflect.DeepEqual(opts.Regions, want) {
		t.Errorf("regions %v, want every region of the estate %v", opts.Regions, want)
	}
	if narrowed := labscan.Options(l, scanners.Options{Regions: []string{"us-west-2"}}); !reflect.DeepEqual(narrowed.Regions, []string{"us-west-2"}) {
		t.Errorf("--region did not narrow the regions: %v", narrowed.Regions)
	}
	if opts.RootCAs == nil || opts.Transport == nil {
		t.Fatal("no root pool or transport handed over")
	}
	client := &http.Client{Transport: opts.Transport}
	resp, err := client.Get(l.URL("aws") + "/")
	if err != nil {
		t.Fatalf("the handed-over transport cannot reach the lab over TLS: %v", err)
	}
	resp.Body.Close()
	if _, err := client.Get("http://192.0.2.1/"); err == nil || !strings.Contains(err.Error(), "only the local lab") {
		t.Errorf("the handed-over transport reached a non-loopback address: %v", err)
	}
}

func TestScannersGoThroughTheRegistry(t *testing.T) {
	l := demoLab(t, lab.Options{})
	reg, err := scanners.NewRegistry(awsscan.Provider())
	if err != nil {
		t.Fatal(err)
	}
	ss, err := labscan.Scanners(context.Background(), reg, l, scanners.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Name() != "aws" {
		t.Fatalf("scanners %v, want the aws one", ss)
	}
	empty, err := scanners.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := labscan.Scanners(context.Background(), empty, l, scanners.Options{}); err == nil || !strings.Contains(err.Error(), "the lab serves aws, which this build cannot scan") {
		t.Errorf("a registry without aws: %v", err)
	}
}
