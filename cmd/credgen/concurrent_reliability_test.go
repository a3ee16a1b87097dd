//go:build unix

package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testConcurrent runs 50 `credgen write --force` at once (rounds of them
// under make stress) beside a running `credgen watch`, all sharing one HOME
// and the menda token cache (whose m2m access token lives 60 s, so every
// mint rewrites the cache). Each writer exits 0, or 1 with the lock message;
// afterwards no user entry is lost, each managed host has exactly one netrc
// entry, the cache still holds every key, and status is ok.
func testConcurrent(t *testing.T, kit *relKit) {
	writers, rounds := 50, relSize(1, 4)
	w := newRelWorld(t, kit, relWorldOptions{accessTTL: 60 * time.Second, m2m: true})
	user := relUserFiles(30)
	w.install(user)
	w.want(w.run(relBaselineArgs...), 0)

	watch := w.startWatch(w.env(), "watch")
	counts := map[string]int{}
	for round := range rounds {
		for code, n := range w.parallelWrites(writers) {
			counts[code] += n
		}
		// The watch gets its managed entries back after each burst.
		time.Sleep(1500 * time.Millisecond)
		if t.Failed() {
			t.Fatalf("round %d failed", round)
		}
	}
	stopped := watch.stop()
	w.want(stopped, 0)
	if stopped.took > 2*time.Second {
		t.Errorf("watch took %s to stop after SIGTERM, want < 2s", stopped.took)
	}

	netrc, err := os.ReadFile(w.netrc())
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{relHostCGR, relHostCA} {
		if n := relMachineCount(netrc, host); n != 1 {
			t.Errorf("netrc has %d entries for %s, want 1", n, host)
		}
	}
	relCheckTokens(t, "after the writers", netrc)
	if left := relTempFiles(w.home); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	kit.pyCheck(t, w.checks("after the writers", user.want, nil))
	w.want(w.run("status"), 0)
	if relStress() {
		lockTimeout(t, w)
	}
	t.Logf("concurrency: %d writers (%d rounds of %d) beside a watch: %d exited 0, %d waited out the lock (exit 1); watch: %d mints, stopped in %s",
		writers*rounds, rounds, writers, counts["0"], counts["lock"], strings.Count(stopped.stderr, "msg=minted"), stopped.took.Round(time.Millisecond))
}

// lockTimeout: a writer that cannot get the lock for 30 s exits 1 with the
// lock message and writes nothing (make stress only: the wait has no knob).
func lockTimeout(t *testing.T, w *relWorld) {
	f, err := os.OpenFile(filepath.Join(w.stateDir(), "credgen.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	before := relTree(t, w.home)
	r := w.run("write", "--force")
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	w.want(r, 1, relLockMsg)
	if r.took < 29*time.Second || r.took > 40*time.Second {
		t.Errorf("the lock wait took %s, want about 30 s", r.took)
	}
	for _, d := range relTreeDiff(before, relTree(t, w.home), nil) {
		t.Errorf("a writer that never got the lock changed HOME: %s", d)
	}
}

// testMendaCacheKey: SPEC.md, identity 2: for a mendacfg profile the
// token-cache key is the profile id, m2m profiles included (only the
// MENDA_* environment trio uses the client id).
func testMendaCacheKey(t *testing.T, kit *relKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	relWriteFile(t, w.mendacfg(), []byte("[ci]\nhost = https://"+relMendaHost+"\nauth_type = m2m\nclient_id = "+relClientID+"\nclient_secret = "+relClientSecret+"\n"), 0o600)
	w.want(w.runEnv(w.env("MENDA_PROFILE_ID=ci"), "write", "--index", relIndexCA), 0)
	var cache map[string]json.RawMessage
	if err := json.Unmarshal(mustRead(t, w.cache()), &cache); err != nil {
		t.Fatal(err)
	}
	if _, ok := cache["ci"]; !ok {
		keys := slices.Sorted(maps.Keys(cache))
		t.Errorf("the m2m access token of mendacfg profile \"ci\" is cached under %q, want the profile id \"ci\" (SPEC.md: Menda identity 2, token-cache key = profile id)", keys)
	}
}

// parallelWrites starts n writers together and checks each one's exit.
func (w *relWorld) parallelWrites(n int) map[string]int {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := []string{"write", "--force"}
			cmd, out := w.command(ctx, w.env(), args...)
			<-start
			t0 := time.Now()
			r := w.finish(args, out, cmd.Run(), time.Since(t0))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.code == 0:
				counts["0"]++
			case r.code == 1 && strings.Contains(r.stderr, relLockMsg):
				counts["lock"]++
			default:
				w.t.Errorf("a parallel writer failed; %s", r)
			}
		}()
	}
	close(start)
	wg.Wait()
	return counts
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
