package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/engine"
)

func writeCommand() *cli.Command {
	return &cli.Command{
		Name:  "write",
		Usage: "mint what is due, rewrite the outputs once, exit (cron, CI, before installs)",
		Flags: append(outputFlags(),
			&cli.BoolFlag{Name: "force", Usage: "mint even if the current credentials are fresh"},
		),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			e, err := newEngine(cmd, cmd.Root().ErrWriter)
			if err != nil {
				return err
			}
			pass, err := e.Write(ctx, engine.WriteOptions{Force: cmd.Bool("force"), DryRun: cmd.Bool("dry-run")})
			return finishPass(cmd, pass, err)
		},
	}
}

// finishPass prints a pass's report and returns the error its exit code
// comes from: the run's own, else the hosts that could not be refreshed.
func finishPass(cmd *cli.Command, pass *engine.Pass, err error) error {
	if perr := printReport(cmd.Root().Writer, pass.Report(), cmd.Bool("json"), cmd.Bool("dry-run")); perr != nil {
		return perr
	}
	if err == nil && pass != nil {
		err = pass.Err()
	}
	return err
}

// printReport prints a run's report: JSON under --json, the masked diffs
// under --dry-run, nothing otherwise (the logs on stderr say what happened,
// and cron mails nothing for a quiet run).
func printReport(w io.Writer, rep *engine.Report, asJSON, dryRun bool) error {
	if rep == nil {
		return nil
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if !dryRun {
		return nil
	}
	for _, f := range rep.Files {
		switch {
		case !f.Changed:
			fmt.Fprintf(w, "%s: unchanged\n", f.Path)
		case f.Diff == "":
			fmt.Fprintf(w, "%s: credentials would be renewed (secrets hidden)\n", f.Path)
		default:
			fmt.Fprint(w, f.Diff)
		}
	}
	for _, ix := range rep.Indexes {
		if ix.WouldMint {
			fmt.Fprintf(w, "would mint: %s (%s)\n", ix.URL, ix.Provider)
		}
	}
	return nil
}
