package menda

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/redact"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The menda-cloud API, relative to a profile's host.
const (
	oauthTokenPath    = "/api/v1/auth/oauth2/token"
	registryTokenPath = "/api/v1/auth/registry/token"
)

// Endpoint names used in errors.
const (
	endpointOAuth    = "oauth2 token"
	endpointRegistry = "registry token"
)

const (
	// requestTimeout bounds one menda-cloud request, connection included.
	requestTimeout = 30 * time.Second
	// maxRetryAfter caps how long a Retry-After makes credgen wait: a server
	// asking for minutes is better answered by the next scheduled attempt.
	maxRetryAfter = 10 * time.Second
	// defaultRetryDelay is the wait before the retry when Retry-After is absent.
	defaultRetryDelay = time.Second
	// maxResponseBytes bounds what credgen reads of a response.
	maxResponseBytes = 1 << 20
	// maxRegistryLifetime is the longest a CodeArtifact token lives; a later
	// expiration is not believed.
	maxRegistryLifetime = 12 * time.Hour
)

// cloudBaseURL validates a profile's host setting and returns the URL the API
// paths are appended to. A bare host name means https. Plain http is allowed
// only to a literal loopback IP or localhost (local fakes and tunnels).
func cloudBaseURL(host string) (*url.URL, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		return nil, errors.New("host is empty")
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("host is not a URL or host name")
	}
	if u.User != nil {
		return nil, errors.New("host must not carry credentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("host %s must not have a query or fragment", u.Redacted())
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("host %s is refused: menda-cloud must be reached over https (plain http only for a literal loopback IP or localhost)", u.Redacted())
		}
	default:
		return nil, fmt.Errorf("host %s: scheme %q is neither https nor http", u.Redacted(), u.Scheme)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host is exactly localhost or a literal IP in
// 127.0.0.0/8 or ::1. Spellings such as LOCALHOST or localhost. are refused:
// they reach the same machine, but proxy bypass rules and resolvers do not
// all treat them so, and the request carries a secret.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cloudClient talks to one menda-cloud host.
type cloudClient struct {
	base   *url.URL
	http   *http.Client
	now    func() time.Time
	logger *slog.Logger
}

func (c *cloudClient) endpointURL(path string) string { return c.base.String() + path }

// registryToken is what the registry endpoint returned.
type registryToken struct {
	value      string
	obtainedAt time.Time
	expiresAt  time.Time
}

// fetchAccessToken runs the OAuth2 client-credentials grant (RFC 6749 §4.4)
// with x/oauth2, retrying once on 429 and 5xx.
func (c *cloudClient) fetchAccessToken(ctx context.Context, clientID, clientSecret string) (cachedToken, error) {
	cfg := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     c.endpointURL(oauthTokenPath),
		// Basic auth, which RFC 6749 §2.3.1 makes every server accept. The
		// zero value would probe, sending each failing request twice.
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	for attempt := 0; ; attempt++ {
		rec := &responseRecorder{}
		tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, rec.wrap(c.http)))
		if err == nil {
			return c.accessTokenFrom(tok, cfg.TokenURL)
		}
		apiErr := oauthError(cfg.TokenURL, rec, err, clientSecret)
		apiErr.Retried = attempt > 0
		if attempt > 0 || !retryable(apiErr.StatusCode) {
			return cachedToken{}, apiErr
		}
		if err := c.waitToRetry(ctx, apiErr, rec.header.Get("Retry-After")); err != nil {
			return cachedToken{}, err
		}
	}
}

func (c *cloudClient) accessTokenFrom(tok *oauth2.Token, tokenURL string) (cachedToken, error) {
	if strings.ContainsFunc(tok.AccessToken, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return cachedToken{}, &APIError{Endpoint: endpointOAuth, Method: http.MethodPost, URL: tokenURL,
			StatusCode: http.StatusOK, Status: statusText(http.StatusOK),
			Problem: "the access token contains spaces or control characters"}
	}
	tokenType := tok.TokenType
	if tokenType == "" {
		tokenType = "Bearer"
	}
	var expiresAt time.Time
	if !tok.Expiry.IsZero() {
		// x/oauth2 computes Expiry from expires_in on the wall clock; carry
		// the remaining life over to c.now, which tests may fake.
		expiresAt = c.now().Add(time.Until(tok.Expiry)).Truncate(time.Second)
	}
	return cachedToken{AccessToken: tok.AccessToken, TokenType: tokenType, ExpiresAt: expiresAt}, nil
}

