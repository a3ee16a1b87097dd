package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/internal/renewal"
)

// runLoop starts Run and stops it when the test ends, checking it returns nil promptly.
func runLoop(t *testing.T, e Engine, opts Options) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger, _ = testLogger(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(eventually):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// oneHost answers every pass with a credential for host minted at the clock's current time when asked
// for (or at start), and the last one otherwise.
func oneHost(clock *fakeClock, host, provider string, lifetime time.Duration) func(PassRequest) PassResult {
	var current HostResult
	return func(req PassRequest) PassResult {
		if current.Host == "" || slices.Contains(req.Mint, host) || slices.Contains(req.MintProviders, provider) {
			current = fresh(host, provider, clock.Now(), lifetime)
		}
		return PassResult{Hosts: []HostResult{current}}
	}
}

// advanceUntilPass fires the loop's timer again and again until a pass happens, within limit, and
// returns the pass and the clock time it took.
func advanceUntilPass(t *testing.T, clock *fakeClock, e *fakeEngine, limit time.Duration) (PassRequest, time.Duration) {
	t.Helper()
	var elapsed time.Duration
	for elapsed <= limit {
		step := clock.armed(t)
		clock.Advance(step)
		elapsed += step
		clock.armed(t) // idle again: a pass, if any, has been recorded
		select {
		case req := <-e.passes:
			return req, elapsed
		default:
		}
	}
	t.Fatalf("no pass within %v", limit)
	return PassRequest{}, 0
}

func TestRunRenewsAtTheScheduledMoment(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	e := newFakeEngine(oneHost(clock, "libraries.cgr.dev", "chainguard", time.Hour))
	runLoop(t, e, Options{Clock: clock, Rand: randLowest})

	if req := e.nextPass(t); len(req.Mint)+len(req.MintProviders) != 0 {
		t.Fatalf("first pass %+v, want a plain write", req)
	}
	if got := clock.armed(t); got != time.Minute {
		t.Errorf("idle loop sleeps %v, want the minimum wake of a minute", got)
	}
	if next := e.lastScheduled()["libraries.cgr.dev"]; !next.Equal(t0.Add(45 * time.Minute)) {
		t.Errorf("Scheduled got %v, want renewal at t0+45m", next)
	}
	req, elapsed := advanceUntilPass(t, clock, e, 2*time.Hour)
	if !slices.Equal(req.Mint, []string{"libraries.cgr.dev"}) || elapsed != 45*time.Minute {
		t.Errorf("pass %+v after %v, want a mint of the host after 45m", req, elapsed)
	}
	// Renewed again a lifetime later, from the new credential.
	if _, elapsed := advanceUntilPass(t, clock, e, 2*time.Hour); elapsed != 45*time.Minute {
		t.Errorf("second renewal after %v, want 45m", elapsed)
	}
}

func TestRunRenewsWithinAMinuteOfWakingFromSleep(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	e := newFakeEngine(oneHost(clock, "libraries.cgr.dev", "chainguard", time.Hour))
	runLoop(t, e, Options{Clock: clock, Rand: randLowest})
	e.nextPass(t)
	clock.armed(t)

	clock.Sleep(3 * time.Hour) // the wall clock jumps; the loop's timer does not fire
	e.noPass(t)
	clock.Advance(time.Minute)
	if req := e.nextPass(t); !slices.Equal(req.Mint, []string{"libraries.cgr.dev"}) {
		t.Errorf("pass after wake-up %+v, want the host re-minted", req)
	}
}

func TestRunFailingHostDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	good := oneHost(clock, "good.cgr.dev", "chainguard", 10*time.Minute)
	e := newFakeEngine(func(req PassRequest) PassResult {
		res := good(req)
		bad := failed(HostResult{Host: "bad.example", Provider: "menda"}, errors.New("HTTP 500"))
		res.Hosts = append(res.Hosts, bad)
		return res
	})
	runLoop(t, e, Options{Clock: clock, Rand: randHighest})
	e.nextPass(t)

	var elapsed time.Duration
	retries := 0
	for {
		req, step := advanceUntilPass(t, clock, e, time.Hour)
		elapsed += step
		if slices.Contains(req.Mint, "good.cgr.dev") {
			break
		}
		if !slices.Equal(req.Mint, []string{"bad.example"}) {
			t.Fatalf("retry pass %+v, want only the failing host", req)
		}
		retries++
	}
	// Highest jitter: renewal at 10m − 2.5m − (1m − 1ns).
	if want := 6*time.Minute + 30*time.Second + time.Nanosecond; elapsed != want {
		t.Errorf("good host renewed after %v, want %v despite the failing one", elapsed, want)
	}
	if retries < 4 {
		t.Errorf("failing host retried %d times in the meantime, want backoff retries", retries)
	}
}

