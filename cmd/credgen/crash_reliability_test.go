//go:build unix

package main

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testCrashKill starts `credgen write --force` again and again against a
// realistic HOME and SIGKILLs it at a random moment. After every kill each
// output, the menda token cache and the state must parse with the
// independent readers and hold every user entry, and each managed host must
// have exactly one netrc entry holding a whole, valid token. The outputs of
// every kill are snapshotted and checked by one Python process at the end.
func testCrashKill(t *testing.T, kit *testKit) {
	kills := relSize(200, 2000)
	w := newRelWorld(t, kit, relWorldOptions{accessTTL: 60 * time.Second, m2m: true})
	user := relUserFiles(30)
	w.install(user)
	w.want(w.run(relBaselineArgs...), 0)

	files := map[string]string{"netrc": w.netrc(), "pip": w.pipConf(), "uv": w.uvToml(), "cache": w.cache(), "state": w.state()}
	names := slices.Sorted(maps.Keys(files))

	// How long a whole run takes: half the kills are spread over that
	// span, the other half aim at the writes near its end.
	var took []time.Duration
	for range 5 {
		r := w.run("write", "--force")
		w.want(r, 0)
		took = append(took, r.took)
	}
	slices.Sort(took)
	span := took[len(took)/2]
	aim := &crashAim{span: span, at: span * 8 / 10}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	snaps := t.TempDir()
	var tally crashTally
	seenTemp := map[string]bool{}
	var checks []relCheck
	for i := range kills {
		before := relHashFiles(files)
		delay := aim.next(i, rng)
		exited := w.killAfter(delay, "write", "--force")
		after := relHashFiles(files)
		var changed []string
		for _, n := range names {
			if before[n] != after[n] {
				changed = append(changed, n)
			}
		}
		var newTemp []string
		for _, p := range relTempFiles(w.home) {
			if !seenTemp[p] {
				seenTemp[p] = true
				newTemp = append(newTemp, p)
				relCheckTempMode(t, p)
			}
		}
		tally.add(exited, changed, len(names), newTemp)
		aim.learn(delay, exited, len(changed) == 0 && len(newTemp) == 0, len(changed) == len(names))

		id := fmt.Sprintf("kill %d (after %s, changed %v, temp %d)", i, delay.Round(time.Microsecond), changed, len(newTemp))
		paths := relSnapshot(t, files, filepath.Join(snaps, fmt.Sprint(i)))
		netrc, err := os.ReadFile(paths["netrc"])
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for _, host := range []string{hostCGR, hostCA} {
			if n := relMachineCount(netrc, host); n != 1 {
				t.Errorf("%s: netrc has %d entries for %s, want 1", id, n, host)
			}
		}
		relCheckTokens(t, id, netrc)
		checks = append(checks, w.checks(id, user.want, paths)...)
		if t.Failed() {
			break
		}
	}
	read := kit.pyCheck(t, checks)

	// A clean run afterwards: everything consistent again, and the temp
	// files the killed runs left (they hold secrets) swept by the next write
	// of the same file once they are stale. The menda cache is not rewritten
	// by this run (its access token is still valid), so its temps may stay.
	stale := time.Now().Add(-2 * time.Minute)
	for _, p := range relTempFiles(w.home) {
		if err := os.Chtimes(p, stale, stale); err != nil {
			t.Fatal(err)
		}
	}
	w.want(w.run("write", "--force"), 0)
	w.want(w.run("status"), 0)
	var left, cacheLeft []string
	for _, p := range relTempFiles(w.home) {
		if strings.HasPrefix(filepath.Base(p), ".token.credgen-") {
			cacheLeft = append(cacheLeft, p)
		} else {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		t.Errorf("a write left %d stale temp files beside what it wrote: %v", len(left), left)
	}
	kit.pyCheck(t, w.checks("after the kills", user.want, nil))
	t.Logf("crash: %d SIGKILLs over a %s run, every output whole and every user entry kept (%d files read back by Python): %s",
		tally.total(), span.Round(time.Millisecond), read, tally)
	t.Logf("crash: %d temp files left by killed runs (all 0600); the next write swept those beside the files it wrote (%d beside the unchanged menda cache remain)", len(seenTemp), len(cacheLeft))
}

// killAfter starts credgen, SIGKILLs it after delay and reports whether it
// had already exited by itself (exit 0 required then).
func (w *relWorld) killAfter(delay time.Duration, args ...string) (exited bool) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, out := w.command(ctx, w.env(), args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	time.Sleep(delay) // the kill's random moment: the wait is the point
	killErr := cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	r := w.finish(args, out, err, time.Since(start))
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return false
	}
	if r.code != 0 {
		w.t.Errorf("an unkilled run failed (kill: %v); %s", killErr, r)
	}
	return true
}

// crashTally counts where the kills landed.
type crashTally struct {
	beforeWrites, midWrite, midWithTemp, afterWrites, exited int
	partial                                                  map[string]int // which files had changed at a mid-write kill
}

func (c *crashTally) add(exited bool, changed []string, all int, newTemp []string) {
	switch {
	case exited:
		c.exited++
	case len(newTemp) > 0:
		c.midWrite++
		c.midWithTemp++
	case len(changed) == 0:
		c.beforeWrites++
	case len(changed) < all:
		c.midWrite++
		if c.partial == nil {
			c.partial = map[string]int{}
		}
		c.partial[strings.Join(changed, "+")]++
	default:
		c.afterWrites++
	}
}

func (c crashTally) total() int {
	return c.beforeWrites + c.midWrite + c.afterWrites + c.exited
}

func (c crashTally) String() string {
	var parts []string
	for k, v := range c.partial {
		parts = append(parts, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d before any write, %d mid-write (%d left a temp file; between renames: %s), %d after every write, %d finished before the signal",
		c.beforeWrites, c.midWrite, c.midWithTemp, strings.Join(parts, " "), c.afterWrites, c.exited)
}

// relHashFiles hashes each named file ("" when missing).
func relHashFiles(files map[string]string) map[string]string {
	out := map[string]string{}
	for name, path := range files {
		if data, err := os.ReadFile(path); err == nil {
			out[name] = string(data)
		}
	}
	return out
}

// relSnapshot copies the files into dir and returns their new paths.
func relSnapshot(t *testing.T, files map[string]string, dir string) map[string]string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("after a kill: %v", err)
		}
		out[name] = filepath.Join(dir, name)
		if err := os.WriteFile(out[name], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// relCheckTempMode: a temp file holds secrets from its first byte, so it
// must be owner-only.
func relCheckTempMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		return // renamed or removed meanwhile
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("temp file %s has mode %04o, want 0600", path, fi.Mode().Perm())
	}
}

// crashAim picks kill delays: even kills uniformly over [0, 1.5 span], odd
// ones around a moment that moves towards the writes (later after a kill
// that landed before any write, earlier after one that landed after them).
type crashAim struct {
	span, at time.Duration
}

func (a *crashAim) next(i int, rng *rand.Rand) time.Duration {
	if i%2 == 0 {
		return time.Duration(rng.Int64N(int64(a.span*3/2) + 1))
	}
	jitter := time.Duration(rng.Int64N(int64(a.span/5)+1)) - a.span/10
	return max(0, a.at+jitter)
}

func (a *crashAim) learn(delay time.Duration, exited, beforeWrites, afterWrites bool) {
	step := a.span / 40
	switch {
	case beforeWrites && delay >= a.at-a.span/10:
		a.at += step
	case exited || afterWrites:
		a.at = max(0, a.at-step)
	}
}
