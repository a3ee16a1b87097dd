package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/engine"
	"github.com/credgen/credgen/internal/keyringcli"
)

// newKeyringSource builds the source from the flags, the environment and the
// config, logging to log (which discards everything below --log-level debug:
// uv shows a keyring's stderr to its user).
func newKeyringSource(cmd *cli.Command, log *slog.Logger) (keyringcli.Source, error) {
	return newEngineLogging(cmd, log)
}

// keyringLinkKey marks a context whose credgen runs under the name keyring.
type keyringLinkKey struct{}

// asKeyringLink turns a run under the name `keyring` (a link to credgen)
// into `credgen keyring ...` and marks ctx, so that what credgen does not
// serve goes on to the next `keyring` on PATH. Other runs are unchanged.
func asKeyringLink(ctx context.Context, args []string) (context.Context, []string) {
	if len(args) == 0 || filepath.Base(args[0]) != keyringcli.Name {
		return ctx, args
	}
	rewritten := append([]string{args[0], "keyring"}, args[1:]...)
	return context.WithValue(ctx, keyringLinkKey{}, true), rewritten
}

func keyringCommand() *cli.Command {
	return &cli.Command{
		Name:  "keyring",
		Usage: "answer uv and pip as the `keyring` command they run (credentials on demand, no files)",
		Description: "Speaks the command line of Python's keyring (25.2 and later): `get SERVICE USERNAME`,\n" +
			"`get SERVICE --mode creds`, `--mode=creds --output=json get SERVICE [USERNAME]`.\n" +
			"`credgen keyring install [DIR]` links DIR/keyring (default ~/.local/bin/keyring) to credgen;\n" +
			"run under that name, credgen hands what it does not serve to the next keyring on PATH.",
		ArgsUsage:       "[keyring's arguments] | install [DIR]",
		SkipFlagParsing: true,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			call, err := newKeyringCall(ctx, cmd)
			if err != nil {
				return err
			}
			if code := call.Run(ctx, cmd.Args().Slice()); code != keyringcli.ExitOK {
				return &exitOnly{code: code}
			}
			return nil
		},
	}
}

// newKeyringCall wires one keyring call to this process: its stdio, its
// environment, its own path, and the engine as the source (built only when
// the call needs a credential).
func newKeyringCall(ctx context.Context, cmd *cli.Command) (*keyringcli.Call, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find credgen's own path: %w", err)
	}
	link, _ := ctx.Value(keyringLinkKey{}).(bool)
	stderr := cmd.Root().ErrWriter
	return &keyringcli.Call{
		Stdio: keyringcli.Stdio{In: os.Stdin, Out: cmd.Root().Writer, Err: stderr},
		Source: func() (keyringcli.Source, error) {
			log, err := keyringLogger(cmd, stderr)
			if err != nil {
				return nil, err
			}
			return newKeyringSource(cmd, log)
		},
		NotServed: engine.ErrNotServed,
		Link:      link,
		Self:      self,
		Environ:   os.Environ(),
	}, nil
}

// keyringLogger logs only at --log-level debug: on success a keyring says
// nothing on stderr, since uv passes it on to its user.
func keyringLogger(cmd *cli.Command, stderr io.Writer) (*slog.Logger, error) {
	if !strings.EqualFold(cmd.String("log-level"), "debug") {
		return slog.New(slog.DiscardHandler), nil
	}
	return newLogger(cmd, stderr)
}
