package main

import (
	"fmt"
	"io"
	"strings"
)

// results is everything one benchmark run measured.
type results struct {
	Machine    machine       `json:"machine"`
	Settings   settings      `json:"settings"`
	Process    []row         `json:"process,omitempty"`
	Hyperfine  []crossCheck  `json:"hyperfine,omitempty"`
	InProcess  []row         `json:"in_process,omitempty"`
	Pip        []row         `json:"pip,omitempty"`
	PipTraffic []pipTraffic  `json:"pip_traffic,omitempty"`
	Watch      *watchResult  `json:"watch,omitempty"`
	Targets    []targetCheck `json:"targets"`
}

// settings are the knobs of the run, for the record.
type settings struct {
	Warmup  int     `json:"warmup"`
	Runs    int     `json:"runs"`
	PipRuns int     `json:"pip_runs"`
	Idle    float64 `json:"idle_seconds"`
	Changes int     `json:"changes"`
}

// targetCheck is one of the performance targets (the ratios and bounds
// checkTargets lists) against what was measured.
type targetCheck struct {
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

func (r *results) median(id string) (float64, bool) {
	for _, rows := range [][]row{r.Process, r.InProcess, r.Pip} {
		for _, x := range rows {
			if x.ID == id {
				return x.Wall.Median, true
			}
		}
	}
	return 0, false
}

// checkTargets compares the medians with the performance targets; a target whose
// rows were not run this time is left out.
func (r *results) checkTargets() {
	r.Targets = nil
	ratio := func(a, b string) (float64, bool) {
		x, ok1 := r.median(a)
		y, ok2 := r.median(b)
		return x / y, ok1 && ok2 && y > 0
	}
	if q, ok := ratio(idKeyringGet, idNoop); ok {
		r.add("no-op write ≤ 1/40 of one keyring get", fmt.Sprintf("keyring get / no-op write = %.1f× (needs ≥ 40×)", q), q >= 40)
	}
	if q, ok := ratio(idKeyringGet, idLinkWarm); ok {
		r.add("credgen as keyring, warm, ≥ 40× faster than Python keyring get", fmt.Sprintf("keyring get / credgen keyring get (warm) = %.1f× (needs ≥ 40×)", q), q >= 40)
	}
	if q, ok := ratio(idNoop, idBaseline); ok {
		r.add("no-op write within 3× of the read-only Go baseline", fmt.Sprintf("no-op write / baseline = %.2f×", q), q <= 3)
	}
	if q, ok := ratio(idPipKeyring, idPipNetrc); ok {
		r.add("pip download via netrc ≥ 1.3× faster than via keyring", fmt.Sprintf("keyring / netrc = %.2f×", q), q >= 1.3)
	}
	if m, ok := r.median(idInForceLarge); ok {
		msg := fmt.Sprintf("in-process write --force %.1f ms", m)
		if p, ok := r.median(idForceLarge); ok {
			msg += fmt.Sprintf("; whole process %.1f ms", p)
		}
		r.add("10,000-machine netrc + 200-index pip.conf (and uv.toml) rewritten ≤ 25 ms", msg, m <= 25)
	}
	if w := r.Watch; w != nil {
		r.add("idle watch ≤ 10 ms CPU per minute", fmt.Sprintf("%.1f ms/min", w.CPUPerMinuteMs), w.CPUPerMinuteMs <= 10)
		r.add("idle watch RSS ≤ 20 MiB", fmt.Sprintf("%.1f MiB (peak %.1f)", w.IdleRSSMiB, w.IdleHWMMiB), w.IdleRSSMiB <= 20)
		r.add("change-to-rewrite p95 ≤ 500 ms", fmt.Sprintf("p95 %.0f ms (p50 %.0f, %d/%d missed)", w.Latency.P95, w.Latency.Median, w.Missed, w.Changes), w.Latency.P95 <= 500 && w.Missed == 0)
	}
}

func (r *results) add(target, measured string, met bool) {
	r.Targets = append(r.Targets, targetCheck{Target: target, Measured: measured, Met: met})
}

// writeMarkdown renders the results as the tables BENCHMARKS.md quotes.
func (r *results) writeMarkdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "## Run of %s\n\n", m.Date)
	fmt.Fprintf(w, "- machine: %d CPUs, %s, %s RAM, Linux %s\n", m.CPUs, m.CPUModel, m.Memory, m.Kernel)
	fmt.Fprintf(w, "- %s; keyring: %s (%s); pip: %s (%s)\n", m.Go, m.Keyring, m.KeyringPy, m.Pip, m.PipPy)
	fmt.Fprintf(w, "- load average before: %s, after: %s; %d s in all\n", m.LoadBefore, m.LoadAfter, m.DurationSec)
	s := r.Settings
	fmt.Fprintf(w, "- %d warm-up + %d interleaved runs per process row, %d per pip row\n\n", s.Warmup, s.Runs, s.PipRuns)
	if len(r.Process) > 0 {
		fmt.Fprintln(w, "### Whole processes (wall time)")
		r.writeRows(w, r.Process, idNoop, "no-op write")
		r.writeHyperfine(w)
	}
	if len(r.InProcess) > 0 {
		fmt.Fprintln(w, "### credgen's write pass in-process (engine.Write, provider mints instantly)")
		r.writeRows(w, r.InProcess, "", "")
	}
	if len(r.Pip) > 0 {
		fmt.Fprintln(w, "### pip download of the probe package (TLS index via CONNECT proxy, no cache)")
		r.writeRows(w, r.Pip, idPipNetrc, "netrc")
		for _, t := range r.PipTraffic {
			fmt.Fprintf(w, "- %s: %d requests to the index per install, %d answered 401\n", t.ID, t.Requests, t.AuthFailures)
		}
		fmt.Fprintln(w)
	}
	if r.Watch != nil {
		r.writeWatch(w)
	}
	fmt.Fprintln(w, "### Targets (issue 7)")
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, t := range r.Targets {
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.Target, t.Measured, yesNo(t.Met))
	}
}