// oauthError describes a failed token request from what x/oauth2 returned and
// what the recorder saw. x/oauth2's own messages are not used: they quote the
// whole response body.
func oauthError(tokenURL string, rec *responseRecorder, err error, secret string) *APIError {
	apiErr := &APIError{Endpoint: endpointOAuth, Method: http.MethodPost, URL: tokenURL}
	var retrieve *oauth2.RetrieveError
	switch {
	case errors.As(err, &retrieve) && retrieve.Response != nil:
		apiErr.StatusCode, apiErr.Status = retrieve.Response.StatusCode, retrieve.Response.Status
		if quotable(retrieve.Response.StatusCode) {
			apiErr.Excerpt = bodyExcerpt(retrieve.Body, secret)
		} else {
			apiErr.Problem = "the response is an OAuth error"
		}
		if retrieve.Response.StatusCode == http.StatusUnauthorized || retrieve.ErrorCode == "invalid_client" {
			apiErr.Hint = "check client_id and client_secret"
		}
	case rec.statusCode != 0:
		apiErr.StatusCode, apiErr.Status = rec.statusCode, rec.status
		apiErr.Problem = tokenResponseProblem(rec.contentType(), rec.body.Bytes())
		if quotable(rec.statusCode) {
			apiErr.Excerpt = bodyExcerpt(rec.body.Bytes(), secret)
		}
	default:
		apiErr.Problem, apiErr.Hint = describeTransportError(ctxErr(err))
		apiErr.Err = err
	}
	return apiErr
}

// tokenResponseProblem says why a 2xx token response was not a token.
func tokenResponseProblem(mediaType string, body []byte) string {
	switch {
	case !isJSONMediaType(mediaType) && mediaType != "application/x-www-form-urlencoded" && mediaType != "text/plain":
		return fmt.Sprintf("the response has content type %q, not JSON", describeMediaType(mediaType))
	case isJSONMediaType(mediaType) && !json.Valid(body):
		return "the response is not valid JSON"
	}
	return "the response has no access_token"
}

// ctxErr unwraps *url.Error, whose text repeats method and URL.
func ctxErr(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// describeTransportError explains a request that got no response.
func describeTransportError(err error) (problem, hint string) {
	var unknownCA x509.UnknownAuthorityError
	var invalidCert x509.CertificateInvalidError
	var hostnameErr x509.HostnameError
	var verifyErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &invalidCert), errors.As(err, &hostnameErr), errors.As(err, &verifyErr):
		return "TLS: " + err.Error(), "if a proxy or private CA signs menda-cloud's certificate, put the CA in the file SSL_CERT_FILE names"
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		// net/http words the same timeout in several ways; say it once.
		return "no answer in time", ""
	}
	return err.Error(), ""
}

// fetchRegistryToken exchanges an access token for a CodeArtifact token for
// the registry at indexURL, retrying once on 429 and 5xx.
func (c *cloudClient) fetchRegistryToken(ctx context.Context, accessToken, indexURL string) (registryToken, error) {
	endpoint := c.endpointURL(registryTokenPath)
	body, err := json.Marshal(map[string]string{"registry_url": indexURL})
	if err != nil {
		return registryToken{}, err
	}
	for attempt := 0; ; attempt++ {
		resp, data, err := c.post(ctx, endpoint, accessToken, body)
		apiErr := &APIError{Endpoint: endpointRegistry, Method: http.MethodPost, URL: endpoint, Retried: attempt > 0}
		if err != nil {
			apiErr.Problem, apiErr.Hint = describeTransportError(ctxErr(err))
			apiErr.Err = err
			return registryToken{}, apiErr
		}
		apiErr.StatusCode, apiErr.Status = resp.StatusCode, resp.Status
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return c.parseRegistryResponse(resp, data, apiErr, accessToken)
		}
		apiErr.Excerpt = bodyExcerpt(data, accessToken)
		if attempt > 0 || !retryable(resp.StatusCode) {
			return registryToken{}, apiErr
		}
		if err := c.waitToRetry(ctx, apiErr, resp.Header.Get("Retry-After")); err != nil {
			return registryToken{}, err
		}
	}
}

// post sends one JSON request with the bearer token and reads the response.
func (c *cloudClient) post(ctx context.Context, endpoint, bearer string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	return resp, data, nil
}

// registryResponse accepts menda-cloud's names and CodeArtifact's own.
type registryResponse struct {
	Token              string          `json:"token"`
	AuthorizationToken string          `json:"authorizationToken"`
	Expiration         json.RawMessage `json:"expiration"`
}

