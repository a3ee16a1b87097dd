package menda

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// TestEndpointFailureModes: every failure mode of every endpoint gives an
// *APIError naming the endpoint, method, URL and status (or the timeout),
// leaks nothing and changes no file.
func TestEndpointFailureModes(t *testing.T) {
	var mu sync.Mutex
	messages := map[string]string{}
	t.Run("modes", func(t *testing.T) { testEndpointFailureModes(t, &mu, messages) })
	var golden strings.Builder
	for _, name := range slices.Sorted(maps.Keys(messages)) {
		fmt.Fprintf(&golden, "%s: %s\n", name, messages[name])
	}
	compareGolden(t, "testdata/failure-modes.golden", golden.String())
}

func testEndpointFailureModes(t *testing.T, mu *sync.Mutex, messages map[string]string) {
	for _, ep := range []mendacloud.Endpoint{mendacloud.OAuth, mendacloud.Registry} {
		path, name := oauthTokenPath, endpointOAuth
		if ep == mendacloud.Registry {
			path, name = registryTokenPath, endpointRegistry
		}
		for _, tc := range []struct {
			mode  string
			fault mendacloud.Fault
			want  []string
		}{
			{"401", mendacloud.Fault{Status: 401}, []string{"HTTP 401 Unauthorized"}},
			{"403", mendacloud.Fault{Status: 403}, []string{"HTTP 403 Forbidden", "access_denied"}},
			{"429", mendacloud.Fault{Status: 429, RetryAfter: "0"}, []string{"HTTP 429 Too Many Requests (after one retry)"}},
			{"500", mendacloud.Fault{Status: 500, RetryAfter: "0"}, []string{"HTTP 500 Internal Server Error (after one retry)"}},
			{"slow", mendacloud.Fault{Delay: 3 * time.Second}, []string{"no answer in time"}},
			{"invalid-json", mendacloud.Fault{InvalidJSON: true}, []string{"HTTP 200 OK", "JSON"}},
			{"wrong-content-type", mendacloud.Fault{WrongContentType: true}, []string{"HTTP 200 OK", `content type "text/html"`}},
			{"body-echoing-secrets", mendacloud.Fault{Status: 400, Body: `{"error":"bad","client_secret":"bot-s3cret-value","seen":"$TOKEN"}`},
				[]string{"HTTP 400 Bad Request", `"client_secret":"****"`}},
		} {
			t.Run(string(ep)+"/"+tc.mode, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				h.p.HTTPClient.Timeout = 300 * time.Millisecond
				h.mendacfg(m2mProfile)
				if ep == mendacloud.Registry {
					// Mint once so that an access token is cached and echoed.
					if _, err := h.p.Mint(context.Background(), plugins); err != nil {
						t.Fatal(err)
					}
				}
				before := h.snapshot()
				fault := tc.fault
				if issued := h.fake.Issued(); len(issued) > 0 {
					fault.Body = strings.ReplaceAll(fault.Body, "$TOKEN", issued[0])
				}
				h.fake.SetFault(ep, fault)
				_, err := h.p.Mint(context.Background(), plugins)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				msg := err.Error()
				mu.Lock()
				messages[string(ep)+"/"+tc.mode] = strings.ReplaceAll(msg, h.url, "$MENDA")
				mu.Unlock()
				prefix := fmt.Sprintf("menda-cloud %s endpoint: POST %s%s", name, h.url, path)
				if !strings.HasPrefix(msg, prefix) {
					t.Errorf("error does not start with %q: %s", prefix, msg)
				}
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error lacks %q: %s", w, msg)
					}
				}
				h.assertNoSecret("error", msg)
				h.assertNoSecret("log", h.logs.String())
				if tc.fault.Status == 0 && strings.Contains(msg, "body:") {
					t.Errorf("a 2xx body is quoted: %s", msg)
				}
				if ep == mendacloud.Registry && tc.fault.Status == 401 {
					// The cached access token looks revoked: it is replaced
					// once, which rewrites the cache.
					if calls := h.fake.Calls(mendacloud.OAuth); calls != 2 {
						t.Errorf("oauth calls = %d, want 2", calls)
					}
				} else if after := h.snapshot(); fmt.Sprint(before) != fmt.Sprint(after) {
					t.Errorf("files changed")
				}
			})
		}
	}
}