func (r *results) writeRows(w io.Writer, rows []row, ref, refName string) {
	refMedian, hasRef := r.median(ref)
	head := "| row | median ms | p25–p75 ms | min ms | CPU ms |"
	rule := "|---|---:|---:|---:|---:|"
	if hasRef {
		head += " × " + refName + " |"
		rule += "---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, x := range rows {
		line := fmt.Sprintf("| %s | %.1f | %.1f–%.1f | %.1f | %s |", x.Name, x.Wall.Median, x.Wall.P25, x.Wall.P75, x.Wall.Min, optional(x.CPUMedian))
		if hasRef {
			line += fmt.Sprintf(" %.2f |", x.Wall.Median/refMedian)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
}

func (r *results) writeHyperfine(w io.Writer) {
	if len(r.Hyperfine) == 0 {
		return
	}
	var parts []string
	for _, h := range r.Hyperfine {
		parts = append(parts, fmt.Sprintf("%s %.1f ms", h.ID, h.Median))
	}
	fmt.Fprintf(w, "hyperfine cross-check (medians, one hyperfine run per row): %s\n\n", strings.Join(parts, ", "))
}

func (r *results) writeWatch(w io.Writer) {
	x := r.Watch
	fmt.Fprintln(w, "### credgen watch")
	fmt.Fprintln(w, "| measure | value |")
	fmt.Fprintln(w, "|---|---:|")
	fmt.Fprintf(w, "| idle window | %.1f s |\n", x.IdleSeconds)
	fmt.Fprintf(w, "| idle CPU, /proc/PID/stat utime+stime (10 ms steps) | %.0f ms |\n", x.CPUTicksMs)
	fmt.Fprintf(w, "| idle CPU, sum of /proc/PID/task/*/schedstat | %.2f ms |\n", x.CPUSchedMs)
	fmt.Fprintf(w, "| idle CPU per minute (schedstat; stat if a thread ended: %v) | %.2f ms |\n", x.ThreadEnded, x.CPUPerMinuteMs)
	fmt.Fprintf(w, "| idle context switches per minute (all threads) | %.0f |\n", x.WakeupsPerMinute)
	fmt.Fprintf(w, "| RSS idle (VmRSS) / peak (VmHWM) | %.1f / %.1f MiB |\n", x.IdleRSSMiB, x.IdleHWMMiB)
	fmt.Fprintf(w, "| threads | %d |\n", x.Threads)
	fmt.Fprintf(w, "| token-cache change → new netrc, p50 / p95 / max | %.0f / %.0f / %.0f ms |\n", x.Latency.Median, x.Latency.P95, x.Latency.Max)
	fmt.Fprintf(w, "| changes, missed, chainctl runs | %d, %d, %d |\n", x.Changes, x.Missed, x.Mints)
	fmt.Fprintf(w, "| RSS after the changes / peak | %.1f / %.1f MiB |\n\n", x.BusyRSSMiB, x.BusyHWMMiB)
}

func optional(v float64) string {
	if v < 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

func yesNo(b bool) string {
	if b {
		return "**met**"
	}
	return "**missed**"
}
