// Command fakechainctl stands in for chainctl in credgen's tests. It implements
// exactly the two commands credgen runs:
//
//	chainctl auth token --audience=AUDIENCE
//	chainctl auth pull-token create --repository=REPO --ttl=DURATION --output=json [--parent=ORG]
//
// and anything else exits 2 with a usage message, as the real CLI does.
// Behaviour comes from the environment:
//
//	FAKE_CHAINCTL_MODE       ok (default) | fail | leakyfail | hang | garbage | huge | noexp | badchars
//	FAKE_CHAINCTL_MODE_FILE  a file whose trimmed content, when it exists, overrides FAKE_CHAINCTL_MODE
//	FAKE_CHAINCTL_TTL        token lifetime (Go duration; default 1h, pull-token: its --ttl)
//	FAKE_CHAINCTL_AHEAD      Go duration: issue tokens as a clock this far ahead would (iat in the future)
//	FAKE_CHAINCTL_IDENTITY   pull-token identity_id (default 4f1e2d3c/9a8b7c6d5e4f3a2b)
//	FAKE_CHAINCTL_LOG        file to append one JSON line per call: time, args, token (""
//	                         when none was issued), mode, pid, and in hang mode child_pid
//	FAKE_CHAINCTL_DELAY      Go duration to sleep before answering
//	FAKE_CHAINCTL_GATE       a folder: each call appends "started PID" to
//	                         DIR/started, then waits while DIR/closed exists
//	                         (a minute at most), so a test can act while
//	                         credgen waits for chainctl
//	FAKE_CHAINCTL_LEAKS      leakyfail: four comma-separated secrets its stderr carries
//
// In hang mode it starts a child that shares its stdout and stderr and both
// sleep forever, so tests can check that a timeout kills the whole process group.
// Tokens come from faketoken, so the fake index accepts them.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

const (
	defaultIdentity = "4f1e2d3c/9a8b7c6d5e4f3a2b"
	pullAudience    = "libraries.cgr.dev"
	hugeSize        = 50 << 20
	hangChildEnv    = "FAKE_CHAINCTL_HANG_CHILD"
)

const usage = `Usage:
  chainctl auth token --audience=AUDIENCE
  chainctl auth pull-token create --repository=REPO --ttl=DURATION --output=json [--parent=ORG]
(fake chainctl for credgen tests: no other command is implemented)
`

// Exit statuses, as a cobra-based CLI uses them.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a command line the fake (and chainctl) would reject.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// request is one parsed command line.
type request struct {
	pullToken bool
	audience  string        // auth token
	ttl       time.Duration // pull-token --ttl
	parent    string        // pull-token --parent
}

// logEntry is one line of FAKE_CHAINCTL_LOG.
type logEntry struct {
	Time     string   `json:"time"`
	Args     []string `json:"args"`
	Token    string   `json:"token"`
	Mode     string   `json:"mode,omitempty"`
	PID      int      `json:"pid"`
	ChildPID int      `json:"child_pid,omitempty"`
}

