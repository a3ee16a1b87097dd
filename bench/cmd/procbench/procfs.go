package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100 on
// every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procSample is what /proc says about a process at one moment.
type procSample struct {
	at       time.Time
	cpuTicks time.Duration   // utime+stime of /proc/PID/stat: every thread, dead ones too; 10 ms steps
	cpuSched time.Duration   // sum of /proc/PID/task/*/schedstat run time: live threads, in ns
	tids     map[string]bool // live threads, to tell whether one ended
	switches int64           // voluntary + involuntary context switches of live threads (wake-ups)
	rssKiB   int64           // VmRSS
	hwmKiB   int64           // VmHWM, the peak RSS
	threads  int
}

func sampleProc(pid int) (procSample, error) {
	s := procSample{at: time.Now(), tids: map[string]bool{}}
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	ticks, err := statTicks(filepath.Join(dir, "stat"))
	if err != nil {
		return s, err
	}
	s.cpuTicks = time.Duration(ticks) * clockTick
	status, err := statusFields(filepath.Join(dir, "status"))
	if err != nil {
		return s, err
	}
	s.rssKiB, s.hwmKiB, s.threads = status["VmRSS"], status["VmHWM"], int(status["Threads"])
	tasks, err := os.ReadDir(filepath.Join(dir, "task"))
	if err != nil {
		return s, fmt.Errorf("threads of %d: %w", pid, err)
	}
	for _, t := range tasks {
		run, err := schedRun(filepath.Join(dir, "task", t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		s.cpuSched += run
		s.tids[t.Name()] = true
		if st, err := statusFields(filepath.Join(dir, "task", t.Name(), "status")); err == nil {
			s.switches += st["voluntary_ctxt_switches"] + st["nonvoluntary_ctxt_switches"]
		}
	}
	return s, nil
}

// statTicks is utime+stime of a /proc/PID/stat file.
func statTicks(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, fmt.Errorf("%s: no command name", path)
	}
	fields := strings.Fields(string(data[end+1:]))
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("%s: %d fields", path, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: utime/stime are not numbers", path)
	}
	return utime + stime, nil
}

// statusFields reads the numeric "Key: value [kB]" lines of a status file.
func statusFields(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		words := strings.Fields(val)
		if len(words) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(words[0], 10, 64); err == nil {
			out[key] = n
		}
	}
	return out, sc.Err()
}

// schedRun is the first field of a schedstat file: time spent on a CPU, ns.
func schedRun(path string) (time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("%s: empty", path)
	}
	ns, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return time.Duration(ns), nil
}

// threadsEnded says whether a thread of a is gone in b: its CPU time would
// then be missing from b's schedstat sum.
func threadsEnded(a, b procSample) bool {
	for tid := range a.tids {
		if !b.tids[tid] {
			return true
		}
	}
	return false
}
