package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credgen/credgen/bench/inputs"
)

// probePackage is the one package the fake index serves.
const probePackage = "credgen-probe"

// keyringIndexURL names the user: pip's subprocess provider asks keyring only
// for a username it knows (pip 23.2 docs, "Using keyring's CLI").
const keyringIndexURL = "https://_token@libraries.cgr.dev/python/simple/"

// pipTraffic is what one install asked of the index.
type pipTraffic struct {
	ID           string `json:"id"`
	Requests     int64  `json:"requests"`
	AuthFailures int64  `json:"auth_failures"`
}

// pipRows times `pip download` of the probe package from the fake TLS index
// (through the CONNECT proxy), authenticated three ways: through keyring
// (pip's subprocess provider running Debian's keyring with the Chainguard-
// style backend), through credgen's netrc, and through the credentials
// credgen embedded in pip.conf. Caches are off; each run downloads afresh.
func (w *world) pipRows(ctx context.Context, r runner, warmup, runs int) ([]row, []pipTraffic, error) {
	credHome, err := w.credgenHome(ctx, "pip-credgen", inputs.Small)
	if err != nil {
		return nil, nil, err
	}
	krHome := w.path("pip-keyring")
	if err := os.MkdirAll(krHome, 0o700); err != nil {
		return nil, nil, err
	}
	proxy := "HTTPS_PROXY=" + w.stack.ProxyURL()
	pycache := "PYTHONPYCACHEPREFIX=" + w.path("pycache")
	cmds := []command{
		w.pipCommand(idPipKeyring, "pip download, auth via keyring (--keyring-provider subprocess)", w.keyringEnv(krHome, proxy),
			"--isolated", "--keyring-provider", "subprocess", "--index-url", keyringIndexURL),
		w.pipCommand(idPipNetrc, "pip download, auth via credgen's netrc", w.homeEnv(credHome, proxy, pycache),
			"--isolated", "--index-url", inputs.DefaultIndex),
		w.pipCommand(idPipConf, "pip download, auth via credgen's pip.conf", w.homeEnv(credHome, proxy, pycache)),
	}
	var traffic []pipTraffic
	for _, c := range cmds {
		t, err := w.pipTraffic(ctx, r, c)
		if err != nil {
			return nil, nil, err
		}
		traffic = append(traffic, t)
	}
	rows, err := r.measure(ctx, cmds, warmup, runs)
	return rows, traffic, err
}

// pipCommand downloads the probe package into a fresh folder each run, with
// pip's own settings out of the way, and checks the wheel arrived.
func (w *world) pipCommand(id, name string, env []string, flags ...string) command {
	dest := w.path("download-" + id)
	args := []string{"-m", "pip", "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check",
		"--no-input", "-q", "--cert", w.stack.CAFile, "-d", dest}
	args = append(append(args, flags...), probePackage)
	return command{
		id: id, name: name, path: w.tools.pipPython, args: args, env: env,
		before: func() error {
			if err := os.RemoveAll(dest); err != nil {
				return err
			}
			return os.MkdirAll(dest, 0o700)
		},
		check: func() error {
			wheels, _ := filepath.Glob(filepath.Join(dest, "*.whl"))
			if len(wheels) != 1 {
				return fmt.Errorf("pip exited 0 but downloaded %d wheels", len(wheels))
			}
			return nil
		},
	}
}

// pipTraffic runs c once (it also warms the byte-code cache) and counts its
// requests to the index.
func (w *world) pipTraffic(ctx context.Context, r runner, c command) (pipTraffic, error) {
	before := w.stack.Index.Stats()
	if _, err := r.runOnce(ctx, c); err != nil {
		return pipTraffic{}, err
	}
	after := w.stack.Index.Stats()
	return pipTraffic{ID: c.id, Requests: after.Requests - before.Requests, AuthFailures: after.AuthFailures - before.AuthFailures}, nil
}
