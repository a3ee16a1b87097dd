package main

import (
	"context"
	"os"
	"os/signal"
	"slices"
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
			"Under --dry-run it shows what the first pass would change and exits.",
		Flags: slices.DeleteFunc(outputFlags(), func(f cli.Flag) bool { return f.Names()[0] == "json" }),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			e, err := newEngine(cmd, cmd.Root().ErrWriter)
			if err != nil {
				return err
			}
			if cmd.Bool("dry-run") {
				rep, err := e.Write(ctx, engine.WriteOptions{DryRun: true})
				if perr := printReport(cmd.Root().Writer, rep, false, true); perr != nil {
					return perr
				}
				return err
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
