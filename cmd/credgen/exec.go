package main

import (
	"context"
	"errors"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/childproc"
	"github.com/credgen/credgen/internal/engine"
)

func execCommand() *cli.Command {
	firstArgEndsFlags := 1 // COMMAND's own flags are COMMAND's
	return &cli.Command{
		Name:  "exec",
		Usage: "run COMMAND with fresh credentials in its environment and a private netrc (no file written)",
		Description: "COMMAND runs directly (no shell) with NETRC pointing at a private netrc (your entries plus\n" +
			"credgen's, removed when COMMAND ends), UV_INDEX_<NAME>_USERNAME/PASSWORD per index, and with\n" +
			"--publish TWINE_* and UV_PUBLISH_*. SIGINT, SIGTERM and SIGHUP are passed on; credgen exits\n" +
			"with COMMAND's exit code (128 + the signal when a signal ended it).",
		ArgsUsage:    "-- COMMAND [ARG...]",
		StopOnNthArg: &firstArgEndsFlags,
		Flags:        environmentFlags(),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			argv := cmd.Args().Slice()
			if len(argv) == 0 {
				return &usageError{msg: "exec needs a COMMAND: credgen exec [flags] -- COMMAND [ARG...]"}
			}
			env, err := credentialEnvironment(ctx, cmd, os.Getenv)
			if err != nil {
				return err
			}
			vars := map[string]string{}
			for _, v := range env.Vars {
				vars[v.Name] = v.Value
			}
			// The command gets credgen's own terminal and descriptors, not
			// the writers credgen prints through.
			child := &childproc.Command{
				Argv: argv, Env: os.Environ(), Vars: vars, Netrc: env.Netrc,
				Base:  childproc.Base(os.Getenv),
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			}
			code, err := child.Run()
			var notStarted *childproc.NotStartedError
			switch {
			case errors.As(err, &notStarted):
				return &engine.Error{Code: notStarted.Code, Err: err}
			case err != nil:
				return err
			case code != 0:
				return &exitOnly{code: code}
			}
			return nil
		},
	}
}
