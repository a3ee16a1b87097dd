//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
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
func testConcurrent(t *testing.T, kit *testKit) {
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
		// A pause between bursts, so that the watch's own passes (it
		// reacts to every burst's writes) run between and into them. The
		// pause is the point: nothing is asserted about it, and every
		// check below runs after the watch has stopped.
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
	for _, host := range []string{hostCGR, hostCA} {
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
