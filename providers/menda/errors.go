package menda

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/credgen/credgen/providers/redact"
)

// The hints follow menda-keyring's troubleshooting table, so users find the
// same words in both tools' documentation.
const (
	hintLogin     = "run `menda auth login`"
	hintConfigure = "run `menda auth configure`"
)

// NotConfiguredError: there is no mendacfg and the MENDA_CLIENT_ID,
// MENDA_CLIENT_SECRET, MENDA_HOST trio is not set.
type NotConfiguredError struct {
	Path string // the mendacfg that does not exist
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("menda config %s not found: %s (or set MENDA_CLIENT_ID, MENDA_CLIENT_SECRET and MENDA_HOST)",
		e.Path, hintConfigure)
}

// ConfigFileError: mendacfg exists but cannot be read or does not parse.
type ConfigFileError struct {
	Path    string
	Line    int // 0 when the problem is not on one line
	Problem string
	Err     error // the underlying I/O error, if any
}

func (e *ConfigFileError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s: line %d", e.Path, e.Line)
	}
	return fmt.Sprintf("menda config %s: %s", where, e.Problem)
}

func (e *ConfigFileError) Unwrap() error { return e.Err }

// ProfileNotFoundError: the requested profile is not a section of mendacfg.
type ProfileNotFoundError struct {
	Profile string
	Path    string
	Known   []string // the profiles the file has
}

func (e *ProfileNotFoundError) Error() string {
	known := "it has none"
	if len(e.Known) > 0 {
		known = "it has " + strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("menda profile %q not found in %s (%s): %s, or set MENDA_PROFILE_ID or the index's profile",
		e.Profile, e.Path, known, hintConfigure)
}

// ProfileError: the profile exists but cannot be used as it is (no host, an
// m2m profile without client_id or client_secret, an unknown auth_type, ...).
type ProfileError struct {
	Profile string // "" for the MENDA_* environment trio
	Path    string // mendacfg, or the variable (MENDA_HOST) at fault
	Line    int    // the line of the offending key; 0 when a key is missing
	Problem string // never quotes a value that could be a secret
	Hint    string
}

func (e *ProfileError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s: line %d", e.Path, e.Line)
	}
	msg := fmt.Sprintf("menda profile %q (%s): %s", e.Profile, where, e.Problem)
	if e.Profile == "" { // the environment trio
		msg = fmt.Sprintf("menda %s: %s", where, e.Problem)
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// LoginRequiredError: a u2m profile has no valid user token in the cache.
type LoginRequiredError struct {
	Profile   string
	CachePath string
	Reason    string // e.g. "it expired 2h0m0s ago"
}

func (e *LoginRequiredError) Error() string {
	return fmt.Sprintf("menda profile %q has no valid cached token in %s (%s): %s",
		e.Profile, e.CachePath, e.Reason, hintLogin)
}

// TokenCacheError: the shared token cache cannot be read, does not parse, or
// holds an entry credgen would have to overwrite without understanding it.
// credgen never rewrites such a cache.
type TokenCacheError struct {
	Path         string
	Line, Column int // 0 when unknown
	Problem      string
	Err          error
}

func (e *TokenCacheError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s: line %d, column %d", e.Path, e.Line, e.Column)
	}
	return fmt.Sprintf("menda token cache %s: %s (credgen leaves it untouched; fix it, or remove it and %s)",
		where, e.Problem, hintLogin)
}

func (e *TokenCacheError) Unwrap() error { return e.Err }

// APIError: a menda-cloud call failed. It names the endpoint, method, URL and
// HTTP status, with a short excerpt of the body from which anything
// token-like is masked. It never quotes the request.
type APIError struct {
	Endpoint   string // "oauth2 token" or "registry token"
	Method     string
	URL        string
	StatusCode int    // 0 when no response arrived
	Status     string // e.g. "429 Too Many Requests"
	Retried    bool   // the call was retried once before failing
	Problem    string // what was wrong with a response, or with the connection
	Excerpt    string // scrubbed body excerpt
	Hint       string
	Err        error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "menda-cloud %s endpoint: %s %s", e.Endpoint, e.Method, e.URL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %s", e.Status)
	}
	if e.Retried {
		b.WriteString(" (after one retry)")
	}
	if e.Problem != "" {
		b.WriteString(": " + e.Problem)
	}
	if e.Excerpt != "" {
		fmt.Fprintf(&b, ": body: %s", e.Excerpt)
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// statusText is "429 Too Many Requests" for a bare code.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// excerptLimit bounds the body excerpt in an error: enough for a server's
// error message, too little to make an error unreadable.
const excerptLimit = 200

// bodyExcerpt is a one-line, scrubbed, shortened rendering of a response body
// for an error message. known are the secrets of this exchange, masked
// wherever they appear even if short.
func bodyExcerpt(body []byte, known ...string) string {
	s := redact.Secrets(string(body), known...) // scrubbed whole, so that no cut leaves half a token unmasked
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if r := []rune(s); len(r) > excerptLimit {
		s = strings.TrimSpace(string(r[:excerptLimit])) + "…"
	}
	return s
}

// ago renders how long ago t was, for "expired 5m0s ago".
func ago(now, t time.Time) string {
	return now.Sub(t).Round(time.Second).String()
}
