// Package childproc runs one command with credentials in its environment
// and a private netrc that exists only while the command runs.
package childproc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/credgen/credgen/internal/proc"
)

// folderPrefix starts the name of every private folder, followed by the
// PID of the credgen that made it and a random part: the PID lets a later
// run tell a folder whose credgen was killed from one still in use.
const folderPrefix = "credgen-exec-"

// NetrcName is the private netrc's name inside its folder.
const NetrcName = "netrc"

// Exit codes a shell gives for a command it cannot run.
const (
	ExitCannotRun = 126 // found, but could not be started
	ExitNotFound  = 127 // not on PATH
)

// Base is the folder private folders go in: $XDG_RUNTIME_DIR (per user, in
// memory, emptied at logout) when set, else the system's temp folder.
func Base(getenv func(string) string) string {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return d
	}
	return os.TempDir()
}

// Command is one run of a command with credentials.
type Command struct {
	Argv []string // the command and its arguments; Argv[0] is looked up on PATH
	// Env is the environment the command inherits; Vars are added to it
	// (replacing any of the same name), and NETRC.
	Env   []string
	Vars  map[string]string
	Netrc []byte // the private netrc's content
	Base  string // the folder the private folder is made in

	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Started, when set, is called with the command's PID once it runs.
	Started func(pid int)

	// fromTerminal says whether the command got a signal from the terminal
	// already (deliveredByTerminal when nil); tests replace it.
	fromTerminal func(os.Signal) bool
}

// NotStartedError says the command could not be started; Code is the exit
// code a shell would give.
type NotStartedError struct {
	Code int
	Err  error
}

func (e *NotStartedError) Error() string { return e.Err.Error() }
func (e *NotStartedError) Unwrap() error { return e.Err }

// Run writes the private netrc 0600 into a new 0700 folder, runs the
// command with NETRC pointing at it, passes the signals credgen receives
// on to it, removes the folder when it ends, and returns its exit code
// (128 + the signal when a signal ended it).
func (c *Command) Run() (int, error) {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return 0, errors.New("no command to run")
	}
	// Registered before the folder exists and given up only after it is
	// removed: a signal meanwhile is passed on (or reaches the command
	// once it starts), never left to end credgen before its clean-up.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	dir, err := os.MkdirTemp(c.Base, folderPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return 0, fmt.Errorf("make the private folder: %w", err)
	}
	defer os.RemoveAll(dir)
	netrc := filepath.Join(dir, NetrcName)
	if err := writeNew(netrc, c.Netrc); err != nil {
		return 0, err
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	if cmd.Err != nil {
		return 0, notStarted(c.Argv[0], cmd.Err)
	}
	cmd.Env = withVars(c.Env, c.Vars, netrc)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr

	if err := cmd.Start(); err != nil {
		return 0, notStarted(c.Argv[0], err)
	}
	if c.Started != nil {
		c.Started(cmd.Process.Pid)
	}
	stopForwarding := c.forward(sigs, cmd.Process)
	err = cmd.Wait()
	stopForwarding()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 0, fmt.Errorf("wait for %s: %w", c.Argv[0], err)
	}
	return exitCode(cmd.ProcessState), nil
}

// forward passes what arrives on sigs to p until the returned func is
// called, but for what the terminal already sent it.
func (c *Command) forward(sigs <-chan os.Signal, p *os.Process) (stop func()) {
	fromTerminal := c.fromTerminal
	if fromTerminal == nil {
		fromTerminal = deliveredByTerminal
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				if !fromTerminal(sig) {
					_ = p.Signal(sig) // it may have just ended
				}
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}

func notStarted(name string, err error) error {
	code := ExitCannotRun
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		code = ExitNotFound
	}
	return &NotStartedError{Code: code, Err: fmt.Errorf("run %s: %w", name, err)}
}

// writeNew creates path 0600; it must not exist (the folder is new).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write the private netrc: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// withVars is env with vars and NETRC set, every earlier entry of those
// names dropped.
func withVars(env []string, vars map[string]string, netrc string) []string {
	set := map[string]string{"NETRC": netrc}
	for k, v := range vars {
		set[k] = v
	}
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := set[name]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// Sweep removes the private folders in base that a killed credgen left
// behind: named as Run names them, owned by this user, and made by a
// process that no longer runs. They hold secrets. It returns what it
// removed; a folder it cannot remove is left for the next run.
func Sweep(base string) []string {
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		pid, ok := folderPID(e.Name())
		if !ok || !e.IsDir() || proc.Alive(pid) {
			continue
		}
		path := filepath.Join(base, e.Name())
		if !ownedByMe(path) {
			continue
		}
		if os.RemoveAll(path) == nil {
			removed = append(removed, path)
		}
	}
	return removed
}

// folderPID is the PID in a private folder's name.
func folderPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, folderPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
