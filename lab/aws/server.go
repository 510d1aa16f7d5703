package aws

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aam-dev/aam/lab/internal/kit"
)

// Options tune a Server. The zero value serves 100 items a page, without
// latency, throttling or denied accounts, with counters of its own.
type Options struct {
	// PageSize is the most items any list answers at once (default 100);
	// a request's MaxItems can only lower it.
	PageSize int
	// Latency is added to every request.
	Latency time.Duration
	// ThrottleEvery makes every Nth request answer the service's real
	// throttling error (query protocol: HTTP 400, code Throttling; Bedrock
	// and AgentCore: HTTP 429 ThrottlingException; Lambda: HTTP 429
	// TooManyRequestsException), with "Rate exceeded"; 0 never throttles.
	// Requests are counted over all accounts, services and operations, once
	// they are authenticated and valid. The same request (same account, same
	// method, path, query and body) is never throttled twice in a row, so an
	// SDK's retry of a throttled request goes through.
	ThrottleEvery int
	// DenyAccounts are account ids whose calls answer AccessDenied (IAM,
	// STS AssumeRole) or AccessDeniedException (Bedrock, AgentCore,
	// Lambda), whether signed with the account's scanner key or with a
	// session key STS issued for one of its roles. STS GetCallerIdentity
	// still works for them, as in AWS.
	DenyAccounts []string
	// DenyOps are operations, named as the counters name them without the
	// provider ("lambda:GetFunctionConfiguration", "iam:ListAccessKeys"),
	// that answer access denied for every account. A few operations also
	// name one form of the call, denied alone:
	// "iam:ListServiceSpecificCredentials(AllUsers)" denies the listing of
	// every user's credentials and still answers each user's.
	DenyOps []string
	// DenyAssumeRole are role ARNs that STS AssumeRole refuses with
	// AccessDenied whatever their trust policy says.
	DenyAssumeRole []string
	// Now is the clock that dates and expires the session credentials
	// AssumeRole issues (default time.Now).
	Now func() time.Time
	// Counters count the calls; nil gives the server counters of its own.
	// The lab shares one set between its providers.
	Counters *kit.Counters
}

// Stats is what the lab received; see kit.Stats. Calls are keyed
// "aws/service:Action", such as "aws/iam:GetAccountAuthorizationDetails".
type Stats = kit.Stats

// Provider is the name of this emulation in the lab's counters and fault
// switches.
const Provider = "aws"

// Server emulates AWS for the accounts of an estate: IAM and STS over the
// query protocol, and Agents for Amazon Bedrock, Bedrock AgentCore Control
// and Lambda over rest-json, telling them apart by the service of the SigV4
// credential scope. It is an http.Handler over the emulated State; Start
// serves it on a loopback address. Its fault switches and counters are safe
// for concurrent use.
type Server struct {
	state    *State
	ops      map[string]map[string]operation // service -> Action -> operation
	rest     map[string]*restService         // SigV4 signing name -> service
	faults   *kit.Faults
	counters *kit.Counters

	mu       sync.Mutex // guards everything below
	pageSize int
	listener *kit.Listener
}

// maxBodySize bounds a request body; IAM's own limit on a request is far
// below it.
const maxBodySize = 1 << 20

// NewServer returns a server for the accounts of e. The server keeps its
// own state built from e: later changes to e are not seen.
func NewServer(e *Estate, opts Options) *Server {
	s := &Server{
		state:    NewState(e, opts.Now),
		rest:     restServices(),
		faults:   kit.NewFaults(),
		counters: opts.Counters,
	}
	if s.counters == nil {
		s.counters = kit.NewCounters()
	}
	s.ops = map[string]map[string]operation{
		iamService: iamOperations(),
		stsService: s.stsOperations(),
	}
	s.SetPageSize(opts.PageSize)
	s.faults.SetLatency(opts.Latency)
	s.faults.SetThrottleEvery(opts.ThrottleEvery)
	for _, id := range opts.DenyAccounts {
		s.faults.SetTenantDenied(id, true)
	}
	for _, op := range opts.DenyOps {
		s.faults.SetOpDenied(op, true)
	}
	for _, arn := range opts.DenyAssumeRole {
		s.state.SetAssumeRoleDenied(arn, true)
	}
	return s
}

