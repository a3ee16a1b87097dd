package chainguard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/credgen/credgen/providers/redact"
)

// Output bounds: a token is a few kB; anything near these limits is not one.
const (
	maxStdout       = 1 << 20  // stdout beyond this kills chainctl
	maxStderr       = 64 << 10 // stderr kept for the error message; the rest is drained and dropped
	maxStderrInErr  = 512      // stderr excerpt shown in an error
	waitDelay       = 2 * time.Second
	installLocation = "https://edu.chainguard.dev/chainguard/chainctl-usage/how-to-install-chainctl/"
)

// ErrNotFound is wrapped by Mint's error when chainctl cannot be found.
var ErrNotFound = errors.New("chainctl not found")

// errStdoutTooLarge stops chainctl when it prints more than any token needs.
var errStdoutTooLarge = errors.New("killed: printed more than 1 MiB on stdout, more than any token")

// Error is a chainctl run that produced no usable credential. Its message
// names the command (which carries no secret), the exit status, a bounded and
// sanitised excerpt of chainctl's stderr, and the login hint; never stdout,
// which may hold a token.
type Error struct {
	Command  string // the command line run, e.g. "chainctl auth token --audience=libraries.cgr.dev"
	ExitCode int    // chainctl's exit status; -1 when it was killed or did not exit by itself
	Problem  string // what went wrong, e.g. "killed: no answer within 30s"; "" when the exit status says it all
	Stderr   string // excerpt of chainctl's stderr, whitespace collapsed, JWT-shaped words redacted
	Err      error  // the cause, e.g. context.Canceled or context.DeadlineExceeded; may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Command)
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, ": exit status %d", e.ExitCode)
	}
	if e.Problem != "" {
		b.WriteString(": " + e.Problem)
	}
	if e.Stderr != "" {
		b.WriteString("; stderr: " + e.Stderr)
	}
	b.WriteString("; hint: " + LoginHint)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// runResult is a chainctl run that exited 0.
type runResult struct {
	command  string
	stdout   []byte
	stderr   string // excerpt, as in Error.Stderr
	obtained time.Time
}

// outputError reports output that exited 0 but is unusable.
func (r runResult) outputError(err error) *Error {
	return &Error{Command: r.command, ExitCode: 0, Problem: err.Error(), Stderr: r.stderr}
}

// run executes chainctl with args: no stdin, bounded output, killed with its
// process group on timeout, cancellation or runaway stdout.
func (p *Provider) run(ctx context.Context, args []string) (runResult, error) {
	path, err := p.resolve()
	if err != nil {
		return runResult{}, err
	}
	command := strings.Join(append([]string{path}, args...), " ")
	timeoutCtx, cancelTimeout := context.WithTimeout(ctx, p.timeout())
	defer cancelTimeout()
	runCtx, stop := context.WithCancelCause(timeoutCtx)
	defer stop(nil)

	stdout := &cappedBuffer{limit: maxStdout, onOverflow: func() { stop(errStdoutTooLarge) }}
	stderr := &cappedBuffer{limit: maxStderr}
	cmd := exec.CommandContext(runCtx, path, args...)
	cmd.Env = p.Env // nil: chainctl inherits credgen's environment
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild holding the pipes open must not keep Wait from returning.
	cmd.WaitDelay = waitDelay
	killProcessGroupOnCancel(cmd)

	p.logger().Debug("running chainctl", "command", command)
	err = cmd.Run()
	obtained := p.now()
	excerpt := stderrExcerpt(stderr.Bytes(), stdout.Bytes())
	if err != nil && !exitedCleanly(cmd, err) {
		return runResult{}, runError(ctx, runCtx, p.timeout(), cmd, err, command, excerpt)
	}
	return runResult{command: command, stdout: stdout.Bytes(), stderr: excerpt, obtained: obtained}, nil
}

// exitedCleanly reports a run whose only fault is a grandchild that kept the
// pipes open after chainctl itself exited 0: the output chainctl wrote is whole.
func exitedCleanly(cmd *exec.Cmd, err error) bool {
	return errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success()
}

