package main

import (
	"io"
	"log/slog"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/engine"
	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/chainguard"
	"github.com/credgen/credgen/providers/menda"
)

// newEngine resolves flags, environment and config into an engine with the
// real providers.
func newEngine(cmd *cli.Command, stderr io.Writer) (*engine.Engine, error) {
	log, err := newLogger(cmd, stderr)
	if err != nil {
		return nil, err
	}
	return newEngineLogging(cmd, log)
}

// newEngineLogging is newEngine with the logger given.
func newEngineLogging(cmd *cli.Command, log *slog.Logger) (*engine.Engine, error) {
	env, err := config.OSEnv()
	if err != nil {
		return nil, err
	}
	fl := settingsFlags(cmd)
	resolve := func() (*config.Settings, error) { return config.Resolve(fl, env) }
	s, err := resolve()
	if err != nil {
		return nil, err
	}
	mendaProvider := &menda.Provider{Home: env.Home, Logger: log}
	e := &engine.Engine{
		Settings:  s,
		Reresolve: resolve,
		Log:       log,
		Providers: map[string]providers.Provider{
			chainguard.Name: &chainguard.Provider{
				Chainctl: env.Getenv("CREDGEN_CHAINCTL"),
				CacheDir: chainguard.CacheDir(env.Getenv, env.Home),
				Logger:   log,
			},
			menda.Name: mendaProvider,
		},
	}
	// menda writes its token cache, which the menda CLI shares, under
	// credgen's lock (and only around that write, never its network calls).
	mendaProvider.Lock = e.Lock
	return e, nil
}
