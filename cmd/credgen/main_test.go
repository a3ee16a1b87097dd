//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

// The end-to-end tests run the real credgen binary (this test binary re-executed
// as "credgen"), the fake chainctl, real pip, curl and Python against a TLS
// index and a fake menda-cloud on loopback, reached through a CONNECT proxy.

const (
	mendaHost     = "api.menda.example"
	mendaClientID = "ci-robot"
	// mendaSecret is the fake client secret; the leak check looks for it too.
	mendaSecret = "menda-client-secret-7f3a9c"
)

var (
	fakeChainctl string // built once by TestMain
	python       string // the real interpreter (pyenv shims break under a test HOME)
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"credgen": credgenUnderTest,
	})
}

// credgenUnderTest is credgen's main with stdout and stderr also appended to
// $CREDGEN_TEST_OUTPUT, which the leak check reads after each script.
func credgenUnderTest() {
	f, err := os.OpenFile(os.Getenv("CREDGEN_TEST_OUTPUT"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test harness:", err)
		os.Exit(99)
	}
	code := runProcess(io.MultiWriter(os.Stdout, f), io.MultiWriter(os.Stderr, f))
	f.Close()
	os.Exit(code)
}

func buildFakes(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	fakeChainctl = filepath.Join(dir, "chainctl")
	root := moduleRoot(t)
	cmd := exec.Command("go", "build", "-o", fakeChainctl, "./testdata/cmd/fakechainctl")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fake chainctl: %v\n%s", err, out)
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3 is needed: %v", err)
	}
	python = strings.TrimSpace(string(out))
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed")
	}
}

func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func TestScripts(t *testing.T) {
	buildFakes(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Setup:               setupScript,
		Cmds:                scriptCommands(),
		RequireExplicitExec: true,
	})
}

type fakesKey struct{}

// fakes are one script's network doubles.
type fakes struct {
	stack *pyindex.Stack
	menda *mendacloud.Server
	mu    sync.Mutex
	saved map[string]time.Time

	monitor  *netrcMonitor
	watchPID int
}

func setupScript(env *testscript.Env) error {
	work := env.WorkDir
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	f := &fakes{saved: map[string]time.Time{}}
	f.menda = mendacloud.New(mendacloud.Options{Clients: map[string]string{mendaClientID: mendaSecret, "m2m-default": mendaSecret, "team-a": mendaSecret, "team-b": mendaSecret}})
	stack, err := pyindex.StartStack(pyindex.StackOptions{
		Dir:   work,
		Index: pyindex.Options{Accept: pyindex.ProviderUsers},
		Mount: map[string]http.Handler{mendaHost: f.menda},
	})
	if err != nil {
		return err
	}
	f.stack = stack
	env.Defer(func() { stack.Close() })
	env.Values[fakesKey{}] = f
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"XDG_STATE_HOME":      filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":      filepath.Join(home, ".cache"),
		"CREDGEN_CHAINCTL":    fakeChainctl,
		"FAKE_CHAINCTL_LOG":   filepath.Join(work, "chainctl.log"),
		"CREDGEN_TEST_OUTPUT": filepath.Join(work, "credgen-output.log"),
		"HTTPS_PROXY":         stack.ProxyURL(),
		"SSL_CERT_FILE":       stack.CAFile,
		"FAKE_CA":             stack.CAFile,
		"MENDA_URL":           "https://" + mendaHost,
		"MENDA_SECRET":        mendaSecret,
		"CGR":                 "https://libraries.cgr.dev/python/simple/",
		"CA_INDEX":            "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/",
		"CA_INDEX2":           "https://other-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/tools/simple/",
	} {
		env.Setenv(k, v)
	}
	env.Defer(func() { checkNoLeaks(env.T(), work, f) })
	return nil
}

