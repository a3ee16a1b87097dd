package menda

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

// newHTTPClient is the default client for menda-cloud: bounded in time, no
// redirects (an API that redirects a POST carrying a bearer token is
// misconfigured), proxies from the environment, and TLS roots that are the
// system's plus the certificates in certFile (SSL_CERT_FILE).
//
// On Linux, crypto/x509 already reads SSL_CERT_FILE, but instead of the
// system bundle file, not in addition to it, and on macOS not at all; adding
// its certificates to the system pool gives "plus" everywhere.
func newHTTPClient(certFile string) (*http.Client, error) {
	roots, err := trustedRoots(certFile)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	transport.ResponseHeaderTimeout = requestTimeout
	return &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

// trustedRoots is the system pool plus the PEM certificates in certFile.
func trustedRoots(certFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if certFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("SSL_CERT_FILE: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("SSL_CERT_FILE: %s holds no PEM certificate", certFile)
	}
	return pool, nil
}
