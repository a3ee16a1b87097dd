package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// crossCheck is a row timed again by hyperfine, as a check on this
// harness's own timing (not interleaved: one hyperfine run per row).
type crossCheck struct {
	ID     string  `json:"id"`
	Median float64 `json:"hyperfine_median_ms"`
}

// hyperfineCheck runs hyperfine once per command (-N: no shell between it
// and the command) with the command's environment.
func hyperfineCheck(ctx context.Context, hyperfine, scratch string, cmds []command, warmup, runs int) ([]crossCheck, error) {
	var out []crossCheck
	for _, c := range cmds {
		if strings.ContainsAny(c.path+strings.Join(c.args, ""), " \t'\"") {
			return nil, fmt.Errorf("%s: hyperfine -N cannot take arguments with spaces or quotes", c.id)
		}
		export := scratch + "/hyperfine-" + c.id + ".json"
		line := strings.Join(append([]string{c.path}, c.args...), " ")
		cmd := exec.CommandContext(ctx, hyperfine, "-N", "--style", "none", "--warmup", fmt.Sprint(warmup),
			"--runs", fmt.Sprint(runs), "--export-json", export, line)
		cmd.Env = c.env
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("hyperfine %s: %w\n%s", c.id, err, msg)
		}
		median, err := hyperfineMedian(export)
		if err != nil {
			return nil, err
		}
		out = append(out, crossCheck{ID: c.id, Median: median})
	}
	return out, nil
}

func hyperfineMedian(path string) (float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Results []struct {
			Median float64 `json:"median"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Results) != 1 {
		return 0, fmt.Errorf("%s: not a hyperfine export of one command", path)
	}
	return doc.Results[0].Median * 1000, nil
}
