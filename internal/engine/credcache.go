package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

// cacheVersion is the format of the credential cache.
const cacheVersion = 1

// credentialCache is credgen's store of the credentials it obtained, by host,
// secrets included: what lets a keyring lookup, exec or env answer without a
// mint, a watch put back an output someone deleted, and a second credgen use
// what the first one just minted. It lives in a runtime folder when there is
// one (memory-backed), is 0600 in a 0700 folder, and is written atomically
// under the lock.
type credentialCache map[string]cacheEntry

type cacheEntry struct {
	Provider   string    `json:"provider"`
	Username   string    `json:"username"`
	Secret     string    `json:"secret"`
	ObtainedAt time.Time `json:"obtained_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type cacheFile struct {
	Version     int             `json:"version"`
	Credentials credentialCache `json:"credentials"`
}

// get is the cached credential for host when the provider minted it; nil
// otherwise.
func (c credentialCache) get(host, provider string) *providers.Credential {
	e, ok := c[host]
	if !ok || e.Provider != provider || e.Secret == "" {
		return nil
	}
	return &providers.Credential{Username: e.Username, Secret: e.Secret, ObtainedAt: e.ObtainedAt, Expiry: e.ExpiresAt}
}

// loadCache reads the credential cache; a missing one is empty, and so is one
// that does not parse (it is credgen's own, and is rewritten whole), with a
// warning.
func (e *Engine) loadCache(s *config.Settings) credentialCache {
	data, exists, err := atomicfile.Read(s.CredentialCache)
	if err != nil || !exists {
		if err != nil {
			e.log().Warn("credential cache unreadable; minting as if empty", "path", s.CredentialCache, "err", errors.Unwrap(err))
		}
		return credentialCache{}
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != cacheVersion {
		e.log().Warn("credential cache does not parse; it will be rewritten", "path", s.CredentialCache)
		return credentialCache{}
	}
	if f.Credentials == nil {
		f.Credentials = credentialCache{}
	}
	return f.Credentials
}

// storeCached adds host's credential to the cache: under the lock, merged
// into what the file holds then.
func (e *Engine) storeCached(ctx context.Context, s *config.Settings, host, provider string, c providers.Credential) error {
	return e.updateCache(ctx, s, func(cache credentialCache) {
		cache[host] = cacheEntry{Provider: provider, Username: c.Username, Secret: c.Secret, ObtainedAt: c.ObtainedAt, ExpiresAt: c.Expiry}
	})
}

// updateCache changes the cache under the lock.
func (e *Engine) updateCache(ctx context.Context, s *config.Settings, change func(credentialCache)) error {
	l, err := e.lockFiles(ctx, s)
	if err != nil {
		return err
	}
	defer l.Release()
	return e.updateCacheLocked(s, change)
}

// updateCacheLocked changes the cache; the caller holds the lock.
func (e *Engine) updateCacheLocked(s *config.Settings, change func(credentialCache)) error {
	cache := e.loadCache(s)
	change(cache)
	now := e.now()
	for host, entry := range cache {
		if !entry.ExpiresAt.After(now) {
			delete(cache, host) // expired: of no use to anyone
		}
	}
	if len(cache) == 0 {
		if err := os.Remove(s.CredentialCache); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("empty the credential cache %s: %w", s.CredentialCache, err)
		}
		return nil
	}
	data, err := json.MarshalIndent(cacheFile{Version: cacheVersion, Credentials: cache}, "", "  ")
	if err != nil {
		return err
	}
	if _, err := atomicfile.Write(s.CredentialCache, append(data, '\n'), atomicfile.Options{}); err != nil {
		return fmt.Errorf("write the credential cache: %w", err)
	}
	return nil
}
