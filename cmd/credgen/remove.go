package main

import (
	"context"

	"github.com/urfave/cli/v3"
)

func removeCommand() *cli.Command {
	return &cli.Command{
		Name:  "remove",
		Usage: "take every credential credgen manages out of the outputs (logout)",
		Flags: append(outputFlags(),
			&cli.BoolFlag{Name: "purge", Usage: "also remove the managed index entries from pip.conf and uv.toml"},
		),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			e, err := newEngine(cmd, cmd.Root().ErrWriter)
			if err != nil {
				return err
			}
			pass, err := e.Remove(ctx, cmd.Bool("purge"), cmd.Bool("dry-run"))
			return finishPass(cmd, pass, err)
		},
	}
}
