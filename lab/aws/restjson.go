package aws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// The AWS rest-json protocol, as Agents for Amazon Bedrock, Bedrock
// AgentCore Control and Lambda speak it: the operation is the method and
// the path; its input is in the path, the query string and a JSON body; its
// answer is a JSON body. An error is a JSON body {"message": ...} (Lambda:
// {"Type": ..., "Message": ...}) with the error code in the X-Amzn-ErrorType
// header, which the AWS SDKs read before the body.

// SigV4 signing names of the rest-json services.
const (
	bedrockSigningName   = "bedrock"
	agentCoreSigningName = "bedrock-agentcore"
	lambdaSigningName    = "lambda"
)

// restTime is how Bedrock and AgentCore write timestamps (timestampFormat
// iso8601): UTC with microseconds.
func restTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// epochSeconds is how AgentCore Identity writes timestamps: a JSON number
// of seconds since 1970.
func epochSeconds(t time.Time) int64 { return t.Unix() }

// restService is one rest-json service.
type restService struct {
	signingName string    // SigV4 credential scope service
	name        string    // Stats prefix, such as bedrock-agent
	iamPrefix   string    // IAM action prefix, such as bedrock
	lambdaStyle bool      // errors as Lambda writes them
	ops         []*restOp // in the order they are matched
	guess       func(path string) bool
	router      kit.Router[*restOp]
}

// restOp is one operation: its routes and what input it accepts.
type restOp struct {
	name   string
	method string
	paths  []string // path patterns, such as /agents/{agentId}/
	query  []string // accepted query parameters
	body   []string // accepted members of the JSON body
	paging *restPaging
	handle func(c *restCall) (any, *apiError)
}

// restPaging names the parameters that page a list operation.
type restPaging struct {
	size, token string // such as maxResults and nextToken
	max         int    // the largest page size a request may ask for
}

func restServices() map[string]*restService {
	out := map[string]*restService{}
	for _, svc := range []*restService{bedrockAgentService(), agentCoreService(), lambdaService()} {
		for _, o := range svc.ops {
			svc.router.Handle(o.method, o, o.paths...)
		}
		out[svc.signingName] = svc
	}
	return out
}

// op declares an operation at one or more paths, such as
// "/agents/{agentId}/".
func op(name, method string, handle func(c *restCall) (any, *apiError), paths ...string) *restOp {
	return &restOp{name: name, method: method, handle: handle, paths: paths}
}

func (o *restOp) withQuery(names ...string) *restOp { o.query = names; return o }
func (o *restOp) withBody(names ...string) *restOp  { o.body = names; return o }

// paged adds the paging parameters to the query (GET) or the body (POST)
// unless they are already declared.
func (o *restOp) paged(size, token string, maxSize int, inQuery bool) *restOp {
	o.paging = &restPaging{size: size, token: token, max: maxSize}
	if inQuery {
		o.query = append(o.query, size, token)
	} else {
		o.body = append(o.body, size, token)
	}
	return o
}

// restServiceFor picks the rest-json service of r: the one its credential
// scope names or, for an unsigned request, the one whose paths it looks
// like. It is nil for a query-protocol request, and for an unsigned one no
// service claims (answered as the query protocol answers a path it does
// not serve).
func (s *Server) restServiceFor(r *http.Request) *restService {
	if h, err := parseSigV4Header(r.Header.Get("Authorization")); err == nil {
		return s.rest[h.service]
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		return nil
	}
	for _, name := range []string{lambdaSigningName, agentCoreSigningName, bedrockSigningName} {
		if s.rest[name].guess(r.URL.Path) {
			return s.rest[name]
		}
	}
	return nil
}

// match finds the operation of r and the values of its path variables.
func (svc *restService) match(r *http.Request) (*restOp, map[string]string, *apiError) {
	o, vars, status := svc.router.Match(r.Method, r.URL.EscapedPath())
	switch status {
	case http.StatusOK:
		return o, vars, nil
	case http.StatusMethodNotAllowed:
		return nil, nil, &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowedException",
			message: fmt.Sprintf("%s %s is not served: %s takes %s", r.Method, r.URL.Path, o.name, o.method), outcome: rejected}
	}
	return nil, nil, svc.unknownOperation(r)
}

func (svc *restService) unknownOperation(r *http.Request) *apiError {
	return &apiError{status: http.StatusNotFound, code: "UnknownOperationException",
		message: fmt.Sprintf("no %s operation answers %s %s: check the endpoint, the path (with its trailing /) and the method", svc.name, r.Method, r.URL.Path),
		outcome: rejected}
}

