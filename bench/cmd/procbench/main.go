// Command procbench measures credgen against the keyring path it replaces,
// as whole processes on this machine: no-op and forced `credgen write`, a
// read-only Go baseline, Debian's `keyring get` with a Chainguard-style
// backend, `pip download` through keyring and through credgen's files, and
// `credgen watch` at rest and in motion. It prints Markdown tables (the ones
// BENCHMARKS.md quotes) and can save everything as JSON. `make bench` builds
// the binaries and runs it.
//
//	procbench -credgen bin/bench/credgen -chainctl bin/bench/chainctl -baseline bin/bench/readbaseline
//	procbench -sections process -runs 60    # re-run only the whole-process rows
//
// Every process runs with a clean environment in a scratch home against the
// fake TLS index (testdata/fakes/pyindex) behind its CONNECT proxy; nothing
// outside the scratch folder is touched. No token is ever printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are procbench's flags.
type options struct {
	tools
	sections  []string
	warmup    int
	runs      int
	pipRuns   int
	idle      time.Duration
	changes   int
	hyperfine string
	keep      bool
	jsonOut   string
	mdOut     string
}

var allSections = []string{"process", "inprocess", "pip", "watch"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "procbench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	var o options
	var sections string
	fs := flag.NewFlagSet("procbench", flag.ContinueOnError)
	fs.StringVar(&o.credgen, "credgen", "bin/bench/credgen", "credgen binary")
	fs.StringVar(&o.chainctl, "chainctl", "bin/bench/chainctl", "fake chainctl (go build ./testdata/cmd/fakechainctl)")
	fs.StringVar(&o.baseline, "baseline", "bin/bench/readbaseline", "read-only baseline (go build ./bench/cmd/readbaseline)")
	fs.StringVar(&o.keyring, "keyring", "/usr/bin/keyring", "keyring CLI (Debian's python3-keyring)")
	fs.StringVar(&o.keyringPython, "keyring-python", "/usr/bin/python3", "the interpreter python3-keyring is installed for")
	fs.StringVar(&o.backend, "backend", "bench/keyring", "folder holding the Chainguard-style keyring backend")
	fs.StringVar(&o.pipPython, "pip-python", "", "interpreter whose pip to run (default: the real path of python3 on PATH)")
	fs.StringVar(&sections, "sections", strings.Join(allSections, ","), "what to run: "+strings.Join(allSections, ","))
	fs.IntVar(&o.warmup, "warmup", 3, "untimed rounds before the timed ones")
	fs.IntVar(&o.runs, "runs", 30, "timed runs per whole-process row")
	fs.IntVar(&o.pipRuns, "pip-runs", 10, "timed runs per pip row")
	fs.DurationVar(&o.idle, "idle", time.Minute, "how long credgen watch is watched idle")
	fs.IntVar(&o.changes, "changes", 100, "token-cache changes timed through credgen watch")
	fs.StringVar(&o.hyperfine, "hyperfine", "auto", "hyperfine for a cross-check of the small rows: auto (if on PATH), off, or a path")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch folder (homes, env, logs) to re-run commands by hand")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.mdOut, "md", "", "also write the Markdown tables to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, s := range strings.Split(sections, ",") {
		if s = strings.TrimSpace(s); !slices.Contains(allSections, s) {
			return o, fmt.Errorf("-sections: unknown section %q", s)
		}
		o.sections = append(o.sections, s)
	}
	return o, o.resolveTools()
}

// resolveTools makes every path absolute (processes run in other folders)
// and checks that each exists.
func (o *options) resolveTools() error {
	if o.pipPython == "" {
		out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
		if err != nil {
			return fmt.Errorf("find python3 for pip: %w", err)
		}
		o.pipPython = strings.TrimSpace(string(out))
	}
	for _, p := range []*string{&o.credgen, &o.chainctl, &o.baseline, &o.keyring, &o.keyringPython, &o.backend, &o.pipPython} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("%w (make bench builds and installs what is needed)", err)
		}
		*p = abs
	}
	if o.hyperfine == "auto" {
		o.hyperfine, _ = exec.LookPath("hyperfine")
	}
	if o.hyperfine == "off" {
		o.hyperfine = ""
	}
	return nil
}

func (o options) wants(section string) bool { return slices.Contains(o.sections, section) }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	start := time.Now()
	res := &results{
		Machine:  describeMachine(ctx, o.tools),
		Settings: settings{Warmup: o.warmup, Runs: o.runs, PipRuns: o.pipRuns, Idle: o.idle.Seconds(), Changes: o.changes},
	}
	w, err := newWorld(o.tools)
	if err != nil {
		return err
	}
	defer w.close(o.keep)
	if err := o.runSections(ctx, w, res); err != nil {
		return err
	}
	res.Machine.LoadAfter = loadavg()
	res.Machine.DurationSec = int(time.Since(start).Seconds())
	res.checkTargets()
	return o.report(res, stdout)
}

func (o options) runSections(ctx context.Context, w *world, res *results) error {
	r := runner{stderrPath: w.path("stderr")}
	var err error
	if o.wants("process") {
		progress("whole processes: %d rounds", o.warmup+o.runs)
		var cmds []command
		if res.Process, cmds, err = w.processRows(ctx, r, o.warmup, o.runs); err != nil {
			return err
		}
		if o.hyperfine != "" {
			progress("hyperfine cross-check")
			small := slices.DeleteFunc(cmds, func(c command) bool {
				return !slices.Contains([]string{idBaseline, idNoop, idForce, idKeyringGet}, c.id)
			})
			// A cross-check, not the measurement: a third of the runs, at least 10.
			if res.Hyperfine, err = hyperfineCheck(ctx, o.hyperfine, w.dir, small, o.warmup, max(o.runs/3, 10)); err != nil {
				return err
			}
		}
	}
	if o.wants("inprocess") {
		progress("in-process write passes: %d rounds", o.warmup+o.runs)
		if res.InProcess, err = w.inProcessRows(ctx, o.warmup, o.runs); err != nil {
			return err
		}
	}
	if o.wants("pip") {
		progress("pip downloads: %d rounds", o.warmup+o.pipRuns)
		if res.Pip, res.PipTraffic, err = w.pipRows(ctx, r, o.warmup, o.pipRuns); err != nil {
			return err
		}
	}
	if o.wants("watch") {
		progress("credgen watch: %s idle, then %d changes", o.idle, o.changes)
		wr, err := w.watchRows(ctx, o.idle, o.changes)
		if err != nil {
			return err
		}
		res.Watch = &wr
	}
	return ctx.Err()
}

func (o options) report(res *results, stdout io.Writer) error {
	var errs []error
	if o.jsonOut != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err == nil {
			err = os.WriteFile(o.jsonOut, append(data, '\n'), 0o644)
		}
		errs = append(errs, err)
	}
	if o.mdOut != "" {
		f, err := os.Create(o.mdOut)
		if err == nil {
			res.writeMarkdown(f)
			err = f.Close()
		}
		errs = append(errs, err)
	}
	res.writeMarkdown(stdout)
	return errors.Join(errs...)
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "procbench: "+format+"\n", args...)
}
