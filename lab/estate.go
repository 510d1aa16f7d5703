package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aam-dev/aam/lab/aws"
	"github.com/aam-dev/aam/lab/internal/kit"
	"go.yaml.in/yaml/v3"
)

// EstateVersion is the estate file version this lab writes.
const EstateVersion = 2

// Estate is what the lab serves: one section per provider, nil when the
// estate has none. Read one with ParseEstate or LoadEstate, which decode
// each section strictly, fill in defaults and validate it.
type Estate struct {
	AWS *aws.Estate
}

// estateFile is the version-2 file: a version and one section per provider.
type estateFile struct {
	Version int         `yaml:"version"`
	AWS     *aws.Estate `yaml:"aws,omitempty"`
}

// providers are the sections a version-2 estate may have, in the order
// they are served; the ones not emulated yet are refused with a hint.
var providers = []string{aws.Provider}

// LoadEstate reads and validates the estate file at path.
func LoadEstate(path string) (*Estate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read estate: %w (check the path; estates live under testdata/estates/)", err)
	}
	e, err := ParseEstate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// ParseEstate decodes an estate file: version 2 (version: 2 and one section
// per provider) or version 1 (top-level accounts:, read as the aws
// section). Every section is decoded strictly by its provider, filled in
// and validated. Errors name lines and never contain secret values.
func ParseEstate(data []byte) (*Estate, error) {
	keys, err := kit.TopKeys(data)
	if err != nil {
		return nil, fmt.Errorf("estate: %w", err)
	}
	var version *kit.Key
	for i := range keys {
		if keys[i].Name == "version" {
			version = &keys[i]
		}
	}
	switch {
	case version == nil && slices.ContainsFunc(keys, func(k kit.Key) bool { return k.Name == "accounts" }):
		// Version 1: the file is the aws section.
		a, err := aws.ParseEstate(data)
		if err != nil {
			return nil, err
		}
		return &Estate{AWS: a}, nil
	case version == nil && len(keys) == 0:
		return nil, errors.New("estate is empty: start it with version: 2 and a provider section (aws)")
	case version == nil:
		return nil, fmt.Errorf("estate: no version: start the file with version: %d and one section per provider (%s)", EstateVersion, strings.Join(providers, ", "))
	case version.Value == "1":
		return nil, fmt.Errorf("estate: line %d: a version-1 estate has no version key and lists accounts at the top: drop version: 1, or write version: 2 with an aws: section", version.Line)
	case version.Value != strconv.Itoa(EstateVersion):
		if _, err := strconv.Atoi(version.Value); err != nil {
			return nil, fmt.Errorf("estate: line %d: version must be a number: write version: %d", version.Line, EstateVersion)
		}
		return nil, fmt.Errorf("estate: line %d: version %s is not supported: this lab reads version %d (and version-1 files without a version key)", version.Line, version.Value, EstateVersion)
	}
	for _, k := range keys {
		if k.Name != "version" && !slices.Contains(providers, k.Name) {
			return nil, fmt.Errorf("estate: line %d: no provider %q in this lab: sections are %s", k.Line, k.Name, strings.Join(providers, ", "))
		}
	}
	var f estateFile
	if err := kit.DecodeStrict(data, &f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("estate is empty: start it with version: 2 and a provider section (aws)")
		}
		return nil, fmt.Errorf("estate: %w", err)
	}
	e := &Estate{AWS: f.AWS}
	if e.AWS != nil {
		if err := e.AWS.Prepare(); err != nil {
			return nil, fmt.Errorf("aws section: %w", err)
		}
	}
	if e.AWS == nil {
		return nil, fmt.Errorf("estate: no provider section: add one of %s", strings.Join(providers, ", "))
	}
	return e, nil
}

// YAML renders the estate as a version-2 estate file that ParseEstate
// reads back. It holds the estate's canary secrets, as every estate file
// does.
func (e *Estate) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(estateFile{Version: EstateVersion, AWS: e.AWS}); err != nil {
		return nil, fmt.Errorf("render estate: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Providers lists the providers the estate has a section for, in serving
// order.
func (e *Estate) Providers() []string {
	var out []string
	if e.AWS != nil {
		out = append(out, aws.Provider)
	}
	return out
}

// Tenants counts the estate's tenants over all providers.
func (e *Estate) Tenants() int {
	n := 0
	if e.AWS != nil {
		n += len(e.AWS.Accounts)
	}
	return n
}
