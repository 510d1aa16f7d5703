package aws

import (
	"strconv"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// IAM list paging: a request asks for at most MaxItems (1 to 1000) items; the
// answer holds at most min(MaxItems, the server's page size) of them, and
// when more remain IsTruncated is true and Marker is an opaque token the
// next request sends back unchanged (kit.List makes and reads it).

const maxMaxItems = 1000

// paginate reads MaxItems and Marker and picks the page of a list of total
// items.
func paginate(p params, pageSize int, list kit.List, total int) (kit.Page, *apiError) {
	size := pageSize
	if size <= 0 {
		size = kit.DefaultPageSize
	}
	if p.has("MaxItems") {
		raw := p.get("MaxItems")
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			return kit.Page{}, validationError("Value '%s' for parameter MaxItems is invalid: it must be a whole number from 1 to %d", raw, maxMaxItems)
		case n < 1:
			return kit.Page{}, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
		case n > maxMaxItems:
			return kit.Page{}, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxMaxItems)
		}
		size = min(size, n)
	}
	start := 0
	if p.has("Marker") {
		off, ok := list.Offset(p.get("Marker"), total)
		if !ok {
			return kit.Page{}, validationError("Invalid Marker: send back the Marker of the previous page of this same request, unchanged")
		}
		start = off
	}
	return kit.PageFrom(list, start, size, total), nil
}
