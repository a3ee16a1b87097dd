package menda

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

// newHTTPClient is the default client for menda-cloud: bounded in time, no
// redirects (an API that redirects a POST carrying a bearer token is
// misconfigured), proxies chosen by proxy (nil = from the environment) except
// for plain http, and TLS roots that are the system's plus the certificates in
// certFile (SSL_CERT_FILE).
//
// On Linux, crypto/x509 already reads SSL_CERT_FILE, but instead of the
// system bundle file, not in addition to it, and on macOS not at all; adding
// its certificates to the system pool gives "plus" everywhere.
func newHTTPClient(certFile string, proxy func(*http.Request) (*url.URL, error)) (*http.Client, error) {
	roots, err := trustedRoots(certFile)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	transport.ResponseHeaderTimeout = requestTimeout
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	transport.Proxy = directForPlainHTTP(proxy)
	return &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

// directForPlainHTTP never sends a plain-http request through a proxy. Plain
// http is allowed only to a loopback menda-cloud (see cloudBaseURL); the
// request still carries the client secret or an access token, which a proxy
// would read in clear. net/http bypasses the proxy only for the exact name
// localhost and loopback IPs, so credgen does not rely on it.
func directForPlainHTTP(next func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		if req.URL.Scheme == "http" {
			return nil, nil
		}
		return next(req)
	}
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
