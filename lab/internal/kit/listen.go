package kit

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener serves one handler on a loopback address, over plain HTTP or,
// with a CA, over TLS with a certificate that CA issued.
type Listener struct {
	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
	url  string
}

// Listen serves h on addr, a loopback host:port ("127.0.0.1:0" when empty,
// picking a free port). With ca it serves TLS (https://), otherwise plain
// HTTP. It refuses any address that is not loopback.
func Listen(addr string, h http.Handler, ca *CA) (*Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("lab address %q is not host:port: use 127.0.0.1:0 or 127.0.0.1:PORT", addr)
	}
	if !IsLoopbackHost(host) {
		return nil, fmt.Errorf("lab address %q is not a loopback address: the lab serves only this machine, use 127.0.0.1:PORT", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("lab cannot listen on %s: %w (pick another port, or 0 for any free one)", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, fmt.Errorf("lab address %q resolved to %s, which is not loopback: use 127.0.0.1:PORT", addr, ln.Addr())
	}
	scheme := "http"
	if ca != nil {
		ln = tls.NewListener(ln, ca.serverConfig())
		scheme = "https"
	}
	l := &Listener{
		// A client that refuses the certificate is the client's
		// business: the lab's own output stays quiet.
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)},
		done: make(chan struct{}),
		url:  scheme + "://" + ln.Addr().String(),
	}
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed once Close is called
	}(l.srv, l.done)
	return l, nil
}

// URL is the base URL served (http://host:port or https://host:port), or
// "" once closed.
func (l *Listener) URL() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.url
}

// Close stops serving and drops open connections; closing twice does
// nothing.
func (l *Listener) Close() error {
	l.mu.Lock()
	srv, done := l.srv, l.done
	l.srv, l.done, l.url = nil, nil, ""
	l.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
