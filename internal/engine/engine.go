// Package engine is what credgen's commands do: discover the managed indexes,
// mint what is due, edit the outputs and record the state, all under the lock.
// cmd/credgen wires flags to it; watch drives it.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/credgen/credgen/generator/lock"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
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

	mu   sync.Mutex
	memo map[string]providers.Credential // what this process minted, by host (watch)
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

// hostPlan is the work for one host: one netrc machine, one credential.
type hostPlan struct {
	host, provider string
	indexes        []*managed
	current        *providers.Credential // what the outputs hold and credgen knows the expiry of
	next           *providers.Credential // what will be written
	minted         bool
	err            error
}

// Write runs one write pass.
func (e *Engine) Write(ctx context.Context, opts WriteOptions) (*Report, error) {
	r, err := e.begin(ctx, !opts.DryRun)
	if err != nil {
		return nil, err
	}
	defer r.release()
	s, st, o, idx := r.s, r.st, r.o, r.idx
	plans := e.plan(s, idx, o)
	if !opts.DryRun && slices.ContainsFunc(plans, func(p *hostPlan) bool { return e.due(s, p, opts) }) {
		if err := refuseTracked(s, o); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		e.mintIfDue(ctx, s, p, opts)
	}
	apply(s, o, plans)
	rep := &Report{Command: "write", DryRun: opts.DryRun}
	writeErr := e.writeOutputs(s, o, plans, opts.DryRun, rep)
	rep.addIndexes(plans, opts.DryRun)
	if opts.DryRun {
		return rep, writeErr
	}
	// Recorded even when a write failed: the outputs already written hold the
	// new credential, and the next run must know it.
	e.record(s, st, plans, o)
	if err := st.Save(s.StatePath()); err != nil {
		return rep, errors.Join(writeErr, err)
	}
	if writeErr != nil {
		return rep, writeErr
	}
	var mintErrs MintErrors
	for _, p := range plans {
		if p.err != nil {
			mintErrs = append(mintErrs, HostError{p.host, p.err})
		}
	}
	if len(mintErrs) > 0 {
		return rep, &Error{Code: ExitMint, Err: mintErrs}
	}
	return rep, nil
}

// run is what every command starts from: the settings, the state, the parsed
// outputs and the managed indexes, read under the lock when the command
// writes.
type run struct {
	s       *config.Settings
	st      *state.State
	o       *outputs
	idx     []*managed
	release func()
}

// begin takes the lock (when writes follow), loads the state, reads and
// parses the outputs and discovers the managed indexes; nothing to manage is
// an error. The caller must call release.
func (e *Engine) begin(ctx context.Context, locked bool) (r *run, err error) {
	r = &run{s: e.settings(), release: func() {}}
	if locked {
		var l *lock.Lock
		if l, err = lock.Acquire(ctx, r.s.LockPath(), e.lockTimeout()); err != nil {
			return nil, err
		}
		r.release = func() { l.Release() }
		defer func() {
			if err != nil {
				l.Release() // a watch lives on: the lock must not stay taken
			}
		}()
	}
	if r.st, err = state.Load(r.s.StatePath()); err != nil {
		return nil, usage("%v", err)
	}
	if r.o, err = readOutputs(r.s); err != nil {
		return nil, err
	}
	if n := r.o.netrc; n != nil && len(r.o.orig[config.Netrc]) > 0 && !n.PythonReadable() {
		e.log().Warn("Python's netrc module cannot read this file, so pip will not find credentials in it (curl will); fix the file", "path", r.s.Paths[config.Netrc])
	}
	if r.idx, err = discover(r.s, r.st, r.o); err != nil {
		return nil, err
	}
	if len(r.idx) == 0 {
		return nil, usage("nothing to manage: no index in %s, in the flags, or in the outputs; run for example `credgen write --default-index https://libraries.cgr.dev/python/simple/`", r.s.ConfigPath)
	}
	return r, nil
}