func (c *cloudClient) parseRegistryResponse(resp *http.Response, data []byte, apiErr *APIError, accessToken string) (registryToken, error) {
	// A 2xx body is never quoted: it is what menda-cloud meant as a token,
	// or a page (a proxy's, a portal's) that may well hold one.
	fail := func(problem string) (registryToken, error) {
		apiErr.Problem = problem
		return registryToken{}, apiErr
	}
	if len(data) > maxResponseBytes {
		return fail("the response is larger than 1 MiB")
	}
	if mediaType := contentType(resp.Header); !isJSONMediaType(mediaType) {
		return fail(fmt.Sprintf("the response has content type %q, not JSON", describeMediaType(mediaType)))
	}
	var r registryResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return fail("the response is not the expected JSON: " + jsonProblem(err))
	}
	token := cmp.Or(r.Token, r.AuthorizationToken)
	if token == "" {
		return fail("the response has no token (neither \"token\" nor \"authorizationToken\")")
	}
	expiresAt, err := parseExpiration(r.Expiration)
	if err != nil {
		return fail("expiration: " + err.Error())
	}
	now := c.now()
	if !expiresAt.After(now) {
		return fail(fmt.Sprintf("the token expired already (%s)", expiresAt.Format(time.RFC3339)))
	}
	if problem := netrcUnsafe(token); problem != "" {
		return fail("the token " + problem + ", which netrc cannot carry; refusing it")
	}
	if bounded, clamped := providers.ClampExpiry(now, expiresAt, maxRegistryLifetime); clamped {
		c.logger.Warn("menda-cloud's registry token claims to expire later than a CodeArtifact token lives; renewing it as if it expired sooner",
			"claimed_expiry", expiresAt.UTC().Format(time.RFC3339), "longest_lifetime", maxRegistryLifetime, "assumed_expiry", bounded.UTC().Format(time.RFC3339))
		expiresAt = bounded
	}
	return registryToken{value: token, obtainedAt: now, expiresAt: expiresAt}, nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var wrongType *json.UnmarshalTypeError
	if errors.As(err, &wrongType) {
		return fmt.Sprintf("%s is a JSON %s", wrongType.Field, wrongType.Value)
	}
	return err.Error()
}

// parseExpiration reads "expiration": RFC 3339 (menda-cloud) or epoch seconds
// (CodeArtifact).
func parseExpiration(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, errors.New("missing")
	}
	return parseExpiresAt(raw)
}

// netrcUnsafe names why token cannot go into a netrc file portably, or "".
func netrcUnsafe(token string) string {
	switch {
	case strings.HasPrefix(token, "#"):
		return "starts with #"
	case strings.ContainsAny(token, `"\`):
		return `contains a quote or backslash`
	case strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f || isUnicodeSpace(r) }):
		return "contains whitespace or control characters"
	}
	return ""
}

func isUnicodeSpace(r rune) bool { return r > 0x7f && pyIsSpace(r) }

func contentType(h http.Header) string {
	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return h.Get("Content-Type")
	}
	return mediaType
}

// describeMediaType is a Content-Type fit for an error: the server chose
// it, so it is redacted and kept short like any text it sends.
func describeMediaType(mediaType string) string {
	const limit = 60
	s := redact.Secrets(mediaType)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit-1]) + "…"
	}
	return s
}

func isJSONMediaType(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// quotable says whether a response body may be quoted in an error: only
// when the status says it is an error message. A 2xx body was meant to carry
// a token.
func quotable(status int) bool { return status < 200 || status >= 300 }

// retryable: rate limiting and server errors are worth one more try.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// waitToRetry sleeps for the server's Retry-After (capped) or a second.
func (c *cloudClient) waitToRetry(ctx context.Context, apiErr *APIError, retryAfter string) error {
	delay := retryDelay(retryAfter, c.now())
	c.logger.Info("menda-cloud asked to retry", "endpoint", apiErr.Endpoint, "status", apiErr.StatusCode, "retry_in", delay)
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		apiErr.Problem = "gave up waiting to retry: " + ctx.Err().Error()
		apiErr.Err = ctx.Err()
		return apiErr
	case <-timer.C:
		return nil
	}
}

// retryDelay reads Retry-After (seconds or an HTTP date), capped at maxRetryAfter.
func retryDelay(retryAfter string, now time.Time) time.Duration {
	retryAfter = strings.TrimSpace(retryAfter)
	delay := defaultRetryDelay
	if secs, err := strconv.Atoi(retryAfter); err == nil {
		delay = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(retryAfter); err == nil {
		delay = at.Sub(now)
	}
	return min(max(delay, 0), maxRetryAfter)
}

// responseRecorder keeps the status, headers and the start of the body of the
// last response through a client, for errors x/oauth2 reports without them.
type responseRecorder struct {
	next       http.RoundTripper
	statusCode int
	status     string
	header     http.Header
	body       bytes.Buffer
}

// recordedBodyBytes is how much of a body the recorder keeps.
const recordedBodyBytes = 64 << 10

// wrap returns a copy of client whose transport records into r.
func (r *responseRecorder) wrap(client *http.Client) *http.Client {
	c := *client
	r.next = c.Transport
	if r.next == nil {
		r.next = http.DefaultTransport
	}
	c.Transport = r
	return &c
}

func (r *responseRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.statusCode, r.status, r.header = resp.StatusCode, resp.Status, resp.Header
	r.body.Reset()
	resp.Body = &recordingBody{ReadCloser: resp.Body, into: &r.body}
	return resp, nil
}

func (r *responseRecorder) contentType() string { return contentType(r.header) }

// recordingBody copies the first recordedBodyBytes read into a buffer.
type recordingBody struct {
	io.ReadCloser
	into *bytes.Buffer
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := recordedBodyBytes - b.into.Len(); room > 0 {
		b.into.Write(p[:min(n, room)])
	}
	return n, err
}
