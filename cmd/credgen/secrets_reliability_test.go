//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// testSecrets: every command at --log-level debug (text and JSON logs), and
// a menda-cloud that echoes tokens in its error bodies, print no secret (the
// world's leak check runs at the end); secrets never go into a pip.conf or
// uv.toml that git tracks unless --allow-tracked; a mendacfg holding a client
// secret that others can read is warned about; a failing chainctl whose
// stderr carries credentials has them masked in errors and the state.
func testSecrets(t *testing.T, kit *testKit) {
	t.Run("debug logs", func(t *testing.T) { secretsDebugLogs(t, kit) })
	t.Run("chainctl stderr", func(t *testing.T) { secretsChainctlStderr(t, kit) })
	t.Run("git-tracked outputs", func(t *testing.T) { secretsGitTracked(t, kit) })
	t.Run("readable mendacfg", func(t *testing.T) { secretsReadableMendacfg(t, kit) })
}

func secretsDebugLogs(t *testing.T, kit *testKit) {
	w, _ := faultWorld(t, kit)
	for _, format := range []string{"text", "json"} {
		g := []string{"--log-level", "debug", "--log-format", format}
		cmd := func(args ...string) []string { return append(append([]string{}, g...), args...) }
		// A cold menda cache: the OAuth grant runs too.
		if err := os.Remove(w.cache()); err != nil {
			t.Fatal(err)
		}
		r := w.run(cmd("write", "--force")...)
		w.want(r, 0)
		if !strings.Contains(r.stderr, "chainctl") || !strings.Contains(strings.ToLower(r.stderr), "debug") {
			t.Errorf("--log-level debug logged no debug line:\n%s", tail(r.stderr, 20))
		}
		w.want(w.run(cmd("write", "--force", "--json")...), 0)
		w.want(w.run(cmd("write", "--dry-run", "--force")...), 0)
		w.want(w.run(cmd("status")...), 0)
		w.want(w.run(cmd("status", "--json")...), 0)

		// A hostile or buggy menda-cloud echoing the bearer token, and a
		// registry token, in its error bodies.
		access := relCachedAccessToken(t, w)
		registry := w.credentialOf(hostCA)
		w.menda.SetFault(mendacloud.Registry, mendacloud.Fault{Status: 401, Body: `{"error":"invalid_token","token":"` + access + `"}`})
		w.want(w.run(cmd("write", "--force")...), 1)
		w.menda.SetFault(mendacloud.Registry, mendacloud.Fault{Status: 500, Body: `{"error":"oops","last_token":"` + registry + `","authorization":"Bearer ` + access + `"}`})
		w.want(w.run(cmd("write", "--force")...), 1)
		w.menda.ClearFaults()

		// watch: start, SIGHUP (reload and write), stop once the pass the
		// signal started has reported itself.
		rw := w.startWatch(w.env(), append(g, "watch", "--json")...)
		rw.waitPasses(1, 10*time.Second)
		if err := rw.proc.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		rw.waitPasses(2, 10*time.Second)
		w.want(rw.stop(), 0)

		// remove sticks: the indexes come back only when named again.
		w.want(w.run(cmd("remove")...), 0)
		w.want(w.run(cmd(relBaselineArgs...)...), 0)
	}
}

func relCachedAccessToken(t *testing.T, w *relWorld) string {
	t.Helper()
	var cache map[string]struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(mustRead(t, w.cache()), &cache); err != nil {
		t.Fatal(err)
	}
	tok := cache[mendaClientID].AccessToken
	if tok == "" {
		t.Fatal("no cached m2m access token")
	}
	return tok
}

