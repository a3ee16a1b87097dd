//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// Commands for scripts that run `credgen watch` in the background and wait
// for what it does. A script never sleeps and then asserts that nothing
// happened (that passes when watch is merely slow): it waits for the event
// that must come first (a pass reported, a log line, a file's content), then
// asserts. Timeouts are generous upper bounds so that a loaded CI machine
// does not fail them; the measured latencies are logged, and BENCHMARKS.md
// measures them properly.
func watchCommands() map[string]func(*testscript.TestScript, bool, []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"append":        cmdAppend,
		"wait-chainctl": cmdWaitChainctl,
		"wait-menda":    cmdWaitMenda,
		"wait-grep":     cmdWaitGrep,
		"wait-log":      cmdWaitLog,
		"wait-passes":   cmdWaitPasses,
		"netrc-monitor": cmdNetrcMonitor,
		"watch-pid":     cmdWatchPID,
		"wait-token":    cmdWaitToken,
	}
}

// append FILE TEXT: what a user's editor does, in place (not atomically).
func cmdAppend(ts *testscript.TestScript, neg bool, args []string) {
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	ts.Check(err)
	_, err = f.WriteString(strings.ReplaceAll(args[1], `\n`, "\n"))
	ts.Check(err)
	ts.Check(f.Close())
}

// waitFor polls cond until it holds or timeout passes, and logs how long it took.
func waitFor(ts *testscript.TestScript, what string, timeout time.Duration, cond func() bool) {
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			ts.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Logf("%s after %s", what, time.Since(start).Round(time.Millisecond))
}

func timeoutArg(ts *testscript.TestScript, args []string, i int, def time.Duration) time.Duration {
	if len(args) <= i {
		return def
	}
	d, err := time.ParseDuration(args[i])
	ts.Check(err)
	return d
}

// wait-chainctl N [TIMEOUT]: until the fake chainctl has run at least N times.
func cmdWaitChainctl(ts *testscript.TestScript, neg bool, args []string) {
	want, _ := strconv.Atoi(args[0])
	waitFor(ts, fmt.Sprintf("chainctl ran %d times", want), timeoutArg(ts, args, 1, 10*time.Second), func() bool {
		return worldOf(ts).chainctlCalls() >= want
	})
}

// wait-menda oauth|registry N [TIMEOUT]
func cmdWaitMenda(ts *testscript.TestScript, neg bool, args []string) {
	want, _ := strconv.Atoi(args[1])
	ep := mendacloud.Endpoint(args[0])
	waitFor(ts, fmt.Sprintf("menda-cloud %s called %d times", ep, want), timeoutArg(ts, args, 2, 10*time.Second), func() bool {
		return worldOf(ts).menda.Calls(ep) >= want
	})
}

// wait-grep FILE REGEXP [TIMEOUT]: until FILE exists and matches (negated:
// until it does not match).
func cmdWaitGrep(ts *testscript.TestScript, neg bool, args []string) {
	re := regexp.MustCompile("(?m)" + args[1])
	what := fmt.Sprintf("%s matches %q", args[0], args[1])
	if neg {
		what = "no longer: " + what
	}
	waitFor(ts, what, timeoutArg(ts, args, 2, 10*time.Second), func() bool {
		data, err := os.ReadFile(ts.MkAbs(args[0]))
		return (err == nil && re.Match(data)) != neg
	})
}

// wait-token FILE [TIMEOUT]: until FILE holds the token the fake chainctl
// issued last (the pass after that mint has written it).
func cmdWaitToken(ts *testscript.TestScript, neg bool, args []string) {
	waitFor(ts, args[0]+" holds chainctl's latest token", timeoutArg(ts, args, 1, 10*time.Second), func() bool {
		tokens := chainctlTokens(ts.Getenv("FAKE_CHAINCTL_LOG"))
		data, err := os.ReadFile(ts.MkAbs(args[0]))
		return err == nil && len(tokens) > 0 && strings.Contains(string(data), tokens[len(tokens)-1])
	})
}

// wait-log REGEXP [TIMEOUT]: until what credgen printed so far (every
// credgen process of the script, stdout and stderr, as the leak check reads
// it) matches.
func cmdWaitLog(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || neg {
		ts.Fatalf("usage: wait-log REGEXP [TIMEOUT]")
	}
	re := regexp.MustCompile("(?m)" + args[0])
	out := worldOf(ts).output()
	waitFor(ts, fmt.Sprintf("credgen printed %q", args[0]), timeoutArg(ts, args, 1, 10*time.Second), func() bool {
		data, _ := os.ReadFile(out)
		return re.Match(data)
	})
}