// Operations lists every operation the server answers, named as the
// counters and DenyOps name them ("iam:GetAccountAuthorizationDetails",
// "lambda:GetFunctionConfiguration").
func (s *Server) Operations() []string {
	var out []string
	for service, ops := range s.ops {
		for action, op := range ops {
			out = append(out, service+":"+action)
			if op.form != "" {
				out = append(out, service+":"+op.form)
			}
		}
	}
	for _, svc := range s.rest {
		for _, o := range svc.ops {
			out = append(out, svc.name+":"+o.name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Faults are the server's fault switches, to change while it serves.
func (s *Server) Faults() *kit.Faults { return s.faults }

// State is the emulated AWS the server answers from.
func (s *Server) State() *State { return s.state }

// ServeHTTP answers one request: a rest-json one when its credential scope
// names a rest-json service (or, unsigned, when its path is not /), else a
// query-protocol one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	s.counters.Enter(Provider)
	defer s.counters.Leave(Provider)
	if !s.faults.Wait(r.Context()) {
		return // the client went away
	}
	if svc := s.restServiceFor(r); svc != nil {
		s.serveREST(w, r, svc)
		return
	}
	// The answer points into the state: it is read and encoded under the
	// state's read lock, and written out after.
	s.state.mu.RLock()
	service, action, result, aerr := s.serve(w, r)
	var body []byte
	var err error
	if aerr == nil {
		body, err = marshalResponse(service, action, requestID, result)
	}
	s.state.mu.RUnlock()
	s.record(aerr)
	if aerr != nil {
		if aerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeError(w, service, requestID, aerr)
		return
	}
	if err != nil {
		writeError(w, service, requestID, &apiError{status: http.StatusInternalServerError, code: "ServiceFailure",
			message: "the lab could not encode its answer: report this as a bug", outcome: rejected})
		return
	}
	writeXML(w, http.StatusOK, body)
}

// serve authenticates, validates and routes one request, returning the
// service that answers (for the XML namespace), the action and the result or
// the error.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (service, action string, result any, _ *apiError) {
	service = iamService
	if r.Method != http.MethodPost {
		return service, "", nil, &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			message: fmt.Sprintf("method %s is not served: the AWS query API takes POST / with a form body", r.Method), outcome: rejected}
	}
	if r.URL.Path != "/" {
		return service, "", nil, &apiError{status: http.StatusNotFound, code: "NotFound",
			message: fmt.Sprintf("path %s is not served: the AWS query API takes POST / with a form body", r.URL.Path), outcome: rejected}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return service, "", nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString",
			message: fmt.Sprintf("Content-Type %q is not served: send the parameters as application/x-www-form-urlencoded", r.Header.Get("Content-Type")), outcome: rejected}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return service, "", nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge",
				message: fmt.Sprintf("the request body is larger than %d bytes", maxBodySize), outcome: rejected}
		}
		return service, "", nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString",
			message: "the request body could not be read", outcome: rejected}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		return service, "", nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString",
			message: "the form body is not valid application/x-www-form-urlencoded: encode the parameters as a query string", outcome: rejected}
	}
	action, version := r.Form.Get("Action"), r.Form.Get("Version")

	// The service is the one Version names; the credential scope says which
	// service the client meant when Version does not.
	authz := r.Header.Get("Authorization")
	h, herr := parseSigV4Header(authz)
	service = serviceForVersion(version)
	if service == "" {
		service = iamService
		if herr == nil && h.service == stsService {
			service = stsService
		}
	}
	if action != "" {
		s.count(service + ":" + action)
	}

	if authz == "" {
		return service, action, nil, authError(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if herr != nil {
		return service, action, nil, herr
	}
	id, aerr := s.authenticate(r, body, h)
	if aerr != nil {
		return service, action, nil, aerr
	}
	acct := id.account
	if action == "" {
		return service, action, nil, &apiError{status: http.StatusBadRequest, code: "MissingAction",
			message: "the request has no Action: send Action=OPERATION&Version=" + versionFor(service), outcome: rejected}
	}
	if serviceForVersion(version) == "" {
		return service, action, nil, invalidAction(action, version)
	}
	if h.service != service {
		return service, action, nil, authError(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'. ", service)
	}
	op, ok := s.ops[service][action]
	if !ok {
		return service, action, nil, invalidAction(action, version)
	}
	p, aerr := checkParams(action, r.Form, op.scalars, op.lists, op.structs)
	if aerr != nil {
		return service, action, nil, aerr
	}
	if s.faults.Throttle(acct.ID, body) {
		return service, action, nil, throttlingError()
	}
	formDenied := op.form != "" && op.isForm(p) && s.faults.OpDenied(service+":"+op.form)
	if formDenied || s.faults.OpDenied(service+":"+action) || ((service == iamService || action != "GetCallerIdentity") && s.faults.TenantDenied(acct.ID)) {
		return service, action, nil, accessDenied(id.principal, service, action, "*")
	}
	result, aerr = op.handle(call{action: action, account: acct, principal: id.principal, callerID: id.callerID, params: p, pageSize: s.currentPageSize()})
	return service, action, result, aerr
}

// Start serves on addr, a loopback host:port ("127.0.0.1:0" when empty,
// picking a free port), over plain HTTP or, with ca, over TLS, and returns
// the base URL. It refuses any address that is not loopback.
func (s *Server) Start(addr string, ca ...*kit.CA) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return "", fmt.Errorf("lab server already serves %s: Close it before starting it again", s.listener.URL())
	}
	var c *kit.CA
	if len(ca) > 0 {
		c = ca[0]
	}
	l, err := kit.Listen(addr, s, c)
	if err != nil {
		return "", err
	}
	s.listener = l
	return l.URL(), nil
}

// Close stops serving and drops open connections. Closing a server that
// was not started does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	l := s.listener
	s.listener = nil
	s.mu.Unlock()
	if l == nil {
		return nil
	}
	return l.Close()
}

// URL is the base URL Start returned, or "" when the server is not
// started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.URL()
}

// SetPageSize changes the most items a list answers at once; n <= 0
// restores the default, 100.
func (s *Server) SetPageSize(n int) {
	if n <= 0 {
		n = kit.DefaultPageSize
	}
	s.mu.Lock()
	s.pageSize = n
	s.mu.Unlock()
}

func (s *Server) currentPageSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageSize
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats { return s.counters.Stats() }

// ResetStats zeroes the counters, except InFlight.
func (s *Server) ResetStats() { s.counters.Reset() }

func (s *Server) count(call string) { s.counters.Count(Provider, call) }

func (s *Server) record(e *apiError) {
	if e != nil {
		s.counters.Record(e.outcome)
	}
}
