package menda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// mintTimeout bounds each mint of these tests, so that a regression hangs no
// test for ever: it is far above what any mint against the local fake takes.
const mintTimeout = 20 * time.Second

// oauthGate holds the fake's OAuth answers for one client id until the test
// opens the gate, so a test can act while credgen waits for menda-cloud.
type oauthGate struct {
	clientID string
	arrived  chan struct{} // closed when the first held request arrives
	open     chan struct{} // closed by the test to let the answers go
	once     sync.Once
}

func newOAuthGate(clientID string) *oauthGate {
	return &oauthGate{clientID: clientID, arrived: make(chan struct{}), open: make(chan struct{})}
}

// serveGated makes h's menda-cloud the fake behind gate; before (optional) is
// called on every request first. It must be called before the test writes
// mendacfg or the environment, which name h.url.
func (h *harness) serveGated(gate *oauthGate, before func(*http.Request)) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if before != nil {
			before(r)
		}
		if id, _, _ := r.BasicAuth(); gate != nil && r.URL.Path == mendacloud.OAuthTokenPath && id == gate.clientID {
			gate.once.Do(func() { close(gate.arrived) })
			<-gate.open
		}
		h.fake.ServeHTTP(w, r)
	}))
	h.t.Cleanup(srv.Close)
	h.url = srv.URL
}

// mintAsync starts a mint of idx and returns where its outcome will arrive.
func (h *harness) mintAsync(idx providers.Index) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), mintTimeout)
		defer cancel()
		_, err := h.p.Mint(ctx, idx)
		done <- err
	}()
	return done
}

// waitFor waits for ch, failing the test after mintTimeout.
func waitFor[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(mintTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// cacheEntries reads the token cache as JSON objects.
func (h *harness) cacheEntries() map[string]map[string]any {
	h.t.Helper()
	var entries map[string]map[string]any
	if err := json.Unmarshal([]byte(h.readCache()), &entries); err != nil {
		h.t.Fatalf("token cache does not parse: %v", err)
	}
	return entries
}

// TestLoginDuringOAuthCallIsKept: a `menda auth login` that rewrites the
// token cache while credgen waits for its access token stays in the cache
// beside credgen's entry; the lock is not held during the OAuth call.
func TestLoginDuringOAuthCallIsKept(t *testing.T) {
	h := newHarness(t)
	gate := newOAuthGate(envID)
	var locked, requestUnderLock atomic.Bool
	h.serveGated(gate, func(*http.Request) {
		if locked.Load() {
			requestUnderLock.Store(true)
		}
	})
	var lockCalls atomic.Int32
	h.p.Lock = func(context.Context) (func(), error) {
		lockCalls.Add(1)
		locked.Store(true)
		return func() { locked.Store(false) }, nil
	}
	h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: h.url}
	h.cache(`{"default": {"access_token": "expired-user-token", "expires_at": $AN_HOUR_AGO, "refresh_token": "r1"}}`)
	fresh := h.fake.UserToken("alice", time.Hour)
	h.extra = []string{"expired-user-token"}

	done := h.mintAsync(plugins)
	waitFor(t, "the OAuth request", gate.arrived)
	if locked.Load() {
		t.Error("credgen's lock is held during the OAuth call")
	}
	// What `menda auth login` does: rewrite the whole file.
	h.cache(`{"default": {"access_token": "` + fresh + `", "token_type": "Bearer", "expires_at": $IN_ONE_HOUR, "refresh_token": "r2"}}`)
	close(gate.open)
	if err := waitFor(t, "the mint", done); err != nil {
		t.Fatalf("Mint: %v", err)
	}

	entries := h.cacheEntries()
	if got := entries["default"]["access_token"]; got != fresh || entries["default"]["refresh_token"] != "r2" {
		t.Errorf("the login's entry was undone (default's refresh_token is %v, want r2)", entries["default"]["refresh_token"])
	}
	mine := entries[envID]
	if mine == nil || !slices.Contains(h.fake.Issued(), mine["access_token"].(string)) || mine[hostField] != h.url {
		t.Errorf("credgen's entry has fields %v, want an issued token with %s %s", slices.Sorted(maps.Keys(mine)), hostField, h.url)
	}
	if lockCalls.Load() != 1 || requestUnderLock.Load() {
		t.Errorf("lock taken %d times (want 1); a request was made under it: %v", lockCalls.Load(), requestUnderLock.Load())
	}
	assertMode(t, h.p.tokenCachePath(), 0o600)
	h.assertNoSecret("log", h.logs.String())
}

// TestCacheBrokenDuringOAuthCallIsLeftAlone: a cache that no longer parses
// when credgen comes to write is not rewritten; the mint still succeeds.
func TestCacheBrokenDuringOAuthCallIsLeftAlone(t *testing.T) {
	h := newHarness(t)
	gate := newOAuthGate(envID)
	h.serveGated(gate, nil)
	h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: h.url}

	done := h.mintAsync(plugins)
	waitFor(t, "the OAuth request", gate.arrived)
	const broken = `{"default": {"access_token": "half-writ`
	h.cache(broken)
	h.extra = []string{"half-writ"}
	close(gate.open)
	if err := waitFor(t, "the mint", done); err != nil {
		t.Fatalf("Mint: %v", err)
	}
	if got := h.readCache(); got != broken {
		t.Errorf("broken cache rewritten (%d bytes)", len(got))
	}
	if !strings.Contains(h.logs.String(), "could not store the access token") || !strings.Contains(h.logs.String(), "not valid JSON") {
		t.Errorf("no warning:\n%s", h.logs)
	}
	h.assertNoSecret("log", h.logs.String())
}