// checkNoLeaks fails the script when any token a fake issued, or the client
// secret, appears in what credgen printed or in its state file.
func checkNoLeaks(t testscript.T, work string, f *fakes) {
	secrets := append(f.menda.Issued(), mendaSecret)
	secrets = append(secrets, relChainctlTokens(filepath.Join(work, "chainctl.log"))...)
	places := []string{filepath.Join(work, "credgen-output.log"), filepath.Join(work, "home", ".local", "state", "credgen", "state.json")}
	for _, p := range places {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(data), s) {
				t.Fatal(fmt.Sprintf("LEAK: a secret issued by a fake appears in %s", filepath.Base(p)))
			}
		}
	}
}

func fakesOf(ts *testscript.TestScript) *fakes { return ts.Value(fakesKey{}).(*fakes) }

func scriptCommands() map[string]func(*testscript.TestScript, bool, []string) {
	cmds := watchCommands()
	for name, cmd := range map[string]func(*testscript.TestScript, bool, []string){
		"pip-download":   cmdPipDownload,
		"chainctl-calls": cmdChainctlCalls,
		"menda-calls":    cmdMendaCalls,
		"menda-fault":    cmdMendaFault,
		"menda-login":    cmdMendaLogin,
		"netrc-hosts":    cmdNetrcHosts,
		"py-parse":       cmdPyParse,
		"mtime":          cmdMtime,
		"islink":         cmdIsLink,
	} {
		cmds[name] = cmd
	}
	return cmds
}

// pip-download [--index-url URL]: real pip downloads the probe package through
// the proxy, reading pip.conf and netrc as a user's pip would.
func cmdPipDownload(ts *testscript.TestScript, neg bool, args []string) {
	dest := ts.MkAbs("pip-download-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	argv := []string{"-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--no-input",
		"-vv", "--cert", ts.Getenv("FAKE_CA"), "-d", dest}
	argv = append(argv, args...)
	argv = append(argv, pyindex.ProjectName)
	cmd := exec.Command(python, argv...)
	cmd.Env = []string{
		"HOME=" + ts.Getenv("HOME"),
		"PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + ts.Getenv("XDG_CONFIG_HOME"),
		"PIP_CONFIG_FILE=" + filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "pip", "pip.conf"),
		"PIP_KEYRING_PROVIDER=disabled",
		"HTTPS_PROXY=" + ts.Getenv("HTTPS_PROXY"),
	}
	if n := ts.Getenv("NETRC"); n != "" {
		cmd.Env = append(cmd.Env, "NETRC="+n)
	}
	out, err := cmd.CombinedOutput()
	got := err == nil
	if got {
		entries, _ := os.ReadDir(dest)
		got = len(entries) == 1 && entries[0].Name() == pyindex.WheelFilename
	}
	switch {
	case got && neg:
		ts.Fatalf("pip download succeeded; want failure")
	case !got && !neg:
		ts.Logf("%s", tail(string(out), 40))
		ts.Fatalf("pip download failed: %v", err)
	case !got && neg && !strings.Contains(string(out), "401") && !strings.Contains(string(out), "No matching distribution"):
		ts.Logf("%s", tail(string(out), 40))
		ts.Fatalf("pip download failed, but not for want of credentials")
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// chainctl-calls N: the fake chainctl ran N times so far.
func cmdChainctlCalls(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: chainctl-calls N")
	}
	want, _ := strconv.Atoi(args[0])
	got := 0
	if data, err := os.ReadFile(ts.Getenv("FAKE_CHAINCTL_LOG")); err == nil {
		got = strings.Count(string(data), "\n")
	}
	if (got == want) == neg {
		ts.Fatalf("chainctl ran %d times, want %s%d", got, map[bool]string{true: "not "}[neg], want)
	}
}

// menda-calls oauth|registry N
func cmdMendaCalls(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: menda-calls oauth|registry N")
	}
	want, _ := strconv.Atoi(args[1])
	got := fakesOf(ts).menda.Calls(mendacloud.Endpoint(args[0]))
	if (got == want) == neg {
		ts.Fatalf("menda-cloud %s called %d times, want %d", args[0], got, want)
	}
}

