// Package menda mints AWS CodeArtifact tokens through menda-cloud, as the
// menda-keyring Python backend does, for hosts *.d.codeartifact.*.amazonaws.com
// (username "aws").
//
// A Mint resolves a Menda identity (the MENDA_CLIENT_ID/MENDA_CLIENT_SECRET/
// MENDA_HOST trio, else a profile of ~/.menda/mendacfg), obtains an access
// token (a cached one when it has more than 60 s left; for m2m identities
// otherwise a new one from the OAuth2 client-credentials grant, which is then
// cached), and exchanges it for a registry token for the index's host.
package menda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/providers"
)

// Name is the provider's name in the config and the state.
const Name = "menda"

// Username is the netrc login CodeArtifact expects.
const Username = "aws"

// Serves says whether host is a CodeArtifact repository host:
// DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com.
func Serves(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) != 6 {
		return false
	}
	return labels[0] != "" && labels[1] == "d" && labels[2] == "codeartifact" &&
		labels[3] != "" && labels[4] == "amazonaws" && labels[5] == "com"
}

// Provider mints CodeArtifact credentials through menda-cloud. The zero value
// works for the current user. A Provider must not be copied after first use.
//
// Mint may write the shared token cache (m2m access tokens only). It does so
// under Lock, which it takes only around the short re-read, merge and write of
// the cache, never across a network call: the caller must therefore not hold
// that same lock while calling Mint. Mints of one identity are serialised
// within a Provider, so indexes served by the same identity share one access
// token; mints of different identities run side by side, so a slow menda-cloud
// answering one identity does not hold up another.
type Provider struct {
	// Home is the user's home folder ("" = os.UserHomeDir): mendacfg is
	// Home/.menda/mendacfg, the token cache Home/.menda/tokens/cache/.token.
	Home string
	// Getenv reads MENDA_* and SSL_CERT_FILE (nil = os.Getenv).
	Getenv func(string) string
	// HTTPClient talks to menda-cloud (nil = a client with timeouts that
	// trusts the system roots plus the certificates in SSL_CERT_FILE and does
	// not follow redirects).
	HTTPClient *http.Client
	// Now is the clock for cache validity and expiries (nil = time.Now).
	Now func() time.Time
	// Logger receives diagnostics, never a secret (nil = discard).
	Logger *slog.Logger
	// Lock, when set, is taken around each write of the token cache: the
	// cache is read again, credgen's entry merged into what it holds now, and
	// the result renamed into place, all before release is called. It keeps
	// two credgen processes from undoing each other's entry. nil = no lock.
	Lock func(ctx context.Context) (release func(), err error)

	// proxy chooses the proxy of the default client (nil =
	// http.ProxyFromEnvironment); tests replace it, since net/http reads the
	// proxy variables only once per process.
	proxy func(*http.Request) (*url.URL, error)

	storeMu    sync.Mutex               // one read-merge-write of the token cache at a time
	mu         sync.Mutex               // guards the fields below
	httpClient *http.Client             // built on first use when HTTPClient is nil
	identities map[string]chan struct{} // one-slot semaphore per token-cache key
}

// Name is the provider's name.
func (p *Provider) Name() string { return Name }

// Username is always aws.
func (p *Provider) Username(providers.Index) string { return Username }

// WatchedFiles are the files whose change should make credgen mint again:
// mendacfg and the token cache.
func (p *Provider) WatchedFiles() []string {
	return []string{p.mendacfgPath(), p.tokenCachePath()}
}

