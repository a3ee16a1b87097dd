package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/credgen/credgen/bench/inputs"
	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

// tools are the programs the benchmark runs.
type tools struct {
	credgen, chainctl, baseline string // built from this repo
	keyring                     string // Debian's /usr/bin/keyring (python3-keyring)
	keyringPython               string // the interpreter keyring runs under, for its version
	backend                     string // bench/keyring: the Chainguard-style backend
	pipPython                   string // the interpreter pip runs under
}

// world is the scratch space of one benchmark run: a bin folder with the
// fake chainctl as `chainctl`, the fake TLS index behind its CONNECT proxy,
// and one home per scenario. Close removes it.
type world struct {
	dir   string
	bin   string
	stack *pyindex.Stack
	tools tools
}

func newWorld(t tools) (*world, error) {
	dir, err := os.MkdirTemp("", "credgen-bench-")
	if err != nil {
		return nil, err
	}
	w := &world{dir: dir, bin: filepath.Join(dir, "bin"), tools: t}
	if err := os.MkdirAll(w.bin, 0o755); err != nil {
		w.close(false)
		return nil, err
	}
	if err := os.Symlink(t.chainctl, filepath.Join(w.bin, "chainctl")); err != nil {
		w.close(false)
		return nil, fmt.Errorf("put chainctl on PATH: %w", err)
	}
	w.stack, err = pyindex.StartStack(pyindex.StackOptions{Dir: dir, Index: pyindex.Options{Accept: pyindex.ProviderUsers}})
	if err != nil {
		w.close(false)
		return nil, fmt.Errorf("start the fake index: %w", err)
	}
	return w, nil
}

// close stops the fakes and, unless keep, removes the scratch folder.
func (w *world) close(keep bool) {
	if w.stack != nil {
		_ = w.stack.Close()
	}
	if keep {
		progress("scratch folder kept: %s", w.dir)
		return
	}
	_ = os.RemoveAll(w.dir)
}

func (w *world) path(parts ...string) string {
	return filepath.Join(append([]string{w.dir}, parts...)...)
}

// homeEnv is the whole environment of a process run in home: nothing from
// the caller's (this machine exports REQUESTS_CA_BUNDLE, PIP_* and more).
func (w *world) homeEnv(home string, extra ...string) []string {
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"PATH=" + w.bin + ":/usr/bin:/bin",
		"CREDGEN_CHAINCTL=" + filepath.Join(w.bin, "chainctl"),
		"FAKE_CHAINCTL_LOG=" + home + ".chainctl.log",
		"LANG=C.UTF-8",
	}
	return append(env, extra...)
}

// keyringEnv runs Debian's keyring with the benchmark backend discovered
// through its entry point, in a home with no netrc. Byte-code caches go to
// the scratch folder, not into the repository.
func (w *world) keyringEnv(home string, extra ...string) []string {
	return w.homeEnv(home, append([]string{
		"PYTHONPATH=" + w.tools.backend,
		"PYTHONPYCACHEPREFIX=" + w.path("pycache"),
	}, extra...)...)
}

// credgenHome makes a home of the given size and runs credgen's first write
// in it (credgen's machine added, credentials embedded, state recorded).
func (w *world) credgenHome(ctx context.Context, name string, size inputs.Size) (string, error) {
	home := w.path(name)
	if _, err := inputs.Write(home, size); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, w.tools.credgen, "write", "--default-index", inputs.DefaultIndex)
	cmd.Env = w.homeEnv(home)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("first credgen write in %s: %w\n%s", home, err, out)
	}
	return home, nil
}

// checkKeyring runs `keyring get` once and checks that the backend answered
// with a token the fake index accepts. The token is never printed.
func (w *world) checkKeyring(ctx context.Context, home string) error {
	cmd := exec.CommandContext(ctx, w.tools.keyring, "get", inputs.DefaultIndex, "_token")
	cmd.Env = w.keyringEnv(home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("keyring get (is python3-keyring installed?): %w\n%s", err, stderr.String())
	}
	if _, err := faketoken.Verify(strings.TrimSpace(string(out)), time.Now()); err != nil {
		return fmt.Errorf("keyring get did not return a chainctl token: %w", err)
	}
	return nil
}

// chainctlCalls counts the fake chainctl's log lines for home.
func chainctlCalls(home string) int {
	f, err := os.Open(home + ".chainctl.log")
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		n++
	}
	return n
}