func TestRunFailedFirstPassDoesNotEndWatch(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	e := newFakeEngine(func(PassRequest) PassResult { return PassResult{Err: errors.New("lock timed out")} })
	runLoop(t, e, Options{Clock: clock, Rand: randHighest})
	e.nextPass(t)
	if got := clock.armed(t); got != backoffBase {
		t.Errorf("retry of the failed pass in %v, want %v", got, backoffBase)
	}
	clock.Advance(backoffBase)
	if req := e.nextPass(t); len(req.Mint) != 0 {
		t.Errorf("retry pass %+v, want a plain write", req)
	}
}

func TestRunSIGHUPReloadsThenWrites(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	e := newFakeEngine(oneHost(clock, "libraries.cgr.dev", "chainguard", time.Hour))
	e.reloadErr = errors.New("config.toml: line 3: bad duration")
	log, buf := testLogger(t)
	signals := make(chan os.Signal, 1)
	runLoop(t, e, Options{Clock: clock, Rand: randLowest, Signals: signals, Logger: log})
	e.nextPass(t)
	atStart := e.reloadCount()

	signals <- syscall.SIGALRM // any signal but HUP: defined on every system
	e.noPass(t)
	signals <- syscall.SIGHUP
	if req := e.nextPass(t); len(req.Mint)+len(req.MintProviders) != 0 {
		t.Errorf("pass after SIGHUP %+v, want a plain write", req)
	}
	if n := e.reloadCount() - atStart; n != 1 {
		t.Errorf("reloads after SIGHUP = %d, want 1", n)
	}
	if !strings.Contains(buf.String(), "keeping the last good config") {
		t.Errorf("failed reload not logged:\n%s", buf.String())
	}
}

func TestRunReturnsPromptlyOnCancel(t *testing.T) {
	t.Parallel()
	e := newFakeEngine(func(PassRequest) PassResult { return PassResult{} })
	log, _ := testLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e, Options{Logger: log}) }() // real clock
	e.nextPass(t)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return within 2 s of cancel")
	}
	t.Logf("returned %v after cancel", time.Since(start))
}

// loopFiles are the files a file-reaction test watches, in a temp dir.
type loopFiles struct{ config, output, menda string }

// startFileLoop runs the loop with the real file watcher (and a fake clock for deadlines), watching a
// config, an output and a menda token cache whose folder does not exist yet; it waits for the first pass.
func startFileLoop(t *testing.T, respond func(loopFiles, PassRequest) PassResult) (*fakeEngine, loopFiles, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	files := loopFiles{
		config: filepath.Join(dir, "credgen", "config.toml"),
		output: filepath.Join(dir, ".netrc"),
		menda:  filepath.Join(dir, ".menda", "tokens", "cache", ".token"),
	}
	writeFile(t, files.config, "refresh_before = \"30m\"\n")
	writeFile(t, files.output, "machine a login b password c\n")
	e := newFakeEngine(func(req PassRequest) PassResult { return respond(files, req) })
	e.watched = []Watched{
		{Path: files.config, Kind: Config},
		{Path: files.output, Kind: Output},
		{Path: files.menda, Kind: ProviderInput, Provider: "menda"},
	}
	clock := newFakeClock(t0)
	log, logs := testLogger(t)
	runLoop(t, e, Options{Clock: clock, Rand: randLowest, Logger: log})
	e.nextPass(t)
	clock.armed(t) // idle: the files are watched and their digests taken
	return e, files, logs
}

func noHosts(loopFiles, PassRequest) PassResult { return PassResult{} }

