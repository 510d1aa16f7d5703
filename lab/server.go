package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options tune a Server. The zero value serves 100 items a page, without
// latency, throttling or denied accounts.
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
	// DenyAssumeRole are role ARNs that STS AssumeRole refuses with
	// AccessDenied whatever their trust policy says.
	DenyAssumeRole []string
	// Now is the clock that dates and expires the session credentials
	// AssumeRole issues (default time.Now).
	Now func() time.Time
}

// Stats counts what a Server received.
type Stats struct {
	// Calls counts every request received per "service:Action", such as
	// "iam:GetAccountAuthorizationDetails", "sts:AssumeRole",
	// "bedrock-agent:ListAgents", "bedrock-agentcore-control:ListGateways"
	// or "lambda:GetFunctionConfiguration", throttled, denied and rejected
	// ones included.
	Calls map[string]int
	// Throttled counts Throttling answers; Denied AccessDenied answers;
	// Rejected requests refused for their authentication, protocol or
	// parameters.
	Throttled, Denied, Rejected int
	// InFlight is the number of requests being served now; MaxInFlight the
	// most there ever were at once.
	InFlight, MaxInFlight int
}

// Server emulates AWS for the accounts of an estate: IAM and STS over the
// query protocol, and Agents for Amazon Bedrock, Bedrock AgentCore Control
// and Lambda over rest-json, telling them apart by the service of the SigV4
// credential scope. It is an http.Handler; Start serves it on a loopback
// address. Its runtime switches and Stats are safe for concurrent use.
type Server struct {
	model *model
	ops   map[string]map[string]operation // service -> Action -> operation
	rest  map[string]*restService         // SigV4 signing name -> service
	now   func() time.Time

	mu            sync.Mutex // guards everything below
	pageSize      int
	latency       time.Duration
	throttleEvery int
	throttleCount int
	retryPending  map[[32]byte]struct{} // throttled requests whose retry must pass
	denied        map[string]bool
	denyAssume    map[string]bool     // role ARN -> AssumeRole refused
	sessions      map[string]*session // issued access key id -> session
	stats         Stats

	httpServer *http.Server
	serveDone  chan struct{}
	url        string
}

// maxBodySize bounds a request body; IAM's own limit on a request is far
// below it.
const maxBodySize = 1 << 20

// NewServer returns a server for the accounts of e. The server keeps its own
// index of e: later changes to e are not seen.
func NewServer(e *Estate, opts Options) *Server {
	s := &Server{
		model:         newModel(e),
		rest:          restServices(),
		now:           opts.Now,
		latency:       opts.Latency,
		throttleEvery: max(opts.ThrottleEvery, 0),
		retryPending:  map[[32]byte]struct{}{},
		denied:        map[string]bool{},
		denyAssume:    map[string]bool{},
		sessions:      map[string]*session{},
		stats:         Stats{Calls: map[string]int{}},
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ops = map[string]map[string]operation{
		iamService: iamOperations(),
		stsService: s.stsOperations(),
	}
	s.SetPageSize(opts.PageSize)
	for _, id := range opts.DenyAccounts {
		s.denied[id] = true
	}
	for _, arn := range opts.DenyAssumeRole {
		s.denyAssume[arn] = true
	}
	return s
}

// ServeHTTP answers one request: a rest-json one when its credential scope
// names a rest-json service (or, unsigned, when its path is not /), else a
// query-protocol one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	s.enter()
	defer s.leave()
	if !s.wait(r.Context()) {
		return // the client went away
	}
	if svc := s.restServiceFor(r); svc != nil {
		s.serveREST(w, r, svc)
		return
	}
	service, action, result, aerr := s.serve(w, r)
	s.record(aerr)
	if aerr != nil {
		if aerr.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeError(w, service, requestID, aerr)
		return
	}
	body, err := marshalResponse(service, action, requestID, result)
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
	if s.throttle(acct.id, body) {
		return service, action, nil, throttlingError()
	}
	if (service == iamService || action != "GetCallerIdentity") && s.isDenied(acct.id) {
		return service, action, nil, accessDenied(id.principal, service, action, "*")
	}
	result, aerr = op.handle(call{action: action, account: acct, principal: id.principal, callerID: id.callerID, params: p, pageSize: s.currentPageSize()})
	return service, action, result, aerr
}

// Start serves on addr, a loopback host:port ("127.0.0.1:0" when empty,
// picking a free port), and returns the base URL (http://host:port). It
// refuses any address that is not loopback.
func (s *Server) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("lab address %q is not host:port: use 127.0.0.1:0 or 127.0.0.1:PORT", addr)
	}
	if !isLoopbackHost(host) {
		return "", fmt.Errorf("lab address %q is not a loopback address: the lab serves only this machine, use 127.0.0.1:PORT", addr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpServer != nil {
		return "", fmt.Errorf("lab server already serves %s: Close it before starting it again", s.url)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("lab cannot listen on %s: %w (pick another port, or 0 for any free one)", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return "", fmt.Errorf("lab address %q resolved to %s, which is not loopback: use 127.0.0.1:PORT", addr, ln.Addr())
	}
	s.httpServer = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.serveDone = make(chan struct{})
	s.url = "http://" + ln.Addr().String()
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed once Close is called
	}(s.httpServer, s.serveDone)
	return s.url, nil
}

// Close stops serving and drops open connections. Closing a server that
// was not started does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.httpServer, s.serveDone
	s.httpServer, s.serveDone, s.url = nil, nil, ""
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// URL is the base URL Start returned, or "" when the server is not
// started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SetPageSize changes the most items a list answers at once; n <= 0
// restores the default, 100.
func (s *Server) SetPageSize(n int) {
	if n <= 0 {
		n = defaultPageSize
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
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = make(map[string]int, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		st.Calls[k] = v
	}
	return st
}

// ResetStats zeroes the counters, except InFlight, which counts requests
// still being served; MaxInFlight restarts from it.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Calls: map[string]int{}, InFlight: s.stats.InFlight, MaxInFlight: s.stats.InFlight}
}

func (s *Server) count(call string) {
	s.mu.Lock()
	s.stats.Calls[call]++
	s.mu.Unlock()
}

func (s *Server) record(e *apiError) {
	if e == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e.outcome {
	case throttled:
		s.stats.Throttled++
	case denied:
		s.stats.Denied++
	case rejected:
		s.stats.Rejected++
	}
}

func (s *Server) enter() {
	s.mu.Lock()
	s.stats.InFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.stats.InFlight)
	s.mu.Unlock()
}

func (s *Server) leave() {
	s.mu.Lock()
	s.stats.InFlight--
	s.mu.Unlock()
}
