package scanners

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A transport trusts the roots it is given (the lab's throwaway CA), and
// without them refuses the same server's certificate.
func TestNewTransportTrustsGivenRoots(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	for _, loopbackOnly := range []bool{false, true} {
		tr := NewTransport(loopbackOnly, pool)
		if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.RootCAs != pool {
			t.Fatalf("loopbackOnly=%v: TLS config %+v, want TLS 1.2 at least and the given roots", loopbackOnly, tr.TLSClientConfig)
		}
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err != nil {
			t.Fatalf("loopbackOnly=%v: with the server's CA: %v", loopbackOnly, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot {
			t.Errorf("status %d: the answer is not the test server's", resp.StatusCode)
		}
		tr.CloseIdleConnections()
	}

	tr := NewTransport(false, nil)
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.RootCAs != nil {
		t.Fatalf("TLS config without roots %+v, want TLS 1.2 at least and the system's roots", tr.TLSClientConfig)
	}
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("without the server's CA: err = %v, want a certificate signed by an unknown authority", err)
	}
}

// TrustRoots keeps a stricter minimum version and copies the TLS settings
// it changes, so a shared config is not changed behind another's back.
func TestTrustRoots(t *testing.T) {
	shared := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: "x"}
	tr := &http.Transport{TLSClientConfig: shared}
	pool := x509.NewCertPool()
	TrustRoots(tr, pool)
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS13 || tr.TLSClientConfig.RootCAs != pool || tr.TLSClientConfig.ServerName != "x" {
		t.Errorf("TLS config %+v, want TLS 1.3 kept, the pool and the server name", tr.TLSClientConfig)
	}
	if shared.RootCAs != nil {
		t.Error("the shared config was changed")
	}
	old := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}}
	TrustRoots(old, nil)
	if old.TLSClientConfig.MinVersion != tls.VersionTLS12 || old.TLSClientConfig.RootCAs != nil {
		t.Errorf("TLS config %+v, want TLS 1.2 and the system's roots", old.TLSClientConfig)
	}
}