// restCall is one authenticated, validated rest-json request.
type restCall struct {
	svc       *restService
	op        *restOp
	account   *accountState
	region    *regionState
	principal string
	vars      map[string]string
	query     url.Values
	body      map[string]json.RawMessage
	pageSize  int
}

// serveREST answers one rest-json request of svc.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, svc *restService) {
	// The answer points into the state: it is read and encoded under the
	// state's read lock, and written out after.
	s.state.mu.RLock()
	result, aerr := s.restServe(w, r, svc)
	var body []byte
	var err error
	if aerr == nil {
		body, err = json.Marshal(result)
	}
	s.state.mu.RUnlock()
	s.record(aerr)
	if aerr != nil {
		writeRESTError(w, svc, aerr)
		return
	}
	if err != nil {
		writeRESTError(w, svc, &apiError{status: http.StatusInternalServerError, code: "InternalServerException",
			message: "the lab could not encode its answer: report this as a bug", outcome: rejected})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) restServe(w http.ResponseWriter, r *http.Request, svc *restService) (any, *apiError) {
	o, vars, routeErr := svc.match(r)
	if o != nil {
		s.count(svc.name + ":" + o.name)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLargeException",
				message: fmt.Sprintf("the request body is larger than %d bytes", maxBodySize), outcome: rejected}
		}
		return nil, svc.validation("the request body could not be read")
	}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return nil, authError(http.StatusForbidden, "MissingAuthenticationToken", "Missing Authentication Token")
	}
	h, herr := parseSigV4Header(authz)
	if herr != nil {
		return nil, herr
	}
	id, aerr := s.authenticate(r, body, h)
	if aerr != nil {
		return nil, aerr
	}
	if routeErr != nil {
		return nil, routeErr
	}
	c := &restCall{svc: svc, op: o, account: id.account, principal: id.principal, vars: vars, pageSize: s.currentPageSize()}
	if aerr := c.parseInput(r, body); aerr != nil {
		return nil, aerr
	}
	key := append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...)
	if s.faults.Throttle(id.account.ID, key) {
		return nil, svc.throttling()
	}
	if s.faults.TenantDenied(id.account.ID) || s.faults.OpDenied(svc.name+":"+o.name) {
		return nil, &apiError{status: http.StatusForbidden, code: "AccessDeniedException",
			message: fmt.Sprintf("User: %s is not authorized to perform: %s:%s on resource: * because no identity-based policy allows the %s:%s action",
				id.principal, svc.iamPrefix, o.name, svc.iamPrefix, o.name),
			outcome: denied}
	}
	c.region = id.account.regionOf(h.region)
	return o.handle(c)
}

// parseInput reads the query string and the JSON body, rejecting what the
// operation does not accept.
func (c *restCall) parseInput(r *http.Request, body []byte) *apiError {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return c.invalid("the query string is not valid: encode it as name=value pairs")
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(c.op.query, name) {
			if len(c.op.query) == 0 {
				return c.invalid("the query parameter %s is not accepted by %s, which takes none: remove it", name, c.op.name)
			}
			return c.invalid("the query parameter %s is not accepted by %s: remove it (accepted: %s)", name, c.op.name, strings.Join(c.op.query, ", "))
		}
		if len(q[name]) > 1 {
			return c.invalid("the query parameter %s is given %d times: give it once", name, len(q[name]))
		}
	}
	c.query = q
	c.body = map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if c.op.method == http.MethodGet {
		return c.invalid("%s takes no request body: send the parameters in the path and the query string", c.op.name)
	}
	if err := json.Unmarshal(body, &c.body); err != nil {
		return c.invalid("the request body is not a JSON object: send the parameters as one")
	}
	members := make([]string, 0, len(c.body))
	for name := range c.body {
		members = append(members, name)
	}
	slices.Sort(members)
	for _, name := range members {
		if !slices.Contains(c.op.body, name) {
			if len(c.op.body) == 0 {
				return c.invalid("the body member %s is not accepted by %s, which takes none: remove it", name, c.op.name)
			}
			return c.invalid("the body member %s is not accepted by %s: remove it (accepted: %s)", name, c.op.name, strings.Join(c.op.body, ", "))
		}
	}
	return nil
}

// str reads a string parameter from the query string or the body.
func (c *restCall) str(name string) (string, bool, *apiError) {
	if vs, ok := c.query[name]; ok {
		return vs[0], true, nil
	}
	raw, ok := c.body[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false, c.invalid("1 validation error detected: the value at '%s' must be a string", name)
	}
	return v, true, nil
}

