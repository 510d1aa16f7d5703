package lab

import "github.com/aam-dev/aam/lab/aws"

// GenerateOptions size a synthetic estate.
type GenerateOptions = aws.GenerateOptions

// Generate builds a valid synthetic estate of the given size,
// deterministically (see aws.GenerateEstate): the same options always give
// the same estate.
func Generate(opts GenerateOptions) *Estate {
	return &Estate{AWS: aws.GenerateEstate(opts)}
}
