package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/credgen/credgen/generator/lock"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

// obtained is what getting a credential for one host gave.
type obtained struct {
	cred   *providers.Credential // nil: none new (failed, or another credgen is minting it)
	minted bool                  // this process minted cred
	err    error
}

// mintRequest says what obtain must do for one host.
type mintRequest struct {
	force bool      // mint even when a fresh credential exists, unless one was obtained since
	since time.Time // when the asking pass started
	// afterMint is called right after the provider's mint returns.
	afterMint func(provider string)
}

// obtain gets a new credential for h from its provider. Mints of one host are
// serialised across credgen processes by a lock of that host's own, held
// only while its provider runs: a slow provider never holds up another
// provider's hosts, nor the lock on the files. A process that finds the host
// being minted by another keeps the current credential when it is still
// valid (the other will write the new one), and otherwise waits, then takes
// what the other minted from the credential cache instead of minting again.
func (e *Engine) obtain(ctx context.Context, s *config.Settings, h *hostPlan, req mintRequest) obtained {
	path := s.MintLockPath(h.host)
	l, ok, err := lock.TryAcquire(path)
	if err != nil {
		return obtained{err: err}
	}
	if !ok {
		if h.current != nil && e.now().Before(h.current.Expiry) {
			e.log().Info("another credgen is minting for this host; keeping the current credential", "host", h.host)
			return obtained{}
		}
		if l, err = lock.Acquire(ctx, path, e.lockTimeout()); err != nil {
			return obtained{err: err}
		}
	}
	defer l.Release()
	if c := e.loadCache(s).get(h.host, h.provider); c != nil && e.satisfies(s, c, req) {
		return obtained{cred: c}
	}
	prov := e.Providers[h.provider]
	if prov == nil {
		return obtained{err: fmt.Errorf("no %s provider configured", h.provider)}
	}
	e.log().Info("minting", "host", h.host, "provider", h.provider)
	c, err := prov.Mint(ctx, h.indexes[0].Index)
	if req.afterMint != nil {
		req.afterMint(h.provider)
	}
	if err != nil {
		e.log().Error("mint failed; the current credential stays", "host", h.host, "provider", h.provider, "err", err)
		return obtained{err: err}
	}
	e.log().Info("minted", "host", h.host, "user", c.Username, "expires", c.Expiry.Format(time.RFC3339), "fingerprint", providers.Fingerprint(c.Secret))
	if err := e.storeCached(ctx, s, h.host, h.provider, c); err != nil {
		e.log().Warn("credential not cached; the next credgen may mint again", "host", h.host, "err", err)
	}
	return obtained{cred: &c, minted: true}
}

// satisfies says whether c, found in the cache, answers req: obtained since
// the pass started, or (unless forced) still fresh.
func (e *Engine) satisfies(s *config.Settings, c *providers.Credential, req mintRequest) bool {
	if c.ObtainedAt.After(req.since) {
		return true
	}
	return !req.force && !e.renewal(s).Due(e.now(), c.ObtainedAt, c.Expiry)
}

// due says whether h must be minted in a pass: no credential, due for
// renewal, or forced.
func (e *Engine) due(s *config.Settings, h *hostPlan, force bool) bool {
	return force || h.current == nil || e.renewal(s).Due(e.now(), h.current.ObtainedAt, h.current.Expiry)
}

// Credential is a fresh credential for the index spec names, for the
// deliveries that write no output (keyring, exec, env): the credential
// cache's or an output's when fresh, minted otherwise. Only the credential
// cache is written.
func (e *Engine) Credential(ctx context.Context, spec config.IndexSpec) (providers.Credential, error) {
	s := e.settings()
	h := &hostPlan{host: spec.Host, provider: spec.Provider, indexes: []*managed{{IndexSpec: spec}}}
	h.current = e.loadCache(s).get(h.host, h.provider)
	if e.due(s, h, false) {
		// An output credgen manages may hold a fresher one (a write ran).
		if snap, err := e.read(s); err == nil {
			for _, sh := range snap.hosts {
				if sh.host == h.host && sh.provider == h.provider {
					h.current = newer(h.current, sh.current)
				}
			}
		}
	}
	if !e.due(s, h, false) {
		return *h.current, nil
	}
	got := e.obtain(ctx, s, h, mintRequest{since: e.now()})
	switch {
	case got.err != nil:
		return providers.Credential{}, got.err
	case got.cred == nil && h.current != nil:
		return *h.current, nil // another credgen is minting; the current one is still valid
	case got.cred == nil:
		return providers.Credential{}, fmt.Errorf("%s: no credential", h.host)
	}
	return *got.cred, nil
}