// integer reads a whole-number parameter from the query string or the body.
func (c *restCall) integer(name string) (int, bool, *apiError) {
	if vs, ok := c.query[name]; ok {
		n, err := strconv.Atoi(vs[0])
		if err != nil {
			return 0, false, c.invalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a whole number", vs[0], name)
		}
		return n, true, nil
	}
	raw, ok := c.body[name]
	if !ok || string(raw) == "null" {
		return 0, false, nil
	}
	var n int
	if json.Unmarshal(raw, &n) != nil {
		return 0, false, c.invalid("1 validation error detected: the value at '%s' must be a whole number", name)
	}
	return n, true, nil
}

// requiredStr reads a string parameter the operation cannot do without.
func (c *restCall) requiredStr(name string) (string, *apiError) {
	v, ok, aerr := c.str(name)
	if aerr != nil {
		return "", aerr
	}
	if !ok || v == "" {
		return "", c.invalid("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	}
	return v, nil
}

// page reads the paging parameters and picks the page of a list of total
// items; narrow names what the list is of (such as an agent id), so that a
// token is only good for the list it came from.
func (c *restCall) page(total int, narrow string) (kit.Page, *apiError) {
	pg := c.op.paging
	size := c.pageSize
	if size <= 0 {
		size = kit.DefaultPageSize
	}
	n, ok, aerr := c.integer(pg.size)
	if aerr != nil {
		return kit.Page{}, aerr
	}
	if ok {
		switch {
		case n < 1:
			return kit.Page{}, c.invalid("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1", n, pg.size)
		case n > pg.max:
			return kit.Page{}, c.invalid("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, pg.size, pg.max)
		}
		size = min(size, n)
	}
	scope := kit.List{Op: c.svc.name + ":" + c.op.name, Tenant: c.account.ID, Narrow: c.region.region.Name + "/" + narrow}
	start := 0
	token, ok, aerr := c.str(pg.token)
	if aerr != nil {
		return kit.Page{}, aerr
	}
	if ok && token != "" {
		off, valid := scope.Offset(token, total)
		if !valid {
			return kit.Page{}, c.invalid("Invalid %s: send back the %s of the previous page of this same request, unchanged", pg.token, pg.token)
		}
		start = off
	}
	return kit.PageFrom(scope, start, size, total), nil
}

func (c *restCall) invalid(format string, args ...any) *apiError {
	return c.svc.validation(format, args...)
}

// notFound is the answer for an id the region does not have.
func (c *restCall) notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "ResourceNotFoundException", message: fmt.Sprintf(format, args...), outcome: answered}
}

// validation is a rejected request: Lambda calls it
// InvalidParameterValueException, the others ValidationException.
func (svc *restService) validation(format string, args ...any) *apiError {
	code := "ValidationException"
	if svc.lambdaStyle {
		code = "InvalidParameterValueException"
	}
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...), outcome: rejected}
}

// throttling is the throttling answer of the service: HTTP 429,
// ThrottlingException (Lambda: TooManyRequestsException).
func (svc *restService) throttling() *apiError {
	code := "ThrottlingException"
	if svc.lambdaStyle {
		code = "TooManyRequestsException"
	}
	return &apiError{status: http.StatusTooManyRequests, code: code, message: "Rate exceeded", outcome: throttled}
}

// restAuthCodes are the rest-json names of the authentication errors the
// query protocol calls otherwise.
var restAuthCodes = map[string]string{
	"MissingAuthenticationToken": "MissingAuthenticationTokenException",
	"InvalidClientTokenId":       "UnrecognizedClientException",
	"SignatureDoesNotMatch":      "InvalidSignatureException",
	"IncompleteSignature":        "IncompleteSignatureException",
	"ExpiredToken":               "ExpiredTokenException",
	"XAmzContentSHA256Mismatch":  "InvalidSignatureException",
}

// restErrorBody is the error body of Bedrock and AgentCore.
type restErrorBody struct {
	Message string `json:"message"`
}

// lambdaErrorBody is the error body of Lambda.
type lambdaErrorBody struct {
	Type    string `json:"Type"`
	Message string `json:"Message"`
	Reason  string `json:"Reason,omitempty"`
}

func writeRESTError(w http.ResponseWriter, svc *restService, e *apiError) {
	code := e.code
	if c, ok := restAuthCodes[code]; ok {
		code = c
	}
	var body any = restErrorBody{Message: e.message}
	if svc.lambdaStyle {
		typ := "User"
		if e.status >= 500 {
			typ = "Service"
		}
		lb := lambdaErrorBody{Type: typ, Message: e.message}
		if e.outcome == throttled {
			lb.Reason = "CallerRateLimitExceeded"
			w.Header().Set("Retry-After", "1")
		}
		body = lb
	}
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// nonNil makes a nil slice an empty one, so that a required list is
// written as [] and not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
