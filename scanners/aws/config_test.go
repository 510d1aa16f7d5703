package aws_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aam-dev/aam/scanners"
	awsscan "github.com/aam-dev/aam/scanners/aws"
)

// The aws section as aam.yaml gives it: its tenants, counted against
// scanners.MaxTenants, are its accounts, and a value of the wrong type is
// refused in YAML's words before the scanner is built.
func TestConfigSection(t *testing.T) {
	reg, err := scanners.NewRegistry(awsscan.Provider())
	if err != nil {
		t.Fatal(err)
	}
	if key := awsscan.Provider().TenantsKey; yamlField(reflect.TypeFor[awsscan.Config](), key).Kind() != reflect.Slice {
		t.Fatalf("TenantsKey %q is not a list field of the aws section", key)
	}
	accounts := func(n int) string {
		var b strings.Builder
		b.WriteString("version: 1\naws:\n  regions: [us-east-1]\n  accounts:\n")
		for i := range n {
			fmt.Fprintf(&b, "    - profile: p%d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name, text, wantErr string
	}{
		{"as many accounts as allowed", accounts(scanners.MaxTenants), ""},
		{"one account too many", accounts(scanners.MaxTenants + 1), "config aam.yaml line 4: aws.accounts lists 10001 tenants, over the limit of 10000: split them across several config files and scan each on its own"},
		{"regions as a string", "version: 1\naws:\n  regions: us-east-1\n", "config aam.yaml line 3: aws.regions must be a list of strings, not a string"},
		{"a profile as a list", "version: 1\naws:\n  accounts:\n    - profile: [prod]\n", "config aam.yaml line 4: aws.accounts[0].profile must be a string, not a list"},
		{"a key twice in an account", "version: 1\naws:\n  accounts:\n    - profile: prod\n      role_arn: arn:aws:iam::222222222222:role/r\n      profile: dev\n", `config aam.yaml line 6: key "profile" appears twice (first at line 4): keep one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := scanners.ParseConfig("aam.yaml", []byte(tt.text), reg)
			if err == nil {
				_, err = awsscan.Provider().New(context.Background(), cfg.Sections["aws"], scanners.Options{ConfigPath: "aam.yaml"})
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("err = %v\nwant  %s", err, tt.wantErr)
			}
		})
	}
}

// yamlField is the type of t's field named name in YAML, or struct{} when
// there is none.
func yamlField(t reflect.Type, name string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag == name {
			return t.Field(i).Type
		}
	}
	return reflect.TypeFor[struct{}]()
}