// relGit runs git in dir with an identity and no user or system config.
func relGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func secretsGitTracked(t *testing.T, kit *testKit) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed")
	}
	w := newRelWorld(t, kit, relWorldOptions{})
	pip := "[global]\ntimeout = 60\nindex-url = " + indexCGR + "\n"
	relWriteFile(t, w.pipConf(), []byte(pip), 0o600)
	relWriteFile(t, w.netrc(), []byte("machine github.com login octocat password ghp_"+leakProbe+"\n"), 0o600)
	// The whole HOME is a dotfiles repository that tracks pip.conf.
	relGit(t, w.home, "init", "-q")
	relGit(t, w.home, "add", ".config/pip/pip.conf")
	relGit(t, w.home, "commit", "-q", "-m", "dotfiles")
	netrcBefore := mustRead(t, w.netrc())

	r := w.run("write")
	w.want(r, 2, regexp.QuoteMeta(w.pipConf())+` is tracked by git`, `--allow-tracked`)
	if string(mustRead(t, w.pipConf())) != pip {
		t.Errorf("a tracked pip.conf was written without --allow-tracked")
	}
	if string(mustRead(t, w.netrc())) != string(netrcBefore) {
		t.Errorf("netrc was written although the run was refused")
	}
	if _, err := os.Stat(w.uvToml()); err == nil {
		t.Errorf("uv.toml was created although the run was refused")
	}
	// When git cannot answer (here it is not installed), credgen refuses
	// rather than take the file for untracked.
	r = w.runBounded(20*time.Second, w.env("PATH=/nonexistent"), "write")
	w.want(r, 2, regexp.QuoteMeta(w.pipConf())+`: cannot tell whether git tracks it \(run git: `, `--allow-tracked`)
	if string(mustRead(t, w.pipConf())) != pip {
		t.Errorf("pip.conf inside a git work tree was written while git could not be run")
	}

	// --no-embed puts no secret in pip.conf: allowed.
	w.want(w.run("write", "--no-embed"), 0)
	if strings.Contains(string(mustRead(t, w.pipConf())), "_token:") {
		t.Errorf("--no-embed wrote a credential into pip.conf")
	}
	// --allow-tracked writes it.
	w.want(w.run("write", "--allow-tracked", "--force"), 0)
	if !strings.Contains(string(mustRead(t, w.pipConf())), "_token:") {
		t.Errorf("--allow-tracked did not embed the credential")
	}
	// An untracked file inside the work tree is fine.
	relGit(t, w.home, "rm", "-q", "--cached", ".config/pip/pip.conf")
	w.want(w.run("write", "--force"), 0)

	// uv.toml as a symlink into a dotfiles repository that tracks it.
	dotfiles := filepath.Join(w.dir, "dotfiles")
	relWriteFile(t, filepath.Join(dotfiles, "uv.toml"), []byte("native-tls = true\n"), 0o600)
	relGit(t, dotfiles, "init", "-q")
	relGit(t, dotfiles, "add", "uv.toml")
	relGit(t, dotfiles, "commit", "-q", "-m", "uv")
	if err := os.MkdirAll(filepath.Dir(w.uvToml()), 0o700); err != nil {
		t.Fatal(err)
	}
	// The runs above gave the index found in pip.conf its uv.toml table.
	if err := os.Remove(w.uvToml()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dotfiles, "uv.toml"), w.uvToml()); err != nil {
		t.Fatal(err)
	}
	w.want(w.run("write", "--force", "--default-index", indexCGR), 2, `uv\.toml is tracked by git`, `--allow-tracked`)
	if string(mustRead(t, filepath.Join(dotfiles, "uv.toml"))) != "native-tls = true\n" {
		t.Errorf("a tracked uv.toml behind a symlink was written")
	}
	// A repository git refuses to read: refused too, with git's reason.
	secretsGitUnreadable(t, w, dotfiles)

	// allow_tracked in the config file.
	relWriteFile(t, w.config(), []byte("allow_tracked = true\n"), 0o600)
	w.want(w.run("write", "--force", "--default-index", indexCGR), 0)
	if !strings.Contains(string(mustRead(t, filepath.Join(dotfiles, "uv.toml"))), "_token:") {
		t.Errorf("allow_tracked = true did not allow the tracked uv.toml")
	}
}

func secretsReadableMendacfg(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	cfg := "[default]\nhost = https://" + mendaHost + "\nauth_type = m2m\nclient_id = " + mendaClientID + "\nclient_secret = " + mendaSecret + "\n"
	relWriteFile(t, w.mendacfg(), []byte(cfg), 0o644)
	r := w.run("write", "--index", indexCA)
	w.want(r, 0, `others can read it`, regexp.QuoteMeta(w.mendacfg()))
	if err := os.Chmod(w.mendacfg(), 0o600); err != nil {
		t.Fatal(err)
	}
	r = w.run("write", "--force")
	w.want(r, 0)
	if strings.Contains(r.stderr, "others can read") {
		t.Errorf("warned about a 0600 mendacfg:\n%s", r.stderr)
	}
}

// secretsGitUnreadable makes the dotfiles repository one git will not read
// and checks that credgen refuses to write secrets into it: as root, the
// repository belongs to another user ("dubious ownership", the sudo case);
// otherwise its .git is broken.
func secretsGitUnreadable(t *testing.T, w *relWorld, dotfiles string) {
	t.Helper()
	gitDir := filepath.Join(dotfiles, ".git")
	want := `fatal: detected dubious ownership`
	if os.Geteuid() == 0 {
		relChownTree(t, dotfiles, 65534, 65534)
		defer relChownTree(t, dotfiles, 0, 0)
	} else {
		saved := gitDir + ".saved"
		if err := os.Rename(gitDir, saved); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = os.RemoveAll(gitDir); _ = os.Rename(saved, gitDir) }()
		relWriteFile(t, gitDir, []byte("gitdir: /nonexistent\n"), 0o600)
		want = `fatal: not a git repository`
	}
	before := mustRead(t, filepath.Join(dotfiles, "uv.toml"))
	r := w.run("write", "--force", "--default-index", indexCGR)
	w.want(r, 2, regexp.QuoteMeta(w.uvToml())+`: cannot tell whether git tracks it \(git ls-files: `+want, `--allow-tracked`)
	if !bytes.Equal(mustRead(t, filepath.Join(dotfiles, "uv.toml")), before) {
		t.Errorf("a uv.toml in a repository git would not read was written")
	}
}

// secretsChainctlStderr: chainctl fails with credentials in its log lines
// (JSON fields, logfmt, an Authorization header; none shaped like a JWT). The
// error credgen prints and records quotes chainctl's stderr without them.
func secretsChainctlStderr(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	leaks := []string{"opaque-leakcanary-access", "v1.leakcanary-refresh", "leakcanary-client-secret", "leakcanary-bearer"}
	r := w.runBounded(20*time.Second, w.env("FAKE_CHAINCTL_MODE=leakyfail", "FAKE_CHAINCTL_LEAKS="+strings.Join(leaks, ",")),
		"write", "--default-index", indexCGR)
	w.want(r, 1, `refresh failed`, `exchange failed`)
	state := string(mustRead(t, w.state()))
	if !strings.Contains(state, "refresh failed") {
		t.Errorf("the state does not record chainctl's error:\n%s", state)
	}
	for _, leak := range leaks {
		if strings.Contains(r.stderr, leak) || strings.Contains(r.stdout, leak) || strings.Contains(state, leak) {
			t.Errorf("chainctl's stderr credential %q reached credgen's output or state:\n%s\n%s", leak, r.stderr, state)
		}
	}
}
