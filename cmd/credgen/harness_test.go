//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

// The harness core shared by the two end-to-end suites: the testscript
// scripts (main_test.go, watch_cmds_test.go, testdata/script) and the
// reliability tests (reliability_test.go, *_reliability_test.go). Both run
// credgen in a world: a temporary HOME, the fake chainctl, and a TLS index
// and a fake menda-cloud on loopback reached through a CONNECT proxy; every
// world ends with the same leak check.

const (
	mendaHost     = "api.menda.example"
	mendaClientID = "ci-robot"
	// mendaSecret is every fake menda client's secret; the leak check looks
	// for it too.
	mendaSecret = "menda-client-secret-7f3a9c"

	indexCGR = "https://libraries.cgr.dev/python/simple/"
	indexCA  = "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/"
	indexCA2 = "https://other-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/tools/simple/"
	hostCGR  = "libraries.cgr.dev"
	hostCA   = "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com"
	// leakProbe is part of every password the user wrote in the fixtures
	// and the bad-input corpus: credgen must never print one.
	leakProbe = "leakcanary"
)

// mendaClients are the machine identities the fake menda-cloud knows.
func mendaClients() map[string]string {
	return map[string]string{mendaClientID: mendaSecret, "m2m-default": mendaSecret, "team-a": mendaSecret, "team-b": mendaSecret}
}

// sharedKit is built once per test process (by the first test that needs
// it) and removed when the process ends; TestMain creates it.
var sharedKit *testKit

func TestMain(m *testing.M) {
	testscript.Main(kitRunner{m}, map[string]func(){
		"credgen": credgenUnderTest,
	})
}

// kitRunner runs the tests with sharedKit in place. testscript.Main calls
// Run only in the test process, never when it re-executes itself as
// credgen, so nothing is built for those.
type kitRunner struct{ m *testing.M }

func (r kitRunner) Run() int {
	dir, err := os.MkdirTemp("", "credgen-test-kit-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "test kit:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	sharedKit = &testKit{dir: dir}
	return r.m.Run()
}

// testKit is what every world uses: the module's folder, a credgen binary built from
// ./cmd/credgen, the fake chainctl, and the real Python interpreter (pyenv
// shims break under a test HOME).
type testKit struct {
	dir  string
	once sync.Once
	err  error

	root                      string // the module's folder
	credgen, chainctl, python string
}

// ready builds the binaries on first use and fails t when that failed.
func (k *testKit) ready(t testing.TB) *testKit {
	t.Helper()
	k.once.Do(func() { k.err = k.build() })
	if k.err != nil {
		t.Fatal(k.err)
	}
	return k
}

func (k *testKit) build() error {
	// Other users (the permission cases run credgen as nobody) must reach
	// the binaries.
	if err := openForOthers(k.dir); err != nil {
		return err
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	k.root = filepath.Dir(strings.TrimSpace(string(out)))
	k.credgen, k.chainctl = filepath.Join(k.dir, "credgen"), filepath.Join(k.dir, "chainctl")
	for bin, pkg := range map[string]string{k.credgen: "./cmd/credgen", k.chainctl: "./testdata/cmd/fakechainctl"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = k.root
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, b)
		}
	}
	out, err = exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return fmt.Errorf("python3 is needed (pip, netrc, configparser, tomllib): %w", err)
	}
	k.python = strings.TrimSpace(string(out))
	return nil
}