// TestLockFailureOnlyWarns: when credgen's lock cannot be taken, the token
// is not cached, and the mint succeeds anyway.
func TestLockFailureOnlyWarns(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	h.p.Lock = func(context.Context) (func(), error) { return nil, errors.New("another credgen holds it") }
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "could not store the access token") || !strings.Contains(h.logs.String(), "another credgen holds it") {
		t.Errorf("no warning:\n%s", h.logs)
	}
	if _, err := os.Stat(h.p.tokenCachePath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cache written without the lock: %v", err)
	}
}

// TestCacheWrittenThroughSymlinkAndCreated0600: a missing cache is created
// 0600 in 0700 folders; a symlinked one is written through, the link kept.
func TestCacheWrittenThroughSymlinkAndCreated0600(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	path := h.p.tokenCachePath()
	assertMode(t, path, 0o600)
	assertMode(t, filepath.Dir(path), 0o700)

	target := filepath.Join(h.home, "dotfiles", "menda-token")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, target); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	replaced := h.cacheEntries()["default"]["access_token"]
	h.fake.FailNext(mendacloud.Registry, 1, http.StatusUnauthorized) // the cached token looks revoked: replaced
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced: %v", err)
	}
	if h.fake.Calls(mendacloud.OAuth) != 2 {
		t.Fatalf("oauth calls = %d, want 2", h.fake.Calls(mendacloud.OAuth))
	}
	if got := h.cacheEntries()["default"]["access_token"]; got == replaced {
		t.Errorf("symlink target still holds the replaced token")
	}
}

// TestSlowIdentityDoesNotBlockAnother: while menda-cloud keeps one identity
// waiting, a mint for another identity of the same Provider completes; two
// mints of one identity share one access token.
func TestSlowIdentityDoesNotBlockAnother(t *testing.T) {
	h := newHarness(t)
	gate := newOAuthGate(botID)
	h.serveGated(gate, nil)
	h.mendacfg(m2mProfile + "\n[tools]\nauth_type = m2m\nhost = $MENDA\nclient_id = env-bot\nclient_secret = env-s3cret-value\n")
	toolsIdx := tools
	toolsIdx.Profile = "tools"

	first := h.mintAsync(plugins)
	second := h.mintAsync(plugins) // same identity: waits for the first, then reuses its access token
	waitFor(t, "the slow OAuth request", gate.arrived)
	if err := waitFor(t, "the other identity's mint", h.mintAsync(toolsIdx)); err != nil {
		t.Fatalf("other identity: %v", err)
	}
	close(gate.open)
	for _, done := range []<-chan error{first, second} {
		if err := waitFor(t, "the slow identity's mints", done); err != nil {
			t.Fatalf("slow identity: %v", err)
		}
	}
	if got := h.fake.Calls(mendacloud.OAuth); got != 2 {
		t.Errorf("oauth calls = %d, want 2 (one per identity)", got)
	}
	entries := h.cacheEntries()
	if entries["default"] == nil || entries["tools"] == nil {
		t.Errorf("cache lacks an identity's entry: %v", slices.Sorted(maps.Keys(entries)))
	}
}

// TestAccessTokenStaysWithItsHost: an access token cached for one menda host
// is never sent to another; menda's own entries (no credgen_host) are not
// reused for m2m either.
func TestAccessTokenStaysWithItsHost(t *testing.T) {
	h := newHarness(t)
	hostA := h.url
	fakeB := mendacloud.New(mendacloud.Options{Clients: map[string]string{envID: envSecret}})
	var bearersAtB []string
	var mu sync.Mutex
	srvB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bearersAtB = append(bearersAtB, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		fakeB.ServeHTTP(w, r)
	}))
	t.Cleanup(srvB.Close)

	h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: hostA}
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	issuedByA := h.fake.Issued()
	h.env[EnvHost] = srvB.URL
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	for _, b := range bearersAtB {
		if slices.Contains(issuedByA, b) {
			t.Errorf("host B received an access token host A issued")
		}
	}
	if got := fakeB.Calls(mendacloud.OAuth); got != 1 {
		t.Errorf("host B oauth calls = %d, want 1", got)
	}
	if got := h.cacheEntries()[envID][hostField]; got != srvB.URL {
		t.Errorf("%s = %v, want %s", hostField, got, srvB.URL)
	}

	// An entry another program wrote names no host: not reused for m2m.
	h.env[EnvHost] = hostA
	h.cache(`{"env-bot": {"access_token": "$VALID_USER_TOKEN", "token_type": "Bearer", "expires_at": $IN_ONE_HOUR}}`)
	before := h.fake.Calls(mendacloud.OAuth)
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.Calls(mendacloud.OAuth) - before; got != 1 {
		t.Errorf("an entry without %s was reused (oauth calls %d, want 1)", hostField, got)
	}
}

// TestConcurrentIdentitiesAllStored: identities minting at once in one
// process each store their entry; none undoes another's.
func TestConcurrentIdentitiesAllStored(t *testing.T) {
	h := newHarness(t)
	const n = 8
	var cfg strings.Builder
	for i := range n {
		fmt.Fprintf(&cfg, "[p%d]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = bot-s3cret-value\n\n", i)
	}
	h.mendacfg(cfg.String())
	var outcomes []<-chan error
	for i := range n {
		idx := plugins
		idx.Profile = fmt.Sprintf("p%d", i)
		outcomes = append(outcomes, h.mintAsync(idx))
	}
	for _, done := range outcomes {
		if err := waitFor(t, "a mint", done); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.cacheEntries()); got != n {
		t.Errorf("cache holds %d entries, want %d", got, n)
	}
}
