package lab

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// IAM list paging: a request asks for at most MaxItems (1 to 1000) items; the
// answer holds at most min(MaxItems, the server's page size) of them, and
// when more remain IsTruncated is true and Marker is an opaque token the
// next request sends back unchanged.

const (
	defaultPageSize = 100
	maxMaxItems     = 1000
	markerVersion   = "aamlab1"
)

// page is the slice [start, end) of a list to answer with.
type page struct {
	start, end int
	truncated  bool
	marker     string // the next request's Marker when truncated
}

// listScope identifies the list a marker belongs to: the operation, the
// account and whatever narrows the list (filter, path prefix, user name).
type listScope struct {
	action, account, narrow string
}

// paginate reads MaxItems and Marker and picks the page of a list of total
// items.
func paginate(p params, pageSize int, scope listScope, total int) (page, *apiError) {
	size := pageSize
	if size <= 0 {
		size = defaultPageSize
	}
	if p.has("MaxItems") {
		raw := p.get("MaxItems")
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			return page{}, validationError("Value '%s' for parameter MaxItems is invalid: it must be a whole number from 1 to %d", raw, maxMaxItems)
		case n < 1:
			return page{}, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
		case n > maxMaxItems:
			return page{}, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxMaxItems)
		}
		size = min(size, n)
	}
	start := 0
	if p.has("Marker") {
		off, ok := markerOffset(p.get("Marker"), scope, total)
		if !ok {
			return page{}, validationError("Invalid Marker: send back the Marker of the previous page of this same request, unchanged")
		}
		start = off
	}
	return pageFrom(scope, start, size, total), nil
}

// pageFrom is the page of at most size items from start of a list of
// total items, with the marker of the next page when more remain.
func pageFrom(scope listScope, start, size, total int) page {
	end := min(start+size, total)
	pg := page{start: start, end: end}
	if end < total {
		pg.truncated = true
		pg.marker = encodeMarker(scope, end)
	}
	return pg
}

// markerOffset decodes a marker (or token) of scope into the offset it
// stands for in a list of total items; it reports false for a marker of
// another list, or one outside the list.
func markerOffset(marker string, scope listScope, total int) (int, bool) {
	off, ok := decodeMarker(marker, scope)
	return off, ok && off > 0 && off < total
}

func encodeMarker(s listScope, offset int) string {
	raw := strings.Join([]string{markerVersion, s.action, s.account, s.narrow, strconv.Itoa(offset)}, "\x00")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeMarker(m string, s listScope) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, false
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != 5 || f[0] != markerVersion || f[1] != s.action || f[2] != s.account || f[3] != s.narrow {
		return 0, false
	}
	n, err := strconv.Atoi(f[4])
	if err != nil {
		return 0, false
	}
	return n, true
}

// span is the part of a segment [base, base+n) of a concatenated list that
// falls in page [start, end), as indexes into the segment.
func span(start, end, base, n int) (from, to int) {
	from = max(start-base, 0)
	to = min(end-base, n)
	if from >= to {
		return 0, 0
	}
	return from, to
}