// openForOthers makes dir and the temp folders above it traversable by
// other users (they are created 0700).
func openForOthers(dir string) error {
	tmp := os.TempDir()
	for d := dir; strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// world is one temporary HOME with its own fakes.
type world struct {
	kit   *testKit
	dir   string // the world's folder: home/, chainctl.log, the CA file
	home  string
	stack *pyindex.Stack
	menda *mendacloud.Server

	mu      sync.Mutex
	secrets []string // secrets a test made up beside what the fakes issued
}

type worldOptions struct {
	// accessTTL is the menda access token lifetime (default: the fake's).
	accessTTL time.Duration
}

// startWorld starts the fakes of a world in dir; close stops them.
func startWorld(k *testKit, dir string, opts worldOptions) (*world, error) {
	w := &world{kit: k, dir: dir, home: filepath.Join(dir, "home")}
	if err := os.MkdirAll(w.home, 0o700); err != nil {
		return nil, err
	}
	w.menda = mendacloud.New(mendacloud.Options{Clients: mendaClients(), AccessTTL: opts.accessTTL})
	stack, err := pyindex.StartStack(pyindex.StackOptions{
		Dir:   dir,
		Index: pyindex.Options{Accept: pyindex.ProviderUsers},
		Mount: map[string]http.Handler{mendaHost: w.menda},
	})
	if err != nil {
		return nil, fmt.Errorf("start the fakes: %w", err)
	}
	w.stack = stack
	return w, nil
}

func (w *world) close() { w.stack.Close() }

// Paths of the files credgen and the fakes read and write in this world.
func (w *world) netrc() string       { return filepath.Join(w.home, ".netrc") }
func (w *world) pipConf() string     { return filepath.Join(w.home, ".config", "pip", "pip.conf") }
func (w *world) uvToml() string      { return filepath.Join(w.home, ".config", "uv", "uv.toml") }
func (w *world) config() string      { return filepath.Join(w.home, ".config", "credgen", "config.toml") }
func (w *world) stateDir() string    { return filepath.Join(w.home, ".local", "state", "credgen") }
func (w *world) state() string       { return filepath.Join(w.stateDir(), "state.json") }
func (w *world) mendacfg() string    { return filepath.Join(w.home, ".menda", "mendacfg") }
func (w *world) cache() string       { return filepath.Join(w.home, ".menda", "tokens", "cache", ".token") }
func (w *world) chainctlLog() string { return filepath.Join(w.dir, "chainctl.log") }

// baseEnv is the KEY=value environment every credgen process of the world
// runs with: HOME and the XDG folders inside the world, the fake chainctl
// and its log, and the proxy and CA in front of the fakes.
func (w *world) baseEnv() []string {
	return []string{
		"HOME=" + w.home,
		"XDG_CONFIG_HOME=" + filepath.Join(w.home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(w.home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(w.home, ".cache"),
		"CREDGEN_CHAINCTL=" + w.kit.chainctl,
		"FAKE_CHAINCTL_LOG=" + w.chainctlLog(),
		"HTTPS_PROXY=" + w.stack.ProxyURL(),
		"SSL_CERT_FILE=" + w.stack.CAFile,
	}
}

// chainctlCalls is how many times the fake chainctl ran so far.
func (w *world) chainctlCalls() int {
	data, _ := os.ReadFile(w.chainctlLog())
	return strings.Count(string(data), "\n")
}

func (w *world) addSecret(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.secrets = append(w.secrets, s)
}

// issuedSecrets is every secret this world's fakes handed out, the menda
// client secret, and what the test made up.
func (w *world) issuedSecrets() []string {
	secrets := append(w.menda.Issued(), mendaSecret)
	secrets = append(secrets, chainctlTokens(w.chainctlLog())...)
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(secrets, w.secrets...)
}

// leakCheck is the result of searching a world for secrets.
type leakCheck struct {
	leaks           []string // one line per leak, naming the secret by its first characters only
	secrets, places int      // how many secrets were searched for, in how many places
}

// findLeaks searches what credgen printed (transcript) and its state file
// for every issued secret and for leakProbe, which every password the user
// wrote in the fixtures contains: credgen must print none of them.
func (w *world) findLeaks(transcript string) leakCheck {
	secrets := w.issuedSecrets()
	places := map[string]string{"credgen's stdout/stderr": transcript}
	if data, err := os.ReadFile(w.state()); err == nil {
		places[w.state()] = string(data)
	}
	res := leakCheck{secrets: len(secrets), places: len(places)}
	for where, text := range places {
		if strings.Contains(text, leakProbe) {
			res.leaks = append(res.leaks, "LEAK: a password the user wrote appears in "+where)
		}
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(text, s) {
				res.leaks = append(res.leaks, fmt.Sprintf("LEAK: a secret a fake issued (%s…) appears in %s", s[:min(12, len(s))], where))
			}
		}
	}
	return res
}

// chainctlTokens lists every token the fake chainctl logged as issued.
func chainctlTokens(log string) []string {
	f, err := os.Open(log)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct{ Token string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Token != "" {
			out = append(out, rec.Token)
			// badchars tokens have a space inside: search for the second
			// half too (the first is shared with every other token).
			if f := strings.Fields(rec.Token); len(f) > 1 {
				out = append(out, f[len(f)-1])
			}
		}
	}
	return out
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// processGone reports whether pid no longer runs (a zombie counts as gone:
// in a container nobody may reap a re-parented child).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

// TestLeakCheckFindsEachKindOfSecret shows that the leak check both suites
// end every world with can fail: each kind of secret, put where credgen's
// output or its state file would carry it, is reported, and nothing else is.
func TestLeakCheckFindsEachKindOfSecret(t *testing.T) {
	w, err := startWorld(&testKit{}, t.TempDir(), worldOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	chainctlToken := "chainctl-issued-token-0b9d4e"
	if err := os.WriteFile(w.chainctlLog(), []byte(`{"token":"`+chainctlToken+`"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.addSecret("made-up-by-the-test-51c7")
	cases := []struct {
		name, transcript, state string
		want                    int
	}{
		{"clean", "level=INFO msg=minted host=libraries.cgr.dev fingerprint=sha256:3ff5", "{}", 0},
		{"menda token in the output", "token " + w.menda.UserToken("alice", time.Hour), "{}", 1},
		{"client secret in the state", "", `{"last_error":"` + mendaSecret + `"}`, 1},
		{"chainctl token in the output", "password " + chainctlToken, "{}", 1},
		{"test's own secret in the output", "made-up-by-the-test-51c7", "{}", 1},
		{"a user's password in the state", "", `{"x":"ghp_` + leakProbe + `0Gh"}`, 1},
		{"in both places", "x " + mendaSecret, mendaSecret, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.MkdirAll(w.stateDir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(w.state(), []byte(c.state), 0o600); err != nil {
				t.Fatal(err)
			}
			res := w.findLeaks(c.transcript)
			if len(res.leaks) != c.want {
				t.Errorf("found %d leaks, want %d: %q", len(res.leaks), c.want, res.leaks)
			}
			for _, l := range res.leaks {
				if strings.Contains(l, mendaSecret) || strings.Contains(l, chainctlToken) {
					t.Errorf("the leak report quotes the whole secret: %s", l)
				}
			}
		})
	}
}
