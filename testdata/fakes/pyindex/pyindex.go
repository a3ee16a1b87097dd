// Package pyindex is a fake private Python package index: a PEP 503 "simple"
// repository that, like Chainguard Libraries and AWS CodeArtifact, answers
// nothing without HTTP Basic credentials, and whose passwords are faketoken
// tokens, so an expired token is refused the way a real one would be. It
// serves one real wheel (credgen-probe) that pip can download and install.
//
// The handler serves every hostname and any repository path: /python/simple/
// for libraries.cgr.dev and /pypi/plugins/simple/ for a CodeArtifact domain
// are the same index. Put it behind TLS with a testca leaf and reach it through
// connectproxy. Test-only: it lives under testdata and is never linked into
// credgen.
package pyindex

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

// Accept decides whether user may read the index at host once the password
// has passed faketoken.Verify; claims are that token's.
type Accept func(host, user string, claims faketoken.Claims) bool

// AnyUser accepts every username, the empty one included.
func AnyUser(string, string, faketoken.Claims) bool { return true }

// ProviderUsers demands the usernames the real registries demand: "aws" on a
// CodeArtifact domain, any non-empty name elsewhere (Chainguard takes "_token"
// with a session token and the identity id with a pull token).
func ProviderUsers(host, user string, _ faketoken.Claims) bool {
	if isCodeArtifact(host) {
		return user == "aws"
	}
	return user != ""
}

func isCodeArtifact(host string) bool {
	return strings.Contains(host, ".d.codeartifact.") && strings.HasSuffix(host, ".amazonaws.com")
}

// Options configure an Index. The zero value accepts any user with a live
// token.
type Options struct {
	Accept Accept           // default AnyUser
	Now    func() time.Time // clock for token expiry; default time.Now
	Realm  string           // Basic realm in 401 challenges; default "credgen fake index"
	Logger *slog.Logger     // default: discard. Never sees a password.
}

// Stats count requests so tests can tell "pip never asked" from "pip asked
// without credentials".
type Stats struct {
	Requests     int64 // every request, authenticated or not
	AuthFailures int64 // answered 401
	Downloads    int64 // wheel GETs that were served
	Uploads      int64 // distributions accepted by the upload endpoint
}

// Index is the fake index; it is an http.Handler.
type Index struct {
	accept Accept
	now    func() time.Time
	realm  string
	log    *slog.Logger
	wheel  Wheel

	requests     atomic.Int64
	authFailures atomic.Int64
	downloads    atomic.Int64
	uploads      atomic.Int64
}

// New builds the probe wheel and returns an index serving it.
func New(opts Options) (*Index, error) {
	wheel, err := BuildProbeWheel()
	if err != nil {
		return nil, fmt.Errorf("pyindex: %w", err)
	}
	ix := &Index{accept: opts.Accept, now: opts.Now, realm: opts.Realm, log: opts.Logger, wheel: wheel}
	if ix.accept == nil {
		ix.accept = AnyUser
	}
	if ix.now == nil {
		ix.now = time.Now
	}
	if ix.realm == "" {
		ix.realm = "credgen fake index"
	}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	return ix, nil
}

// Wheel returns the served wheel, e.g. to compare a download with.
func (ix *Index) Wheel() Wheel { return ix.wheel }

// Stats returns the counters so far.
func (ix *Index) Stats() Stats {
	return Stats{Requests: ix.requests.Load(), AuthFailures: ix.authFailures.Load(), Downloads: ix.downloads.Load(),
		Uploads: ix.uploads.Load()}
}

var (
	errNoCredentials = errors.New("no Basic credentials")
	errUserRefused   = errors.New("username not accepted for this host")
)

// ServeHTTP authenticates every request before looking at its path, so an
// unauthenticated client learns nothing, not even which projects exist.
func (ix *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ix.requests.Add(1)
	host := requestHost(r)
	user, err := ix.authenticate(host, r)
	if err != nil {
		ix.authFailures.Add(1)
		ix.log.Info("pyindex: unauthorized", "method", r.Method, "host", host, "path", r.URL.Path, "user", user, "reason", err.Error())
		w.Header().Set("WWW-Authenticate", `Basic realm="`+ix.realm+`"`)
		http.Error(w, "401 Unauthorized: "+err.Error(), http.StatusUnauthorized)
		return
	}
	ix.log.Debug("pyindex: request", "method", r.Method, "host", host, "path", r.URL.Path, "user", user)
	if r.Method == http.MethodPost && !strings.Contains(r.URL.Path, "/simple/") {
		ix.serveUpload(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	ix.serveRoute(w, r, parseRoute(r.URL.Path))
}

// serveUpload is the legacy upload API twine and uv publish speak (a
// multipart POST with ":action" = "file_upload" and the distribution as
// "content") at the repository's root, as CodeArtifact takes it.
func (ix *Index) serveUpload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, "400 Bad Request: not a multipart upload", http.StatusBadRequest)
		return
	}
	f, hdr, err := r.FormFile("content")
	if r.FormValue(":action") != "file_upload" || err != nil {
		http.Error(w, "400 Bad Request: no file_upload with content", http.StatusBadRequest)
		return
	}
	f.Close()
	ix.uploads.Add(1)
	ix.log.Info("pyindex: upload", "host", requestHost(r), "path", r.URL.Path, "file", hdr.Filename)
	w.WriteHeader(http.StatusOK)
}