// runError explains why a run failed, most specific cause first.
func runError(ctx, runCtx context.Context, timeout time.Duration, cmd *exec.Cmd, err error, command, excerpt string) *Error {
	e := &Error{Command: command, ExitCode: -1, Stderr: excerpt}
	switch {
	case errors.Is(context.Cause(runCtx), errStdoutTooLarge):
		e.Problem = errStdoutTooLarge.Error()
	case ctx.Err() != nil:
		e.Problem, e.Err = "killed: "+ctx.Err().Error(), ctx.Err()
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		e.Problem, e.Err = fmt.Sprintf("killed: no answer within %s", timeout), context.DeadlineExceeded
	case cmd.ProcessState != nil && cmd.ProcessState.Exited():
		e.ExitCode = cmd.ProcessState.ExitCode()
	case cmd.ProcessState != nil:
		e.Problem = cmd.ProcessState.String() // e.g. "signal: killed"
	default:
		e.Problem, e.Err = "could not start: "+err.Error(), err
	}
	return e
}

// resolve finds the chainctl executable: Provider.Chainctl when it is a path,
// else that name (default "chainctl") on the PATH of chainctl's environment.
func (p *Provider) resolve() (string, error) {
	name := p.Chainctl
	if name == "" {
		name = "chainctl"
	}
	if strings.ContainsRune(name, filepath.Separator) {
		if err := checkExecutable(name); err != nil {
			return "", fmt.Errorf("%w at %s (%v): install it (%s), point CREDGEN_CHAINCTL at it, then %s",
				ErrNotFound, name, err, installLocation, LoginHint)
		}
		return name, nil
	}
	if path, ok := lookPath(name, p.pathList()); ok {
		return path, nil
	}
	return "", fmt.Errorf("%w: no %s on PATH: install it (%s) or set CREDGEN_CHAINCTL to its path, then %s",
		ErrNotFound, name, installLocation, LoginHint)
}

// pathList is PATH as chainctl will see it (the last definition wins, as in exec).
func (p *Provider) pathList() string {
	if p.Env == nil {
		return os.Getenv("PATH")
	}
	path := ""
	for _, kv := range p.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	return path
}

// lookPath searches pathList for an executable name. Relative entries ("" and
// ".") are skipped so a chainctl in the current folder is never picked up.
func lookPath(name, pathList string) (string, bool) {
	for _, dir := range filepath.SplitList(pathList) {
		if !filepath.IsAbs(dir) {
			continue
		}
		candidate := filepath.Join(dir, name)
		if checkExecutable(candidate) == nil {
			return candidate, true
		}
	}
	return "", false
}

func checkExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return errors.New("is a directory")
	}
	if info.Mode().Perm()&0o111 == 0 {
		return errors.New("not executable")
	}
	return nil
}

// cappedBuffer keeps at most limit bytes. Past the limit it either calls
// onOverflow and fails the write (so the copy stops and chainctl is killed),
// or, without onOverflow, drops the rest so the writer never blocks.
type cappedBuffer struct {
	buf        bytes.Buffer
	limit      int
	overflowed bool
	onOverflow func()
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.limit - c.buf.Len()
	if len(p) <= room {
		return c.buf.Write(p)
	}
	c.buf.Write(p[:room])
	if c.onOverflow == nil {
		return len(p), nil
	}
	if !c.overflowed {
		c.overflowed = true
		c.onOverflow()
	}
	return room, errStdoutTooLarge
}

func (c *cappedBuffer) Bytes() []byte { return c.buf.Bytes() }

// stderrExcerpt makes stderr fit for an error message: anything printed on
// stdout (which may be a token) and anything credential-like redacted,
// control characters and line breaks turned into spaces, at most
// maxStderrInErr bytes.
func stderrExcerpt(stderr, stdout []byte) string {
	var known []string
	if secret := strings.TrimSpace(string(stdout)); len(secret) >= 8 {
		known = append(known, secret)
	}
	s := redact.Secrets(strings.ToValidUTF8(string(stderr), "?"), known...)
	s = strings.Join(strings.FieldsFunc(s, isSpaceOrControl), " ")
	return truncateUTF8(s, maxStderrInErr)
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary, marking the cut.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " …"
}