// menda-fault oauth|registry clear | STATUS [times]
func cmdMendaFault(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: menda-fault ENDPOINT clear|FAULT...")
	}
	if args[1] == "clear" {
		fakesOf(ts).menda.SetFault(mendacloud.Endpoint(args[0]), mendacloud.Fault{})
		return
	}
	f, err := mendacloud.ParseFault(args[1:])
	ts.Check(err)
	fakesOf(ts).menda.SetFault(mendacloud.Endpoint(args[0]), f)
}

// menda-login KEY TTL: what `menda auth login` leaves in the token cache: a
// user token for profile KEY valid for TTL (negative: already expired).
func cmdMendaLogin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: menda-login PROFILE TTL")
	}
	ttl, err := time.ParseDuration(args[1])
	ts.Check(err)
	tok := fakesOf(ts).menda.UserToken(args[0], max(ttl, time.Minute))
	path := filepath.Join(ts.Getenv("HOME"), ".menda", "tokens", "cache", ".token")
	cache := map[string]any{}
	if data, err := os.ReadFile(path); err == nil {
		ts.Check(json.Unmarshal(data, &cache))
	}
	cache[args[0]] = map[string]any{"access_token": tok, "token_type": "Bearer", "expires_at": time.Now().Add(ttl).Unix()}
	data, _ := json.MarshalIndent(cache, "", "  ")
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o700))
	ts.Check(os.WriteFile(path, data, 0o600))
}

// netrc-hosts FILE: Python's netrc module reads FILE; prints "host login" per
// machine (sorted) and whether the password is a live fake token.
func cmdNetrcHosts(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: netrc-hosts FILE")
	}
	script := `import netrc, sys
n = netrc.netrc(sys.argv[1])
for h in sorted(n.hosts):
    login, account, password = n.hosts[h]
    print(h, login, "password-set" if password else "no-password")
`
	out, err := exec.Command(python, "-c", script, ts.MkAbs(args[0])).CombinedOutput()
	if (err != nil) != neg {
		ts.Fatalf("python netrc: %v\n%s", err, out)
	}
	fmt.Fprint(ts.Stdout(), string(out))
}

// py-parse pip|uv FILE: Python's configparser or tomllib reads FILE; prints the
// index URLs with credentials masked.
func cmdPyParse(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: py-parse pip|uv FILE")
	}
	scripts := map[string]string{
		"pip": `import configparser, sys, re
c = configparser.RawConfigParser(); c.read(sys.argv[1])
for s in c.sections():
    for k, v in c.items(s):
        if k.replace("_", "-") in ("index-url", "extra-index-url"):
            for u in v.split():
                print(s, k, re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:****@", u))
`,
		"uv": `import tomllib, sys, re
d = tomllib.load(open(sys.argv[1], "rb"))
for ix in d.get("index", []):
    print(ix.get("name"), re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:****@", ix["url"]), "default" if ix.get("default") else "")
`,
	}
	out, err := exec.Command(python, "-c", scripts[args[0]], ts.MkAbs(args[1])).CombinedOutput()
	if (err != nil) != neg {
		ts.Fatalf("python %s: %v\n%s", args[0], err, out)
	}
	fmt.Fprint(ts.Stdout(), string(out))
}

// mtime save FILE... | mtime same FILE... | mtime changed FILE...
func cmdMtime(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mtime save|same|changed FILE...")
	}
	f := fakesOf(ts)
	f.mu.Lock()
	defer f.mu.Unlock()
	var files []string
	for _, a := range args[1:] {
		files = append(files, ts.MkAbs(a))
	}
	sort.Strings(files)
	for _, p := range files {
		fi, err := os.Stat(p)
		ts.Check(err)
		switch args[0] {
		case "save":
			f.saved[p] = fi.ModTime()
		case "same", "changed":
			same := fi.ModTime().Equal(f.saved[p])
			if same != (args[0] == "same") {
				ts.Fatalf("%s: mtime %v, saved %v", p, fi.ModTime(), f.saved[p])
			}
		}
	}
}

// islink FILE: FILE is a symbolic link.
func cmdIsLink(ts *testscript.TestScript, neg bool, args []string) {
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	if (fi.Mode()&os.ModeSymlink != 0) == neg {
		ts.Fatalf("%s: symlink = %v", args[0], !neg)
	}
}
