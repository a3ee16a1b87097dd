package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

const (
	cgrIndex = "https://libraries.cgr.dev/python/simple/"
	cgrHost  = "libraries.cgr.dev"
	caIndex  = "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/"
	caHost   = "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com"
)

// fakeProvider mints numbered secrets instantly, or, with a gate, once the
// test opens it.
type fakeProvider struct {
	name, user string
	lifetime   time.Duration

	mu      sync.Mutex
	mints   int
	secrets []string
	fail    error
	gate    chan struct{} // non-nil: Mint waits for it to be closed
	started chan string   // non-nil: Mint sends the host when it starts
}

func (p *fakeProvider) Name() string                    { return p.name }
func (p *fakeProvider) Username(providers.Index) string { return p.user }
func (p *fakeProvider) WatchedFiles() []string          { return nil }

func (p *fakeProvider) Mint(ctx context.Context, idx providers.Index) (providers.Credential, error) {
	p.mu.Lock()
	gate, started, fail := p.gate, p.started, p.fail
	p.mu.Unlock()
	if started != nil {
		started <- idx.Host
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return providers.Credential{}, ctx.Err()
		}
	}
	if fail != nil {
		return providers.Credential{}, fail
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mints++
	secret := fmt.Sprintf("%s-secret-%d-%d", p.name, p.mints, time.Now().UnixNano())
	p.secrets = append(p.secrets, secret)
	now := time.Now()
	lifetime := p.lifetime
	if lifetime == 0 {
		lifetime = time.Hour
	}
	return providers.Credential{Username: p.user, Secret: secret, ObtainedAt: now, Expiry: now.Add(lifetime)}, nil
}

func (p *fakeProvider) mintCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mints
}

func (p *fakeProvider) lastSecret() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.secrets) == 0 {
		return ""
	}
	return p.secrets[len(p.secrets)-1]
}

// world is a temporary HOME with credgen's default paths and two fake
// providers.
type world struct {
	t          *testing.T
	home       string
	runtimeDir string // XDG_RUNTIME_DIR when set
	chainguard *fakeProvider
	menda      *fakeProvider
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return &world{
		t:          t,
		home:       t.TempDir(),
		chainguard: &fakeProvider{name: "chainguard", user: "_token"},
		menda:      &fakeProvider{name: "menda", user: "aws"},
	}
}

func (w *world) netrc() string   { return filepath.Join(w.home, ".netrc") }
func (w *world) pipConf() string { return filepath.Join(w.home, ".config", "pip", "pip.conf") }
func (w *world) uvToml() string  { return filepath.Join(w.home, ".config", "uv", "uv.toml") }
func (w *world) state() string {
	return filepath.Join(w.home, ".local", "state", "credgen", "state.json")
}

// engine is an engine for this world with the given flags, as one credgen
// process would have it.
func (w *world) engine(fl config.Flags) *Engine {
	w.t.Helper()
	env := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(w.home, ".config"),
		"XDG_STATE_HOME":  filepath.Join(w.home, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(w.home, ".cache"),
		"XDG_RUNTIME_DIR": w.runtimeDir,
	}
	s, err := config.Resolve(fl, config.Env{Getenv: func(k string) string { return env[k] }, Home: w.home, GOOS: "linux", Stat: os.Stat})
	if err != nil {
		w.t.Fatal(err)
	}
	return &Engine{
		Settings:    s,
		Providers:   map[string]providers.Provider{"chainguard": w.chainguard, "menda": w.menda},
		LockTimeout: 10 * time.Second,
	}
}

func (w *world) read(path string) string {
	w.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

func (w *world) write(path, content string) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// mustWrite runs a write pass that must succeed.
func (w *world) mustWrite(e *Engine, opts WriteOptions) *Pass {
	w.t.Helper()
	pass, err := e.Write(context.Background(), opts)
	if err == nil {
		err = pass.Err()
	}
	if err != nil {
		w.t.Fatalf("write: %v", err)
	}
	return pass
}

// waitStarted waits until p's mint has started (the test's bound only).
func waitStarted(t *testing.T, p *fakeProvider) string {
	t.Helper()
	select {
	case host := <-p.started:
		return host
	case <-time.After(30 * time.Second):
		t.Fatal("the mint never started")
	}
	return ""
}
