package menda

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds")

// Identities the fake knows.
const (
	botID, botSecret = "ci-bot", "bot-s3cret-value"
	envID, envSecret = "env-bot", "env-s3cret-value"
)

var (
	plugins = index("https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/")
	tools   = index("https://tools-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/tools/simple/")
)

func index(url string) providers.Index {
	host := strings.Split(strings.TrimPrefix(url, "https://"), "/")[0]
	return providers.Index{URL: url, Host: host}
}

// harness is a home folder, a fake menda-cloud and a Provider wired to both.
type harness struct {
	t     *testing.T
	home  string
	fake  *mendacloud.Server
	url   string // the fake's base URL
	env   map[string]string
	logs  *bytes.Buffer
	now   time.Time
	p     *Provider
	extra []string // other secrets the test put in files
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	fake := mendacloud.New(mendacloud.Options{Clients: map[string]string{botID: botSecret, envID: envSecret}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := &harness{t: t, home: t.TempDir(), fake: fake, url: srv.URL, env: map[string]string{},
		logs: &bytes.Buffer{}, now: time.Now().Truncate(time.Second)}
	h.p = &Provider{
		Home:       h.home,
		Getenv:     func(k string) string { return h.env[k] },
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Now:        func() time.Time { return h.now },
		Logger:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	return h
}

// expand replaces $MENDA with the fake's URL and $USER_TOKEN(ttl) style
// placeholders with real values.
func (h *harness) expand(s string) string {
	s = strings.ReplaceAll(s, "$MENDA", h.url)
	s = strings.ReplaceAll(s, "$VALID_USER_TOKEN", h.fake.UserToken("alice", time.Hour))
	s = strings.ReplaceAll(s, "$IN_ONE_HOUR", fmt.Sprint(h.now.Add(time.Hour).Unix()))
	s = strings.ReplaceAll(s, "$AN_HOUR_AGO", fmt.Sprint(h.now.Add(-time.Hour).Unix()))
	s = strings.ReplaceAll(s, "$IN_30_SECONDS", fmt.Sprint(h.now.Add(30*time.Second).Unix()))
	return s
}

func (h *harness) writeFile(rel, content string, mode os.FileMode) {
	h.t.Helper()
	path := filepath.Join(h.home, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(h.expand(content)), mode); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) mendacfg(content string) { h.writeFile(".menda/mendacfg", content, 0o600) }
func (h *harness) cache(content string)    { h.writeFile(".menda/tokens/cache/.token", content, 0o600) }

func (h *harness) readCache() string {
	data, _ := os.ReadFile(h.p.tokenCachePath())
	return string(data)
}

// snapshot records every file under home (content and mode).
func (h *harness) snapshot() map[string]string {
	h.t.Helper()
	files := map[string]string{}
	_ = filepath.WalkDir(h.home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, _ := d.Info()
		data, _ := os.ReadFile(path)
		files[path] = fmt.Sprintf("%v %q", info.Mode(), data)
		return nil
	})
	return files
}

// secrets lists everything that must never appear in an error or a log.
func (h *harness) secrets() []string {
	return append(slices.Concat(h.fake.Issued(), h.extra), botSecret, envSecret)
}

func (h *harness) assertNoSecret(what, text string) {
	h.t.Helper()
	for _, s := range h.secrets() {
		if s != "" && strings.Contains(text, s) {
			h.t.Errorf("%s contains a secret (%.12s…): %s", what, s, text)
		}
	}
}

// assertRegistryToken checks that cred is a live CodeArtifact token for idx.
func (h *harness) assertRegistryToken(cred providers.Credential, idx providers.Index) {
	h.t.Helper()
	claims, err := faketoken.Verify(cred.Secret, time.Now())
	if err != nil || claims.Audience != idx.Host || claims.Subject != "aws" {
		h.t.Fatalf("secret is not a registry token for %s: %+v, %v", idx.Host, claims, err)
	}
	if cred.Username != "aws" || !cred.ObtainedAt.Equal(h.now) || cred.Expiry.Unix() != claims.Expiry {
		h.t.Errorf("credential = user %q, obtained %v, expiry %v; want aws, %v, %v",
			cred.Username, cred.ObtainedAt, cred.Expiry, h.now, time.Unix(claims.Expiry, 0))
	}
}

const (
	m2mProfile = "[default]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = bot-s3cret-value\n"
	u2mProfile = "[default]\nhost = $MENDA\n"
)

// mintScenario is one way of configuring menda, and what Mint must make of it.
type mintScenario struct {
	name     string
	env      map[string]string
	mendacfg string // "" = no file
	cache    string // "" = no file
	profile  string // idx.Profile
	// On success: which OAuth client was used ("" = none, u2m).
	client string
	// key is the token-cache key of the M2M entry credgen writes: the client
	// id for the environment trio, the profile id for a mendacfg profile.
	key string
	// On failure: the error type (the message is in testdata/errors.golden).
	err any
}

var envTrio = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: "$MENDA"}

var mintScenarios = []mintScenario{
	{name: "env-m2m", env: envTrio, client: envID},
	{name: "env-m2m-beats-mendacfg", env: envTrio, mendacfg: "[default]\nhost = https://unused.example\n", client: envID},
	{name: "env-partial-ignored", env: map[string]string{EnvClientID: envID, EnvHost: "$MENDA"}, mendacfg: m2mProfile, client: botID, key: "default"},
	{name: "profile-m2m", mendacfg: m2mProfile, client: botID, key: "default"},
	{name: "profile-m2m-bare-host", mendacfg: "[default]\nauth_type = m2m\nhost = 127.0.0.1:1\nclient_id = x\nclient_secret = y\n",
		err: &APIError{}},
	{name: "profile-u2m-valid", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "token_type": "Bearer", "expires_at": $IN_ONE_HOUR}}`},
	{name: "profile-u2m-explicit", mendacfg: "[default]\nauth_type = U2M\nhost = $MENDA\n",
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "expires_at": "2099-01-01T00:00:00Z"}}`},
	{name: "u2m-expired", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "expires_at": $AN_HOUR_AGO}}`, err: &LoginRequiredError{}},
	{name: "u2m-expires-within-a-minute", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "expires_at": $IN_30_SECONDS}}`, err: &LoginRequiredError{}},
	{name: "u2m-issued-by-its-host", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "expires_at": $IN_ONE_HOUR, "credgen_host": "$MENDA"}}`},
	{name: "u2m-issued-by-another-host", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "$VALID_USER_TOKEN", "expires_at": $IN_ONE_HOUR, "credgen_host": "https://other.example"}}`, err: &LoginRequiredError{}},
	{name: "http-to-LOCALHOST", env: map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: "http://LOCALHOST:8080"},
		err: &ProfileError{}},
	{name: "http-to-localhost-dot", env: map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: "http://localhost.:8080"},
		err: &ProfileError{}},
	{name: "u2m-no-entry", mendacfg: u2mProfile, cache: `{"other": {}}`, err: &LoginRequiredError{}},
	{name: "u2m-no-cache", mendacfg: u2mProfile, err: &LoginRequiredError{}},
	{name: "u2m-entry-not-understood", mendacfg: u2mProfile, cache: `{"default": {"access_token": 5}}`, err: &LoginRequiredError{}},
	{name: "u2m-rejected-token", mendacfg: u2mProfile,
		cache: `{"default": {"access_token": "not-a-real-token", "expires_at": $IN_ONE_HOUR}}`, err: &APIError{}},
	{name: "missing-config", err: &NotConfiguredError{}},
	{name: "unknown-profile", env: map[string]string{EnvProfileID: "nope"}, mendacfg: m2mProfile + "[ci]\nhost = $MENDA\n",
		err: &ProfileNotFoundError{}},
	{name: "DEFAULT-is-not-a-profile", env: map[string]string{EnvProfileID: "DEFAULT"}, mendacfg: "[DEFAULT]\nhost = $MENDA\n",
		err: &ProfileNotFoundError{}},
	{name: "m2m-without-secret", mendacfg: "[default]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\n", err: &ProfileError{}},
	{name: "m2m-without-client-id", mendacfg: "[default]\nauth_type = m2m\nhost = $MENDA\nclient_secret = bot-s3cret-value\n",
		err: &ProfileError{}},
	{name: "profile-without-host", mendacfg: "[default]\nauth_type = m2m\nclient_id = a\nclient_secret = b\n", err: &ProfileError{}},
	{name: "unknown-auth-type", mendacfg: "[default]\nauth_type = pat\nhost = $MENDA\n", err: &ProfileError{}},
	{name: "DEFAULT-inheritance", mendacfg: "[DEFAULT]\nhost = $MENDA\nauth_type = m2m\n\n[default]\nclient_id = ci-bot\nclient_secret = bot-s3cret-value\n",
		client: botID, key: "default"},
	{name: "MENDA_PROFILE_ID", env: map[string]string{EnvProfileID: "ci"},
		mendacfg: "[default]\nhost = https://unused.example\n\n[ci]\nauth_type: m2m\nHost: $MENDA\nClient_ID: ci-bot\nCLIENT_SECRET: bot-s3cret-value\n",
		client:   botID, key: "ci"},
	{name: "index-profile-beats-MENDA_PROFILE_ID", env: map[string]string{EnvProfileID: "nope"}, profile: "ci",
		mendacfg: "[ci]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = bot-s3cret-value\n", client: botID, key: "ci"},
	{name: "index-profile-beats-env-trio", env: envTrio, profile: "ci",
		mendacfg: "[ci]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = bot-s3cret-value\n", client: botID, key: "ci"},
	{name: "dotted-profile-inherits-nothing", env: map[string]string{EnvProfileID: "ci.eu"},
		mendacfg: "[ci]\nhost = $MENDA\n[ci.eu]\nauth_type = u2m\n", err: &ProfileError{}},
	{name: "interpolated-secret", mendacfg: "[DEFAULT]\nid = ci-bot\n[default]\nauth_type = m2m\nhost = $MENDA\nclient_id = %(id)s\nclient_secret = bot-s3cret-value\n",
		client: botID, key: "default"},
	{name: "bad-interpolation", mendacfg: "[default]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = bot-s3cret-value%\n",
		err: &ProfileError{}},
	{name: "wrong-secret", mendacfg: "[default]\nauth_type = m2m\nhost = $MENDA\nclient_id = ci-bot\nclient_secret = wrong-s3cret-value\n",
		err: &APIError{}},
	{name: "http-to-non-loopback", mendacfg: "[default]\nhost = http://menda.example.com\n", err: &ProfileError{}},
	{name: "http-to-non-loopback-env", env: map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: "http://10.1.2.3:8080"},
		err: &ProfileError{}},
	{name: "host-with-credentials", mendacfg: "[default]\nhost = https://user:hunter2@menda.example.com\n", err: &ProfileError{}},
	{name: "mendacfg-syntax-error", mendacfg: "[default]\nhost = $MENDA\nclient_secret\n", err: &ConfigFileError{}},
	{name: "mendacfg-duplicate-key", mendacfg: "[default]\nhost = $MENDA\nHOST = $MENDA\n", err: &ConfigFileError{}},
	{name: "cache-unparsable-m2m", mendacfg: m2mProfile, cache: "{\"default\": {\"access_token\": \"x\",\n", err: &TokenCacheError{}},
	{name: "cache-unparsable-u2m", mendacfg: u2mProfile, cache: "not json", err: &TokenCacheError{}},
	{name: "cache-m2m-entry-not-understood", mendacfg: m2mProfile, cache: `{"default": ["x"], "other": 1}`, err: &TokenCacheError{}},
}

