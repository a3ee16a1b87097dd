package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/engine"
)

func statusCommand() *cli.Command {
	flags := slices.DeleteFunc(outputFlags(), func(f cli.Flag) bool {
		n := f.Names()[0]
		return n == "dry-run" || n == "allow-tracked" || n == "refresh-before"
	})
	return &cli.Command{
		Name:  "status",
		Usage: "each managed index: provider, user, expiry, where written; never a secret",
		Flags: flags,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			e, err := newEngine(cmd, cmd.Root().ErrWriter)
			if err != nil {
				return err
			}
			rep, err := e.Status(ctx)
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				enc := json.NewEncoder(cmd.Root().Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printStatus(cmd.Root().Writer, rep, time.Now())
			}
			if !rep.Healthy {
				return &exitOnly{code: engine.ExitMint}
			}
			return nil
		},
	}
}

func printStatus(w io.Writer, rep *engine.StatusReport, now time.Time) {
	for _, ix := range rep.Indexes {
		title := ix.URL
		if ix.Default {
			title += " (default)"
		}
		state := "ok"
		if !ix.Healthy {
			state = "NEEDS ATTENTION"
		}
		fmt.Fprintf(w, "%s  [%s]\n", title, state)
		fmt.Fprintf(w, "  provider   %s\n", ix.Provider)
		fmt.Fprintf(w, "  user       %s\n", orDash(ix.Username))
		fmt.Fprintf(w, "  expires    %s\n", when(ix.ExpiresAt, now))
		var written []string
		for _, kind := range config.KnownTargets {
			if p, ok := ix.WrittenTo[kind]; ok {
				written = append(written, kind+" "+p)
			}
		}
		fmt.Fprintf(w, "  written    %s\n", orDash(strings.Join(written, ", ")))
		if len(ix.Missing) > 0 {
			fmt.Fprintf(w, "  missing    %s (run `credgen write`)\n", strings.Join(ix.Missing, ", "))
		}
		if !ix.NextRefresh.IsZero() {
			fmt.Fprintf(w, "  next       %s\n", when(ix.NextRefresh, now))
		}
		if ix.LastError != "" {
			fmt.Fprintf(w, "  last error %s\n", ix.LastError)
		}
	}
	written := map[string]bool{}
	for _, ix := range rep.Indexes {
		written[urlcred.Host(ix.URL)] = true
	}
	for _, c := range rep.Cached {
		if written[c.Host] {
			continue // shown above; keyring, exec and env take it from the cache too
		}
		fmt.Fprintf(w, "cached for keyring, exec and env: %s  user %s  expires %s\n", c.Host, c.Username, when(c.ExpiresAt, now))
	}
	if wt := rep.Watch; wt != nil {
		run := "not running"
		if wt.Running {
			run = "running"
		}
		fmt.Fprintf(w, "watch: pid %d %s (started %s)\n", wt.PID, run, wt.StartedAt.Local().Format(time.RFC3339))
	}
}

func when(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		return fmt.Sprintf("%s (expired %s ago)", t.Local().Format(time.RFC3339), -d)
	}
	return fmt.Sprintf("%s (in %s)", t.Local().Format(time.RFC3339), d)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
