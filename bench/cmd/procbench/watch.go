package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/credgen/credgen/bench/inputs"
)

const (
	// changeTimeout is how long one change may take to reach the netrc
	// before it counts as missed.
	changeTimeout = 5 * time.Second
	// quiet is how long the state file must stay unchanged before the pass a
	// change caused counts as finished (it saves the state, then the
	// schedule), so that each change is its own pass: a change made while a
	// pass runs is not timed (see BENCHMARKS.md, "watch").
	quiet = 200 * time.Millisecond
)

// watchResult is credgen watch at rest and in motion.
type watchResult struct {
	IdleSeconds      float64 `json:"idle_seconds"`
	CPUTicksMs       float64 `json:"idle_cpu_stat_ms"`       // /proc/PID/stat utime+stime, 10 ms steps
	CPUSchedMs       float64 `json:"idle_cpu_schedstat_ms"`  // /proc/PID/task/*/schedstat, ns
	CPUPerMinuteMs   float64 `json:"idle_cpu_ms_per_minute"` // schedstat per 60 s (stat if a thread ended)
	ThreadEnded      bool    `json:"thread_ended_while_idle"`
	WakeupsPerMinute float64 `json:"idle_context_switches_per_minute"`
	IdleRSSMiB       float64 `json:"idle_rss_mib"`
	IdleHWMMiB       float64 `json:"idle_peak_rss_mib"`
	Threads          int     `json:"threads"`
	Changes          int     `json:"changes"`
	Missed           int     `json:"missed"`
	Mints            int     `json:"mints"`
	Latency          summary `json:"latency"`
	BusyRSSMiB       float64 `json:"rss_after_changes_mib"`
	BusyHWMMiB       float64 `json:"peak_rss_after_changes_mib"`
}

// watchRows starts `credgen watch` in a small home, measures it idle, then
// times changes to chainctl's token cache until the rewritten netrc.
func (w *world) watchRows(ctx context.Context, idle time.Duration, changes int) (watchResult, error) {
	var res watchResult
	home, err := w.credgenHome(ctx, "watch", inputs.Small)
	if err != nil {
		return res, err
	}
	cacheFile := filepath.Join(home, ".cache", "chainguard", "oidc-token")
	if err := writeAtomic(cacheFile, []byte("initial\n")); err != nil {
		return res, err
	}
	proc, stop, err := w.startWatch(ctx, home)
	if err != nil {
		return res, err
	}
	defer stop()
	if err := res.measureIdle(proc.Pid, idle); err != nil {
		return res, err
	}
	mintsBefore := chainctlCalls(home)
	statePath := filepath.Join(home, ".local", "state", "credgen", "state.json")
	lat, missed, err := measureLatency(inputs.PathsIn(home), statePath, cacheFile, changes)
	if err != nil {
		return res, err
	}
	res.Changes, res.Missed, res.Latency = changes, missed, summarize(lat)
	res.Mints = chainctlCalls(home) - mintsBefore
	busy, err := sampleProc(proc.Pid)
	if err != nil {
		return res, fmt.Errorf("credgen watch ended during the changes: %w (log: %s)", err, w.path("watch.log"))
	}
	res.BusyRSSMiB, res.BusyHWMMiB = float64(busy.rssKiB)/1024, float64(busy.hwmKiB)/1024
	return res, nil
}

