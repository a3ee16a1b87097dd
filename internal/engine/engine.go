// Package engine is what credgen's commands do, whichever way a credential is
// delivered: files (write, watch, remove), on demand (keyring) or one
// command's environment (exec, env). It discovers the managed indexes, gets a
// fresh credential per host from one source (an output credgen manages, the
// credential cache, or a provider's mint), edits the outputs through one table
// of file kinds, and records the state. cmd/credgen wires flags to it; watch
// drives it.
package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/credgen/credgen/generator/lock"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/renewal"
	"github.com/credgen/credgen/providers"
)

// Engine runs credgen's commands. Its zero value is not usable; fill the
// exported fields.
type Engine struct {
	Settings    *config.Settings
	Providers   map[string]providers.Provider // by provider name
	Now         func() time.Time
	Log         *slog.Logger
	LockTimeout time.Duration // 0 = lock.DefaultTimeout

	// Reresolve re-reads the config for watch's reload; nil = reload unsupported.
	Reresolve func() (*config.Settings, error)
	// OnPass, when set, is given the report of each of watch's passes
	// (watch --json prints them).
	OnPass func(*Report)

	mu sync.Mutex // guards Settings across watch's reloads and waitEnds
	// waitEnds is when the current run's waits for the file lock are over
	// (zero: no run started; a whole lockTimeout then).
	waitEnds time.Time
}

// WriteOptions say what one write pass must do beyond refreshing what is due.
type WriteOptions struct {
	Force         bool     // mint every host
	DryRun        bool     // mint nothing, call nothing, write nothing; report the changes
	Mint          []string // hosts to mint even when fresh
	MintProviders []string // providers whose hosts to mint even when fresh
	// AfterMint is called right after each provider mint returns (watch
	// notes the provider's files then).
	AfterMint func(provider string)
}

// forced says whether the options ask for h's host to be minted even though
// its credential is fresh.
func (o WriteOptions) forced(h *hostPlan) bool {
	return o.Force || contains(o.Mint, h.host) || contains(o.MintProviders, h.provider)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Lock takes the lock credgen processes share for a read-modify-write of a
// file (the outputs, the state, the caches); release gives it back.
func (e *Engine) Lock(ctx context.Context) (release func(), err error) {
	l, err := e.lockFiles(ctx, e.settings())
	if err != nil {
		return nil, err
	}
	return func() { l.Release() }, nil
}

// startRun opens one run's budget for waiting on the file lock: a run needs
// the lock several times (the menda token cache, the credential cache, the
// outputs), and another credgen holding it must cost the run lockTimeout in
// all, not lockTimeout each time.
func (e *Engine) startRun() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waitEnds = time.Now().Add(e.lockTimeout())
}

// lockFiles takes the file lock, waiting at most what is left of the run's
// budget (and trying once when nothing is).
func (e *Engine) lockFiles(ctx context.Context, s *config.Settings) (*lock.Lock, error) {
	e.mu.Lock()
	wait := e.lockTimeout()
	if !e.waitEnds.IsZero() {
		wait = max(time.Until(e.waitEnds), time.Millisecond)
	}
	e.mu.Unlock()
	return lock.Acquire(ctx, s.LockPath(), wait)
}

func (e *Engine) settings() *config.Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.Settings
}

func (e *Engine) renewal(s *config.Settings) renewal.Rule {
	return renewal.Rule{Before: s.RefreshBefore}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Engine) lockTimeout() time.Duration {
	if e.LockTimeout > 0 {
		return e.LockTimeout
	}
	return lock.DefaultTimeout
}
