package main

import (
	"context"
	"encoding/json"
	"io"
	"slices"

	"github.com/urfave/cli/v3"
)

// jsonFailure is what --json prints for a run that ended before it had a
// report (a bad config, an output that does not parse, nothing to manage):
// still one JSON document on stdout, so that a pipe into jq sees why.
type jsonFailure struct {
	Command  string `json:"command"`
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// withJSONFailures makes the commands that take --json print a jsonFailure
// when they fail without having printed anything. (Flag errors stop the run
// before any command, so they are on stderr only.)
func withJSONFailures(cmds ...*cli.Command) []*cli.Command {
	for _, c := range cmds {
		hasJSON := slices.ContainsFunc(c.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), "json") })
		if !hasJSON || c.Action == nil {
			continue
		}
		action := c.Action
		c.Action = func(ctx context.Context, cmd *cli.Command) error {
			root := cmd.Root()
			out := &countingWriter{w: root.Writer}
			root.Writer = out
			err := action(ctx, cmd)
			root.Writer = out.w
			if err != nil && out.n == 0 && cmd.Bool("json") {
				enc := json.NewEncoder(out.w)
				enc.SetIndent("", "  ")
				if perr := enc.Encode(jsonFailure{Command: cmd.Name, Error: err.Error(), ExitCode: exitCode(err)}); perr != nil {
					return perr
				}
			}
			return err
		}
	}
	return cmds
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}
