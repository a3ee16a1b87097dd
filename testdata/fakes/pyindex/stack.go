package pyindex

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credgen/credgen/testdata/fakes/connectproxy"
	"github.com/credgen/credgen/testdata/fakes/testca"
)

// DefaultHosts are the names the Stack's certificate covers: the registries
// credgen knows. Wildcards cover one label, so other CodeArtifact domains in
// these regions work too.
var DefaultHosts = []string{
	"libraries.cgr.dev",
	"cgr.dev",
	"*.cgr.dev",
	"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com",
	"*.d.codeartifact.eu-west-1.amazonaws.com",
	"*.d.codeartifact.us-east-1.amazonaws.com",
}

// StackOptions configure StartStack. Dir is required.
type StackOptions struct {
	Dir    string   // where ca.pem is written
	Hosts  []string // extra certificate names beside DefaultHosts
	Index  Options  // the index's options (Accept, Now, Logger...)
	Logger *slog.Logger
	// Mount serves other fakes on the same TLS listener, by Host header
	// (no port): e.g. a fake menda-cloud API. Its hosts are added to the
	// certificate. Every other host gets the index.
	Mount map[string]http.Handler
}

// Stack is the fake index on TLS under a fresh test CA, behind a CONNECT proxy
// that routes every hostname to it: what a test or `make demo` needs for real
// pip, curl and credgen to reach https://libraries.cgr.dev/python/simple/ on
// loopback.
type Stack struct {
	CA        *testca.CA
	CAFile    string // PEM: pip --cert, curl --cacert, SSL_CERT_FILE
	Index     *Index
	IndexAddr string // the TLS listener, 127.0.0.1:PORT
	Proxy     *connectproxy.Proxy

	server    *http.Server
	served    chan error
	closeOnce sync.Once
	closeErr  error
}

// readHeaderTimeout bounds a client that connects and never speaks.
const readHeaderTimeout = 10 * time.Second

// StartStack starts the CA, the TLS index and the proxy. Close stops them.
func StartStack(opts StackOptions) (*Stack, error) {
	if opts.Dir == "" {
		return nil, errors.New("pyindex: StackOptions.Dir is required")
	}
	if opts.Index.Logger == nil {
		opts.Index.Logger = opts.Logger
	}
	ix, err := New(opts.Index)
	if err != nil {
		return nil, err
	}
	ca, leaf, err := newCertificate(opts)
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(opts.Dir, "ca.pem")
	if err := ca.WritePEM(caFile); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pyindex: listen: %w", err)
	}
	s := &Stack{CA: ca, CAFile: caFile, Index: ix, IndexAddr: ln.Addr().String(), served: make(chan error, 1)}
	s.server = &http.Server{
		Handler:           byHost(opts.Mount, ix),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: readHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(loggerOrDiscard(opts.Logger).Handler(), slog.LevelDebug),
	}
	go func() { s.served <- s.server.ServeTLS(ln, "", "") }()
	s.Proxy, err = connectproxy.Listen(connectproxy.Options{Route: connectproxy.RouteAll(s.IndexAddr), Logger: opts.Logger})
	if err != nil {
		_ = s.server.Close()
		return nil, err
	}
	return s, nil
}

func newCertificate(opts StackOptions) (*testca.CA, tls.Certificate, error) {
	ca, err := testca.New()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	names := append(append([]string{}, DefaultHosts...), opts.Hosts...)
	for host := range opts.Mount {
		names = append(names, host)
	}
	leaf, err := ca.Issue(names...)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return ca, leaf, nil
}

// byHost sends requests for a mounted host to its handler and the rest to the
// index.
func byHost(mount map[string]http.Handler, index http.Handler) http.Handler {
	if len(mount) == 0 {
		return index
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := mount[requestHost(r)]; ok {
			h.ServeHTTP(w, r)
			return
		}
		index.ServeHTTP(w, r)
	})
}

func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// ProxyURL is the value for HTTPS_PROXY.
func (s *Stack) ProxyURL() string { return s.Proxy.URL() }

// Env is the stack as KEY=value lines: HTTPS_PROXY, FAKE_CA, FAKE_INDEX_ADDR.
func (s *Stack) Env() []string {
	return []string{
		"HTTPS_PROXY=" + s.ProxyURL(),
		"FAKE_CA=" + s.CAFile,
		"FAKE_INDEX_ADDR=" + s.IndexAddr,
	}
}

// EnvFile is Env as a file body, one line each, for `. FILE` or make's include.
func (s *Stack) EnvFile() string { return strings.Join(s.Env(), "\n") + "\n" }

// Close stops the proxy (cutting its tunnels) and the TLS server. Calling it
// again returns the first result.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		proxyErr := s.Proxy.Close()
		serverErr := s.server.Close()
		if err := <-s.served; !errors.Is(err, http.ErrServerClosed) {
			serverErr = errors.Join(serverErr, err)
		}
		s.closeErr = errors.Join(proxyErr, serverErr)
	})
	return s.closeErr
}