// Mint returns a CodeArtifact token for idx's host. idx.Profile, when set,
// names the mendacfg profile to use. Errors are *NotConfiguredError,
// *ConfigFileError, *ProfileNotFoundError, *ProfileError,
// *LoginRequiredError, *TokenCacheError or *APIError, and never contain a
// secret.
func (p *Provider) Mint(ctx context.Context, idx providers.Index) (providers.Credential, error) {
	id, err := p.resolveIdentity(idx.Profile)
	if err != nil {
		return providers.Credential{}, err
	}
	release, err := p.lockIdentity(ctx, id.cacheKey)
	if err != nil {
		return providers.Credential{}, fmt.Errorf("menda: wait for another mint of the same identity: %w", err)
	}
	defer release()
	client, err := p.cloudClient(id)
	if err != nil {
		return providers.Credential{}, err
	}
	p.logger().Debug("menda: identity resolved", "auth_type", id.authType, "profile", id.profile,
		"source", id.source, "host", id.base.Host, "index", idx.URL)
	token, err := p.exchange(ctx, id, client, idx.URL)
	if err != nil {
		return providers.Credential{}, err
	}
	return providers.Credential{Username: Username, Secret: token.value,
		ObtainedAt: token.obtainedAt, Expiry: token.expiresAt}, nil
}

// exchange gets an access token and trades it for a registry token. A
// cached m2m access token that menda-cloud rejects (revoked early) is
// replaced once.
func (p *Provider) exchange(ctx context.Context, id identity, client *cloudClient, indexURL string) (registryToken, error) {
	access, cached, err := p.accessToken(ctx, id, client)
	if err != nil {
		return registryToken{}, err
	}
	token, err := client.fetchRegistryToken(ctx, access.AccessToken, indexURL)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		return token, err
	}
	if id.authType == authU2M {
		apiErr.Hint = fmt.Sprintf("menda-cloud rejected the cached token of profile %q: %s", id.profile, hintLogin)
		return registryToken{}, apiErr
	}
	if !cached {
		return registryToken{}, apiErr
	}
	p.logger().Info("menda: cached access token rejected; requesting a new one", "client_id", id.clientID)
	if access, err = p.newAccessToken(ctx, id, client); err != nil {
		return registryToken{}, err
	}
	return client.fetchRegistryToken(ctx, access.AccessToken, indexURL)
}

// accessToken returns a valid cached token, or for m2m a new one (then
// cached). cached tells which.
func (p *Provider) accessToken(ctx context.Context, id identity, client *cloudClient) (tok cachedToken, cached bool, err error) {
	cache, err := readTokenCache(p.tokenCachePath())
	if err != nil {
		return cachedToken{}, false, err
	}
	tok, found, err := cache.token(id.cacheKey)
	now := p.now()
	if id.authType == authU2M {
		if reason := userTokenProblem(tok, found, err, cache.exists, now, id.issuer()); reason != "" {
			return cachedToken{}, false, &LoginRequiredError{Profile: id.profile, CachePath: cache.path, Reason: reason}
		}
		return tok, true, nil
	}
	if err != nil {
		// credgen would overwrite an entry it does not understand: refuse.
		return cachedToken{}, false, &TokenCacheError{Path: cache.path, Problem: err.Error()}
	}
	if found && tok.validAt(now) {
		if tok.Host == id.issuer() {
			p.logger().Debug("menda: reusing cached access token", "client_id", id.clientID, "expires_at", tok.ExpiresAt)
			return tok, true, nil
		}
		// An m2m token is cheap to replace; sending one to a host that did
		// not issue it would hand that host a credential for another.
		p.logger().Debug("menda: cached access token not reused: it was issued by another menda host, or by an unknown one",
			"client_id", id.clientID, "host", id.issuer(), "issued_by", tok.Host)
	}
	tok, err = p.newAccessToken(ctx, id, client)
	return tok, false, err
}

// newAccessToken runs the client-credentials grant and stores the token in
// the cache. Failing to store it is only logged: the token is good, the next
// run merely asks for another.
func (p *Provider) newAccessToken(ctx context.Context, id identity, client *cloudClient) (cachedToken, error) {
	tok, err := client.fetchAccessToken(ctx, id.clientID, id.clientSecret)
	if err != nil {
		return cachedToken{}, err
	}
	if tok.ExpiresAt.IsZero() {
		p.logger().Debug("menda: access token has no expiry; not caching it", "client_id", id.clientID)
		return tok, nil
	}
	tok.Host = id.issuer()
	path := p.tokenCachePath()
	if err := p.storeToken(ctx, path, id.cacheKey, tok); err != nil {
		p.logger().Warn("menda: could not store the access token in the token cache", "file", path, "error", err)
	}
	return tok, nil
}