// TestRetryAfterHonouredOnce: one 429 or 503 is retried after the server's
// Retry-After; the mint then succeeds.
func TestRetryAfterHonouredOnce(t *testing.T) {
	for _, ep := range []mendacloud.Endpoint{mendacloud.OAuth, mendacloud.Registry} {
		for _, status := range []int{429, 503} {
			t.Run(fmt.Sprint(ep, "/", status), func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				h.mendacfg(m2mProfile)
				h.fake.SetFault(ep, mendacloud.Fault{Status: status, RetryAfter: "1", Times: 1})
				start := time.Now()
				cred, err := h.p.Mint(context.Background(), plugins)
				if err != nil {
					t.Fatal(err)
				}
				h.assertRegistryToken(cred, plugins)
				if waited := time.Since(start); waited < time.Second {
					t.Errorf("retried after %v, before Retry-After", waited)
				}
				if calls := h.fake.Calls(ep); calls != 2 {
					t.Errorf("%s calls = %d, want 2", ep, calls)
				}
				if !strings.Contains(h.logs.String(), "menda-cloud asked to retry") {
					t.Errorf("retry not logged:\n%s", h.logs)
				}
			})
		}
	}
}

func TestRetryWaitHonoursContext(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	h.fake.SetFault(mendacloud.OAuth, mendacloud.Fault{Status: 429, RetryAfter: "8"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.p.Mint(ctx, plugins)
	if err == nil || !strings.Contains(err.Error(), "gave up waiting to retry") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v despite the context", time.Since(start))
	}
	if calls := h.fake.Calls(mendacloud.OAuth); calls != 1 {
		t.Errorf("oauth calls = %d, want 1", calls)
	}
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},
		{"0", 0},
		{"3", 3 * time.Second},
		{" 7 ", 7 * time.Second},
		{"3600", maxRetryAfter},
		{"-5", 0},
		{"soon", time.Second},
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := retryDelay(tc.header, now); got != tc.want {
			t.Errorf("retryDelay(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestCloudBaseURL(t *testing.T) {
	for _, tc := range []struct{ host, want, err string }{
		{"https://acme.cloud.menda.example", "https://acme.cloud.menda.example", ""},
		{"https://acme.cloud.menda.example/", "https://acme.cloud.menda.example", ""},
		{"HTTPS://Acme.example/prefix/", "https://Acme.example/prefix", ""},
		{"acme.cloud.menda.example", "https://acme.cloud.menda.example", ""},
		{" acme.example:8443 ", "https://acme.example:8443", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://127.8.9.10", "http://127.8.9.10", ""},
		{"http://localhost:1234", "http://localhost:1234", ""},
		{"http://[::1]:99", "http://[::1]:99", ""},
		{"http://menda.example.com", "", "host http://menda.example.com is refused: menda-cloud must be reached over https (plain http only for a literal loopback IP or localhost)"},
		{"http://10.0.0.1", "", "refused"},
		{"http://localhost.evil.com", "", "refused"},
		{"http://[::2]", "", "refused"},
		{"http://LOCALHOST:1234", "", "refused"},
		{"http://Localhost", "", "refused"},
		{"http://localhost.:1234", "", "refused"},
		{"http://127.1", "", "refused"},
		{"http://2130706433", "", "refused"},
		{"http://0x7f.0.0.1", "", "refused"},
		{"HTTP://127.0.0.1", "http://127.0.0.1", ""},
		{"https://u:hunter2@h.example", "", "host must not carry credentials"},
		{"ftp://h.example", "", `scheme "ftp" is neither https nor http`},
		{"https://h.example/?x=1", "", "must not have a query or fragment"},
		{"", "", "host is empty"},
		{"https://", "", "not a URL or host name"},
	} {
		u, err := cloudBaseURL(tc.host)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("cloudBaseURL(%q) = %v, %v; want error %q", tc.host, u, err, tc.err)
			}
		case err != nil || u.String() != tc.want:
			t.Errorf("cloudBaseURL(%q) = %v, %v; want %s", tc.host, u, err, tc.want)
		}
	}
}

func TestBodyExcerpt(t *testing.T) {
	jwt := faketoken.Issue("aws", "h", time.Hour, time.Now())
	for _, tc := range []struct {
		body  string
		known []string
		want  string
	}{
		{`{"error":"invalid_client"}`, nil, `{"error":"invalid_client"}`},
		{"line one\n\tline two\r\n", nil, "line one line two"},
		{`{"access_token":"short","x":"` + jwt + `"}`, nil, `{"access_token":"****","x":"****"}`},
		{`{"authorizationToken": "abc"}`, nil, `{"authorizationToken": "****"}`},
		{"your secret is pw123, ok", []string{"pw123"}, "your secret is ****, ok"},
		{"bin\x00ary\x1b[31m", nil, "bin ary [31m"},
		{strings.Repeat("word ", 100), nil, strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
	} {
		if got := bodyExcerpt([]byte(tc.body), tc.known...); got != tc.want {
			t.Errorf("bodyExcerpt(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestRegistryResponses: both response styles are read, and a token or
// expiration credgen cannot use is refused without being quoted.
func TestRegistryResponses(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	later := now.Add(12 * time.Hour)
	for _, tc := range []struct {
		name, contentType, body string
		want                    string // error substring; "" = success
	}{
		{"menda", "application/json", fmt.Sprintf(`{"token":"Zq9-1","expiration":%q}`, later.Format(time.RFC3339)), ""},
		{"codeartifact", "application/json; charset=utf-8", fmt.Sprintf(`{"authorizationToken":"Zq9-1","expiration":%d}`, later.Unix()), ""},
		{"codeartifact-fractional", "application/x-amz-json-1.1+json", fmt.Sprintf(`{"authorizationToken":"Zq9-1","expiration":%d.0}`, later.Unix()), ""},
		{"space", "application/json", fmt.Sprintf(`{"token":"Zq9 1","expiration":%d}`, later.Unix()), "the token contains whitespace or control characters, which netrc cannot carry; refusing it"},
		{"tab", "application/json", fmt.Sprintf(`{"token":"Zq9\t1","expiration":%d}`, later.Unix()), "whitespace or control characters"},
		{"nbsp", "application/json", fmt.Sprintf(`{"token":"Zq9\u00a01","expiration":%d}`, later.Unix()), "whitespace or control characters"},
		{"quote", "application/json", fmt.Sprintf(`{"token":"Zq9\"1","expiration":%d}`, later.Unix()), "contains a quote or backslash"},
		{"backslash", "application/json", fmt.Sprintf(`{"token":"Zq9\\1","expiration":%d}`, later.Unix()), "contains a quote or backslash"},
		{"hash", "application/json", fmt.Sprintf(`{"token":"#Zq91","expiration":%d}`, later.Unix()), "starts with #"},
		{"year-9999-clamped-to-12h", "application/json", `{"token":"Zq9-1","expiration":"9999-12-31T23:59:59Z"}`, ""},
		{"year-9999-epoch-clamped-to-12h", "application/json", `{"authorizationToken":"Zq9-1","expiration":253402300799}`, ""},
		{"expired", "application/json", fmt.Sprintf(`{"token":"Zq9-1","expiration":%d}`, now.Add(-time.Minute).Unix()), "the token expired already"},
		{"no-expiration", "application/json", `{"token":"Zq9-1"}`, "expiration: missing"},
		{"bad-expiration", "application/json", `{"token":"Zq9-1","expiration":"tomorrow"}`, "expiration: neither epoch seconds nor an RFC 3339 time"},
		{"no-token", "application/json", `{"expiration":1}`, `the response has no token (neither "token" nor "authorizationToken")`},
		{"token-not-string", "application/json", `{"token":12}`, "token is a JSON number"},
		{"not-json", "text/plain", "Zq9-1", `content type "text/plain", not JSON`},
		{"html-page-holding-a-token", "text/html", "<p>Your token: Zq9leakTOKEN!1</p>", `content type "text/html", not JSON`},
		{"json-error-in-a-200", "application/json", `{"token": ["Zq9-1"], "expiration": 1}`, "token is a JSON array"},
		{"content-type-holding-a-token", "text/x-token; Zq9" + strings.Repeat("a", 30), "x", "content type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			base, _ := cloudBaseURL(srv.URL)
			var logs strings.Builder
			c := &cloudClient{base: base, http: srv.Client(), now: func() time.Time { return now }, logger: slog.New(slog.NewTextHandler(&logs, nil))}
			tok, err := c.fetchRegistryToken(context.Background(), "access", "https://x.d.codeartifact.r.amazonaws.com/pypi/p/simple/")
			if tc.want == "" {
				if err != nil || tok.value != "Zq9-1" || !tok.expiresAt.Equal(later) {
					t.Fatalf("= %+v, %v", tok, err)
				}
				if warned := strings.Contains(logs.String(), "level=WARN"); warned != strings.HasPrefix(tc.name, "year-9999") {
					t.Errorf("warned = %v; log: %s", warned, logs.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Zq9") || strings.Contains(err.Error(), "body:") {
				t.Errorf("error quotes the token: %v", err)
			}
		})
	}
}

func TestCodeArtifactStyleEndToEnd(t *testing.T) {
	fake := mendacloud.New(mendacloud.Options{Clients: map[string]string{botID: botSecret}, Style: mendacloud.StyleCodeArtifact, RegistryTTL: 2 * time.Hour})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	h := newHarness(t)
	h.url = srv.URL
	h.fake = fake
	h.mendacfg(m2mProfile)
	cred, err := h.p.Mint(context.Background(), plugins)
	if err != nil {
		t.Fatal(err)
	}
	h.assertRegistryToken(cred, plugins)
	if life := cred.Expiry.Sub(cred.ObtainedAt); life < 2*time.Hour-5*time.Second || life > 2*time.Hour+5*time.Second {
		t.Errorf("lifetime %v, want 2h", life)
	}
}

// TestTLS: the default client trusts the system roots plus SSL_CERT_FILE;
// without the CA, the error says what to do.
func TestTLS(t *testing.T) {
	fake := mendacloud.New(mendacloud.Options{Clients: map[string]string{botID: botSecret}})
	srv := httptest.NewUnstartedServer(fake)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, certFile, want string
	}{
		{"trusted-through-SSL_CERT_FILE", caFile, ""},
		{"unknown-authority", "", "TLS: tls: failed to verify certificate: x509: certificate signed by unknown authority: if a proxy or private CA signs menda-cloud's certificate, put the CA in the file SSL_CERT_FILE names"},
		{"unreadable-SSL_CERT_FILE", filepath.Join(t.TempDir(), "missing.pem"), "SSL_CERT_FILE: open "},
		{"SSL_CERT_FILE-without-PEM", os.Args[0], "holds no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.url, h.fake = srv.URL, fake
			h.p.HTTPClient = nil
			h.env["SSL_CERT_FILE"] = tc.certFile
			h.mendacfg(m2mProfile)
			cred, err := h.p.Mint(context.Background(), plugins)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				h.assertRegistryToken(cred, plugins)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect followed, Authorization %q", r.Header.Get("Authorization"))
	}))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	client, err := newHTTPClient("", nil)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := cloudBaseURL(srv.URL)
	c := &cloudClient{base: base, http: client, now: time.Now, logger: discardLogger()}
	_, err = c.fetchRegistryToken(context.Background(), "access", "https://x/")
	if err == nil || !strings.Contains(err.Error(), "HTTP 307 Temporary Redirect") {
		t.Errorf("err = %v", err)
	}
}

// TestDebugLogsCarryNoSecret: a full m2m mint logged at debug level.
func TestDebugLogsCarryNoSecret(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "reusing cached access token") {
		t.Errorf("debug log incomplete:\n%s", h.logs)
	}
	h.assertNoSecret("log", h.logs.String())
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestTwoXXBodyNeverQuoted: a 200 page that is not the expected answer (a
// portal's, a proxy's) may hold a token; the error names its status and
// content type, never its text.
func TestTwoXXBodyNeverQuoted(t *testing.T) {
	const page = "<p>Your token: CTleakTOKEN!1</p>"
	for _, ep := range []string{oauthTokenPath, registryTokenPath} {
		t.Run(ep, func(t *testing.T) {
			h := newHarness(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == ep {
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, page)
					return
				}
				h.fake.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			h.url = srv.URL
			h.mendacfg(m2mProfile)
			_, err := h.p.Mint(context.Background(), plugins)
			if err == nil || !strings.Contains(err.Error(), `HTTP 200 OK: the response has content type "text/html", not JSON`) {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), "CTleak") || strings.Contains(err.Error(), "Your token") {
				t.Errorf("error quotes the body")
			}
		})
	}
}
