package scanners

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Limiter bounds the requests in flight through every transport it wraps,
// together: one scan's SDK clients, for all its accounts and regions, share
// one Limiter. A request holds its slot until its response body is closed
// (or the round trip fails), so the bound holds as the server sees it.
type Limiter struct {
	slots chan struct{}
}

// NewLimiter allows n requests in flight (at least one).
func NewLimiter(n int) *Limiter {
	return &Limiter{slots: make(chan struct{}, max(n, 1))}
}

// Wrap returns base bounded by l.
func (l *Limiter) Wrap(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &limitTransport{base: base, slots: l.slots}
}

type limitTransport struct {
	base  http.RoundTripper
	slots chan struct{}
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case t.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		<-t.slots
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { <-t.slots }}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// NewTransport returns the base transport for scanners. With loopbackOnly
// (demo mode) it dials nothing but loopback addresses and ignores proxy
// environment variables, so a demo can never reach a real tenant. roots,
// when not nil, are the certificate authorities it trusts (see TrustRoots).
func NewTransport(loopbackOnly bool, roots *x509.CertPool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	TrustRoots(t, roots)
	if loopbackOnly {
		t.Proxy = nil
		d := &net.Dialer{Timeout: 10 * time.Second, Control: refuseNonLoopback}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			// Refuse before any name lookup, which would itself leave the machine.
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if ip := net.ParseIP(host); (ip == nil && host != "localhost") || (ip != nil && !ip.IsLoopback()) {
				return nil, fmt.Errorf("demo mode refuses to connect to %s: only the local lab (loopback) may be reached", addr)
			}
			return d.DialContext(ctx, network, addr)
		}
	}
	return t
}

// TrustRoots makes t speak TLS 1.2 at least and, when roots is not nil,
// trust those certificate authorities instead of the system's (the lab's
// throwaway CA; to trust both, build roots from x509.SystemCertPool). It is
// for transports a provider's SDK builds itself, which NewTransport's
// settings would not reach.
func TrustRoots(t *http.Transport, roots *x509.CertPool) {
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	} else {
		t.TLSClientConfig = t.TLSClientConfig.Clone()
	}
	t.TLSClientConfig.MinVersion = max(t.TLSClientConfig.MinVersion, tls.VersionTLS12)
	if roots != nil {
		t.TLSClientConfig.RootCAs = roots
	}
}

// refuseNonLoopback runs after name resolution, on the address about to be
// dialled.
func refuseNonLoopback(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("demo mode refuses to connect to %s: only the local lab (loopback) may be reached", address)
	}
	return nil
}
