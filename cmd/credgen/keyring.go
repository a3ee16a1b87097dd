package main

import (
	"context"
	"errors"
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

// keyringSource is what `credgen keyring` answers from: a fresh credential
// for the index or host a SERVICE names. SERVICE is what uv and pip pass: an
// index URL or any URL under one (uv passes the URL it is fetching), or a
// bare host, possibly with a port (both fall back to the host).
type keyringSource interface {
	// Serves tells, without minting anything, whether credgen answers for
	// SERVICE: its host is one a provider recognises, over https.
	Serves(service string) bool
	// Lookup returns a fresh credential for SERVICE, from a cache, from an
	// output credgen manages, or minted. username is "" when the caller
	// named none (--mode creds). An error matching errNotServed (errors.Is)
	// means credgen does not serve SERVICE: another host, http://, or a
	// username that is not the provider's user for that host. Any other error
	// is a failure to mint, secret-free, shown to the user as it is.
	Lookup(ctx context.Context, service, username string) (user, password string, err error)
}

// errNotServed marks a SERVICE credgen does not serve (see keyringSource).
var errNotServed = engine.ErrNotServed

// newKeyringSource builds the source from the flags, the environment and the
// config, logging to log (which discards everything below --log-level debug:
// uv shows a keyring's stderr to its user).
func newKeyringSource(cmd *cli.Command, log *slog.Logger) (keyringSource, error) {
	return newEngineLogging(cmd, log)
}

// Exit codes of keyring's command line: 0 with the credential on stdout, 1
// when there is none (or it could not be had), 2 for a command line its
// parser rejects.
const (
	keyringOK    = 0
	keyringNone  = 1
	keyringUsage = 2
)

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
			if code := call.run(ctx, cmd.Args().Slice()); code != keyringOK {
				return &exitOnly{code: code}
			}
			return nil
		},
	}
}

// keyringCall is one run of `credgen keyring`, with everything it reaches
// outside itself, so tests can give it a fake source and a made-up PATH.
type keyringCall struct {
	stdio   keyringcli.Stdio
	source  func() (keyringSource, error) // built only for a call that needs it
	link    bool                          // run under the name keyring
	self    string                        // this executable
	environ []string
}