func TestRunProviderInputChangeReMintsThatProvider(t *testing.T) {
	t.Parallel()
	e, files, logs := startFileLoop(t, noHosts)
	const secret = "s3cr3t-access-token"
	writeFile(t, files.menda, `{"default": {"access_token": "`+secret+`"}}`) // ~/.menda did not exist at start
	if req := e.nextPass(t); !slices.Equal(req.MintProviders, []string{"menda"}) {
		t.Errorf("pass %+v, want menda re-minted", req)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("a watched file's content reached the log:\n%s", logs.String())
	}
}

func TestRunConfigChangeReloadsThenWrites(t *testing.T) {
	t.Parallel()
	e, files, _ := startFileLoop(t, noHosts)
	atStart := e.reloadCount()
	atomicWrite(t, files.config, "refresh_before = \"20m\"\n")
	req := e.nextPass(t)
	if n := e.reloadCount() - atStart; len(req.Mint)+len(req.MintProviders) != 0 || n != 1 {
		t.Errorf("pass %+v after %d reloads, want one reload then a plain write", req, n)
	}
}

// Changes made while the first pass runs (watch has just started) are not the
// pass's own: a config edit reloads, a login re-mints.
func TestRunChangesDuringTheFirstPassAreActedOn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "credgen", "config.toml")
	token := filepath.Join(dir, ".menda", "tokens", "cache", ".token")
	writeFile(t, config, "refresh_before = \"30m\"\n")
	var first atomic.Bool
	first.Store(true)
	e := newFakeEngine(func(PassRequest) PassResult {
		if first.CompareAndSwap(true, false) {
			for path, content := range map[string]string{config: "[[index]]\nuurl = 1\n", token: "{}"} {
				if err := replaceFile(path, content); err != nil {
					t.Error(err)
				}
			}
		}
		return PassResult{}
	})
	e.watched = []Watched{{Path: config, Kind: Config}, {Path: token, Kind: ProviderInput, Provider: "menda"}}
	runLoop(t, e, Options{Clock: newFakeClock(t0), Rand: randLowest})
	e.nextPass(t)
	if req := e.nextPass(t); !slices.Equal(req.MintProviders, []string{"menda"}) {
		t.Errorf("pass %+v, want menda re-minted for the login made during the first pass", req)
	}
	if n := e.reloadCount(); n != 2 {
		t.Errorf("reloads = %d, want 2: one as watch starts, one for the edit during the first pass", n)
	}
	e.noPass(t)
}

func TestRunDeletedOutputIsRepairedWithoutMint(t *testing.T) {
	t.Parallel()
	e, files, _ := startFileLoop(t, noHosts)
	if err := os.Remove(files.output); err != nil {
		t.Fatal(err)
	}
	if req := e.nextPass(t); len(req.Mint)+len(req.MintProviders) != 0 {
		t.Errorf("pass %+v, want a repair pass without forced mints", req)
	}
}

func TestRunOwnWritesCauseNoLoop(t *testing.T) {
	t.Parallel()
	passes := 0
	// Every pass rewrites the output and, minting with menda, the menda cache with new content, as the
	// engine and a provider call do; none of it may trigger another pass.
	e, files, _ := startFileLoop(t, func(files loopFiles, req PassRequest) PassResult {
		passes++
		for path, content := range map[string]string{
			files.output: strings.Repeat("machine a login b password c\n", passes),
			files.menda:  strings.Repeat("{}", passes),
		} {
			if err := replaceFile(path, content); err != nil {
				t.Error(err)
			}
		}
		req.AfterMint("menda") // the mint that wrote the menda cache returns
		return PassResult{Hosts: []HostResult{{Host: "ca.example", Provider: "menda", ObtainedAt: t0, Expiry: t0.Add(time.Hour), Renewal: renewal.Rule{Before: 15 * time.Minute}}}}
	})
	e.noPass(t)
	writeFile(t, files.output+".unrelated", "a neighbour changing is not our business")
	e.noPass(t)
	atomicWrite(t, files.output, "machine user login u password p\n") // a user edit: one repair pass
	e.nextPass(t)
	e.noPass(t)
}

