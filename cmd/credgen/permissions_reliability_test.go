//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// testPermissions: outputs are created 0600 in 0700 folders; a looser mode
// is tightened with a warning; symlinked outputs keep their links; root
// writing another user's files keeps their owner.
func testPermissions(t *testing.T, kit *testKit) {
	t.Run("created 0600", func(t *testing.T) {
		w := newRelWorld(t, kit, relWorldOptions{m2m: true})
		w.want(w.run("write", "--default-index", indexCGR, "--index", indexCA), 0)
		for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml(), w.state(), w.cache()} {
			wantMode(t, p, 0o600)
		}
		for _, d := range []string{filepath.Dir(w.pipConf()), filepath.Dir(w.uvToml()), w.stateDir(), filepath.Dir(w.cache())} {
			wantMode(t, d, 0o700|os.ModeDir)
		}
	})
	t.Run("looser mode tightened", func(t *testing.T) {
		w := newRelWorld(t, kit, relWorldOptions{})
		relWriteFile(t, w.pipConf(), []byte("[global]\nindex-url = "+indexCGR+"\n"), 0o644)
		relWriteFile(t, w.netrc(), []byte("machine a.example login me password "+leakProbe+"\n"), 0o664)
		r := w.run("write", "--dry-run")
		w.want(r, 0, `would tighten a file`)
		wantMode(t, w.netrc(), 0o664)
		r = w.run("write")
		w.want(r, 0, `msg="tightened a file`)
		wantMode(t, w.pipConf(), 0o600)
		wantMode(t, w.netrc(), 0o600)
	})
	t.Run("symlinked outputs", func(t *testing.T) {
		w := newRelWorld(t, kit, relWorldOptions{})
		dot := filepath.Join(w.home, "dotfiles")
		relWriteFile(t, filepath.Join(dot, "netrc"), []byte("machine a.example login me password "+leakProbe+"\n"), 0o600)
		relWriteFile(t, filepath.Join(dot, "pip.conf"), []byte("[global]\nindex-url = "+indexCGR+"\n"), 0o600)
		links := map[string]string{
			w.netrc():   "dotfiles/netrc",                    // relative
			w.pipConf(): filepath.Join(dot, "pip.conf"),      // absolute
			w.uvToml():  filepath.Join(dot, "uv", "uv.toml"), // dangling: credgen creates the target
		}
		for link, target := range links {
			if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
		}
		w.want(w.run("write", "--default-index", indexCGR), 0)
		w.want(w.run("write", "--force"), 0)
		for link, target := range links {
			got, err := os.Readlink(link)
			if err != nil || got != target {
				t.Errorf("%s is no longer the link to %s (readlink: %q, %v)", link, target, got, err)
			}
			wantMode(t, link, 0o600) // the target's mode, through the link
			if !strings.Contains(string(mustRead(t, link)), "_token") {
				t.Errorf("%s: the credential was not written through the link", link)
			}
		}
		if left := relTempFiles(w.home); len(left) > 0 {
			t.Errorf("temp files left: %v", left)
		}
	})
	t.Run("owner kept", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give files to another user")
		}
		w := newRelWorld(t, kit, relWorldOptions{})
		relWriteFile(t, w.pipConf(), []byte("[global]\nindex-url = "+indexCGR+"\n"), 0o600)
		relWriteFile(t, w.netrc(), []byte("machine a.example login me password "+leakProbe+"\n"), 0o600)
		w.want(w.run("write", "--default-index", indexCGR), 0)
		// The user's own home (`sudo -E credgen write`): the files and their
		// folders are theirs, so root keeps them theirs. (A file of theirs in
		// a folder they do not own is refused: the engine's tests.)
		for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml(), w.home, filepath.Dir(w.pipConf()), filepath.Dir(w.uvToml())} {
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		w.want(w.run("write", "--force"), 0)
		for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml()} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if st.Uid != 65534 || st.Gid != 65534 {
				t.Errorf("%s: owner %d:%d after root wrote it, want 65534:65534", p, st.Uid, st.Gid)
			}
			wantMode(t, p, 0o600)
		}
	})
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}