// startWatch runs `credgen watch` in home and returns once its first pass
// is done (its pid is in the state file). stop ends it with SIGTERM.
func (w *world) startWatch(ctx context.Context, home string) (*os.Process, func(), error) {
	logFile, err := os.Create(w.path("watch.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, w.tools.credgen, "watch")
	cmd.Env = w.homeEnv(home)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, nil, fmt.Errorf("start credgen watch: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	}
	statePath := filepath.Join(home, ".local", "state", "credgen", "state.json")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if watchPID(statePath) == cmd.Process.Pid {
			return cmd.Process, stop, nil
		}
	}
	stop()
	return nil, nil, fmt.Errorf("credgen watch did not record itself in %s within 30 s (log: %s)", statePath, w.path("watch.log"))
}

func watchPID(statePath string) int {
	data, err := os.ReadFile(statePath)
	if err != nil {
		return 0
	}
	var st struct {
		Watch *struct {
			PID int `json:"pid"`
		} `json:"watch"`
	}
	if json.Unmarshal(data, &st) != nil || st.Watch == nil {
		return 0
	}
	return st.Watch.PID
}

// measureIdle samples /proc before and after an idle period, after a short
// settle so the start-up pass is not counted.
func (res *watchResult) measureIdle(pid int, idle time.Duration) error {
	time.Sleep(2 * time.Second)
	a, err := sampleProc(pid)
	if err != nil {
		return err
	}
	time.Sleep(idle)
	b, err := sampleProc(pid)
	if err != nil {
		return fmt.Errorf("credgen watch ended while idle: %w", err)
	}
	elapsed := b.at.Sub(a.at)
	perMinute := func(d float64) float64 { return d * float64(time.Minute) / float64(elapsed) }
	res.IdleSeconds = elapsed.Seconds()
	res.CPUTicksMs = ms(b.cpuTicks - a.cpuTicks)
	res.CPUSchedMs = ms(b.cpuSched - a.cpuSched)
	// schedstat is exact but forgets threads that ended; stat counts them but
	// charges whole 10 ms ticks to whoever runs when the tick fires.
	res.ThreadEnded = threadsEnded(a, b)
	res.CPUPerMinuteMs = perMinute(res.CPUSchedMs)
	if res.ThreadEnded {
		res.CPUPerMinuteMs = perMinute(max(res.CPUTicksMs, res.CPUSchedMs))
	}
	res.WakeupsPerMinute = perMinute(float64(b.switches - a.switches))
	res.IdleRSSMiB, res.IdleHWMMiB, res.Threads = float64(b.rssKiB)/1024, float64(b.hwmKiB)/1024, b.threads
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measureLatency rewrites chainctl's token cache `changes` times and times
// each change until the netrc holds a new token. The netrc's folder is
// watched with inotify, with a 20 ms poll as a safety net.
func measureLatency(p inputs.Paths, statePath, cacheFile string, changes int) ([]time.Duration, int, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, 0, err
	}
	defer fw.Close()
	if err := fw.Add(filepath.Dir(p.Netrc)); err != nil {
		return nil, 0, err
	}
	var lat []time.Duration
	missed := 0
	for i := range changes {
		before, err := os.ReadFile(p.Netrc)
		if err != nil {
			return nil, 0, err
		}
		drain(fw)
		start := time.Now()
		if err := writeAtomic(cacheFile, fmt.Appendf(nil, "change %d at %d\n", i, start.UnixNano())); err != nil {
			return nil, 0, err
		}
		d, err := waitChanged(fw, p.Netrc, before, start)
		switch {
		case errors.Is(err, errTimeout):
			missed++
		case err != nil:
			return nil, 0, err
		default:
			lat = append(lat, d)
		}
		waitQuiet(statePath, quiet, changeTimeout)
	}
	return lat, missed, nil
}

// waitQuiet returns once path has not changed for quiet (or after limit).
func waitQuiet(path string, quiet, limit time.Duration) {
	last, _ := os.ReadFile(path)
	stableSince := time.Now()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		now, _ := os.ReadFile(path)
		if !bytes.Equal(now, last) {
			last, stableSince = now, time.Now()
			continue
		}
		if time.Since(stableSince) >= quiet {
			return
		}
	}
}

var errTimeout = errors.New("timed out")

// waitChanged returns how long after start path's content differs from before.
func waitChanged(fw *fsnotify.Watcher, path string, before []byte, start time.Time) (time.Duration, error) {
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	timeout := time.After(changeTimeout)
	for {
		select {
		case ev, ok := <-fw.Events:
			if !ok {
				return 0, errors.New("inotify closed")
			}
			if filepath.Clean(ev.Name) != path {
				continue
			}
		case err := <-fw.Errors:
			return 0, fmt.Errorf("inotify: %w", err)
		case <-poll.C:
		case <-timeout:
			return 0, errTimeout
		}
		now, err := os.ReadFile(path)
		if err == nil && !bytes.Equal(now, before) {
			return time.Since(start), nil
		}
	}
}

func drain(fw *fsnotify.Watcher) {
	for {
		select {
		case <-fw.Events:
		case <-fw.Errors:
		default:
			return
		}
	}
}

// writeAtomic replaces path's content the way a token cache is written:
// temp file in the same folder, then rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
