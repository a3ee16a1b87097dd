package keyringcli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeExecutable creates an executable file (a shell script) at path.
func writeExecutable(t *testing.T, path, script string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

const fakePythonKeyring = "#!/bin/sh\necho \"python keyring: $*\"\n"

func TestNextKeyringSkipsItselfAndWhatCannotRun(t *testing.T) {
	root := t.TempDir()
	self := writeExecutable(t, filepath.Join(root, "opt", "credgen"), "#!/bin/sh\n")
	otherCredgen := writeExecutable(t, filepath.Join(root, "opt2", "credgen"), "#!/bin/sh\n")
	dir := func(name string) string { return filepath.Join(root, name) }
	symlink(t, self, filepath.Join(dir("link1"), "keyring"))
	symlink(t, filepath.Join(dir("link1"), "keyring"), filepath.Join(dir("link-to-link"), "keyring"))
	if err := os.Link(self, filepath.Join(root, "hardlink-keyring")); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(root, "hardlink-keyring"), filepath.Join(dir("hard"), "keyring"))
	symlink(t, otherCredgen, filepath.Join(dir("other-credgen"), "keyring"))
	if err := os.MkdirAll(filepath.Join(dir("a-folder"), "keyring"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir("noexec"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir("noexec"), "keyring"), []byte(fakePythonKeyring), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(root, "missing"), filepath.Join(dir("dangling"), "keyring"))
	python := writeExecutable(t, filepath.Join(dir("python"), "keyring"), fakePythonKeyring)
	writeExecutable(t, filepath.Join(dir("python-later"), "keyring"), fakePythonKeyring)
	cwd := t.TempDir()
	writeExecutable(t, filepath.Join(cwd, "keyring"), fakePythonKeyring)
	t.Chdir(cwd)

	skipped := []string{"", ".", "relative", dir("empty"), dir("link1"), dir("link-to-link"), dir("hard"),
		dir("a-folder"), dir("noexec"), dir("dangling")}
	tests := []struct {
		name string
		path []string
		skip []string
		want string
	}{
		{"the first other keyring", append(skipped, dir("python"), dir("python-later")), []string{self}, python},
		{"nothing runnable", skipped, []string{self}, ""},
		{"another credgen is a keyring like any", []string{dir("link1"), dir("other-credgen"), dir("python")}, []string{self}, filepath.Join(dir("other-credgen"), "keyring")},
		{"unless it handed the call over", []string{dir("link1"), dir("other-credgen"), dir("python")}, []string{otherCredgen, self}, python},
		{"no skip list: the first one", []string{dir("link1"), dir("python")}, nil, filepath.Join(dir("link1"), "keyring")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextKeyring(strings.Join(tt.path, string(filepath.ListSeparator)), tt.skip)
			if got != tt.want {
				t.Errorf("NextKeyring = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSkipListAddsSelfToWhatItWasHanded(t *testing.T) {
	got := SkipList("/a/credgen::/b/credgen", "/c/credgen")
	want := []string{"/a/credgen", "/b/credgen", "/c/credgen"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("SkipList = %q, want %q", got, want)
	}
}

func TestDelegatePassesArgumentsOutputAndExitCode(t *testing.T) {
	script := writeExecutable(t, filepath.Join(t.TempDir(), "keyring"), `#!/bin/sh
printf '%s|' "$@"
printf 'skip=%s\n' "$`+SkipEnv+`"
read -r line
printf 'stdin=%s\n' "$line"
echo "to stderr" >&2
exit 7
`)
	var out, errOut strings.Builder
	stdio := Stdio{In: strings.NewReader("typed password\n"), Out: &out, Err: &errOut}
	env := []string{"PATH=/usr/bin:/bin", SkipEnv + "=/stale"}
	code, err := Delegate(context.Background(), script, []string{"--mode=creds", "get", "svc", "a b"}, stdio, env, []string{"/x/credgen", "/y/credgen"})
	if err != nil {
		t.Fatal(err)
	}
	if code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
	if want := "--mode=creds|get|svc|a b|skip=/x/credgen:/y/credgen\nstdin=typed password\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.String() != "to stderr\n" {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestDelegateReportsASignalAs128PlusIt(t *testing.T) {
	script := writeExecutable(t, filepath.Join(t.TempDir(), "keyring"), "#!/bin/sh\nkill -TERM $$\n")
	code, err := Delegate(context.Background(), script, nil, Stdio{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code != 128+15 {
		t.Errorf("exit code %d, want 143", code)
	}
}

func TestDelegateStopsTheKeyringWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	script := writeExecutable(t, filepath.Join(dir, "keyring"), "#!/bin/sh\ntouch "+started+"\nexec sleep 60\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		code, _ := Delegate(ctx, script, nil, Stdio{}, nil, nil)
		done <- code
	}()
	waitForFile(t, started)
	cancel()
	if code := <-done; code != 128+15 {
		t.Errorf("exit code %d, want 143 (SIGTERM)", code)
	}
}

// waitForFile polls for path to appear, for up to ten seconds.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("gave up waiting for", path)
}