// A change that lands while a pass runs for other reasons (here a repair of
// the netrc) is not the pass's own doing and must still be acted on: a login
// to a provider the pass did not mint with re-mints it; a config edit (credgen
// never writes the config) reloads it.
func TestRunChangeDuringAnotherPassIsActedOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		change      func(loopFiles) (path, content string)
		wantMint    []string
		wantReloads int
	}{
		{
			name:     "menda login",
			change:   func(f loopFiles) (string, string) { return f.menda, `{"default": {"access_token": "new-login"}}` },
			wantMint: []string{"menda"},
		},
		{
			name:        "config edit",
			change:      func(f loopFiles) (string, string) { return f.config, "refresh_before = \"10m\"\n" },
			wantReloads: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var changeDuringPass atomic.Bool
			e, files, _ := startFileLoop(t, func(files loopFiles, req PassRequest) PassResult {
				if changeDuringPass.CompareAndSwap(true, false) {
					if err := replaceFile(tt.change(files)); err != nil {
						t.Error(err)
					}
				}
				return PassResult{Hosts: []HostResult{{Host: "ca.example", Provider: "menda", ObtainedAt: t0.Add(-time.Hour), Expiry: t0.Add(time.Hour), Renewal: renewal.Rule{Before: 15 * time.Minute}}}}
			})
			reloads := e.reloadCount()
			changeDuringPass.Store(true)
			atomicWrite(t, files.output, "machine user login u password p\n")
			if req := e.nextPass(t); len(req.MintProviders) != 0 {
				t.Fatalf("first pass %+v, want a repair pass", req)
			}
			if req := e.nextPass(t); !slices.Equal(req.MintProviders, tt.wantMint) {
				t.Errorf("pass %+v, want %v re-minted for the change made during the repair", req, tt.wantMint)
			}
			if n := e.reloadCount() - reloads; n != tt.wantReloads {
				t.Errorf("reloads = %d, want %d", n, tt.wantReloads)
			}
			e.noPass(t)
		})
	}
}

// With an engine that reports each mint (AfterMint), what a provider's own
// calls write before the mint returns is the mint's, and a login after it in
// the same pass (here after a failed mint, the case of ~/.menda appearing
// while watch runs) is acted on.
func TestRunAfterMintSeparatesOwnWritesFromLogins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		loginAfter bool
		wantMint   bool
	}{
		{name: "the mint's own write", loginAfter: false, wantMint: false},
		{name: "a login after a failed mint", loginAfter: true, wantMint: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var trigger atomic.Bool
			e, files, _ := startFileLoop(t, func(files loopFiles, req PassRequest) PassResult {
				if !trigger.CompareAndSwap(true, false) {
					return PassResult{}
				}
				write := func() {
					if err := replaceFile(files.menda, `{"default": {"access_token": "new"}}`); err != nil {
						t.Error(err)
					}
				}
				if !tt.loginAfter {
					write() // the provider's own call writes its cache...
				}
				req.AfterMint("menda") // ...then the mint returns (here: failed)
				if tt.loginAfter {
					write()
				}
				return PassResult{Hosts: []HostResult{{Host: "ca.example", Provider: "menda", MintErr: errors.New("no mendacfg")}}}
			})
			trigger.Store(true)
			atomicWrite(t, files.output, "machine user login u password p\n") // a repair pass, which mints
			e.nextPass(t)
			if !tt.wantMint {
				e.noPass(t)
				return
			}
			if req := e.nextPass(t); !slices.Equal(req.MintProviders, []string{"menda"}) {
				t.Errorf("pass %+v, want menda re-minted for the login after its mint", req)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// atomicWrite replaces path by rename, as editors and credgen do.
func atomicWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := replaceFile(path, content); err != nil {
		t.Fatal(err)
	}
}

func replaceFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func TestRunWakeUpRechecksFilesNoEventReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	token := filepath.Join(dir, "a", "b", ".token")
	writeFile(t, token, "{}")
	e := newFakeEngine(func(PassRequest) PassResult { return PassResult{} })
	e.watched = []Watched{{Path: token, Kind: ProviderInput, Provider: "menda"}}
	clock := newFakeClock(t0)
	runLoop(t, e, Options{Clock: clock, Rand: randLowest})
	e.nextPass(t)
	clock.armed(t)

	// Renaming an ancestor away leaves the inotify watch on the old folder: the new file makes no event.
	if err := os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "a.old")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, token, `{"default": {}}`)
	e.noPass(t)
	clock.Advance(clock.armed(t)) // the next wake-up re-checks every watched file
	if req := e.nextPass(t); !slices.Equal(req.MintProviders, []string{"menda"}) {
		t.Errorf("pass %+v, want menda re-minted", req)
	}
}
