package scanners

import (
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
