//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testDiskFaults: an output folder that is read-only, and a full disk under
// an output. credgen fails with a message naming the file, leaves it whole
// and unchanged, leaves no temp file, and the next run converges.
//
// Root ignores file modes, so both faults are real file systems inside a
// private mount namespace of the credgen process (`unshare -m`): a read-only
// bind mount and a full 64 KiB tmpfs. They vanish with the process; nothing
// on the machine is touched. Without that privilege the read-only case runs
// as uid 65534 (or with mode 0555 when not root) and the full-disk case is
// skipped (generator/atomicfile covers it with Options.WriteHook).
func testDiskFaults(t *testing.T, kit *testKit) {
	t.Run("read-only folder", func(t *testing.T) { diskReadOnly(t, kit) })
	t.Run("full disk", func(t *testing.T) { diskFull(t, kit) })
}

// relCanUnshare reports whether credgen can be run in a private mount
// namespace.
func relCanUnshare() bool {
	if os.Geteuid() != 0 {
		return false
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		return false
	}
	return exec.Command("unshare", "-m", "--propagation", "private", "true").Run() == nil
}

// runWrapped runs prefix... credgen args... (prefix: unshare and a shell).
func (w *relWorld) runWrapped(prefix []string, env []string, args ...string) relRun {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	argv := append(append(append([]string{}, prefix...), w.kit.credgen), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, w.home
	out := &relOutput{}
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	start := time.Now()
	err := cmd.Run()
	return w.finish(args, out, err, time.Since(start))
}

func diskReadOnly(t *testing.T, kit *testKit) {
	w, user := faultWorld(t, kit)
	pipDir := filepath.Dir(w.pipConf())
	oldPip, _ := os.ReadFile(w.pipConf())
	args := []string{"write", "--force"}
	var r relRun
	how := "read-only bind mount in a private mount namespace"
	switch {
	case relCanUnshare():
		script := `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" || exit 97; shift; exec "$@"`
		r = w.runWrapped([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", pipDir}, w.env(), args...)
		if r.code == 97 {
			t.Fatalf("could not bind-mount %s read-only; %s", pipDir, r)
		}
	case os.Geteuid() == 0:
		how = "a root-owned 0755 folder, credgen running as uid 65534"
		if err := os.Chmod(pipDir, 0o755); err != nil {
			t.Fatal(err)
		}
		r = w.runAsOther(w.env(), []string{pipDir}, args...)
	default:
		how = "a 0555 folder"
		if err := os.Chmod(pipDir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(pipDir, 0o700)
		r = w.run(args...)
	}
	if r.code == 0 {
		t.Errorf("want a non-zero exit; %s", r)
	}
	w.want(r, r.code, regexp.QuoteMeta(w.pipConf())+`|`+regexp.QuoteMeta(pipDir), `(?i)read-only file system|permission denied`)
	if got, _ := os.ReadFile(w.pipConf()); string(got) != string(oldPip) {
		t.Errorf("pip.conf changed although its folder is read-only")
	}
	if left := relTempFiles(w.home); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	t.Logf("read-only folder (%s): exit %d: %s", how, r.code, lastLine(r.stderr))
	if os.Geteuid() == 0 && !relCanUnshare() {
		relChownTree(t, w.home, 0, 0)
	}
	wantConverges(t, w, user)
}

func diskFull(t *testing.T, kit *testKit) {
	if !relCanUnshare() {
		t.Skip("needs root and unshare -m for a full tmpfs; the atomic writer's own tests inject ENOSPC with Options.WriteHook")
	}
	w, user := faultWorld(t, kit)
	uvDir := filepath.Dir(w.uvToml())
	save := filepath.Join(w.dir, "full-disk")
	relWriteFile(t, filepath.Join(save, "uv.toml"), mustRead(t, w.uvToml()), 0o600)
	script := `d=$1; save=$2; shift 2
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$d" || exit 97
cp -p "$save/uv.toml" "$d/uv.toml" || exit 97
dd if=/dev/zero of="$d/.filler" bs=4096 2>/dev/null
"$@"; rc=$?
ls -A "$d" > "$save/listing"; cp "$d/uv.toml" "$save/uv.toml.after"
exit $rc`
	r := w.runWrapped([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", uvDir, save}, w.env(), "write", "--force")
	if r.code == 97 {
		t.Fatalf("could not mount a full tmpfs on %s; %s", uvDir, r)
	}
	if r.code == 0 {
		t.Errorf("want a non-zero exit on a full disk; %s", r)
	}
	w.want(r, r.code, regexp.QuoteMeta(uvDir), `(?i)no space left on device`)
	if after := mustRead(t, filepath.Join(save, "uv.toml.after")); string(after) != string(mustRead(t, filepath.Join(save, "uv.toml"))) {
		t.Errorf("uv.toml changed on the full disk")
	}
	if listing := strings.Fields(string(mustRead(t, filepath.Join(save, "listing")))); strings.Join(listing, " ") != ".filler uv.toml" {
		t.Errorf("the full file system holds %v after the run, want only .filler and uv.toml (a temp file left?)", listing)
	}
	t.Logf("full disk (64 KiB tmpfs in a private mount namespace): exit %d: %s", r.code, lastLine(r.stderr))
	wantConverges(t, w, user)
}

// wantConverges: after a failed write, a plain `credgen write` puts the same
// credential everywhere and status is happy.
func wantConverges(t *testing.T, w *relWorld, user relUser) {
	t.Helper()
	w.want(w.run("write"), 0)
	w.want(w.run("status"), 0)
	netrc := mustRead(t, w.netrc())
	for host, secret := range relManagedSecrets(netrc) {
		for _, p := range []string{w.pipConf(), w.uvToml()} {
			if !strings.Contains(string(mustRead(t, p)), secret) {
				t.Errorf("after the next run %s does not hold netrc's credential of %s", p, host)
			}
		}
	}
	w.kit.pyCheck(t, w.checks("after a disk fault", user.want, nil))
}
