//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// The scripts run the real credgen (this test binary re-executed as
// "credgen"), the fake chainctl, real pip, curl and Python in a world of the
// shared harness (harness_test.go), one world per script.

// credgenUnderTest is credgen's main with stdout and stderr also appended to
// $CREDGEN_TEST_OUTPUT, which the leak check and the wait-log and
// wait-passes commands read.
func credgenUnderTest() {
	f, err := os.OpenFile(os.Getenv("CREDGEN_TEST_OUTPUT"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test harness:", err)
		os.Exit(99)
	}
	stdout := io.MultiWriter(os.Stdout, f)
	if printsSecrets(os.Args[1:]) {
		stdout = os.Stdout // on purpose: the leak check reads its stderr only
	}
	code := runProcess(stdout, io.MultiWriter(os.Stderr, f))
	f.Close()
	os.Exit(code)
}

// printsSecrets says whether credgen's command line is one that prints a
// secret on stdout on purpose: `keyring get` and `env`.
func printsSecrets(args []string) bool {
	for i, a := range args {
		switch a {
		case "keyring":
			return slices.Contains(args[i+1:], "get")
		case "env":
			return true
		case "exec": // what COMMAND prints is not credgen's
			return false
		}
	}
	return false
}

func TestScripts(t *testing.T) {
	kit := sharedKit.ready(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Setup:               func(env *testscript.Env) error { return setupScript(env, kit) },
		Cmds:                scriptCommands(),
		RequireExplicitExec: true,
	})
}

type scriptWorldKey struct{}

// scriptWorld is one script's world and what its commands remember.
type scriptWorld struct {
	*world
	mu    sync.Mutex
	saved map[string]time.Time

	monitor  *netrcMonitor
	watchPID int
}

// output is the file credgenUnderTest appends everything credgen prints to.
func (w *scriptWorld) output() string { return filepath.Join(w.dir, "credgen-output.log") }

func setupScript(env *testscript.Env, kit *testKit) error {
	w, err := startWorld(kit, env.WorkDir, worldOptions{})
	if err != nil {
		return err
	}
	env.Defer(w.close)
	sw := &scriptWorld{world: w, saved: map[string]time.Time{}}
	env.Values[scriptWorldKey{}] = sw
	for _, kv := range w.baseEnv() {
		k, v, _ := strings.Cut(kv, "=")
		env.Setenv(k, v)
	}
	for k, v := range map[string]string{
		"CREDGEN_TEST_OUTPUT": sw.output(),
		"FAKE_CA":             w.stack.CAFile,
		"MENDA_URL":           "https://" + mendaHost,
		"MENDA_SECRET":        mendaSecret,
		"CGR":                 indexCGR,
		"CA_INDEX":            indexCA,
		"CA_INDEX2":           indexCA2,
	} {
		env.Setenv(k, v)
	}
	env.Defer(func() { checkScriptLeaks(env.T(), sw) })
	return nil
}

// checkScriptLeaks fails the script when a secret shows in what credgen
// printed or in its state file.
func checkScriptLeaks(t testscript.T, w *scriptWorld) {
	transcript, _ := os.ReadFile(w.output())
	if res := w.findLeaks(string(transcript)); len(res.leaks) > 0 {
		t.Fatal(strings.Join(res.leaks, "\n"))
	}
}

func worldOf(ts *testscript.TestScript) *scriptWorld {
	return ts.Value(scriptWorldKey{}).(*scriptWorld)
}

func scriptCommands() map[string]func(*testscript.TestScript, bool, []string) {
	cmds := watchCommands()
	maps.Copy(cmds, doctorCommands())
	for name, cmd := range map[string]func(*testscript.TestScript, bool, []string){
		"pip-download":   cmdPipDownload,
		"keyring-link":   cmdKeyringLink,
		"twine-upload":   cmdTwineUpload,
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
	for name, cmd := range execEnvCommands() {
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
	cmd := exec.Command(worldOf(ts).kit.python, argv...)
	cmd.Env = []string{
		"HOME=" + ts.Getenv("HOME"),
		"PATH=" + ts.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + ts.Getenv("XDG_CONFIG_HOME"),
		"PIP_CONFIG_FILE=" + filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "pip", "pip.conf"),
		"PIP_KEYRING_PROVIDER=disabled",
		"HTTPS_PROXY=" + ts.Getenv("HTTPS_PROXY"),
	}
	if n := ts.Getenv("NETRC"); n != "" {
		cmd.Env = append(cmd.Env, "NETRC="+n)
	}
	// --keyring-provider subprocess (which wins over the variable above):
	// the keyring pip runs needs credgen's environment.
	for _, k := range keyringEnv {
		if v := ts.Getenv(k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
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

// chainctl-calls N: the fake chainctl ran N times so far.
func cmdChainctlCalls(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: chainctl-calls N")
	}
	want, _ := strconv.Atoi(args[0])
	got := worldOf(ts).chainctlCalls()
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
	got := worldOf(ts).menda.Calls(mendacloud.Endpoint(args[0]))
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
		worldOf(ts).menda.SetFault(mendacloud.Endpoint(args[0]), mendacloud.Fault{})
		return
	}
	f, err := mendacloud.ParseFault(args[1:])
	ts.Check(err)
	worldOf(ts).menda.SetFault(mendacloud.Endpoint(args[0]), f)
}

// menda-login KEY TTL: what `menda auth login` leaves in the token cache: a
// user token for profile KEY valid for TTL (negative: already expired).
func cmdMendaLogin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: menda-login PROFILE TTL")
	}
	ttl, err := time.ParseDuration(args[1])
	ts.Check(err)
	tok := worldOf(ts).menda.UserToken(args[0], max(ttl, time.Minute))
	path := worldOf(ts).cache()
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
	out, err := exec.Command(worldOf(ts).kit.python, "-c", script, ts.MkAbs(args[0])).CombinedOutput()
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
	out, err := exec.Command(worldOf(ts).kit.python, "-c", scripts[args[0]], ts.MkAbs(args[1])).CombinedOutput()
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
	f := worldOf(ts)
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
