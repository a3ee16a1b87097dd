package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// command is one row of a whole-process table.
type command struct {
	id     string // short key for ratios and targets
	name   string
	path   string
	args   []string
	env    []string
	before func() error // untimed, before each run (e.g. an empty download folder)
	check  func() error // untimed, after each run: did it do its job?
}

// sample is one run of a command. (No peak RSS: a child's ru_maxrss starts
// from this process's RSS, shared until exec, so it says nothing of small
// commands.)
type sample struct {
	wall time.Duration
	cpu  time.Duration // user + system of the process and the children it waited for
}

// row is a command's samples, summarised.
type row struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Wall      summary `json:"wall"`
	CPUMedian float64 `json:"cpu_median_ms"` // -1: not measured
}

// runner runs commands with their stderr in a scratch file (no pipe, no
// copying goroutine in the timed path; and never their stdout, which may be a
// token: it goes to /dev/null).
type runner struct {
	stderrPath string
}

// measure runs every command warmup+runs times, interleaved round by round
// (the order rotating each round) so that changes in the machine's load
// touch every row alike and ratios of medians compare like with like.
func (r runner) measure(ctx context.Context, cmds []command, warmup, runs int) ([]row, error) {
	samples := make([][]sample, len(cmds))
	for round := range warmup + runs {
		for k := range cmds {
			i := (k + round) % len(cmds)
			s, err := r.runOnce(ctx, cmds[i])
			if err != nil {
				return nil, err
			}
			if round >= warmup {
				samples[i] = append(samples[i], s)
			}
		}
	}
	rows := make([]row, len(cmds))
	for i, c := range cmds {
		rows[i] = summarizeRow(c.id, c.name, samples[i])
	}
	return rows, nil
}

func summarizeRow(id, name string, samples []sample) row {
	walls := make([]time.Duration, len(samples))
	cpus := make([]time.Duration, len(samples))
	for i, s := range samples {
		walls[i], cpus[i] = s.wall, s.cpu
	}
	return row{ID: id, Name: name, Wall: summarize(walls), CPUMedian: summarize(cpus).Median}
}

// runOnce runs c once and times it from fork to reaped.
func (r runner) runOnce(ctx context.Context, c command) (sample, error) {
	if c.before != nil {
		if err := c.before(); err != nil {
			return sample{}, fmt.Errorf("%s: prepare: %w", c.name, err)
		}
	}
	stderr, err := os.Create(r.stderrPath)
	if err != nil {
		return sample{}, fmt.Errorf("stderr file: %w", err)
	}
	defer stderr.Close()
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.Env = c.env
	cmd.Stderr = stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w\n%s", c.name, err, r.stderrTail())
	}
	if c.check != nil {
		if err := c.check(); err != nil {
			return sample{}, fmt.Errorf("%s: %w\n%s", c.name, err, r.stderrTail())
		}
	}
	return sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

// stderrTail is the end of the last run's stderr, for an error message (the
// commands measured print no secret on stderr).
func (r runner) stderrTail() string {
	data, err := os.ReadFile(r.stderrPath)
	if err != nil {
		return ""
	}
	const keep = 2000
	s := strings.TrimSpace(string(data))
	if len(s) > keep {
		s = "..." + s[len(s)-keep:]
	}
	return s
}

// call is one in-process row.
type call struct {
	id, name string
	fn       func() error
}

// timeCalls measures in-process calls the same way: interleaved rounds.
func timeCalls(calls []call, warmup, runs int) ([]row, error) {
	samples := make([][]sample, len(calls))
	for round := range warmup + runs {
		for k := range calls {
			i := (k + round) % len(calls)
			start := time.Now()
			if err := calls[i].fn(); err != nil {
				return nil, fmt.Errorf("%s: %w", calls[i].name, err)
			}
			if round >= warmup {
				samples[i] = append(samples[i], sample{wall: time.Since(start)})
			}
		}
	}
	rows := make([]row, len(calls))
	for i, c := range calls {
		rows[i] = summarizeRow(c.id, c.name, samples[i])
		rows[i].CPUMedian = -1 // not measured per call
	}
	return rows, nil
}
