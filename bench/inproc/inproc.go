// Package inproc runs credgen's write pass inside the calling process, with
// a provider that mints instantly, so that benchmarks see credgen's own work
// (read, parse, edit, verify, atomic writes with fsync, state) without process
// start-up or chainctl.
package inproc

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/credgen/credgen/bench/inputs"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/engine"
	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/chainguard"
	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

// InstantProvider mints a fresh fake Chainguard token without running
// anything.
type InstantProvider struct{}

// Name is the provider's name: it stands in for chainguard.
func (InstantProvider) Name() string { return chainguard.Name }

// Username is chainguard's session username.
func (InstantProvider) Username(providers.Index) string { return chainguard.SessionUsername }

// WatchedFiles: none.
func (InstantProvider) WatchedFiles() []string { return nil }

// Mint returns a new one-hour token each call.
func (InstantProvider) Mint(_ context.Context, _ providers.Index) (providers.Credential, error) {
	now := time.Now()
	return providers.Credential{
		Username:   chainguard.SessionUsername,
		Secret:     faketoken.Issue("bench", "libraries.cgr.dev", time.Hour, now),
		ObtainedAt: now,
		Expiry:     now.Add(time.Hour),
	}, nil
}

// NewEngine writes a home of the given size into home and returns an engine
// for it, as `credgen write --default-index inputs.DefaultIndex` would set one
// up with XDG_* under home, after a first write (credgen's machine added,
// credentials embedded). allowTracked skips the `git ls-files` check that
// guards pip.conf and uv.toml.
func NewEngine(ctx context.Context, home string, size inputs.Size, allowTracked bool) (*engine.Engine, error) {
	if _, err := inputs.Write(home, size); err != nil {
		return nil, err
	}
	env := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
	}
	s, err := config.Resolve(
		config.Flags{DefaultIndex: inputs.DefaultIndex, AllowTracked: &allowTracked},
		config.Env{Getenv: func(k string) string { return env[k] }, Home: home, GOOS: "linux", Stat: os.Stat},
	)
	if err != nil {
		return nil, fmt.Errorf("resolve settings for %s: %w", home, err)
	}
	e := &engine.Engine{
		Settings:  s,
		Providers: map[string]providers.Provider{chainguard.Name: InstantProvider{}},
		Log:       slog.New(slog.DiscardHandler),
	}
	if _, err := e.Write(ctx, engine.WriteOptions{}); err != nil {
		return nil, fmt.Errorf("first write into %s: %w", home, err)
	}
	return e, nil
}
