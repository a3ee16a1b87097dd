package chainguard

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/providers"
)

// fakeChainctl is the fake chainctl built once by TestMain.
var fakeChainctl string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakechainctl-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeChainctl = filepath.Join(dir, "chainctl")
	if err := buildFake(fakeChainctl); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildFake builds testdata/cmd/fakechainctl from the module root.
func buildFake(out string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	build := exec.Command("go", "build", "-o", out, "./testdata/cmd/fakechainctl")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build fake chainctl: %v\n%s", err, msg)
	}
	return nil
}

// fake is one test's view of the fake chainctl: its environment and call log.
type fake struct {
	log string
	env []string
}

func newFake(t *testing.T, mode string, extraEnv ...string) *fake {
	t.Helper()
	f := &fake{log: filepath.Join(t.TempDir(), "calls.jsonl")}
	f.env = append(os.Environ(), "FAKE_CHAINCTL_MODE="+mode, "FAKE_CHAINCTL_LOG="+f.log)
	f.env = append(f.env, extraEnv...)
	t.Cleanup(func() { f.killLeftovers(t) })
	return f
}

func (f *fake) provider(now time.Time, timeout time.Duration, logger *slog.Logger) *Provider {
	return &Provider{Chainctl: fakeChainctl, Timeout: timeout, Env: f.env, Now: func() time.Time { return now }, Logger: logger}
}

// callEntry is one line of the fake's log.
type callEntry struct {
	Args     []string `json:"args"`
	Token    string   `json:"token"`
	PID      int      `json:"pid"`
	ChildPID int      `json:"child_pid"`
}

func (f *fake) calls(t *testing.T) []callEntry {
	t.Helper()
	data, err := os.ReadFile(f.log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls []callEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var c callEntry
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("fake log line %q: %v", sc.Text(), err)
		}
		calls = append(calls, c)
	}
	return calls
}

// tokens is every token the fake issued, in order.
func (f *fake) tokens(t *testing.T) []string {
	var tokens []string
	for _, c := range f.calls(t) {
		if c.Token != "" {
			tokens = append(tokens, c.Token)
		}
	}
	return tokens
}

// assertNoToken fails when text shows any token the fake issued, or a part of
// one (a badchars token is two halves around a space).
func (f *fake) assertNoToken(t *testing.T, what, text string) {
	t.Helper()
	for _, token := range f.tokens(t) {
		for part := range strings.FieldsSeq(token) {
			if strings.Contains(text, part) {
				t.Errorf("%s leaks a token: %s", what, text)
			}
		}
	}
}

var (
	sessionIdx = providers.Index{URL: "https://libraries.cgr.dev/python/simple/", Host: "libraries.cgr.dev"}
	pullIdx    = providers.Index{URL: sessionIdx.URL, Host: sessionIdx.Host, Mode: ModePullToken}
)

func withParent(idx providers.Index, parent string) providers.Index {
	idx.Parent = parent
	return idx
}

