// Command credgen keeps pip, uv, curl and anything else that reads netrc
// authenticated to private Python indexes whose tokens expire.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/engine"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(runProcess(os.Stdout, os.Stderr))
}

// runProcess runs credgen as a process: SIGINT and SIGTERM cancel the run.
func runProcess(stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args, stdout, stderr)
}

// run executes credgen with args and returns the exit code. Errors are
// returned up to here, never passed to os.Exit deeper down, so deferred
// unlocks and temp-file clean-ups always run.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, args = asKeyringLink(ctx, args)
	app := newApp(stdout, stderr)
	err := app.Run(ctx, args)
	if err == nil {
		return engine.ExitOK
	}
	var quiet *exitOnly
	if !errors.As(err, &quiet) {
		fmt.Fprintf(stderr, "credgen: %v\n", err)
	}
	return exitCode(err)
}

// exitOnly ends a command with a code and no message (status uses it: its
// report already said what is wrong).
type exitOnly struct{ code int }

func (e *exitOnly) Error() string { return fmt.Sprintf("exit %d", e.code) }

func exitCode(err error) int {
	var eo *exitOnly
	if errors.As(err, &eo) {
		return eo.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return engine.ExitUsage
	}
	return engine.ExitCode(err)
}

// onUsageError turns urfave/cli's flag errors into exit 2.
func onUsageError(_ context.Context, _ *cli.Command, err error, _ bool) error {
	return &usageError{msg: err.Error()}
}

// strictCommands makes every command (and subcommand) map flag errors to
// exit 2 and refuse arguments it does not take, instead of ignoring them.
func strictCommands(cmds ...*cli.Command) []*cli.Command {
	for _, c := range cmds {
		c.OnUsageError = onUsageError
		if c.ArgsUsage == "" && c.Action != nil {
			action := c.Action
			c.Action = func(ctx context.Context, cmd *cli.Command) error {
				if cmd.Args().Present() {
					return &usageError{msg: fmt.Sprintf("%s takes no arguments, got %q", cmd.FullName(), cmd.Args().Slice())}
				}
				return action(ctx, cmd)
			}
		}
		strictCommands(c.Commands...)
	}
	return cmds
}

// usageError is a command line credgen cannot act on.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func newApp(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:                  "credgen",
		Usage:                 "keep pip, uv and netrc credentials for private Python indexes fresh",
		Version:               version,
		Writer:                stdout,
		ErrWriter:             stderr,
		EnableShellCompletion: true,
		Suggest:               true,
		ExitErrHandler:        func(context.Context, *cli.Command, error) {}, // run() maps errors to exit codes
		OnUsageError:          onUsageError,
		Flags:                 globalFlags(),
		Commands: strictCommands(withJSONFailures(
			writeCommand(),
			watchCommand(),
			statusCommand(),
			doctorCommand(),
			removeCommand(),
			serviceCommand(),
			keyringCommand(),
			execCommand(),
			envCommand(),
			versionCommand(),
		)...),
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return &usageError{msg: fmt.Sprintf("unknown command %q (see credgen --help)", cmd.Args().First())}
			}
			return &usageError{msg: "a command is needed: write, watch, status, doctor, remove, service, keyring, exec, env, version (see credgen --help)"}
		},
	}
}
