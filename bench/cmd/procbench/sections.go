package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/credgen/credgen/bench/inproc"
	"github.com/credgen/credgen/bench/inputs"
	"github.com/credgen/credgen/internal/engine"
)

// Row ids the targets refer to.
const (
	idBaseline      = "baseline"
	idNoop          = "noop"
	idVersion       = "version"
	idForce         = "force"
	idKeyringGet    = "keyring-get"
	idKeyringNamed  = "keyring-get-named"
	idLinkWarm      = "credgen-keyring-warm"
	idLinkCold      = "credgen-keyring-cold"
	idChainctl      = "chainctl"
	idPython        = "python"
	idBaselineLarge = "baseline-large"
	idNoopLarge     = "noop-large"
	idForceLarge    = "force-large"
	idPipKeyring    = "pip-keyring"
	idPipNetrc      = "pip-netrc"
	idPipConf       = "pip-pipconf"
	idInForceLarge  = "inproc-force-large"
	idInNoopLarge   = "inproc-noop-large"
	idInForceSmall  = "inproc-force-small"
	idInNoopSmall   = "inproc-noop-small"
	idInForceLargeA = "inproc-force-large-allow-tracked"
)

// credgenKeyring links a folder's `keyring` to credgen, as `credgen keyring
// install` does, and warms the credential cache of a home with no outputs.
func (w *world) credgenKeyring(ctx context.Context) (link, home string, err error) {
	home = w.path("credgen-keyring-home")
	dir := w.path("credgen-keyring-bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return "", "", err
	}
	link = filepath.Join(dir, "keyring")
	if err := removeIfExists(link); err != nil {
		return "", "", err
	}
	if err := os.Symlink(w.tools.credgen, link); err != nil {
		return "", "", err
	}
	cmd := exec.CommandContext(ctx, link, "get", inputs.DefaultIndex, "_token")
	cmd.Env = w.homeEnv(home)
	if out, err := cmd.Output(); err != nil || len(out) == 0 {
		return "", "", fmt.Errorf("credgen as keyring: %v", err)
	}
	return link, home, nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// processRows times credgen, the read-only baseline and the keyring path as
// whole processes, interleaved. The no-op homes must see no chainctl run.
// It returns the commands too, for a hyperfine cross-check.
func (w *world) processRows(ctx context.Context, r runner, warmup, runs int) ([]row, []command, error) {
	homes := map[string]string{}
	for name, size := range map[string]inputs.Size{"small-noop": inputs.Small, "small-force": inputs.Small, "large-noop": inputs.Large, "large-force": inputs.Large} {
		home, err := w.credgenHome(ctx, name, size)
		if err != nil {
			return nil, nil, err
		}
		homes[name] = home
	}
	krHome := w.path("keyring-home")
	if err := os.MkdirAll(krHome, 0o700); err != nil {
		return nil, nil, err
	}
	if err := w.checkKeyring(ctx, krHome); err != nil {
		return nil, nil, err
	}
	link, linkHome, err := w.credgenKeyring(ctx)
	if err != nil {
		return nil, nil, err
	}
	coldCache := filepath.Join(linkHome, ".local", "state", "credgen", "credentials.json")
	t := w.tools
	cmds := []command{
		{id: idBaseline, name: "baseline: Go binary, stat+read the 3 files", path: t.baseline, env: w.homeEnv(homes["small-noop"])},
		{id: idNoop, name: "credgen write, no-op (all fresh)", path: t.credgen, args: []string{"write"}, env: w.homeEnv(homes["small-noop"])},
		{id: idVersion, name: "credgen version (start-up only)", path: t.credgen, args: []string{"version"}, env: w.homeEnv(homes["small-noop"])},
		{id: idForce, name: "credgen write --force (fake chainctl)", path: t.credgen, args: []string{"write", "--force"}, env: w.homeEnv(homes["small-force"])},
		{id: idKeyringGet, name: "keyring get " + inputs.DefaultIndex + " _token", path: t.keyring, args: []string{"get", inputs.DefaultIndex, "_token"}, env: w.keyringEnv(krHome)},
		{id: idKeyringNamed, name: "keyring get, backend named in PYTHON_KEYRING_BACKEND (no discovery)", path: t.keyring, args: []string{"get", inputs.DefaultIndex, "_token"},
			env: w.keyringEnv(krHome, "PYTHON_KEYRING_BACKEND=cgr_keyring_bench.ChainguardKeyring")},
		{id: idLinkWarm, name: "credgen as keyring (a link), warm cache", path: link, args: []string{"get", inputs.DefaultIndex, "_token"}, env: w.homeEnv(linkHome)},
		{id: idLinkCold, name: "credgen as keyring (a link), cold cache: one chainctl mint", path: link, args: []string{"get", inputs.DefaultIndex, "_token"}, env: w.homeEnv(linkHome),
			before: func() error { return removeIfExists(coldCache) }},
		{id: idChainctl, name: "fake chainctl auth token alone", path: filepath.Join(w.bin, "chainctl"), args: []string{"auth", "token", "--audience=libraries.cgr.dev"}, env: w.homeEnv(krHome)},
		{id: idPython, name: "python3 -c pass (keyring's interpreter)", path: t.keyringPython, args: []string{"-c", "pass"}, env: w.keyringEnv(krHome)},
		{id: idBaselineLarge, name: "baseline, large files", path: t.baseline, env: w.homeEnv(homes["large-noop"])},
		{id: idNoopLarge, name: "credgen write, no-op, large files", path: t.credgen, args: []string{"write"}, env: w.homeEnv(homes["large-noop"])},
		{id: idForceLarge, name: "credgen write --force, large files", path: t.credgen, args: []string{"write", "--force"}, env: w.homeEnv(homes["large-force"])},
	}
	rows, err := r.measure(ctx, cmds, warmup, runs)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{"small-noop", "large-noop"} {
		if n := chainctlCalls(homes[name]); n != 1 {
			return nil, nil, fmt.Errorf("the no-op write in %s ran chainctl %d times after the first write; it must not mint", name, n-1)
		}
	}
	return rows, cmds, nil
}

// inProcessRows times engine.Write inside this process (instant provider):
// credgen's own work on the files without process start-up or chainctl.
func (w *world) inProcessRows(ctx context.Context, warmup, runs int) ([]row, error) {
	type setup struct {
		id, name     string
		size         inputs.Size
		force, allow bool
	}
	setups := []setup{
		{idInNoopSmall, "engine.Write no-op, small (in-process)", inputs.Small, false, false},
		{idInForceSmall, "engine.Write --force, small (in-process)", inputs.Small, true, false},
		{idInNoopLarge, "engine.Write no-op, large (in-process)", inputs.Large, false, false},
		{idInForceLarge, "engine.Write --force, large (in-process)", inputs.Large, true, false},
		{idInForceLargeA, "engine.Write --force, large, --allow-tracked (no git check)", inputs.Large, true, true},
	}
	var calls []call
	for _, s := range setups {
		e, err := inproc.NewEngine(ctx, w.path("inproc-"+s.id), s.size, s.allow)
		if err != nil {
			return nil, err
		}
		opts := engine.WriteOptions{Force: s.force}
		calls = append(calls, call{id: s.id, name: s.name, fn: func() error {
			_, err := e.Write(ctx, opts)
			return err
		}})
	}
	return timeCalls(calls, warmup, runs)
}
