package testca

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestIssueVerifiesForEveryName(t *testing.T) {
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue("libraries.cgr.dev", "*.d.codeartifact.eu-west-1.amazonaws.com", "10.1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"libraries.cgr.dev", true},
		{"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com", true},
		{"localhost", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"cgr.dev", false},
		{"evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: tt.name, Roots: ca.Pool()})
			if (err == nil) != tt.ok {
				t.Fatalf("Verify(%s) = %v, want ok=%v", tt.name, err, tt.ok)
			}
		})
	}
}

func TestLeafIsNotTrustedByAnotherCA(t *testing.T) {
	ca, other := mustNew(t), mustNew(t)
	leaf, err := ca.Issue("libraries.cgr.dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "libraries.cgr.dev", Roots: other.Pool()}); err == nil {
		t.Fatal("leaf verified against an unrelated CA")
	}
}

func TestWritePEMServesGoClientOverTLS(t *testing.T) {
	ca := mustNew(t)
	leaf, err := ca.Issue("libraries.cgr.dev")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.StartTLS()
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "sub", "ca.pem")
	if err := ca.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: poolFromFile(t, path)},
		// Every hostname reaches the test listener, as through the fake proxy.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://libraries.cgr.dev/python/simple/")
	if err != nil {
		t.Fatalf("GET through test CA: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func poolFromFile(t *testing.T, path string) *x509.CertPool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(data); b == nil || b.Type != "CERTIFICATE" {
		t.Fatalf("%s is not a PEM certificate", path)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("%s: no certificate", path)
	}
	return pool
}

func mustNew(t *testing.T) *CA {
	t.Helper()
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}
