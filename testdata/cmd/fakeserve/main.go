// Command fakeserve runs credgen's network test doubles in one process for
// `make demo` and manual runs: a test CA, the fake private index on TLS under
// the real registry hostnames, and a CONNECT proxy that routes every hostname
// to it. It writes the environment a client needs (-env FILE), prints "ready",
// and serves until SIGINT or SIGTERM.
//
//	fakeserve -dir /tmp/fakes -env /tmp/fakes/env
//	. /tmp/fakes/env   # HTTPS_PROXY, FAKE_CA, FAKE_INDEX_ADDR
//	curl --cacert "$FAKE_CA" -u "_token:$TOKEN" https://libraries.cgr.dev/python/simple/
//
// Test-only: it lives under testdata and is never built into credgen.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakeserve:", err)
		os.Exit(1)
	}
}

type config struct {
	dir         string
	envFile     string
	hosts       []string
	verbose     bool
	mendaID     string
	mendaSecret string
	mendaHost   string
	registryTTL time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var hosts string
	fs := flag.NewFlagSet("fakeserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.dir, "dir", "", "directory for ca.pem (default: a temporary directory removed on exit)")
	fs.StringVar(&cfg.envFile, "env", "", "write HTTPS_PROXY, FAKE_CA and FAKE_INDEX_ADDR lines to this file")
	fs.StringVar(&hosts, "hosts", "", "extra comma-separated DNS names for the TLS certificate")
	fs.BoolVar(&cfg.verbose, "v", false, "log every request (never a password) to stderr")
	fs.StringVar(&cfg.mendaHost, "menda-host", "api.menda.example", "hostname the fake menda-cloud is served under")
	fs.StringVar(&cfg.mendaID, "menda-client-id", "demo-robot", "client id the fake menda-cloud accepts")
	fs.StringVar(&cfg.mendaSecret, "menda-client-secret", "demo-secret", "client secret the fake menda-cloud accepts")
	fs.DurationVar(&cfg.registryTTL, "registry-ttl", 12*time.Hour, "life of the registry tokens the fake menda-cloud issues")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.hosts = append(cfg.hosts, h)
		}
	}
	return cfg, nil
}

// run serves until ctx is done. "ready" goes to stdout once the env file is
// written and both listeners accept connections.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.verbose)
	dir, cleanup, err := caDir(cfg.dir)
	if err != nil {
		return err
	}
	defer cleanup()

	stack, err := pyindex.StartStack(pyindex.StackOptions{
		Dir:    dir,
		Hosts:  cfg.hosts,
		Index:  pyindex.Options{Accept: pyindex.ProviderUsers},
		Logger: logger,
		Mount:  map[string]http.Handler{cfg.mendaHost: mendacloud.New(mendacloud.Options{Clients: map[string]string{cfg.mendaID: cfg.mendaSecret}, RegistryTTL: cfg.registryTTL})},
	})
	if err != nil {
		return err
	}
	defer func() {
		logger.Info("fakeserve: stopping", "index", stack.Index.Stats(), "proxy", stack.Proxy.Stats())
		_ = stack.Close()
	}()
	if cfg.envFile != "" {
		menda := fmt.Sprintf("SSL_CERT_FILE=%s\nMENDA_HOST=https://%s\nMENDA_CLIENT_ID=%s\nMENDA_CLIENT_SECRET=%s\n", stack.CAFile, cfg.mendaHost, cfg.mendaID, cfg.mendaSecret)
		if err := os.WriteFile(cfg.envFile, []byte(stack.EnvFile()+menda), 0o600); err != nil {
			return fmt.Errorf("write env file: %w", err)
		}
	}
	logger.Info("fakeserve: serving", "proxy", stack.ProxyURL(), "index", stack.IndexAddr, "ca", stack.CAFile)
	fmt.Fprintln(stdout, "ready")
	<-ctx.Done()
	return nil
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// caDir returns dir, created if needed, or a new temporary directory that
// cleanup removes.
func caDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("create -dir: %w", err)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", nil, fmt.Errorf("-dir: %w", err)
		}
		return abs, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "fakeserve-")
	if err != nil {
		return "", nil, fmt.Errorf("temporary directory: %w", err)
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}
