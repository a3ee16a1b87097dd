package keyringcli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Source is what a keyring call answers from: a fresh credential for the
// index or host a SERVICE names. SERVICE is what uv and pip pass: an index
// URL or any URL under one (uv passes the URL it is fetching), or a bare
// host, possibly with a port (both fall back to the host).
type Source interface {
	// Serves tells, without minting anything, whether the source answers
	// for SERVICE: its host is one a provider recognises, over https.
	Serves(service string) bool
	// Lookup returns a fresh credential for SERVICE, from a cache, from an
	// output the program manages, or minted. username is "" when the caller
	// named none (--mode creds). An error matching the call's NotServed
	// (errors.Is) means the source does not serve SERVICE: another host,
	// http://, or a username that is not the provider's user for that host.
	// Any other error is a failure to mint, secret-free, shown to the user
	// as it is.
	Lookup(ctx context.Context, service, username string) (user, password string, err error)
}

// Exit codes of keyring's command line: 0 with the credential on stdout, 1
// when there is none (or it could not be had), 2 for a command line its
// parser rejects.
const (
	ExitOK    = 0
	ExitNone  = 1
	ExitUsage = 2
)

// Call is one run of `credgen keyring`, with everything it reaches outside
// itself, so that tests can give it a fake source and a made-up PATH.
type Call struct {
	Stdio Stdio
	// Source is built only for a call that needs it.
	Source func() (Source, error)
	// NotServed is the error (matched with errors.Is) by which Source's
	// Lookup says it does not serve a SERVICE. When nil, every error of
	// Lookup is a failure.
	NotServed error
	// Link is set when the program runs under the name keyring: what it does
	// not serve then goes on to the next keyring on PATH.
	Link    bool
	Self    string // this executable
	Environ []string
}

// Run answers one keyring command line and returns the exit code.
func (c *Call) Run(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "install" {
		return c.install(args[1:])
	}
	req, err := Parse(args)
	var usage *UsageError
	switch {
	case errors.As(err, &usage):
		// A line credgen cannot read may be one a newer keyring can.
		return c.handOver(ctx, args, func() int {
			fmt.Fprintf(c.Stdio.Err, "%skeyring: error: %s\n", Usage, usage.Msg)
			return ExitUsage
		})
	case err != nil:
		return c.fail(err)
	case req.Help:
		fmt.Fprint(c.Stdio.Out, Help)
		return ExitOK
	case req.ListBackends:
		fmt.Fprintln(c.Stdio.Out, "credgen (read-only)")
		return c.handOver(ctx, args, func() int { return ExitOK })
	case req.Disable, req.Operation == OpDiagnose:
		return c.handOver(ctx, args, func() int {
			return c.fail(errors.New("keyring: --disable and diagnose belong to Python's keyring; credgen has nothing to disable or diagnose"))
		})
	case c.Link && req.Backend != "":
		// The caller asked for one of Python keyring's backends by name.
		return c.handOver(ctx, args, func() int { return ExitNone })
	}
	src, err := c.Source()
	if err != nil {
		return c.fail(err)
	}
	if req.Operation == OpGet {
		return c.get(ctx, src, req, args)
	}
	readOnly := func() int {
		return c.fail(fmt.Errorf("keyring %s: credgen's keyring is read-only: it mints credentials, it does not store them", req.Operation))
	}
	if src.Serves(req.Service) {
		return readOnly()
	}
	return c.handOver(ctx, args, readOnly)
}

// get prints a fresh credential, or exits 1 with nothing on stdout when
// credgen does not serve SERVICE, as keyring does when it has no credential.
func (c *Call) get(ctx context.Context, src Source, req Request, args []string) int {
	user, password, err := src.Lookup(ctx, req.Service, req.Username)
	switch {
	case c.notServed(err), err == nil && req.HasUsername && user != req.Username:
		return c.handOver(ctx, args, func() int { return ExitNone })
	case err != nil:
		return c.fail(err)
	}
	if err := WriteCredential(c.Stdio.Out, req, user, password); err != nil {
		return c.fail(fmt.Errorf("write the credential: %w", err))
	}
	return ExitOK
}

// notServed tells whether err is the source saying it does not serve a
// SERVICE (a nil NotServed would otherwise match a nil err).
func (c *Call) notServed(err error) bool {
	return err != nil && c.NotServed != nil && errors.Is(err, c.NotServed)
}

// handOver runs the next keyring on PATH with the same arguments when credgen
// runs under the name keyring; otherwise, when there is none, or when the
// call already went through this credgen once, it returns what otherwise
// gives.
func (c *Call) handOver(ctx context.Context, args []string, otherwise func() int) int {
	handedOn := lookupEnv(c.Environ, SkipEnv)
	if !c.Link || HandedBack(handedOn, c.Self) {
		return otherwise()
	}
	skip := SkipList(handedOn, c.Self)
	next := NextKeyring(lookupEnv(c.Environ, "PATH"), skip)
	if next == "" {
		return otherwise()
	}
	code, err := Delegate(ctx, next, args, c.Stdio, c.Environ, skip)
	if err != nil {
		return c.fail(err)
	}
	return code
}

func (c *Call) fail(err error) int {
	fmt.Fprintf(c.Stdio.Err, "credgen: %v\n", err)
	return ExitNone
}

// install links DIR/keyring (default ~/.local/bin/keyring) to this credgen.
func (c *Call) install(args []string) int {
	if len(args) > 1 {
		fmt.Fprintf(c.Stdio.Err, "credgen: keyring install takes at most one folder, got %q\n", args)
		return ExitUsage
	}
	dir, err := installDir(args, c.Environ)
	if err != nil {
		return c.fail(err)
	}
	target, err := filepath.EvalSymlinks(c.Self)
	if err != nil {
		return c.fail(fmt.Errorf("resolve %s: %w", c.Self, err))
	}
	link, unchanged, err := Install(dir, target)
	if errors.Is(err, ErrNotOurs) {
		fmt.Fprintf(c.Stdio.Err, "credgen: %v; credgen replaces only its own link: remove it, or install into another folder earlier on PATH\n", err)
		return ExitUsage
	}
	if err != nil {
		return c.fail(err)
	}
	if unchanged {
		fmt.Fprintf(c.Stdio.Out, "%s already links to %s\n", link, target)
	} else {
		fmt.Fprintf(c.Stdio.Out, "linked %s -> %s\n", link, target)
	}
	c.notePathOrder(link)
	return ExitOK
}

// notePathOrder says when uv and pip would not run the new link: its folder
// is not on PATH, or another keyring comes first.
func (c *Call) notePathOrder(link string) {
	first := NextKeyring(lookupEnv(c.Environ, "PATH"), nil)
	linked, lerr := os.Stat(link)
	found, ferr := os.Stat(first)
	switch {
	case first == "":
		fmt.Fprintf(c.Stdio.Out, "note: %s is not on PATH; add it so that uv and pip find keyring\n", filepath.Dir(link))
	case lerr == nil && ferr == nil && !os.SameFile(linked, found):
		fmt.Fprintf(c.Stdio.Out, "note: uv and pip run %s first; put %s before %s on PATH\n", first, filepath.Dir(link), filepath.Dir(first))
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

// Help is what `credgen keyring --help` prints: keyring's usage line, then
// what credgen makes of each argument.
const Help = Usage + `
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
