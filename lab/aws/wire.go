package aws

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// The AWS query protocol: POST / with a form body Action=...&Version=...,
// answered with <ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
// </ActionResponse>, errors with <ErrorResponse><Error><Type/><Code/>
// <Message/></Error><RequestId/></ErrorResponse>.

const (
	iamService = "iam"
	stsService = "sts"

	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"

	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

	// isoTime is how the query protocol writes timestamps.
	isoTime = "2006-01-02T15:04:05Z"
)

func serviceForVersion(v string) string {
	switch v {
	case iamVersion:
		return iamService
	case stsVersion:
		return stsService
	}
	return ""
}

func namespaceFor(service string) string {
	if service == stsService {
		return stsNamespace
	}
	return iamNamespace
}

func versionFor(service string) string {
	if service == stsService {
		return stsVersion
	}
	return iamVersion
}

// outcome is how a request ended, for the counters.
type outcome = kit.Outcome

const (
	answered  = kit.Answered  // a response of the API, error or not
	rejected  = kit.Rejected  // refused: authentication, protocol or validation
	denied    = kit.Denied    // AccessDenied
	throttled = kit.Throttled // Throttling
)

// apiError is an error answer in the query error envelope.
type apiError struct {
	status  int
	code    string
	message string
	outcome outcome
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// authError is a rejected request: its authentication failed.
func authError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...), outcome: rejected}
}

// validationError is a rejected request: a parameter is missing, unknown or
// malformed.
func validationError(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationError", message: fmt.Sprintf(format, args...), outcome: rejected}
}

func invalidAction(action, version string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidAction",
		message: fmt.Sprintf("Could not find operation %s for version %s", action, version), outcome: rejected}
}

func noSuchEntity(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NoSuchEntity", message: fmt.Sprintf(format, args...), outcome: answered}
}

func accessDenied(principal, service, action, resource string) *apiError {
	return &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: fmt.Sprintf("User: %s is not authorized to perform: %s:%s on resource: %s", principal, service, action, resource),
		outcome: denied}
}

func throttlingError() *apiError {
	return &apiError{status: http.StatusBadRequest, code: "Throttling", message: "Rate exceeded", outcome: throttled}
}

// errorEnvelope is the query protocol's error body.
type errorEnvelope struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeError(w http.ResponseWriter, service, requestID string, e *apiError) {
	typ := "Sender"
	if e.status >= 500 {
		typ = "Receiver"
	}
	body, err := xml.Marshal(errorEnvelope{Xmlns: namespaceFor(service), Type: typ, Code: e.code, Message: e.message, RequestID: requestID})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeXML(w, e.status, body)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// marshalResponse builds <ActionResponse xmlns=...><ActionResult>result
// </ActionResult><ResponseMetadata>...</ResponseMetadata></ActionResponse>.
func marshalResponse(service, action, requestID string, result any) ([]byte, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{
		Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: namespaceFor(service)}},
	}
	if err := enc.EncodeToken(start); err != nil {
		return nil, err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
	}
	if err := enc.EncodeElement(responseMetadata{RequestID: requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return nil, err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// members is a query-protocol list: the wrapper element holding one
// <member> per item. It is always written, as <X></X> when empty, as IAM
// does for the lists of a detail record.
type members[T any] []T

// MarshalXML implements xml.Marshaler.
func (m members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range m {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func isoDate(t time.Time) string { return t.UTC().Format(isoTime) }

// params are the form parameters of one request other than Action and
// Version, checked against what the operation accepts.
type params struct {
	values url.Values
}

// checkParams rejects parameters the operation does not accept. Names in
// lists are the list parameters (Name.member.N, or Name= for an empty list);
// structs maps the names of lists of structures to their fields
// (Name.member.N.Field).
func checkParams(action string, form url.Values, scalars, lists []string, structs map[string][]string) (params, *apiError) {
	accepted := func(name string) bool {
		if _, ok := structs[name]; ok || slices.Contains(scalars, name) || slices.Contains(lists, name) {
			return true
		}
		for _, l := range lists {
			if rest, ok := strings.CutPrefix(name, l+".member."); ok && isMemberIndex(rest) {
				return true
			}
		}
		for l, fields := range structs {
			if rest, ok := strings.CutPrefix(name, l+".member."); ok {
				index, field, _ := strings.Cut(rest, ".")
				if isMemberIndex(index) && slices.Contains(fields, field) {
					return true
				}
			}
		}
		return false
	}
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "Action" || name == "Version" {
			continue
		}
		if !accepted(name) {
			all := append(append([]string{}, scalars...), lists...)
			for l, fields := range structs {
				for _, f := range fields {
					all = append(all, l+".member.N."+f)
				}
			}
			sort.Strings(all)
			if len(all) == 0 {
				return params{}, validationError("The parameter %s is not accepted by %s, which takes no parameters: remove it", name, action)
			}
			return params{}, validationError("The parameter %s is not accepted by %s: remove it (accepted: %s)", name, action, strings.Join(all, ", "))
		}
		if len(form[name]) > 1 {
			return params{}, validationError("The parameter %s is given %d times: give it once", name, len(form[name]))
		}
		if _, ok := structs[name]; (ok || slices.Contains(lists, name)) && form.Get(name) != "" {
			return params{}, validationError("The list parameter %s takes its members as %s.member.1, %s.member.2, ...: %s alone stands for an empty list", name, name, name, name)
		}
	}
	return params{values: form}, nil
}

// get returns a scalar parameter.
func (p params) get(name string) string { return p.values.Get(name) }

// has reports whether a scalar parameter was sent.
func (p params) has(name string) bool { _, ok := p.values[name]; return ok }

// list returns a list parameter's members in index order.
func (p params) list(name string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	for k, vs := range p.values {
		if rest, ok := strings.CutPrefix(k, name+".member."); ok {
			n, _ := strconv.Atoi(rest)
			items = append(items, item{n, vs[0]})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

func isMemberIndex(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && strconv.Itoa(n) == s
}

// structList returns a list of structures (Name.member.N.Field) in index
// order, each as its fields.
func (p params) structList(name string) []map[string]string {
	byIndex := map[int]map[string]string{}
	for k, vs := range p.values {
		rest, ok := strings.CutPrefix(k, name+".member.")
		if !ok {
			continue
		}
		index, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(index)
		if !ok || err != nil {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = vs[0]
	}
	indexes := make([]int, 0, len(byIndex))
	for n := range byIndex {
		indexes = append(indexes, n)
	}
	sort.Ints(indexes)
	out := make([]map[string]string, len(indexes))
	for i, n := range indexes {
		out[i] = byIndex[n]
	}
	return out
}
