package keyringcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Name is the program name uv and pip run.
const Name = "keyring"

// SkipEnv names, for a `keyring` that a credgen hands a call to, the
// executables that already had it (separated like PATH). Each credgen in a
// chain adds itself and skips them all, so two different credgen builds
// linked as `keyring` on one PATH pass a call along instead of back and forth.
const SkipEnv = "CREDGEN_KEYRING_SKIP"

// NextKeyring finds the first `keyring` along pathList (a PATH value) that is
// none of the files in skip: not this program, nor a link to it, nor a
// credgen that handed the call over before. Relative PATH entries (and the
// empty entry, the current folder) are passed over, as Go's exec.LookPath
// refuses them: a call must not run whatever `keyring` sits in the folder a
// tool happens to run in. It returns "" when there is none.
func NextKeyring(pathList string, skip []string) string {
	var skipped []os.FileInfo
	for _, s := range skip {
		if fi, err := os.Stat(s); err == nil {
			skipped = append(skipped, fi)
		}
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		candidate := filepath.Join(dir, Name)
		fi, err := os.Stat(candidate)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		if sameAsAny(fi, skipped) {
			continue
		}
		return candidate
	}
	return ""
}

func sameAsAny(fi os.FileInfo, others []os.FileInfo) bool {
	for _, o := range others {
		if os.SameFile(fi, o) {
			return true
		}
	}
	return false
}

// SkipList reads SkipEnv's value and adds self to it.
func SkipList(envValue, self string) []string {
	var list []string
	for _, p := range filepath.SplitList(envValue) {
		if p != "" {
			list = append(list, p)
		}
	}
	return append(list, self)
}

// HandedBack tells whether self is already in SkipEnv's value: the call
// went round, through a `keyring` further along PATH that runs `keyring`
// again, and handing it on once more would loop.
func HandedBack(envValue, self string) bool {
	me, err := os.Stat(self)
	if err != nil {
		return false
	}
	for _, p := range filepath.SplitList(envValue) {
		if fi, err := os.Stat(p); p != "" && err == nil && os.SameFile(fi, me) {
			return true
		}
	}
	return false
}

// Stdio is the standard input, output and error a delegated call inherits.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// Delegate runs the keyring at path with args, handing it stdio unchanged
// (an *os.File is passed as the same descriptor, so its output reaches the
// caller byte for byte), env plus SkipEnv set to skip, and returns its exit
// code (128+N when a signal N ended it). When ctx ends, the keyring gets
// SIGTERM, then SIGKILL after five seconds.
func Delegate(ctx context.Context, path string, args []string, stdio Stdio, env, skip []string) (int, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.In, stdio.Out, stdio.Err
	cmd.Env = append(withoutVar(env, SkipEnv), SkipEnv+"="+strings.Join(skip, string(filepath.ListSeparator)))
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exitErr.ExitCode(), nil
	}
	return 1, fmt.Errorf("run %s: %w", path, err)
}

func withoutVar(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
