package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/internal/envformat"
)

func envCommand() *cli.Command {
	return &cli.Command{
		Name:  "env",
		Usage: "print fresh credentials as environment variables (sh, fish, powershell, dotenv, json, github)",
		Description: "Prints UV_INDEX_<NAME>_USERNAME/PASSWORD per index, with --publish TWINE_* and UV_PUBLISH_*,\n" +
			"and with --netrc-file NETRC (that file written 0600). It prints secrets, so never to a terminal\n" +
			"unless --reveal. --format github appends them to $GITHUB_ENV, writes the netrc under\n" +
			"$RUNNER_TEMP and prints only ::add-mask:: lines.",
		Flags: append(environmentFlags(),
			&cli.StringFlag{Name: "format", OnlyOnce: true, Value: "sh", Usage: "sh, fish, powershell, dotenv, json or github"},
			&cli.StringFlag{Name: "netrc-file", OnlyOnce: true, Usage: "write the private netrc to `FILE` (0600) and print NETRC"},
			&cli.BoolFlag{Name: "reveal", Usage: "print the secrets even to a terminal"},
		),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return runEnv(ctx, cmd, envStdout{w: cmd.Root().Writer, isTerminal: writerIsTerminal})
		},
	}
}

// envStdout is where env prints, and whether that is a terminal.
type envStdout struct {
	w          io.Writer
	isTerminal func(io.Writer) bool
}

func runEnv(ctx context.Context, cmd *cli.Command, out envStdout) error {
	format, err := envformat.ParseFormat(cmd.String("format"))
	if err != nil {
		return &usageError{msg: "--format: " + err.Error()}
	}
	if err := refuseTerminal(out, format, cmd.Bool("reveal")); err != nil {
		return err
	}
	env, err := credentialEnvironment(ctx, cmd, os.Getenv)
	if err != nil {
		return err
	}
	vars := formatVars(env.Vars)
	if format == envformat.GitHub {
		a := envformat.Actions{EnvFile: os.Getenv("GITHUB_ENV"), TempDir: os.Getenv("RUNNER_TEMP")}
		_, err := a.Export(out.w, vars, env.Netrc)
		return err
	}
	if path := cmd.String("netrc-file"); path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("--netrc-file %s: %w", path, err)
		}
		if _, err := atomicfile.Write(abs, env.Netrc, atomicfile.Options{}); err != nil {
			return fmt.Errorf("write the netrc: %w", err)
		}
		vars = append(vars, envformat.Var{Name: "NETRC", Value: abs})
	}
	return envformat.Print(out.w, format, vars)
}

// refuseTerminal keeps secrets off a screen (and its scrollback, and a
// screen share): env prints to a terminal only with --reveal. The github
// format prints only mask commands.
func refuseTerminal(out envStdout, format envformat.Format, reveal bool) error {
	if reveal || format == envformat.GitHub || !out.isTerminal(out.w) {
		return nil
	}
	return &usageError{msg: "env prints secrets and stdout is a terminal: redirect it (credgen env > FILE, eval \"$(credgen env)\") or add --reveal"}
}

// writerIsTerminal says whether w is a terminal.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