// authenticate returns the Basic username (for logs; it is not secret) and
// why the request is refused, if it is. The error never holds the password.
func (ix *Index) authenticate(host string, r *http.Request) (string, error) {
	user, password, ok := r.BasicAuth()
	if !ok {
		return "", errNoCredentials
	}
	claims, err := faketoken.Verify(password, ix.now())
	if err != nil {
		return user, fmt.Errorf("token: %w", err)
	}
	if !ix.accept(host, user, claims) {
		return user, errUserRefused
	}
	return user, nil
}

// requestHost is the Host header without port, lower-cased.
func requestHost(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(host)
}

func (ix *Index) serveRoute(w http.ResponseWriter, r *http.Request, rt route) {
	switch rt.kind {
	case routeRedirect:
		http.Redirect(w, r, rt.location, http.StatusMovedPermanently)
	case routeRoot:
		writeHTML(w, rootPage())
	case routeProject:
		if rt.name != ProjectName {
			http.NotFound(w, r)
			return
		}
		writeHTML(w, projectPage(ix.wheel))
	case routeFile:
		if rt.name != ix.wheel.Filename {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodGet {
			ix.downloads.Add(1)
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, ix.wheel.Filename, wheelEpoch, bytes.NewReader(ix.wheel.Data))
	default:
		http.NotFound(w, r)
	}
}

type routeKind int

const (
	routeNotFound routeKind = iota
	routeRoot               // <prefix>/simple/
	routeProject            // <prefix>/simple/<normalised name>/
	routeFile               // <prefix>/files/<filename>
	routeRedirect           // a PEP 503 URL missing its slash or not normalised
)

type route struct {
	kind     routeKind
	name     string // project or file name
	location string // redirect target
}

// parseRoute maps a URL path to what it asks for. Any prefix before /simple/
// is a repository path (/python, /pypi/plugins); files live beside simple/ so
// that a project page can link to them relatively and work for every host.
func parseRoute(path string) route {
	if strings.HasSuffix(path, "/simple") {
		return route{kind: routeRedirect, location: path + "/"}
	}
	if i := strings.LastIndex(path, "/simple/"); i >= 0 {
		return parseSimple(path, path[i+len("/simple/"):])
	}
	if i := strings.LastIndex(path, "/files/"); i >= 0 {
		if name := path[i+len("/files/"):]; name != "" && !strings.Contains(name, "/") {
			return route{kind: routeFile, name: name}
		}
	}
	return route{kind: routeNotFound}
}

// parseSimple handles the part of path after /simple/.
func parseSimple(path, rest string) route {
	if rest == "" {
		return route{kind: routeRoot}
	}
	name, slash := strings.CutSuffix(rest, "/")
	if strings.Contains(name, "/") {
		return route{kind: routeNotFound}
	}
	base := strings.TrimSuffix(path, rest)
	if norm := NormalizeName(name); norm != name || !slash {
		return route{kind: routeRedirect, location: base + norm + "/"}
	}
	return route{kind: routeProject, name: name}
}

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizeName is PEP 503's name normalisation.
func NormalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

func rootPage() string {
	return simplePage("Simple index", `<a href="`+ProjectName+`/">`+ProjectName+"</a>\n")
}

// projectPage links the wheel with its hash fragment; the link climbs out of
// simple/<project>/ into files/ so it is right under any repository path.
func projectPage(w Wheel) string {
	href := "../../files/" + w.Filename + "#sha256=" + w.SHA256
	return simplePage("Links for "+ProjectName,
		`<a href="`+html.EscapeString(href)+`">`+html.EscapeString(w.Filename)+"</a><br>\n")
}

func simplePage(title, body string) string {
	return "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.0\">\n<title>" +
		html.EscapeString(title) + "</title>\n</head>\n<body>\n<h1>" + html.EscapeString(title) + "</h1>\n" + body + "</body>\n</html>\n"
}

func writeHTML(w http.ResponseWriter, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(page))
}
