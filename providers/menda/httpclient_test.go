package menda

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recordingProxy is an HTTP proxy that refuses everything and remembers what
// it was asked, headers included.
type recordingProxy struct {
	mu       sync.Mutex
	requests []string // "METHOD URL Authorization"
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.requests = append(p.requests, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization"))
	p.mu.Unlock()
	http.Error(w, "refused by the test proxy", http.StatusBadGateway)
}

func (p *recordingProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// TestPlainHTTPNeverProxied: with a proxy configured for every request (as
// HTTP_PROXY is for a host net/http does not recognise as local), a mint
// against a loopback menda-cloud over plain http goes direct, and the proxy
// never sees the client secret; an https menda host does use the proxy.
func TestPlainHTTPNeverProxied(t *testing.T) {
	proxy := &recordingProxy{}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)
	proxyURL, _ := url.Parse(proxySrv.URL)

	for _, host := range []string{"http://127.0.0.1:$PORT", "http://localhost:$PORT"} {
		h := newHarness(t)
		h.p.HTTPClient = nil
		h.p.proxy = http.ProxyURL(proxyURL)
		port := h.url[strings.LastIndex(h.url, ":")+1:]
		h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: strings.ReplaceAll(host, "$PORT", port)}
		cred, err := h.p.Mint(context.Background(), plugins)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		h.assertRegistryToken(cred, plugins)
		if seen := proxy.seen(); len(seen) > 0 {
			t.Errorf("%s: the proxy received %d requests", host, len(seen))
		}
	}

	h := newHarness(t)
	h.p.HTTPClient = nil
	h.p.proxy = http.ProxyURL(proxyURL)
	h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: "https://menda.invalid"}
	if _, err := h.p.Mint(context.Background(), plugins); err == nil {
		t.Fatal("mint through the refusing proxy succeeded")
	}
	if seen := proxy.seen(); len(seen) != 1 || !strings.HasPrefix(seen[0], "CONNECT ") {
		t.Errorf("https request did not go through the proxy: %q", seen)
	}
}
