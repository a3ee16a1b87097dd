// Package mendacloud is a fake menda-cloud speaking exactly the API credgen
// relies on, no more:
//
//	POST /api/v1/auth/oauth2/token     OAuth2 client credentials (RFC 6749 §4.4)
//	                                   → {"access_token","token_type","expires_in"}
//	POST /api/v1/auth/registry/token   Bearer access token, {"registry_url": URL}
//	                                   → {"token","expiration": RFC 3339}
//	                                     or {"authorizationToken","expiration": epoch seconds}
//
// Every token it issues is a faketoken: access tokens for audience
// "menda-cloud", registry tokens for subject "aws" and the registry's host, so
// the fake index can check them. Failure modes can be switched per endpoint
// while it runs. GET /_fake/stats reports call counts for process-level tests.
// Test-only: it lives under testdata and is never linked into credgen.
package mendacloud

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

// Paths the fake serves.
const (
	OAuthTokenPath    = "/api/v1/auth/oauth2/token"
	RegistryTokenPath = "/api/v1/auth/registry/token"
	StatsPath         = "/_fake/stats"
)

// Audience of the access tokens the fake issues and accepts. A u2m token, as
// `menda auth login` would leave in the cache, is faketoken.Issue(user,
// Audience, ttl, now) (see Server.UserToken).
const Audience = "menda-cloud"

// Endpoint names one of the two API endpoints.
type Endpoint string

// The endpoints, as named in mode files.
const (
	OAuth    Endpoint = "oauth"
	Registry Endpoint = "registry"
)

// Style is the shape of a registry token response.
type Style int

const (
	// StyleMenda answers {"token": ..., "expiration": "<RFC 3339>"}.
	StyleMenda Style = iota
	// StyleCodeArtifact answers {"authorizationToken": ..., "expiration": <epoch seconds>}.
	StyleCodeArtifact
)

// Options configure a Server.
type Options struct {
	// Clients maps the client ids the OAuth endpoint accepts to their secrets.
	Clients map[string]string
	// AccessTTL is the life of access tokens (default 1 h).
	AccessTTL time.Duration
	// RegistryTTL is the life of registry tokens (default 12 h).
	RegistryTTL time.Duration
	// Style of registry token responses.
	Style Style
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
	// OnIssue, if set, is called with every token issued ("access" or
	// "registry"); fakemenda logs them for leak checks.
	OnIssue func(kind, token string)
}

// Fault makes an endpoint misbehave. The zero Fault means "serve normally".
type Fault struct {
	// Status, if non-zero, is returned instead of serving (401, 403, 429, 500, ...).
	Status int
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string
	// Body replaces the default JSON error body sent with Status.
	Body string
	// Delay is waited before answering (a slow server); the answer follows
	// the other fields, or is normal.
	Delay time.Duration
	// InvalidJSON answers 200 with a truncated JSON body.
	InvalidJSON bool
	// WrongContentType answers 200 with an HTML page (a proxy's login page).
	WrongContentType bool
	// Times limits the fault to the next Times calls; 0 means until cleared.
	Times int
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	opts Options

	mu       sync.Mutex
	faults   map[Endpoint]Fault
	calls    map[Endpoint]int
	issued   []string
	registry []string // registry_url of every successful registry call
}

// New returns a fake with opts.
func New(opts Options) *Server {
	if opts.AccessTTL == 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.RegistryTTL == 0 {
		opts.RegistryTTL = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{opts: opts, faults: map[Endpoint]Fault{}, calls: map[Endpoint]int{}}
}

// SetFault makes ep misbehave as f (the zero Fault restores it).
func (s *Server) SetFault(ep Endpoint, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = f
}

// FailNext makes the next n calls to ep answer status.
func (s *Server) FailNext(ep Endpoint, n, status int) {
	s.SetFault(ep, Fault{Status: status, Times: n})
}

// ClearFaults makes both endpoints serve normally.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Endpoint]Fault{}
}

// Calls is how many requests ep received, failed ones included.
func (s *Server) Calls(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[ep]
}

// Issued lists every token the fake issued (access, user and registry), for
// leak checks.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// RegistryURLs lists the registry_url of every successful registry call.
func (s *Server) RegistryURLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.registry...)
}

// UserToken issues a u2m access token for user, as `menda auth login` would
// store in the token cache, and records it like every issued token.
func (s *Server) UserToken(user string, ttl time.Duration) string {
	return s.issue("user", faketoken.Issue(user, Audience, ttl, s.opts.Now()))
}