// plan groups the managed indexes by host and finds the credential each host
// holds now.
func (e *Engine) plan(s *config.Settings, idx []*managed, o *outputs) []*hostPlan {
	var plans []*hostPlan
	byHost := map[string]*hostPlan{}
	for _, m := range idx {
		p := byHost[m.Host]
		if p == nil {
			p = &hostPlan{host: m.Host, provider: m.Provider}
			byHost[m.Host] = p
			plans = append(plans, p)
		}
		p.indexes = append(p.indexes, m)
	}
	for _, p := range plans {
		p.current = e.current(p, o)
	}
	return plans
}

// current is the credential for p's host that credgen recorded last (by its
// fingerprint in the state) and that the outputs still hold, or, when they
// lost it (a deleted netrc under --no-embed), that this process still
// remembers; nil when there is none.
func (e *Engine) current(p *hostPlan, o *outputs) *providers.Credential {
	var rec *state.Index
	for _, m := range p.indexes {
		if m.rec != nil && m.rec.Fingerprint != "" {
			rec = m.rec
			break
		}
	}
	if rec == nil {
		return nil
	}
	candidates := o.credentialsOf(p.host)
	e.mu.Lock()
	if c, ok := e.memo[p.host]; ok {
		candidates = append(candidates, found{"memory", c.Username, c.Secret})
	}
	e.mu.Unlock()
	for _, f := range candidates {
		if providers.Fingerprint(f.secret) == rec.Fingerprint {
			return &providers.Credential{Username: f.user, Secret: f.secret, ObtainedAt: rec.MintedAt, Expiry: rec.ExpiresAt}
		}
	}
	return nil
}

// mintIfDue mints p's credential when it is missing, due or asked for. On
// failure the current credential stays.
func (e *Engine) mintIfDue(ctx context.Context, s *config.Settings, p *hostPlan, opts WriteOptions) {
	p.next = p.current
	if !e.due(s, p, opts) {
		if !opts.DryRun {
			e.remember(p.host, *p.current) // maybe another credgen's newer mint
		}
		return
	}
	if opts.DryRun {
		p.next, p.minted = e.placeholder(p), true
		return
	}
	prov := e.Providers[p.provider]
	if prov == nil {
		p.err = fmt.Errorf("no %s provider configured", p.provider)
		return
	}
	e.log().Info("minting", "host", p.host, "provider", p.provider)
	c, err := prov.Mint(ctx, p.indexes[0].Index)
	if opts.AfterMint != nil {
		opts.AfterMint(p.provider)
	}
	if err != nil {
		p.err = err
		e.log().Error("mint failed; the current credential stays", "host", p.host, "provider", p.provider, "err", err)
		return
	}
	p.next, p.minted = &c, true
	e.remember(p.host, c)
	e.log().Info("minted", "host", p.host, "user", c.Username, "expires", c.Expiry.Format(time.RFC3339), "fingerprint", providers.Fingerprint(c.Secret))
}

func (e *Engine) due(s *config.Settings, p *hostPlan, opts WriteOptions) bool {
	switch {
	case opts.Force, slices.Contains(opts.Mint, p.host), slices.Contains(opts.MintProviders, p.provider), p.current == nil:
		return true
	}
	return p.current.Expiry.Sub(e.now()) <= RefreshBefore(s, *p.current)
}

// remember keeps host's current credential in memory, so a watch can put it
// back when the only output holding it is deleted.
func (e *Engine) remember(host string, c providers.Credential) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.memo == nil {
		e.memo = map[string]providers.Credential{}
	}
	e.memo[host] = c
}

// RefreshBefore is how long before expiry a credential is renewed: the
// configured value, else a quarter of its lifetime.
func RefreshBefore(s *config.Settings, c providers.Credential) time.Duration {
	if s.RefreshBefore > 0 {
		return s.RefreshBefore
	}
	return c.Lifetime() / 4
}

// placeholder stands in for a credential --dry-run does not mint.
func (e *Engine) placeholder(p *hostPlan) *providers.Credential {
	user := ""
	if prov := e.Providers[p.provider]; prov != nil {
		user = prov.Username(p.indexes[0].Index)
	}
	switch {
	case user != "":
	case p.current != nil:
		user = p.current.Username
	default:
		user = "new-identity" // only a mint names it (a pull token)
	}
	return &providers.Credential{Username: user, Secret: "****"}
}

func (e *Engine) settings() *config.Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.Settings
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
