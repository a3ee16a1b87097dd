//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testWatchRetries: a watch whose first mint fails keeps running, logs the
// failure with its next try, and writes the credential once chainctl works.
func testWatchRetries(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	modeFile := filepath.Join(w.dir, "chainctl-mode")
	relWriteFile(t, modeFile, []byte("fail\n"), 0o600)
	env := []string{"FAKE_CHAINCTL_MODE_FILE=" + modeFile}
	args := []string{"watch", "--default-index", indexCGR}
	rw := w.startWatchNoWait(w.env(env...), args...)
	out := rw.out
	rw.waitFor("will retry", 15*time.Second)
	if !strings.Contains(out.stderr.String(), "next_try=") {
		t.Errorf("the failure log does not say when the next try is:\n%s", tail(out.stderr.String(), 10))
	}
	if data, err := os.ReadFile(w.netrc()); err == nil && relMachineCount(data, hostCGR) > 0 {
		t.Errorf("netrc got an entry although every mint failed")
	}
	relWriteFile(t, modeFile, []byte("ok\n"), 0o600)
	fixed := time.Now()
	deadline := fixed.Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(w.netrc())
		if relMachineCount(data, hostCGR) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch did not write the credential within 20 s of chainctl working again:\n%s", tail(out.stderr.String(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	recovered := time.Since(fixed)
	r := rw.stop()
	w.want(r, 0)
	t.Logf("watch: %d failed mints logged with their next try; wrote the credential %s after chainctl recovered",
		strings.Count(r.stderr, "will retry"), recovered.Round(100*time.Millisecond))
}

// relWatch is a running `credgen watch`.
type relWatch struct {
	w     *relWorld
	proc  *os.Process
	out   *relOutput
	args  []string
	start time.Time
	done  chan error
}

// startWatch starts credgen with args (a watch) and waits until it is
// watching; the test's end kills it if it still runs.
func (w *relWorld) startWatch(env []string, args ...string) *relWatch {
	w.t.Helper()
	rw := w.startWatchNoWait(env, args...)
	rw.waitFor("watching", 10*time.Second)
	return rw
}

func (w *relWorld) startWatchNoWait(env []string, args ...string) *relWatch {
	w.t.Helper()
	cmd, out := w.command(context.Background(), env, args...)
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	rw := &relWatch{w: w, proc: cmd.Process, out: out, args: args, start: time.Now(), done: make(chan error, 1)}
	go func() { rw.done <- cmd.Wait() }()
	w.t.Cleanup(func() {
		select {
		case <-rw.done:
		default:
			_ = rw.proc.Kill()
			<-rw.done
		}
	})
	return rw
}

// waitFor waits until the watch's stderr contains s.
func (rw *relWatch) waitFor(s string, timeout time.Duration) {
	rw.w.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(rw.out.stderr.String(), s) {
		if time.Now().After(deadline) {
			rw.w.t.Fatalf("watch did not log %q within %s; stderr:\n%s", s, timeout, tail(rw.out.stderr.String(), 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPasses waits until a watch started with --json has reported at least
// n passes on stdout (one JSON document per pass, one per line).
func (rw *relWatch) waitPasses(n int, timeout time.Duration) {
	rw.w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := len(passReportRe.FindAllStringIndex(rw.out.stdout.String(), -1))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			rw.w.t.Fatalf("watch reported %d passes within %s, want %d; stderr:\n%s", got, timeout, n, tail(rw.out.stderr.String(), 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits (at most 10 s) for the watch to end.
func (rw *relWatch) stop() relRun {
	rw.w.t.Helper()
	if err := rw.proc.Signal(syscall.SIGTERM); err != nil {
		rw.w.t.Fatal(err)
	}
	sent := time.Now()
	var err error
	select {
	case err = <-rw.done:
	case <-time.After(10 * time.Second):
		_ = rw.proc.Kill()
		err = <-rw.done
		rw.w.t.Errorf("watch still running 10 s after SIGTERM")
	}
	r := rw.w.finish(rw.args, rw.out, err, time.Since(sent))
	rw.done <- err // for the cleanup
	return r
}