// passReportRe is the start of the one-line JSON document `credgen watch
// --json` prints on stdout after each pass.
var passReportRe = regexp.MustCompile(`(?m)^\{"command":"watch"`)

// wait-passes N [TIMEOUT]: until the running `credgen watch --json` has
// printed at least N pass reports in all (the first pass is 1).
func cmdWaitPasses(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || neg {
		ts.Fatalf("usage: wait-passes N [TIMEOUT]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	out := worldOf(ts).output()
	got := 0
	waitFor(ts, fmt.Sprintf("watch reported pass %d", want), timeoutArg(ts, args, 1, 10*time.Second), func() bool {
		data, _ := os.ReadFile(out)
		got = len(passReportRe.FindAllIndex(data, -1))
		return got >= want
	})
	if got > want {
		ts.Logf("watch has reported %d passes", got)
	}
}

// netrcMonitor samples a netrc while watch runs: every token credgen put
// there for host must be unexpired whenever it is read.
type netrcMonitor struct {
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	tokens  map[string]bool
	expired int
	missing int
	samples int
}

var machineRe = regexp.MustCompile(`(?m)^machine (\S+) login \S+ password (\S+)`)

// netrc-monitor start HOST FILE | stop MIN_DISTINCT_TOKENS
func cmdNetrcMonitor(ts *testscript.TestScript, neg bool, args []string) {
	f := worldOf(ts)
	switch args[0] {
	case "start":
		host, path := args[1], ts.MkAbs(args[2])
		m := &netrcMonitor{stop: make(chan struct{}), done: make(chan struct{}), tokens: map[string]bool{}}
		f.monitor = m
		go m.run(host, path)
	case "stop":
		m := f.monitor
		close(m.stop)
		<-m.done
		want, _ := strconv.Atoi(args[1])
		ts.Logf("netrc monitor: %d samples, %d distinct tokens, %d expired, %d without the entry", m.samples, len(m.tokens), m.expired, m.missing)
		if m.expired > 0 || m.missing > 0 {
			ts.Fatalf("the netrc held an expired token %d times and no entry %d times", m.expired, m.missing)
		}
		if len(m.tokens) < want {
			ts.Fatalf("saw %d distinct tokens, want at least %d", len(m.tokens), want)
		}
	}
}

func (m *netrcMonitor) run(host, path string) {
	defer close(m.done)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
		}
		data, err := os.ReadFile(path)
		m.mu.Lock()
		m.samples++
		found := false
		for _, match := range machineRe.FindAllStringSubmatch(string(data), -1) {
			if err != nil || match[1] != host {
				continue
			}
			found = true
			m.tokens[match[2]] = true
			if _, verr := faketoken.Verify(match[2], time.Now()); verr != nil {
				m.expired++
			}
		}
		if !found {
			m.missing++
		}
		m.mu.Unlock()
	}
}

// watch-pid save | signal HUP|TERM|INT | gone TIMEOUT: the running watch's
// pid, from the state file; "signal" sends it a signal (testscript's kill
// knows only INT and KILL); "gone" waits until that process has exited (a
// zombie counts as exited).
func cmdWatchPID(ts *testscript.TestScript, neg bool, args []string) {
	f := worldOf(ts)
	switch args[0] {
	case "save":
		var st struct{ Watch *struct{ PID int } }
		path := f.state()
		waitFor(ts, "watch recorded its pid", 10*time.Second, func() bool {
			data, _ := os.ReadFile(path)
			return json.Unmarshal(data, &st) == nil && st.Watch != nil && st.Watch.PID > 0
		})
		f.watchPID = st.Watch.PID
	case "signal":
		sig := map[string]syscall.Signal{"HUP": syscall.SIGHUP, "TERM": syscall.SIGTERM, "INT": syscall.SIGINT}[args[1]]
		if sig == 0 || f.watchPID == 0 {
			ts.Fatalf("usage: watch-pid save first, then watch-pid signal HUP|TERM|INT")
		}
		ts.Check(syscall.Kill(f.watchPID, sig))
	case "gone":
		pid := f.watchPID
		waitFor(ts, fmt.Sprintf("watch (pid %d) exited", pid), timeoutArg(ts, args, 1, 2*time.Second), func() bool {
			return processGone(pid)
		})
	}
}