func newKeyringCall(ctx context.Context, cmd *cli.Command) (*keyringCall, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find credgen's own path: %w", err)
	}
	link, _ := ctx.Value(keyringLinkKey{}).(bool)
	stderr := cmd.Root().ErrWriter
	return &keyringCall{
		stdio: keyringcli.Stdio{In: os.Stdin, Out: cmd.Root().Writer, Err: stderr},
		source: func() (keyringSource, error) {
			log, err := keyringLogger(cmd, stderr)
			if err != nil {
				return nil, err
			}
			return newKeyringSource(cmd, log)
		},
		link:    link,
		self:    self,
		environ: os.Environ(),
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

// run answers one keyring command line and returns the exit code.
func (k *keyringCall) run(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "install" {
		return k.install(args[1:])
	}
	req, err := keyringcli.Parse(args)
	var usage *keyringcli.UsageError
	switch {
	case errors.As(err, &usage):
		// A line credgen cannot read may be one a newer keyring can.
		return k.handOver(ctx, args, func() int {
			fmt.Fprintf(k.stdio.Err, "%skeyring: error: %s\n", keyringcli.Usage, usage.Msg)
			return keyringUsage
		})
	case err != nil:
		return k.fail(err)
	case req.Help:
		fmt.Fprint(k.stdio.Out, keyringHelp)
		return keyringOK
	case req.ListBackends:
		fmt.Fprintln(k.stdio.Out, "credgen (read-only)")
		return k.handOver(ctx, args, func() int { return keyringOK })
	case req.Disable, req.Operation == keyringcli.OpDiagnose:
		return k.handOver(ctx, args, func() int {
			return k.fail(errors.New("keyring: --disable and diagnose belong to Python's keyring; credgen has nothing to disable or diagnose"))
		})
	case k.link && req.Backend != "":
		// The caller asked for one of Python keyring's backends by name.
		return k.handOver(ctx, args, func() int { return keyringNone })
	}
	src, err := k.source()
	if err != nil {
		return k.fail(err)
	}
	if req.Operation == keyringcli.OpGet {
		return k.get(ctx, src, req, args)
	}
	readOnly := func() int {
		return k.fail(fmt.Errorf("keyring %s: credgen's keyring is read-only: it mints credentials, it does not store them", req.Operation))
	}
	if src.Serves(req.Service) {
		return readOnly()
	}
	return k.handOver(ctx, args, readOnly)
}

// get prints a fresh credential, or exits 1 with nothing on stdout when
// credgen does not serve SERVICE, as keyring does when it has no credential.
func (k *keyringCall) get(ctx context.Context, src keyringSource, req keyringcli.Request, args []string) int {
	user, password, err := src.Lookup(ctx, req.Service, req.Username)
	if err == nil && req.HasUsername && user != req.Username {
		err = errNotServed
	}
	switch {
	case errors.Is(err, errNotServed):
		return k.handOver(ctx, args, func() int { return keyringNone })
	case err != nil:
		return k.fail(err)
	}
	if err := keyringcli.WriteCredential(k.stdio.Out, req, user, password); err != nil {
		return k.fail(fmt.Errorf("write the credential: %w", err))
	}
	return keyringOK
}

// handOver runs the next keyring on PATH with the same arguments when credgen
// runs under the name keyring; otherwise, when there is none, or when the
// call already went through this credgen once, it returns what otherwise
// gives.
func (k *keyringCall) handOver(ctx context.Context, args []string, otherwise func() int) int {
	handedOn := lookupEnv(k.environ, keyringcli.SkipEnv)
	if !k.link || keyringcli.HandedBack(handedOn, k.self) {
		return otherwise()
	}
	skip := keyringcli.SkipList(handedOn, k.self)
	next := keyringcli.NextKeyring(lookupEnv(k.environ, "PATH"), skip)
	if next == "" {
		return otherwise()
	}
	code, err := keyringcli.Delegate(ctx, next, args, k.stdio, k.environ, skip)
	if err != nil {
		return k.fail(err)
	}
	return code
}

func (k *keyringCall) fail(err error) int {
	fmt.Fprintf(k.stdio.Err, "credgen: %v\n", err)
	return keyringNone
}

// install links DIR/keyring (default ~/.local/bin/keyring) to this credgen.
func (k *keyringCall) install(args []string) int {
	if len(args) > 1 {
		fmt.Fprintf(k.stdio.Err, "credgen: keyring install takes at most one folder, got %q\n", args)
		return keyringUsage
	}
	dir, err := installDir(args, k.environ)
	if err != nil {
		return k.fail(err)
	}
	target, err := filepath.EvalSymlinks(k.self)
	if err != nil {
		return k.fail(fmt.Errorf("resolve %s: %w", k.self, err))
	}
	link, unchanged, err := keyringcli.Install(dir, target)
	if errors.Is(err, keyringcli.ErrNotOurs) {
		fmt.Fprintf(k.stdio.Err, "credgen: %v; credgen replaces only its own link: remove it, or install into another folder earlier on PATH\n", err)
		return keyringUsage
	}
	if err != nil {
		return k.fail(err)
	}
	if unchanged {
		fmt.Fprintf(k.stdio.Out, "%s already links to %s\n", link, target)
	} else {
		fmt.Fprintf(k.stdio.Out, "linked %s -> %s\n", link, target)
	}
	k.notePathOrder(link)
	return keyringOK
}

// notePathOrder says when uv and pip would not run the new link: its folder
// is not on PATH, or another keyring comes first.
func (k *keyringCall) notePathOrder(link string) {
	first := keyringcli.NextKeyring(lookupEnv(k.environ, "PATH"), nil)
	linked, lerr := os.Stat(link)
	found, ferr := os.Stat(first)
	switch {
	case first == "":
		fmt.Fprintf(k.stdio.Out, "note: %s is not on PATH; add it so that uv and pip find keyring\n", filepath.Dir(link))
	case lerr == nil && ferr == nil && !os.SameFile(linked, found):
		fmt.Fprintf(k.stdio.Out, "note: uv and pip run %s first; put %s before %s on PATH\n", first, filepath.Dir(link), filepath.Dir(first))
	}
}

func installDir(args, environ []string) (string, error) {
	if len(args) == 1 {
		return filepath.Abs(args[0])
	}
	home := lookupEnv(environ, "HOME")
	if home == "" {
		return "", errors.New("keyring install: HOME is not set; name the folder: credgen keyring install DIR")
	}
	return filepath.Join(home, ".local", "bin"), nil
}

// lookupEnv is os.Getenv over an environment list (the last entry wins, as
// for exec).
func lookupEnv(environ []string, name string) string {
	value := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			value = v
		}
	}
	return value
}

const keyringHelp = keyringcli.Usage + `
credgen answering as Python's keyring: read-only, fresh credentials for the
private indexes credgen serves.

positional arguments:
  {get,set,del,diagnose}  get prints a credential; set and del are refused
  service                 an index URL, a URL under one, or a host
  username                the provider's user for that host

options:
  -h, --help              show this help message and exit
  -p, --keyring-path KEYRING_PATH
                          accepted for compatibility; credgen is the backend
  -b, --keyring-backend KEYRING_BACKEND
                          accepted for compatibility; credgen is the backend
  --list-backends         list keyring backends and exit
  --disable               passed on to the next keyring on PATH
  --mode {password,creds}
                          password: the password alone (needs a username);
                          creds: the username, then the password
  --output {plain,json}   plain: one value per line; json: one object

credgen keyring install [DIR] links DIR/keyring (default ~/.local/bin) to credgen.
`