func main() {
	if os.Getenv(hangChildEnv) == "1" {
		sleepForever()
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	entry := logEntry{Args: args, PID: os.Getpid()}
	req, err := parse(args)
	if err != nil {
		logCall(entry)
		fmt.Fprintf(stderr, "Error: %v\n%s", err, usage)
		return exitUsage
	}
	mode, err := currentMode()
	if err != nil {
		logCall(entry)
		fmt.Fprintf(stderr, "fakechainctl: %v\n", err)
		return exitUsage
	}
	entry.Mode = mode
	if err := passGate(); err != nil {
		logCall(entry)
		fmt.Fprintf(stderr, "fakechainctl: %v\n", err)
		return exitUsage
	}
	if err := sleepDelay(); err != nil {
		logCall(entry)
		fmt.Fprintf(stderr, "fakechainctl: %v\n", err)
		return exitUsage
	}
	return answer(req, mode, entry, stdout, stderr)
}

// answer behaves as mode says for the parsed request.
func answer(req request, mode string, entry logEntry, stdout, stderr io.Writer) int {
	switch mode {
	case "fail":
		logCall(entry)
		fmt.Fprintln(stderr, "Error: failed to get token: not logged in: no valid session, run `chainctl auth login`")
		return exitFailure
	case "leakyfail":
		// A failure whose log lines carry credentials that are not JWTs, as a
		// debug-level chainctl or a broken plugin might: the four values of
		// FAKE_CHAINCTL_LEAKS (comma-separated).
		logCall(entry)
		leaks := append(strings.Split(os.Getenv("FAKE_CHAINCTL_LEAKS"), ","), "", "", "", "")
		fmt.Fprintf(stderr, `{"level":"error","msg":"refresh failed","token":%q,"refresh_token":%q}`+"\n", leaks[0], leaks[1])
		fmt.Fprintf(stderr, "level=error msg=\"exchange failed\" client_secret=%s header=\"Authorization: Bearer %s\"\n", leaks[2], leaks[3])
		return exitFailure
	case "hang":
		return hang(entry, stderr)
	case "garbage":
		logCall(entry)
		fmt.Fprint(stdout, "Welcome to chainctl!\nOpen https://console.chainguard.dev/activate?code=GARBAGE-7731 to continue.\n")
		return 0
	case "huge":
		logCall(entry)
		return printHuge(stdout)
	case "ok", "noexp", "badchars":
		return printToken(req, mode, entry, stdout, stderr)
	}
	logCall(entry)
	fmt.Fprintf(stderr, "fakechainctl: unknown mode %q\n", mode)
	return exitUsage
}

// parse accepts the two command lines credgen runs, flags as --name=value or --name value.
func parse(args []string) (request, error) {
	switch {
	case len(args) >= 2 && args[0] == "auth" && args[1] == "token":
		return parseAuthToken(args[2:])
	case len(args) >= 3 && args[0] == "auth" && args[1] == "pull-token" && args[2] == "create":
		return parsePullToken(args[3:])
	case len(args) == 0:
		return request{}, usageError{"no command given"}
	}
	return request{}, usageError{fmt.Sprintf("unknown command %q for \"chainctl\"", strings.Join(args, " "))}
}

func parseAuthToken(args []string) (request, error) {
	fs := newFlagSet("auth token")
	audience := fs.String("audience", "", "")
	if err := parseFlags(fs, args); err != nil {
		return request{}, err
	}
	if *audience == "" {
		return request{}, usageError{"auth token: --audience is required"}
	}
	return request{audience: *audience}, nil
}

func parsePullToken(args []string) (request, error) {
	fs := newFlagSet("auth pull-token create")
	repository := fs.String("repository", "", "")
	ttl := fs.Duration("ttl", 0, "")
	output := fs.String("output", "", "")
	parent := fs.String("parent", "", "")
	if err := parseFlags(fs, args); err != nil {
		return request{}, err
	}
	switch {
	case *repository == "":
		return request{}, usageError{"pull-token create: --repository is required"}
	case *ttl <= 0:
		return request{}, usageError{"pull-token create: --ttl must be a positive duration"}
	case *output != "json":
		return request{}, usageError{"pull-token create: only --output=json is implemented"}
	}
	return request{pullToken: true, ttl: *ttl, parent: *parent}, nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// currentMode is FAKE_CHAINCTL_MODE_FILE's content when that file exists, so a
// running test can switch modes, else FAKE_CHAINCTL_MODE, else "ok".
func currentMode() (string, error) {
	if path := os.Getenv("FAKE_CHAINCTL_MODE_FILE"); path != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			return strings.TrimSpace(string(data)), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("FAKE_CHAINCTL_MODE_FILE: %w", err)
		}
	}
	if mode := os.Getenv("FAKE_CHAINCTL_MODE"); mode != "" {
		return mode, nil
	}
	return "ok", nil
}

