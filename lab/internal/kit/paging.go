package kit

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Paging: a list answers at most a page of items; when more remain it
// gives an opaque token (a Marker, a nextToken) that the next request sends
// back unchanged. A token is good only for the list it came from.

// DefaultPageSize is the most items a list answers at once unless the lab
// is told otherwise.
const DefaultPageSize = 100

const markerVersion = "aamlab1"

// List identifies the list a token belongs to: the operation, the tenant
// and whatever narrows the list (a filter, a parent id, a region).
type List struct {
	Op, Tenant, Narrow string
}

// Page is the slice [Start, End) of a list to answer with.
type Page struct {
	Start, End int
	Truncated  bool
	Next       string // the next request's token when Truncated
}

// PageFrom is the page of at most size items from start of a list of total
// items, with the token of the next page when more remain.
func PageFrom(l List, start, size, total int) Page {
	end := min(start+size, total)
	pg := Page{Start: start, End: end}
	if end < total {
		pg.Truncated = true
		pg.Next = l.token(end)
	}
	return pg
}

// Offset decodes a token of l into the offset it stands for in a list of
// total items; it reports false for a token of another list, or one
// outside the list.
func (l List) Offset(token string, total int) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != 5 || f[0] != markerVersion || f[1] != l.Op || f[2] != l.Tenant || f[3] != l.Narrow {
		return 0, false
	}
	n, err := strconv.Atoi(f[4])
	if err != nil {
		return 0, false
	}
	return n, n > 0 && n < total
}

func (l List) token(offset int) string {
	raw := strings.Join([]string{markerVersion, l.Op, l.Tenant, l.Narrow, strconv.Itoa(offset)}, "\x00")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// Span is the part of a segment [base, base+n) of a concatenated list that
// falls in the page [start, end), as indexes into the segment.
func Span(start, end, base, n int) (from, to int) {
	from = max(start-base, 0)
	to = min(end-base, n)
	if from >= to {
		return 0, 0
	}
	return from, to
}
