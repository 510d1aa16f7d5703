package lab

import (
	_ "embed"
	"fmt"
)

//go:embed estates/demo.yaml
var demoEstateYAML []byte

// DemoEstateYAML returns the embedded demo estate file: two AWS accounts of
// a fictional company (acme-prod 111111111111, acme-dev 222222222222) with
// the mistakes aam finds. The slice is a copy.
func DemoEstateYAML() []byte {
	return append([]byte(nil), demoEstateYAML...)
}

// DemoEstate parses the embedded demo estate.
func DemoEstate() (*Estate, error) {
	e, err := ParseEstate(demoEstateYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded demo estate: %w", err)
	}
	return e, nil
}
