package scanners

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestNewRegistry(t *testing.T) {
	tests := []struct {
		name      string
		providers []Provider
		wantNames string
		wantErr   string
	}{
		{"none", nil, "", ""},
		{"sorted", []Provider{testProvider("gcp"), testProvider("aws"), testProvider("azure")}, "aws,azure,gcp", ""},
		{"duplicate", []Provider{testProvider("aws"), testProvider("gcp"), testProvider("aws")}, "", `provider "aws" is registered twice`},
		{"no name", []Provider{testProvider("")}, "", "no name"},
		{"no New", []Provider{{Name: "aws"}}, "", "no New"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRegistry(tt.providers...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "please report it") {
					t.Fatalf("err = %v, want one saying %q with a hint", err, tt.wantErr)
				}
				if r != nil {
					t.Error("a registry came back with the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Names(), ","); got != tt.wantNames {
				t.Errorf("names = %q, want %q", got, tt.wantNames)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	r, err := NewRegistry(testProvider("aws"), testProvider("gcp"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := r.Lookup("gcp"); err != nil || p.Name != "gcp" {
		t.Errorf("Lookup(gcp) = %v, %v", p.Name, err)
	}
	if _, err := r.Lookup("azure"); err == nil || !strings.Contains(err.Error(), "aam scans aws, gcp") {
		t.Errorf("Lookup(azure) err = %v, want one naming the providers there are", err)
	}
}

func TestTargetsFor(t *testing.T) {
	o := Options{Targets: []Target{{Provider: "aws", Tenant: "1"}, {Provider: "gcp", Tenant: "p"}, {Provider: "aws", Tenant: "2"}}}
	var got []string
	for _, tg := range o.TargetsFor("aws") {
		got = append(got, tg.Tenant)
	}
	if strings.Join(got, ",") != "1,2" {
		t.Errorf("aws targets = %v, want 1,2 in order", got)
	}
	if n := len(o.TargetsFor("azure")); n != 0 {
		t.Errorf("azure has %d targets, want none", n)
	}
}

// A target's credentials, and its external id, are never printed: not by
// fmt's verbs, nor within a slice or the options holding it, nor by slog.
// Everything else is.
func TestTargetPrintsNoSecret(t *testing.T) {
	const (
		keyID      = "AKIACANARYKEYID00001"
		secret     = "CANARY-secret-access-key"
		externalID = "CANARY-external-id"
	)
	tg := Target{Provider: "aws", Tenant: "111111111111", Label: "prod", Endpoint: "https://127.0.0.1:4566",
		RoleARN: "arn:aws:iam::222222222222:role/aam-read", ExternalID: externalID, Regions: []string{"us-east-1", "eu-west-1"},
		Credentials: map[string]string{"access_key_id": keyID, "secret_access_key": secret}}
	bare := Target{Provider: "aws", Tenant: "333333333333", Endpoint: "http://127.0.0.1:1"}

	var text, jsonLog bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("scan", "target", tg, "targets", []Target{tg, bare})
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("scan", "target", tg)
	printed := map[string]string{
		"%v %+v %#v":       fmt.Sprintf("%v %+v %#v", tg, tg, tg),
		"pointer":          fmt.Sprintf("%v %+v %#v", &tg, &tg, &tg),
		"slice %v":         fmt.Sprintf("%v", []Target{tg, bare}),
		"slice %+v %#v":    fmt.Sprintf("%+v %#v", []Target{tg, bare}, []Target{tg, bare}),
		"options %+v":      fmt.Sprintf("%+v", Options{Targets: []Target{tg}}),
		"options %#v":      fmt.Sprintf("%#v", Options{Targets: []Target{tg}}),
		"slog text":        text.String(),
		"slog json":        jsonLog.String(),
		"String":           tg.String(),
		"GoString of bare": bare.GoString(),
	}
	for name, out := range printed {
		for _, v := range []string{keyID, secret, externalID} {
			if strings.Contains(out, v) {
				t.Errorf("%s prints the secret %q: %s", name, v, out)
			}
		}
	}
	for name, out := range printed {
		if name == "GoString of bare" {
			continue
		}
		for _, want := range []string{"aws", "111111111111", "prod", "https://127.0.0.1:4566", "arn:aws:iam::222222222222:role/aam-read", "us-east-1", "eu-west-1", "access_key_id", "secret_access_key"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s does not print %q: %s", name, want, out)
			}
		}
	}
	if got, want := tg.String(), "{provider=aws tenant=111111111111 label=prod endpoint=https://127.0.0.1:4566 role_arn=arn:aws:iam::222222222222:role/aam-read external_id=[redacted] regions=[us-east-1 eu-west-1] credentials=[access_key_id secret_access_key]}"; got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got, want := bare.GoString(), `scanners.Target{Provider:"aws", Tenant:"333333333333", Label:"", Endpoint:"http://127.0.0.1:1", Credentials:map[string]string(nil), RoleARN:"", ExternalID:"", Regions:[]string(nil)}`; got != want {
		t.Errorf("GoString() =\n%s\nwant\n%s", got, want)
	}
}