func TestMint(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	about := func(d time.Duration) func(time.Time) bool {
		// exp is whole seconds of the fake's clock, a moment after now.
		return func(exp time.Time) bool { return !exp.Before(now.Add(d)) && exp.Before(now.Add(d+10*time.Second)) }
	}
	exactly := func(d time.Duration) func(time.Time) bool {
		return func(exp time.Time) bool { return exp.Equal(now.Add(d)) }
	}
	tests := []struct {
		name     string
		idx      providers.Index
		fakeMode string
		env      []string
		clock    time.Duration // added to now for Provider.Now
		wantUser string
		wantExp  func(time.Time) bool
		wantArgs []string
		wantErr  []string // substrings of the error
		notInErr []string
		wantExit int // for *Error; 0 = not checked
	}{
		{name: "session ok", idx: sessionIdx, fakeMode: "ok", wantUser: "_token", wantExp: about(time.Hour),
			wantArgs: []string{"auth", "token", "--audience=libraries.cgr.dev"}},
		{name: "session mode named", idx: providers.Index{Host: "libraries.cgr.dev", Mode: ModeSession}, fakeMode: "ok",
			wantUser: "_token", wantExp: about(time.Hour)},
		{name: "session exp from token", idx: sessionIdx, fakeMode: "ok", env: []string{"FAKE_CHAINCTL_TTL=10m"},
			wantUser: "_token", wantExp: about(10 * time.Minute)},
		{name: "session without exp lasts 1h", idx: sessionIdx, fakeMode: "noexp", wantUser: "_token", wantExp: exactly(time.Hour)},
		{name: "pull-token ok", idx: pullIdx, fakeMode: "ok", wantUser: "4f1e2d3c/9a8b7c6d5e4f3a2b", wantExp: about(8 * time.Hour),
			wantArgs: []string{"auth", "pull-token", "create", "--repository=python", "--ttl=8h", "--output=json"}},
		{name: "pull-token parent", idx: withParent(pullIdx, "acme"), fakeMode: "ok", env: []string{"FAKE_CHAINCTL_IDENTITY=acme/0042"},
			wantUser: "acme/0042", wantExp: about(8 * time.Hour),
			wantArgs: []string{"auth", "pull-token", "create", "--repository=python", "--ttl=8h", "--output=json", "--parent=acme"}},
		{name: "pull-token exp from token", idx: pullIdx, fakeMode: "ok", env: []string{"FAKE_CHAINCTL_TTL=2h"},
			wantUser: "4f1e2d3c/9a8b7c6d5e4f3a2b", wantExp: about(2 * time.Hour)},
		{name: "pull-token without exp lasts 8h", idx: pullIdx, fakeMode: "noexp", wantUser: "4f1e2d3c/9a8b7c6d5e4f3a2b", wantExp: exactly(8 * time.Hour)},
		{name: "delayed answer within timeout", idx: sessionIdx, fakeMode: "ok", env: []string{"FAKE_CHAINCTL_DELAY=200ms"},
			wantUser: "_token", wantExp: about(time.Hour)},

		{name: "session fail", idx: sessionIdx, fakeMode: "fail", wantExit: 1,
			wantErr: []string{"auth token --audience=libraries.cgr.dev", "exit status 1", "not logged in", LoginHint}},
		{name: "pull-token fail", idx: withParent(pullIdx, "acme"), fakeMode: "fail", wantExit: 1,
			wantErr: []string{"pull-token create", "--parent=acme", "exit status 1", "not logged in", LoginHint}},
		{name: "session garbage", idx: sessionIdx, fakeMode: "garbage",
			wantErr: []string{"exit status 0", "not a token", "bytes, 2 lines", LoginHint}, notInErr: []string{"GARBAGE", "Welcome"}},
		{name: "pull-token garbage", idx: pullIdx, fakeMode: "garbage",
			wantErr: []string{"not the expected JSON", "bytes, 2 lines"}, notInErr: []string{"GARBAGE", "Welcome"}},
		{name: "session badchars", idx: sessionIdx, fakeMode: "badchars", wantErr: []string{"token refused", "whitespace", "netrc"}},
		{name: "pull-token badchars", idx: pullIdx, fakeMode: "badchars", wantErr: []string{"token refused", "whitespace", "netrc"}},
		{name: "pull-token identity netrc cannot carry", idx: pullIdx, fakeMode: "ok", env: []string{"FAKE_CHAINCTL_IDENTITY=acme/ 42"},
			wantErr: []string{"identity_id refused", "whitespace"}},
		{name: "session huge", idx: sessionIdx, fakeMode: "huge", wantErr: []string{"more than 1 MiB"}},
		{name: "pull-token huge", idx: pullIdx, fakeMode: "huge", wantErr: []string{"more than 1 MiB"}},
		{name: "token already expired", idx: sessionIdx, fakeMode: "ok", clock: 2 * time.Hour, wantErr: []string{"already expired"}},
		{name: "unknown mode", idx: providers.Index{URL: sessionIdx.URL, Mode: "robot"}, fakeMode: "ok", wantErr: []string{`unknown mode "robot"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.fakeMode, tt.env...)
			var logs bytes.Buffer
			p := f.provider(now.Add(tt.clock), 10*time.Second, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			cred, err := p.Mint(context.Background(), tt.idx)
			f.assertNoToken(t, "log", logs.String())
			if tt.wantErr != nil {
				checkMintError(t, f, err, tt.wantErr, tt.notInErr, tt.wantExit)
				return
			}
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			checkCredential(t, f, cred, tt.wantUser, now.Add(tt.clock), tt.wantExp)
			if tt.wantArgs != nil && !slices.Equal(f.calls(t)[0].Args, tt.wantArgs) {
				t.Errorf("chainctl args = %q, want %q", f.calls(t)[0].Args, tt.wantArgs)
			}
		})
	}
}

func checkMintError(t *testing.T, f *fake, err error, want, notWant []string, wantExit int) {
	t.Helper()
	if err == nil {
		t.Fatal("Mint succeeded, want an error")
	}
	msg := err.Error()
	for _, s := range want {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	for _, s := range notWant {
		if strings.Contains(msg, s) {
			t.Errorf("error %q shows chainctl's output %q", msg, s)
		}
	}
	f.assertNoToken(t, "error", msg)
	var cerr *Error
	if wantExit != 0 && (!errors.As(err, &cerr) || cerr.ExitCode != wantExit) {
		t.Errorf("error %#v, want *Error with exit code %d", err, wantExit)
	}
}

func checkCredential(t *testing.T, f *fake, cred providers.Credential, user string, obtained time.Time, wantExp func(time.Time) bool) {
	t.Helper()
	tokens := f.tokens(t)
	if len(tokens) != 1 || cred.Secret != tokens[0] {
		t.Errorf("secret is not the one token the fake issued (%d issued)", len(tokens))
	}
	if cred.Username != user {
		t.Errorf("username = %q, want %q", cred.Username, user)
	}
	if !cred.ObtainedAt.Equal(obtained) {
		t.Errorf("ObtainedAt = %v, want %v", cred.ObtainedAt, obtained)
	}
	if !wantExp(cred.Expiry) {
		t.Errorf("Expiry = %v (obtained %v)", cred.Expiry, cred.ObtainedAt)
	}
}

// TestMintKillsHungChainctl: a chainctl that never answers is killed, with
// the helper it started, at the timeout or when the caller cancels.
func TestMintKillsHungChainctl(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		cancel  time.Duration // cancel the context after this; 0 = never
		wantErr error
		wantMsg string
	}{
		{name: "timeout", timeout: 500 * time.Millisecond, wantErr: context.DeadlineExceeded, wantMsg: "killed: no answer within 500ms"},
		{name: "context cancelled", timeout: 30 * time.Second, cancel: 300 * time.Millisecond, wantErr: context.Canceled, wantMsg: "killed: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "hang")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			start := time.Now()
			_, err := f.provider(time.Now(), tt.timeout, nil).Mint(ctx, sessionIdx)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("Mint returned after %v", elapsed)
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), LoginHint) {
				t.Fatalf("error = %v, want %v saying %q", err, tt.wantErr, tt.wantMsg)
			}
			calls := f.calls(t)
			if len(calls) != 1 || calls[0].ChildPID == 0 {
				t.Fatalf("fake log = %+v, want one hang call with a child", calls)
			}
			waitGone(t, calls[0].PID)
			waitGone(t, calls[0].ChildPID)
		})
	}
}

func TestMintChainctlNotFound(t *testing.T) {
	dir := t.TempDir()
	notExecutable := filepath.Join(dir, "chainctl-noexec")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		chainctl string
		env      []string
		wantMsg  string
	}{
		{name: "not on PATH", env: []string{"PATH=" + dir}, wantMsg: "chainctl not found: no chainctl on PATH"},
		{name: "empty PATH", env: []string{}, wantMsg: "no chainctl on PATH"},
		{name: "only in a relative PATH entry", env: []string{"PATH=.:" + dir}, wantMsg: "no chainctl on PATH"},
		{name: "path does not exist", chainctl: filepath.Join(dir, "missing", "chainctl"), wantMsg: "no such file"},
		{name: "path is a directory", chainctl: dir, wantMsg: "is a directory"},
		{name: "path not executable", chainctl: notExecutable, wantMsg: "not executable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Provider{Chainctl: tt.chainctl, Env: tt.env}
			_, err := p.Mint(context.Background(), sessionIdx)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("error = %v, want ErrNotFound", err)
			}
			for _, want := range []string{tt.wantMsg, "install it", "CREDGEN_CHAINCTL", LoginHint} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestMintFindsChainctlOnPath(t *testing.T) {
	f := newFake(t, "ok")
	p := f.provider(time.Now(), 0, nil)
	p.Chainctl = ""
	p.Env = append(p.Env, "PATH="+t.TempDir()+string(filepath.ListSeparator)+filepath.Dir(fakeChainctl))
	if _, err := p.Mint(context.Background(), sessionIdx); err != nil {
		t.Fatalf("Mint: %v", err)
	}
}

// TestMintModeFileSwitches checks the fake's mode file, which lets a running
// test break chainctl between two mints.
func TestMintModeFileSwitches(t *testing.T) {
	modeFile := filepath.Join(t.TempDir(), "mode")
	f := newFake(t, "ok", "FAKE_CHAINCTL_MODE_FILE="+modeFile)
	p := f.provider(time.Now(), 0, nil)
	if _, err := p.Mint(context.Background(), sessionIdx); err != nil {
		t.Fatalf("first Mint: %v", err)
	}
	if err := os.WriteFile(modeFile, []byte("fail\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Mint(context.Background(), sessionIdx); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Fatalf("second Mint = %v, want chainctl's failure", err)
	}
	if n := len(f.calls(t)); n != 2 {
		t.Errorf("fake logged %d calls, want 2", n)
	}
}

func TestMintPullTokenLogsNewIdentity(t *testing.T) {
	f := newFake(t, "ok")
	var logs bytes.Buffer
	p := f.provider(time.Now(), 0, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := p.Mint(context.Background(), withParent(pullIdx, "acme")); err != nil {
		t.Fatalf("Mint: %v", err)
	}
	for _, want := range []string{"level=INFO", "each pull-token mint creates another", "identity=4f1e2d3c/9a8b7c6d5e4f3a2b", "parent=acme"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log %q does not contain %q", logs.String(), want)
		}
	}
	f.assertNoToken(t, "log", logs.String())
}

func TestFakeRejectsOtherCommands(t *testing.T) {
	tests := [][]string{
		{},
		{"auth", "login"},
		{"auth", "token"},
		{"auth", "token", "--audience=x", "--extra"},
		{"auth", "pull-token", "create", "--repository=python", "--ttl=8h"},
		{"auth", "pull-token", "create", "--repository=python", "--ttl=8h", "--output=env"},
		{"images", "list"},
	}
	for _, args := range tests {
		cmd := exec.Command(fakeChainctl, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("fake chainctl %q: %v, stderr %q; want exit 2 with usage", args, err, stderr.String())
		}
	}
}

// scriptChainctl is a chainctl that prints out, whatever it is asked.
func scriptChainctl(t *testing.T, out string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chainctl")
	script := "#!/bin/sh\ncat <<'EOF'\n" + out + "\nEOF\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// jwtWithExp is an unsigned-looking JWT whose exp claim is exp.
func jwtWithExp(exp int64) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"ES256"}`)) + "." + enc(fmt.Appendf(nil, `{"sub":"x","exp":%d}`, exp)) + "." + enc([]byte("signature"))
}

// TestMintClampsAbsurdExpiry: a year-9999 exp is not believed; the credential
// expires when such a token at the latest would, with a warning.
func TestMintClampsAbsurdExpiry(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	token := jwtWithExp(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix())
	for _, tc := range []struct {
		name string
		idx  providers.Index
		out  string
		want time.Duration
	}{
		{"session", sessionIdx, token, 24 * time.Hour},
		{"pull-token", pullIdx, `{"identity_id":"acme/42","token":"` + token + `"}`, 8 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			p := &Provider{Chainctl: scriptChainctl(t, tc.out), Now: func() time.Time { return now },
				Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			cred, err := p.Mint(context.Background(), tc.idx)
			if err != nil {
				t.Fatal(err)
			}
			if !cred.Expiry.Equal(now.Add(tc.want)) {
				t.Errorf("expiry %v, want %v", cred.Expiry, now.Add(tc.want))
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "claimed_expiry=9999-12-31T23:59:59Z") {
				t.Errorf("no warning: %s", logs.String())
			}
			if strings.Contains(logs.String(), token) {
				t.Error("log shows the token")
			}
		})
	}
}