func (s *Server) issue(kind, token string) string {
	s.mu.Lock()
	s.issued = append(s.issued, token)
	s.mu.Unlock()
	if s.opts.OnIssue != nil {
		s.opts.OnIssue(kind, token)
	}
	return token
}

// ServeHTTP routes to the endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case OAuthTokenPath:
		s.serveEndpoint(OAuth, s.serveOAuthToken, w, r)
	case RegistryTokenPath:
		s.serveEndpoint(Registry, s.serveRegistryToken, w, r)
	case StatsPath:
		s.serveStats(w)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
	}
}

// serveEndpoint counts the call and applies the endpoint's fault, if any.
func (s *Server) serveEndpoint(ep Endpoint, serve http.HandlerFunc, w http.ResponseWriter, r *http.Request) {
	f := s.takeFault(ep)
	if f.Delay > 0 {
		// Read the body first: only then does net/http notice a client
		// that gives up, and cancel r.Context().
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Status != 0:
		writeFault(w, ep, f)
	case f.InvalidJSON:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"token": "abc`)
	case f.WrongContentType:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><h1>Sign in to continue</h1></body></html>\n")
	default:
		serve(w, r)
	}
}

// takeFault counts a call to ep and returns the fault that applies to it.
func (s *Server) takeFault(ep Endpoint) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[ep]++
	f := s.faults[ep]
	if f.Times > 0 {
		if f.Times == 1 {
			delete(s.faults, ep)
		} else {
			next := f
			next.Times--
			s.faults[ep] = next
		}
	}
	return f
}

func writeFault(w http.ResponseWriter, ep Endpoint, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
		return
	}
	code := map[int]string{400: "invalid_request", 401: "invalid_client", 403: "access_denied", 429: "slow_down"}[f.Status]
	if code == "" {
		code = "server_error"
	}
	if f.Status == http.StatusUnauthorized && ep == Registry {
		code = "invalid_token"
	}
	writeJSON(w, f.Status, map[string]string{"error": code, "error_description": "fake " + string(ep) + " endpoint: " + http.StatusText(f.Status)})
}

// serveOAuthToken is the client-credentials grant. Client authentication is
// HTTP Basic (ids and secrets form-urlencoded first, RFC 6749 §2.3.1, as
// x/oauth2 sends them) or client_id/client_secret in the form.
func (s *Server) serveOAuthToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "form body expected"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret, basic := clientCredentials(r)
	if !s.clientValid(id, secret) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="menda-cloud"`)
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "client authentication failed"})
		return
	}
	ttl := s.opts.AccessTTL
	token := s.issue("access", faketoken.Issue(id, Audience, ttl, s.opts.Now()))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": int(ttl.Seconds())})
}

func clientCredentials(r *http.Request) (id, secret string, basic bool) {
	if user, pass, ok := r.BasicAuth(); ok {
		id, errID := url.QueryUnescape(user)
		secret, errSecret := url.QueryUnescape(pass)
		if errID != nil || errSecret != nil {
			return "", "", true
		}
		return id, secret, true
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), false
}

func (s *Server) clientValid(id, secret string) bool {
	want, ok := s.opts.Clients[id]
	return ok && id != "" && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1
}

// serveRegistryToken exchanges a valid access token for a registry token.
func (s *Server) serveRegistryToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request"})
		return
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	claims, err := faketoken.Verify(bearer, s.opts.Now())
	if !ok || err != nil || claims.Audience != Audience {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "message": "access token missing, invalid or expired"})
		return
	}
	var req struct {
		RegistryURL string `json:"registry_url"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": "JSON body with registry_url expected"})
		return
	}
	host, err := registryHost(req.RegistryURL)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "message": err.Error()})
		return
	}
	s.mu.Lock()
	s.registry = append(s.registry, req.RegistryURL)
	s.mu.Unlock()
	now := s.opts.Now()
	token := s.issue("registry", faketoken.Issue("aws", host, s.opts.RegistryTTL, now))
	expiry := now.Add(s.opts.RegistryTTL)
	if s.opts.Style == StyleCodeArtifact {
		writeJSON(w, http.StatusOK, map[string]any{"authorizationToken": token, "expiration": expiry.Unix()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expiration": expiry.UTC().Format(time.RFC3339)})
}

// registryHost is the lower-case host of an https registry URL.
func registryHost(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return "", fmt.Errorf("registry_url must be an https URL without credentials")
	}
	return strings.ToLower(u.Hostname()), nil
}

func (s *Server) serveStats(w http.ResponseWriter) {
	s.mu.Lock()
	stats := map[string]any{"calls": map[Endpoint]int{OAuth: s.calls[OAuth], Registry: s.calls[Registry]}, "issued": len(s.issued)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, stats)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