// TestMintScenarios runs each configuration; failures must have the exact
// message of testdata/errors.golden, change no file and leak no secret.
func TestMintScenarios(t *testing.T) {
	var golden strings.Builder
	for _, sc := range mintScenarios {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t)
			for k, v := range sc.env {
				h.env[k] = h.expand(v)
			}
			if sc.mendacfg != "" {
				h.mendacfg(sc.mendacfg)
			}
			if sc.cache != "" {
				h.cache(sc.cache)
			}
			before := h.snapshot()
			idx := plugins
			idx.Profile = sc.profile
			cred, err := h.p.Mint(context.Background(), idx)
			h.assertNoSecret("log", h.logs.String())
			if sc.err != nil {
				if err == nil {
					t.Fatal("Mint succeeded")
				}
				if reflect.TypeOf(err) != reflect.TypeOf(sc.err) {
					t.Errorf("error type %T, want %T: %v", err, sc.err, err)
				}
				h.assertNoSecret("error", err.Error())
				if after := h.snapshot(); !reflect.DeepEqual(before, after) {
					t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
				}
				msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), h.home, "$HOME"), h.url, "$MENDA")
				fmt.Fprintf(&golden, "%s: %s\n", sc.name, msg)
				return
			}
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			h.assertRegistryToken(cred, plugins)
			if got := h.fake.RegistryURLs(); !reflect.DeepEqual(got, []string{plugins.URL}) {
				t.Errorf("registry_url sent = %v", got)
			}
			wantOAuth := 0
			if sc.client != "" {
				wantOAuth = 1
				if key := cmp.Or(sc.key, sc.client); !strings.Contains(h.readCache(), fmt.Sprintf("%q:", key)) {
					t.Errorf("cache has no entry for %s:\n%s", key, h.readCache())
				}
			} else if after := h.snapshot(); !reflect.DeepEqual(before, after) {
				t.Errorf("u2m mint changed files:\nbefore %v\nafter  %v", before, after)
			}
			if got := h.fake.Calls(mendacloud.OAuth); got != wantOAuth {
				t.Errorf("OAuth calls = %d, want %d", got, wantOAuth)
			}
		})
	}
	compareGolden(t, "testdata/errors.golden", golden.String())
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestCacheGainsEntryAndKeepsOthers: the m2m access token lands under the
// client id, with every other key and every unknown field kept, mode 0600.
func TestCacheGainsEntryAndKeepsOthers(t *testing.T) {
	h := newHarness(t)
	h.env = map[string]string{EnvClientID: envID, EnvClientSecret: envSecret, EnvHost: h.url}
	h.cache(`{"default": {"access_token": "user-tok", "expires_at": "2030-01-01T00:00:00Z", "refresh_token": "r"},
 "env-bot": {"access_token": "stale", "token_type": "Bearer", "expires_at": 1, "issuer": "menda-keyring"}}`)
	h.extra = []string{"user-tok", "stale"}
	if err := os.Chmod(h.p.tokenCachePath(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	cache, err := readTokenCache(h.p.tokenCachePath())
	if err != nil {
		t.Fatal(err)
	}
	if got := compact(t, cache.entries["default"]); got != `{"access_token":"user-tok","expires_at":"2030-01-01T00:00:00Z","refresh_token":"r"}` {
		t.Errorf("unrelated entry changed: %s", got)
	}
	tok, _, err := cache.token(envID)
	if err != nil || !tok.validAt(h.now) || tok.TokenType != "Bearer" || !slices.Contains(h.fake.Issued(), tok.AccessToken) {
		t.Errorf("env-bot entry = %+v, %v", tok, err)
	}
	if !strings.Contains(compact(t, cache.entries[envID]), `"issuer":"menda-keyring"`) {
		t.Errorf("unknown field lost: %s", cache.entries[envID])
	}
	assertMode(t, h.p.tokenCachePath(), 0o600)
}

func compact(t *testing.T, raw []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSecondMintReusesAccessToken: within the access token's life, a second
// mint (what --force does) renews the registry token without an OAuth call.
func TestSecondMintReusesAccessToken(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	first, err := h.p.Mint(context.Background(), plugins)
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.p.Mint(context.Background(), plugins)
	if err != nil {
		t.Fatal(err)
	}
	if first.Secret == second.Secret {
		t.Error("second mint returned the same registry token")
	}
	if oauth, registry := h.fake.Calls(mendacloud.OAuth), h.fake.Calls(mendacloud.Registry); oauth != 1 || registry != 2 {
		t.Errorf("calls: oauth %d, registry %d; want 1, 2", oauth, registry)
	}
	// A new Provider (the next credgen run) reuses it too.
	next := &Provider{Home: h.p.Home, Getenv: h.p.Getenv, HTTPClient: h.p.HTTPClient, Now: h.p.Now, Logger: h.p.Logger}
	if _, err := next.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if oauth := h.fake.Calls(mendacloud.OAuth); oauth != 1 {
		t.Errorf("next run made an OAuth call")
	}
}

// TestExpiredCachedAccessTokenIsRenewed: an entry with 60 s or less left
// counts as absent.
func TestExpiredCachedAccessTokenIsRenewed(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	h.cache(`{"default": {"access_token": "old-token", "expires_at": $IN_30_SECONDS}}`)
	h.extra = []string{"old-token"}
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if oauth := h.fake.Calls(mendacloud.OAuth); oauth != 1 {
		t.Errorf("oauth calls = %d, want 1", oauth)
	}
	if strings.Contains(h.readCache(), "old-token") {
		t.Error("stale token still cached")
	}
}

// TestRejectedCachedAccessTokenIsReplacedOnce: menda-cloud refusing a cached
// m2m token (revoked early) costs one new OAuth call, not a failure.
func TestRejectedCachedAccessTokenIsReplacedOnce(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile)
	h.cache(`{"default": {"access_token": "revoked-token", "expires_at": $IN_ONE_HOUR, "credgen_host": "$MENDA"}}`)
	h.extra = []string{"revoked-token"}
	cred, err := h.p.Mint(context.Background(), plugins)
	if err != nil {
		t.Fatal(err)
	}
	h.assertRegistryToken(cred, plugins)
	if oauth, registry := h.fake.Calls(mendacloud.OAuth), h.fake.Calls(mendacloud.Registry); oauth != 1 || registry != 2 {
		t.Errorf("calls: oauth %d, registry %d; want 1, 2", oauth, registry)
	}
	h.assertNoSecret("log", h.logs.String())
}

// TestTwoHostsTwoProfiles: one Provider serves two CodeArtifact hosts from
// two identities in one run (menda-keyring can serve only one).
func TestTwoHostsTwoProfiles(t *testing.T) {
	h := newHarness(t)
	h.mendacfg(m2mProfile + "\n[alice]\nhost = $MENDA\n")
	h.cache(`{"alice": {"access_token": "$VALID_USER_TOKEN", "expires_at": $IN_ONE_HOUR}}`)
	a, b := plugins, tools
	b.Profile = "alice"
	credA, err := h.p.Mint(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	credB, err := h.p.Mint(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	h.assertRegistryToken(credA, plugins)
	h.assertRegistryToken(credB, tools)
	if oauth := h.fake.Calls(mendacloud.OAuth); oauth != 1 {
		t.Errorf("oauth calls = %d, want 1 (alice is u2m)", oauth)
	}
}

func TestWarnsWhenMendacfgWithSecretIsReadableByOthers(t *testing.T) {
	h := newHarness(t)
	h.writeFile(".menda/mendacfg", m2mProfile, 0o644)
	if _, err := h.p.Mint(context.Background(), plugins); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "others can read it") {
		t.Errorf("no warning:\n%s", h.logs)
	}
}

// TestDirectoriesWhereFilesShouldBe: mendacfg or the token cache being a
// folder is an error naming it, not a crash or a login prompt.
func TestDirectoriesWhereFilesShouldBe(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{".menda/mendacfg", "menda config $HOME/.menda/mendacfg: not a regular file"},
		{".menda/tokens/cache/.token", "menda token cache $HOME/.menda/tokens/cache/.token: not a regular file"},
	} {
		h := newHarness(t)
		h.mendacfg(u2mProfile)
		path := filepath.Join(h.home, tc.dir)
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(path, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := h.p.Mint(context.Background(), plugins)
		if err == nil || !strings.HasPrefix(strings.ReplaceAll(err.Error(), h.home, "$HOME"), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.dir, err, tc.want)
		}
	}
}

func TestWatchedFiles(t *testing.T) {
	p := &Provider{Home: "/home/u"}
	want := []string{"/home/u/.menda/mendacfg", "/home/u/.menda/tokens/cache/.token"}
	if got := p.WatchedFiles(); !reflect.DeepEqual(got, want) {
		t.Errorf("WatchedFiles = %v", got)
	}
	if p.Name() != Name {
		t.Errorf("Name = %q", p.Name())
	}
	var _ providers.Provider = p
}