// passGate announces the call in FAKE_CHAINCTL_GATE and waits while the gate
// is closed.
func passGate() error {
	dir := os.Getenv("FAKE_CHAINCTL_GATE")
	if dir == "" {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, "started"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("FAKE_CHAINCTL_GATE: %w", err)
	}
	fmt.Fprintf(f, "started %d\n", os.Getpid())
	if err := f.Close(); err != nil {
		return fmt.Errorf("FAKE_CHAINCTL_GATE: %w", err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "closed")); os.IsNotExist(err) {
			return nil
		}
	}
	return fmt.Errorf("FAKE_CHAINCTL_GATE: still closed after a minute")
}

func sleepDelay() error {
	raw := os.Getenv("FAKE_CHAINCTL_DELAY")
	if raw == "" {
		return nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return fmt.Errorf("FAKE_CHAINCTL_DELAY: %w", err)
	}
	time.Sleep(d)
	return nil
}

// printToken issues a token (without exp in noexp mode, with a space inside
// in badchars mode), logs it, and prints it as chainctl would.
func printToken(req request, mode string, entry logEntry, stdout, stderr io.Writer) int {
	ttl, err := tokenTTL(req)
	if err != nil {
		fmt.Fprintf(stderr, "fakechainctl: %v\n", err)
		return exitUsage
	}
	if mode == "noexp" {
		ttl = 0
	}
	subject, audience := "_token", req.audience
	if req.pullToken {
		subject, audience = identity(), pullAudience
	}
	issued := time.Now()
	if ahead, err := time.ParseDuration(os.Getenv("FAKE_CHAINCTL_AHEAD")); err == nil {
		issued = issued.Add(ahead)
	}
	token := faketoken.Issue(subject, audience, ttl, issued)
	if mode == "badchars" {
		token = token[:len(token)/2] + " " + token[len(token)/2:]
	}
	entry.Token = token
	logCall(entry)
	if !req.pullToken {
		fmt.Fprintln(stdout, token)
		return 0
	}
	out, _ := json.Marshal(map[string]string{"identity_id": subject, "token": token})
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}

// tokenTTL is FAKE_CHAINCTL_TTL, else --ttl for a pull token, else one hour.
func tokenTTL(req request) (time.Duration, error) {
	raw := os.Getenv("FAKE_CHAINCTL_TTL")
	switch {
	case raw != "":
		d, err := time.ParseDuration(raw)
		if err != nil {
			return 0, fmt.Errorf("FAKE_CHAINCTL_TTL: %w", err)
		}
		return d, nil
	case req.pullToken:
		return req.ttl, nil
	}
	return time.Hour, nil
}

func identity() string {
	if id := os.Getenv("FAKE_CHAINCTL_IDENTITY"); id != "" {
		return id
	}
	return defaultIdentity
}

// hang starts a child sharing stdout and stderr (as a helper process of a real
// CLI might), logs both pids, and sleeps forever.
func hang(entry logEntry, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "fakechainctl: %v\n", err)
		return exitFailure
	}
	child := exec.Command(self)
	child.Env = append(os.Environ(), hangChildEnv+"=1")
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		fmt.Fprintf(stderr, "fakechainctl: start child: %v\n", err)
		return exitFailure
	}
	entry.ChildPID = child.Process.Pid
	logCall(entry)
	sleepForever()
	return 0
}

func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}

// printHuge writes 50 MiB without a line break; it stops when the reader goes away.
func printHuge(stdout io.Writer) int {
	chunk := []byte(strings.Repeat("x", 64<<10))
	for written := 0; written < hugeSize; written += len(chunk) {
		if _, err := stdout.Write(chunk); err != nil {
			return exitFailure
		}
	}
	return 0
}

// logCall appends entry to FAKE_CHAINCTL_LOG, if set. One write per line with
// O_APPEND keeps lines whole when several fakes run at once.
func logCall(entry logEntry) {
	path := os.Getenv("FAKE_CHAINCTL_LOG")
	if path == "" {
		return
	}
	entry.Time = time.Now().UTC().Format(time.RFC3339Nano)
	line, _ := json.Marshal(entry)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakechainctl: log: %v\n", err)
		return
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "fakechainctl: log: %v\n", err)
	}
}
