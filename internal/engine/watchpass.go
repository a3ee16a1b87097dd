package engine

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/credgen/credgen/generator/lock"
	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/watch"
)

// The engine is what `credgen watch` drives.
var _ watch.Engine = (*Engine)(nil)

// Pass runs one write pass for watch.
func (e *Engine) Pass(ctx context.Context, req watch.PassRequest) watch.PassResult {
	pass, err := e.Write(ctx, WriteOptions{Mint: req.Mint, MintProviders: req.MintProviders, AfterMint: req.AfterMint})
	if pass != nil && e.OnPass != nil && ctx.Err() == nil {
		pass.Command = "watch"
		e.OnPass(pass.Report())
	}
	if err != nil {
		return watch.PassResult{Err: err}
	}
	rule := e.renewal(e.settings())
	res := watch.PassResult{Outputs: map[string][]byte{}}
	for _, f := range pass.Files {
		res.Outputs[f.Path] = f.Content
	}
	for _, h := range pass.Hosts {
		hr := watch.HostResult{Host: h.Host, Provider: h.Provider, MintErr: h.Err, Renewal: rule}
		if c := h.Credential; c != nil {
			hr.ObtainedAt, hr.Expiry = c.ObtainedAt, c.Expiry
		}
		res.Hosts = append(res.Hosts, hr)
	}
	return res
}

// Reload re-reads the config; the last good settings stay on error.
func (e *Engine) Reload() error {
	if e.Reresolve == nil {
		return errors.New("reload is not supported here")
	}
	s, err := e.Reresolve()
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.Settings = s
	e.mu.Unlock()
	return nil
}

// Watched lists what watch reacts to: credgen's config, its outputs, and the
// providers' own files.
func (e *Engine) Watched() []watch.Watched {
	s := e.settings()
	ws := []watch.Watched{{Path: s.ConfigPath, Kind: watch.Config}}
	for _, kind := range s.Targets {
		ws = append(ws, watch.Watched{Path: s.Paths[kind], Kind: watch.Output})
	}
	for name, p := range e.Providers {
		for _, path := range p.WatchedFiles() {
			ws = append(ws, watch.Watched{Path: path, Kind: watch.ProviderInput, Provider: name})
		}
	}
	return ws
}

// Scheduled records the watch's pid and each host's next renewal, for status.
func (e *Engine) Scheduled(next map[string]time.Time) {
	var own []string
	for _, spec := range e.settings().Indexes {
		own = append(own, spec.URL)
	}
	e.updateState(func(st *state.State) {
		if st.Watch == nil || st.Watch.PID != os.Getpid() {
			st.Watch = &state.Watch{PID: os.Getpid(), StartedAt: e.now()}
		}
		st.Watch.Indexes = own
		for _, ix := range st.Indexes {
			ix.NextRefresh = next[ix.Host]
		}
	})
}

// StopWatch clears the watch's record when it ends.
func (e *Engine) StopWatch() {
	e.updateState(func(st *state.State) {
		if st.Watch != nil && st.Watch.PID == os.Getpid() {
			st.Watch = nil
		}
		for _, ix := range st.Indexes {
			ix.NextRefresh = time.Time{}
		}
	})
}

// stateUpdateWait bounds how long watch waits for the lock to record its
// schedule: the state only informs status, and a SIGTERM must end watch
// within 2 s even while another credgen holds the lock.
const stateUpdateWait = 500 * time.Millisecond

// updateState changes the state file under the lock; a failure is logged,
// never fatal: the state only informs status.
func (e *Engine) updateState(change func(*state.State)) {
	s := e.settings()
	l, err := lock.Acquire(context.Background(), s.LockPath(), stateUpdateWait)
	if err != nil {
		e.log().Warn("state not updated", "err", err)
		return
	}
	defer l.Release()
	st, err := state.Load(s.StatePath())
	if err == nil {
		change(st)
		err = st.Save(s.StatePath())
	}
	if err != nil {
		e.log().Warn("state not updated", "err", err)
	}
}
