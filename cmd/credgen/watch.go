package main

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/engine"
	"github.com/credgen/credgen/watch"
)

func watchCommand() *cli.Command {
	return &cli.Command{
		Name:  "watch",
		Usage: "write, then stay running and keep everything fresh (background refresher)",
		Description: "Runs in the foreground until SIGINT or SIGTERM; SIGHUP reloads the config and writes.\n" +
			"Under --dry-run it shows what the first pass would change and exits. With --json it prints\n" +
			"one JSON document per pass on stdout, one per line.",
		Flags: outputFlags(),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			e, err := newEngine(cmd, cmd.Root().ErrWriter)
			if err != nil {
				return err
			}
			if cmd.Bool("dry-run") {
				pass, err := e.Write(ctx, engine.WriteOptions{DryRun: true})
				if pass != nil {
					pass.Command = "watch"
				}
				return finishPass(cmd, pass, err)
			}
			if cmd.Bool("json") {
				enc := json.NewEncoder(cmd.Root().Writer) // one compact document per line
				e.OnPass = func(rep *engine.Report) {
					if err := enc.Encode(rep); err != nil {
						e.Log.Warn("print the pass report", "err", err)
					}
				}
			}
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			defer e.StopWatch()
			e.Log.Info("watching", "pid", os.Getpid())
			err = watch.Run(ctx, e, watch.Options{Logger: e.Log, Signals: hup})
			e.Log.Info("stopped")
			return err
		},
	}
}
