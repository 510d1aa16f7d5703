package kit

import (
	"net/url"
	"strings"
)

// Router finds the route of a request by its method and path, as REST APIs
// (AWS rest-json, Azure ARM, Google REST, GitHub...) route them: a pattern
// such as "/agents/{agentId}/" binds each {name} to one non-empty,
// unescaped path segment. The zero value has no routes.
type Router[T any] struct {
	routes []route[T]
}

type route[T any] struct {
	method  string
	pattern []string
	value   T
}

// Handle adds value for method at each pattern, in order: the first match
// wins.
func (r *Router[T]) Handle(method string, value T, patterns ...string) {
	for _, p := range patterns {
		r.routes = append(r.routes, route[T]{method: method, pattern: strings.Split(strings.TrimPrefix(p, "/"), "/"), value: value})
	}
}

// Match finds the route of method at escapedPath (r.URL.EscapedPath()).
// Found: its value, the path variables and 200. A path some route has but
// for another method: that route's value and 405 (the caller names the
// method it takes). No route: 404.
func (r *Router[T]) Match(method, escapedPath string) (T, map[string]string, int) {
	var zero T
	raw := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		v, err := url.PathUnescape(s)
		if err != nil {
			return zero, nil, 404
		}
		segs[i] = v
	}
	other, found := zero, false
	for _, rt := range r.routes {
		vars, ok := matchPattern(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method == method {
			return rt.value, vars, 200
		}
		if !found {
			other, found = rt.value, true
		}
	}
	if found {
		return other, nil, 405
	}
	return zero, nil, 404
}

func matchPattern(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range pattern {
		if name, ok := strings.CutPrefix(p, "{"); ok {
			if segs[i] == "" {
				return nil, false
			}
			vars[strings.TrimSuffix(name, "}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return vars, true
}