// storeToken sets key's entry of the token cache at path to tok. The cache is
// read again under Lock and tok merged into what it holds now, not into what
// was read before the OAuth call: an entry another program wrote meanwhile (a
// `menda auth login`) is kept. A cache that no longer parses is left alone.
func (p *Provider) storeToken(ctx context.Context, path, key string, tok cachedToken) error {
	// Lock keeps other processes out; within this one, mints of different
	// identities may store at the same moment, and a file lock need not
	// exclude two holders in one process.
	p.storeMu.Lock()
	defer p.storeMu.Unlock()
	release, err := p.lock(ctx)
	if err != nil {
		return fmt.Errorf("take credgen's lock: %w", err)
	}
	defer release()
	cache, err := readTokenCache(path)
	if err != nil {
		return err
	}
	data, err := cache.withToken(key, tok)
	if err != nil {
		return fmt.Errorf("not rewritten: %w", err)
	}
	if _, err := atomicfile.Write(path, data, atomicfile.Options{}); err != nil {
		return err
	}
	return nil
}

// lock takes Lock, or nothing when it is nil.
func (p *Provider) lock(ctx context.Context) (release func(), err error) {
	if p.Lock == nil {
		return func() {}, nil
	}
	return p.Lock(ctx)
}

// lockIdentity waits until no other mint of this Provider uses the identity
// whose token-cache key is key, or ctx ends. Keyed by identity, it never makes
// one identity wait for another's network calls.
func (p *Provider) lockIdentity(ctx context.Context, key string) (release func(), err error) {
	p.mu.Lock()
	if p.identities == nil {
		p.identities = map[string]chan struct{}{}
	}
	slot, ok := p.identities[key]
	if !ok {
		slot = make(chan struct{}, 1)
		p.identities[key] = slot
	}
	p.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// userTokenProblem says why a u2m cache entry does not count, or "".
// menda's own u2m entries do not say which host issued them; such an entry is
// taken as the profile's. Only an entry that names another host (credgen_host,
// left over from when credgen cached an m2m token under the same profile id)
// is refused, so that it never reaches a host that did not issue it.
func userTokenProblem(tok cachedToken, found bool, entryErr error, cacheExists bool, now time.Time, issuer string) string {
	switch {
	case !cacheExists:
		return "the cache does not exist"
	case !found:
		return "it has no entry for the profile"
	case entryErr != nil:
		return entryErr.Error()
	case tok.AccessToken == "":
		return "its entry has no access_token"
	case tok.ExpiresAt.IsZero():
		return "its entry has no expires_at"
	case !tok.ExpiresAt.After(now):
		return "it expired " + ago(now, tok.ExpiresAt) + " ago"
	case !tok.validAt(now):
		return "it expires in less than a minute"
	case tok.Host != "" && tok.Host != issuer:
		return "it was issued by " + tok.Host + ", not by the profile's host " + issuer
	}
	return ""
}

func (p *Provider) cloudClient(id identity) (*cloudClient, error) {
	httpClient, err := p.client()
	if err != nil {
		return nil, err
	}
	return &cloudClient{base: id.base, http: httpClient, now: p.now, logger: p.logger()}, nil
}

// client returns HTTPClient or the default one, built once.
func (p *Provider) client() (*http.Client, error) {
	if p.HTTPClient != nil {
		return p.HTTPClient, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.httpClient == nil {
		c, err := newHTTPClient(p.getenv("SSL_CERT_FILE"), p.proxy)
		if err != nil {
			return nil, err
		}
		p.httpClient = c
	}
	return p.httpClient, nil
}

func (p *Provider) home() string {
	if p.Home != "" {
		return p.Home
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "" // paths become relative and fail to open, naming them
	}
	return home
}

func (p *Provider) mendacfgPath() string { return filepath.Join(p.home(), ".menda", "mendacfg") }

func (p *Provider) tokenCachePath() string {
	return filepath.Join(p.home(), ".menda", "tokens", "cache", ".token")
}

func (p *Provider) getenv(name string) string {
	if p.Getenv != nil {
		return p.Getenv(name)
	}
	return os.Getenv(name)
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}
