//go:build unix

package childproc

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func shell(t *testing.T, base, script string, vars map[string]string) (*Command, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	return &Command{
		Argv:   []string{"sh", "-c", script},
		Env:    append(os.Environ(), "NETRC=/stale/netrc", "KEEP=kept", "UV_INDEX_X_PASSWORD=stale"),
		Vars:   vars,
		Netrc:  []byte("machine example.com login u password p\n"),
		Base:   base,
		Stdout: &out,
		Stderr: &out,
	}, &out
}

func TestRunGivesTheCommandItsEnvironmentAndCleansUp(t *testing.T) {
	base := t.TempDir()
	script := `printf '%s\n' "$NETRC" "$KEEP" "$UV_INDEX_X_PASSWORD"
cat "$NETRC"
stat -c '%a' "$NETRC" "$(dirname "$NETRC")"
exit 7`
	c, out := shell(t, base, script, map[string]string{"UV_INDEX_X_PASSWORD": "fresh"})
	code, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	if code != 7 {
		t.Errorf("exit code %d, want the command's 7", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("output:\n%s", out.String())
	}
	netrc := lines[0]
	dir := filepath.Base(filepath.Dir(netrc))
	if filepath.Dir(filepath.Dir(netrc)) != base || !strings.HasPrefix(dir, folderPrefix+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("NETRC = %s, want %s/%s<pid>-*/netrc", netrc, base, folderPrefix)
	}
	want := []string{netrc, "kept", "fresh", "machine example.com login u password p", "600", "700"}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	if _, err := os.Stat(filepath.Dir(netrc)); !os.IsNotExist(err) {
		t.Errorf("the private folder is still there: %v", err)
	}
}

// runSignalled starts script, waits for it to create the file "ready",
// sends sig to this process (as kill would to credgen) and returns the
// exit code.
func runSignalled(t *testing.T, script string, sig syscall.Signal, fromTerminal bool) (int, string) {
	t.Helper()
	base, work := t.TempDir(), t.TempDir()
	c, out := shell(t, base, "cd "+work+"\n"+script, nil)
	c.fromTerminal = func(os.Signal) bool { return fromTerminal }
	c.Started = func(int) {
		go func() {
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(filepath.Join(work, "ready")); err == nil {
					_ = syscall.Kill(os.Getpid(), sig)
					return
				}
			}
		}()
	}
	code, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	got, _ := os.ReadFile(filepath.Join(work, "trapped"))
	return code, string(got) + out.String()
}

func TestRunPassesSignalsOn(t *testing.T) {
	cases := []struct {
		name     string
		sig      syscall.Signal
		script   string
		want     int
		trap     string
		terminal bool // the terminal sent it to the command too
	}{
		{"SIGINT trapped", syscall.SIGINT,
			`trap 'echo INT > trapped; exit 5' INT; touch ready; for i in $(seq 200); do sleep 0.05; done; exit 99`, 5, "INT\n", false},
		// Here the test sent it to credgen alone, so the command never
		// gets it and ends on its own.
		{"SIGINT from the terminal: not sent twice", syscall.SIGINT,
			`trap 'echo INT > trapped; exit 5' INT; touch ready; for i in $(seq 10); do sleep 0.05; done; exit 99`, 99, "", true},
		{"SIGTERM trapped: the command's own code", syscall.SIGTERM,
			`trap 'echo TERM > trapped; exit 3' TERM; touch ready; for i in $(seq 200); do sleep 0.05; done; exit 99`, 3, "TERM\n", false},
		{"SIGHUP trapped", syscall.SIGHUP,
			`trap 'echo HUP > trapped; exit 4' HUP; touch ready; for i in $(seq 200); do sleep 0.05; done; exit 99`, 4, "HUP\n", false},
		{"SIGTERM not trapped: 128+15", syscall.SIGTERM, `touch ready; exec sleep 10`, 128 + 15, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, trapped := runSignalled(t, c.script, c.sig, c.terminal)
			if code != c.want || trapped != c.trap {
				t.Errorf("exit %d, trapped %q; want %d, %q", code, trapped, c.want, c.trap)
			}
		})
	}
}

func TestRunReportsACommandThatCannotStart(t *testing.T) {
	base := t.TempDir()
	notExec := filepath.Join(base, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for argv0, want := range map[string]int{"credgen-no-such-command": ExitNotFound, notExec: ExitCannotRun} {
		c := &Command{Argv: []string{argv0}, Base: base}
		_, err := c.Run()
		var ns *NotStartedError
		if !errors.As(err, &ns) || ns.Code != want {
			t.Errorf("%s: err = %v, want exit %d", argv0, err, want)
		}
	}
	if entries, _ := os.ReadDir(base); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestSweepRemovesOnlyFoldersOfDeadProcesses(t *testing.T) {
	base := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := strconv.Itoa(dead.Process.Pid)
	mk := func(name string) string {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, NetrcName), []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(folderPrefix + deadPID + "-123")
	keep := []string{
		mk(folderPrefix + strconv.Itoa(os.Getpid()) + "-456"), // alive: this process
		mk("credgen-exec-notapid-1"),
		mk("someone-elses-" + deadPID + "-1"),
	}
	if err := os.Symlink(stale, filepath.Join(base, folderPrefix+deadPID+"-link")); err != nil {
		t.Fatal(err)
	}
	removed := Sweep(base)
	if len(removed) != 1 || removed[0] != stale {
		t.Errorf("removed %v, want only %s", removed, stale)
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestBase(t *testing.T) {
	if got := Base(func(string) string { return "/run/user/1000" }); got != "/run/user/1000" {
		t.Errorf("Base = %s", got)
	}
	if got := Base(func(string) string { return "" }); got != os.TempDir() {
		t.Errorf("Base = %s, want %s", got, os.TempDir())
	}
}
