//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

// Reliability and security tests. Unlike the testscript scripts, these run
// a credgen binary built from ./cmd/credgen as a real process, so it can be
// SIGKILLed, run fifty at a time, run as another user or inside a private
// mount namespace. Each test runs in worlds of the shared harness
// (harness_test.go); every world ends with its leak check over everything
// its credgen processes printed and its state file.
//
// make test runs the bounded sizes; make stress sets CREDGEN_STRESS=1 for
// the long ones (2,000 kills, more writers, the real 30 s timeouts).

const (
	relLockMsg  = "another credgen holds the lock"
	relTempGlob = ".*.credgen-*"
)

func relStress() bool { return os.Getenv("CREDGEN_STRESS") == "1" }

// relSize is n under make test and stress under make stress.
func relSize(n, stress int) int {
	if relStress() {
		return stress
	}
	return n
}

func TestReliability(t *testing.T) {
	kit := sharedKit.ready(t)
	t.Run("CrashKill", func(t *testing.T) { testCrashKill(t, kit) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, kit) })
	t.Run("MendaCacheKey", func(t *testing.T) { testMendaCacheKey(t, kit) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, kit) })
	t.Run("ChainctlFaults", func(t *testing.T) { testChainctlFaults(t, kit) })
	t.Run("MendaFaults", func(t *testing.T) { testMendaFaults(t, kit) })
	t.Run("HungProviderHoldsNothingUp", func(t *testing.T) { testHungProviderHoldsNothingUp(t, kit) })
	t.Run("StatusAgreesWithWrite", func(t *testing.T) { testStatusAgreesWithWrite(t, kit) })
	t.Run("WatchRetries", func(t *testing.T) { testWatchRetries(t, kit) })
	t.Run("DiskFaults", func(t *testing.T) { testDiskFaults(t, kit) })
	t.Run("Secrets", func(t *testing.T) { testSecrets(t, kit) })
	t.Run("Permissions", func(t *testing.T) { testPermissions(t, kit) })
}

// relWorld is a world of the shared harness driven by one test.
type relWorld struct {
	*world
	t *testing.T
	// m2m puts the MENDA_* machine identity in every process's environment.
	m2m bool

	outMu      sync.Mutex
	transcript []string // what every credgen process printed, for the leak check
}

type relWorldOptions struct {
	accessTTL time.Duration // menda access token lifetime (60 s: never reusable, so every mint rewrites the cache)
	m2m       bool
}

func newRelWorld(t *testing.T, kit *testKit, opts relWorldOptions) *relWorld {
	t.Helper()
	base, err := startWorld(kit, t.TempDir(), worldOptions{accessTTL: opts.accessTTL})
	if err != nil {
		t.Fatal(err)
	}
	w := &relWorld{world: base, t: t, m2m: opts.m2m}
	t.Cleanup(func() {
		w.checkNoLeaks()
		base.close()
	})
	return w
}

// env is a clean environment (this machine's PIP_*, NETRC, REQUESTS_CA_BUNDLE
// stay out): PATH, the world's, the menda machine identity when the world
// has one, then extra KEY=value pairs, which win.
func (w *relWorld) env(extra ...string) []string {
	env := append([]string{"PATH=" + os.Getenv("PATH")}, w.baseEnv()...)
	if w.m2m {
		env = append(env, "MENDA_CLIENT_ID="+mendaClientID, "MENDA_CLIENT_SECRET="+mendaSecret,
			"MENDA_HOST=https://"+mendaHost)
	}
	return append(env, extra...)
}

// relRun is one finished credgen process.
type relRun struct {
	args           []string
	code           int // -1: killed by a signal
	stdout, stderr string
	took           time.Duration
}

func (r relRun) String() string {
	return fmt.Sprintf("credgen %s: exit %d after %s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond), tail(r.stderr, 30))
}

// command is credgen with args in this world; the caller starts it.
func (w *relWorld) command(ctx context.Context, env []string, args ...string) (*exec.Cmd, *relOutput) {
	cmd := exec.CommandContext(ctx, w.kit.credgen, args...)
	cmd.Env = env
	cmd.Dir = w.home
	out := &relOutput{}
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	cmd.WaitDelay = 5 * time.Second
	return cmd, out
}

// relOutput collects a process's output; reads may happen while it runs.
type relOutput struct{ stdout, stderr relBuffer }

type relBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *relBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *relBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// run runs credgen to the end (at most two minutes) with the world's env.
func (w *relWorld) run(args ...string) relRun {
	return w.runEnv(w.env(), args...)
}

func (w *relWorld) runEnv(env []string, args ...string) relRun {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, out := w.command(ctx, env, args...)
	start := time.Now()
	err := cmd.Run()
	return w.finish(args, out, err, time.Since(start))
}

// finish records a process's output for the leak check and its exit code.
func (w *relWorld) finish(args []string, out *relOutput, err error, took time.Duration) relRun {
	r := relRun{args: args, stdout: out.stdout.String(), stderr: out.stderr.String(), took: took}
	w.record(r.stdout, r.stderr)
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode() // -1 when killed by a signal
	default:
		r.code = -2
		w.t.Errorf("credgen %s: %v", strings.Join(args, " "), err)
	}
	return r
}

func (w *relWorld) record(texts ...string) {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	w.transcript = append(w.transcript, texts...)
}

// want asserts a run's exit code and that stderr matches every pattern.
func (w *relWorld) want(r relRun, code int, stderrPatterns ...string) {
	w.t.Helper()
	if r.code != code {
		w.t.Errorf("want exit %d; %s", code, r)
		return
	}
	for _, p := range stderrPatterns {
		if !regexp.MustCompile(p).MatchString(r.stderr) {
			w.t.Errorf("stderr does not match %q; %s", p, r)
		}
	}
}

// checkNoLeaks fails the test when a secret shows in anything credgen
// printed or in its state file.
func (w *relWorld) checkNoLeaks() {
	w.t.Helper()
	w.outMu.Lock()
	transcript := strings.Join(w.transcript, "\n")
	w.outMu.Unlock()
	res := w.findLeaks(transcript)
	for _, l := range res.leaks {
		w.t.Error(l)
	}
	w.t.Logf("leak check: %d secrets searched in %d places, %d leaks", res.secrets, res.places, len(res.leaks))
}

// relWriteFile writes a fixture file, creating its folders.
func relWriteFile(t *testing.T, path string, data []byte, perm fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// ---- the user's files ----

// relUser is a realistic set of user files with n entries of each kind and
// what the independent readers must still find in them after credgen.
type relUser struct {
	netrc, pip, uv, cache []byte
	want                  relWant
}

// relWant is what Python must find (see relPyChecker).
type relWant struct {
	Netrc relNetrcWant
	Pip   relPipWant
	UV    relUVWant
	Cache relJSONWant
}

type relNetrcWant struct {
	Hosts   map[string][2]string `json:"hosts"` // host -> login, password ("default" for the default entry)
	Macros  map[string][]string  `json:"macros"`
	Managed []string             `json:"managed"` // hosts that must have a machine with a password
}

type relPipWant struct {
	Keys map[string]map[string][]string `json:"keys"` // section -> key -> items the value must hold
}

type relUVWant struct {
	Top     map[string]any            `json:"top"`
	Indexes []map[string]any          `json:"indexes"`
	Tables  map[string]map[string]any `json:"tables"`
}

type relJSONWant struct {
	Keys map[string]any `json:"keys"` // key -> exact value
	Has  []string       `json:"has"`
}

// relUserFiles builds the user's files. Every index credgen manages is
// already named in pip.conf (the Chainguard one as index-url, the
// CodeArtifact one in a multi-line extra-index-url), so `credgen write`
// without flags manages both.
func relUserFiles(n int) relUser {
	var u relUser
	u.want.Netrc = relNetrcWant{Hosts: map[string][2]string{}, Macros: map[string][]string{}, Managed: []string{hostCGR, hostCA}}
	var nb strings.Builder
	// Comments only at the top: Python's netrc module reads the words of a
	// comment that follows an entry.
	nb.WriteString("# ~/.netrc — written by hand, please keep it tidy\n# (multi-line entries are fine too)\n")
	nb.WriteString("machine github.com login octocat password ghp_" + leakProbe + "0Gh\n\n")
	u.want.Netrc.Hosts["github.com"] = [2]string{"octocat", "ghp_" + leakProbe + "0Gh"}
	for i := range n {
		host := fmt.Sprintf("host%02d.internal.example", i)
		login, pass := fmt.Sprintf("user%02d", i), fmt.Sprintf("%s-netrc-%02d", leakProbe, i)
		if i%3 == 0 {
			fmt.Fprintf(&nb, "machine %s\n    login %s\n    password %s\n", host, login, pass)
		} else {
			fmt.Fprintf(&nb, "machine %s login %s password %s\n", host, login, pass)
		}
		u.want.Netrc.Hosts[host] = [2]string{login, pass}
		if i == n/2 {
			nb.WriteString("\nmacdef init\ncd /pub\nbinary\n\n")
			u.want.Netrc.Macros["init"] = []string{"cd /pub\n", "binary\n"}
		}
	}
	nb.WriteString("\ndefault login anonymous password " + leakProbe + "-guest@example.com\n")
	u.want.Netrc.Hosts["default"] = [2]string{"anonymous", leakProbe + "-guest@example.com"}
	u.netrc = []byte(nb.String())

	var pb strings.Builder
	trusted, links := []string{}, []string{}
	pb.WriteString("# pip configuration for the team\n[global]\ntimeout = 60\n")
	pb.WriteString("index-url = " + indexCGR + "\n")
	userIndex := "https://alice:" + leakProbe + "-pip@pypi.internal.example/simple/"
	pb.WriteString("extra-index-url =\n    https://pypi.org/simple/\n    " + userIndex + "\n    " + indexCA + "\n")
	pb.WriteString("trusted-host =\n")
	for i := range n {
		h := fmt.Sprintf("mirror%02d.internal.example", i)
		trusted = append(trusted, h)
		fmt.Fprintf(&pb, "    %s\n", h)
	}
	pb.WriteString("; retries for a flaky VPN\nretries = 5\n\n[install]\nno-compile = true\nfind-links =\n")
	for i := range n {
		l := fmt.Sprintf("https://links%02d.internal.example/wheels/", i)
		links = append(links, l)
		fmt.Fprintf(&pb, "\t%s\n", l)
	}
	pb.WriteString("\n[freeze]\ntimeout = 10\n")
	u.pip = []byte(pb.String())
	u.want.Pip.Keys = map[string]map[string][]string{
		"global":  {"timeout": {"60"}, "extra-index-url": {"https://pypi.org/simple/", userIndex}, "trusted-host": trusted, "retries": {"5"}},
		"install": {"no-compile": {"true"}, "find-links": links},
		"freeze":  {"timeout": {"10"}},
	}

	var ub strings.Builder
	ub.WriteString("# uv user settings\npython-preference = \"managed\"\nnative-tls = true\n\n")
	u.want.UV = relUVWant{Top: map[string]any{"python-preference": "managed", "native-tls": true}, Tables: map[string]map[string]any{}}
	for i := range n {
		name := fmt.Sprintf("internal%02d", i)
		url := fmt.Sprintf("https://bob:%s-uv-%02d@uv%02d.internal.example/simple/", leakProbe, i, i)
		fmt.Fprintf(&ub, "# index %d\n[[index]]\nname = %q\nurl = %q\nexplicit = true\n\n", i, name, url)
		u.want.UV.Indexes = append(u.want.UV.Indexes, map[string]any{"name": name, "url": url, "explicit": true})
	}
	ub.WriteString("[pip]\nindex-strategy = \"unsafe-best-match\"\n")
	u.want.UV.Tables["pip"] = map[string]any{"index-strategy": "unsafe-best-match"}
	u.uv = []byte(ub.String())

	// The shared menda token cache: a user's u2m login and another tool's
	// m2m entry with a field credgen does not know. credgen must keep both.
	cache := map[string]any{
		"default":      map[string]any{"access_token": leakProbe + "-u2m-token", "token_type": "Bearer", "expires_at": float64(4102444800)},
		"other-client": map[string]any{"access_token": leakProbe + "-other-m2m", "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z", "scope": "registry:read"},
	}
	u.cache, _ = json.MarshalIndent(cache, "", "  ")
	u.want.Cache = relJSONWant{Keys: cache, Has: []string{mendaClientID}}
	return u
}

// relBaselineArgs is the first write of a world with relUserFiles: both
// indexes named, so that every output gets an entry for each (an index
// credgen only finds in pip.conf is not added to uv.toml).
var relBaselineArgs = []string{"write", "--default-index", indexCGR, "--index", indexCA}

// install writes the user's files into the world.
func (w *relWorld) install(u relUser) {
	relWriteFile(w.t, w.netrc(), u.netrc, 0o600)
	relWriteFile(w.t, w.pipConf(), u.pip, 0o600)
	relWriteFile(w.t, w.uvToml(), u.uv, 0o600)
	relWriteFile(w.t, w.cache(), u.cache, 0o600)
}

// ---- the independent readers, batched ----

// relCheck is one file for Python to read.
type relCheck struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // netrc, pip, uv, json
	Path string `json:"path"`
	Want any    `json:"want"`
}

// checks for the world's current files against want (cache only when the
// world has one).
func (w *relWorld) checks(id string, want relWant, paths map[string]string) []relCheck {
	if paths == nil {
		paths = map[string]string{"netrc": w.netrc(), "pip": w.pipConf(), "uv": w.uvToml(), "cache": w.cache(), "state": w.state()}
	}
	out := []relCheck{
		{id, "netrc", paths["netrc"], want.Netrc},
		{id, "pip", paths["pip"], want.Pip},
		{id, "uv", paths["uv"], want.UV},
		{id, "json", paths["state"], relJSONWant{}},
	}
	if want.Cache.Keys != nil {
		out = append(out, relCheck{id, "json", paths["cache"], want.Cache})
	}
	return out
}

// relPyChecker reads every file with Python's own readers, as pip, uv (for
// TOML) and the menda CLI would, and reports what is lost.
const relPyChecker = `
import json, sys, netrc, configparser, tomllib

def check_netrc(path, want):
    n = netrc.netrc(path)
    out = []
    for host, (login, password) in (want.get("hosts") or {}).items():
        got = n.hosts.get(host)
        if got is None:
            out.append("machine %s is gone" % host)
        elif (got[0], got[2]) != (login, password):
            out.append("machine %s changed" % host)
    for name, lines in (want.get("macros") or {}).items():
        if n.macros.get(name) != lines:
            out.append("macdef %s changed" % name)
    for host in want.get("managed") or []:
        got = n.hosts.get(host)
        if got is None or not got[2]:
            out.append("managed machine %s has no password" % host)
    return out

def check_pip(path, want):
    c = configparser.RawConfigParser()
    with open(path, encoding="utf-8") as f:
        c.read_file(f)
    out = []
    for section, keys in (want.get("keys") or {}).items():
        for key, items in keys.items():
            if not c.has_option(section, key):
                out.append("[%s] %s is gone" % (section, key))
                continue
            have = c.get(section, key).split()
            lost = [i for i in items if i not in have]
            if lost:
                out.append("[%s] %s lost %d item(s)" % (section, key, len(lost)))
    return out

def check_uv(path, want):
    with open(path, "rb") as f:
        d = tomllib.load(f)
    out = []
    for k, v in (want.get("top") or {}).items():
        if d.get(k) != v:
            out.append("top-level key %s changed" % k)
    idx = d.get("index", [])
    for t in want.get("indexes") or []:
        if t not in idx:
            out.append("[[index]] %s changed or gone" % t.get("name"))
    for name, tbl in (want.get("tables") or {}).items():
        if d.get(name) != tbl:
            out.append("table [%s] changed" % name)
    return out

def check_json(path, want):
    with open(path, "rb") as f:
        d = json.load(f)
    if not isinstance(d, dict):
        return ["not a JSON object"]
    out = []
    for k, v in (want.get("keys") or {}).items():
        if d.get(k) != v:
            out.append("key %s changed or gone" % k)
    for k in want.get("has") or []:
        if k not in d:
            out.append("key %s missing" % k)
    return out

CHECK = {"netrc": check_netrc, "pip": check_pip, "uv": check_uv, "json": check_json}
bad = []
checks = json.load(sys.stdin)
for c in checks:
    try:
        problems = CHECK[c["kind"]](c["path"], c["want"] or {})
    except Exception as e:
        problems = ["%s does not parse: %s" % (c["kind"], type(e).__name__)]
    for p in problems:
        bad.append({"id": c["id"], "path": c["path"], "problem": p})
json.dump({"checked": len(checks), "problems": bad}, sys.stdout)
`

// pyCheck runs every check in one Python process and fails the test for each
// problem. It returns how many files were read.
func (k *testKit) pyCheck(t *testing.T, checks []relCheck) int {
	t.Helper()
	in, err := json.Marshal(checks)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(k.python, "-c", relPyChecker)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PYTHONDONTWRITEBYTECODE=1", "LC_ALL=C.UTF-8"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python checker: %v\n%s", err, stderr.String())
	}
	var res struct {
		Checked  int
		Problems []struct{ ID, Path, Problem string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python checker output: %v", err)
	}
	for i, p := range res.Problems {
		if i == 20 {
			t.Errorf("... and %d more problems", len(res.Problems)-20)
			break
		}
		t.Errorf("%s: %s: %s", p.ID, p.Path, p.Problem)
	}
	return res.Checked
}

// ---- files on disk ----

// relTree hashes everything under root: path -> kind, mode and content hash.
func relTree(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			tree[rel] = "link " + target
		case d.IsDir():
			tree[rel] = fmt.Sprintf("dir %04o", info.Mode().Perm())
		case !info.Mode().IsRegular():
			tree[rel] = "special " + info.Mode().String()
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				// Unreadable to us too (never happens as root).
				tree[rel] = fmt.Sprintf("file %04o unreadable", info.Mode().Perm())
				return nil
			}
			sum := sha256.Sum256(data)
			tree[rel] = fmt.Sprintf("file %04o %s", info.Mode().Perm(), hex.EncodeToString(sum[:8]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// relTreeDiff lists what differs between two trees, except the paths skip
// accepts.
func relTreeDiff(before, after map[string]string, skip func(string) bool) []string {
	var diff []string
	for p, b := range before {
		if skip != nil && skip(p) {
			continue
		}
		switch a, ok := after[p]; {
		case !ok:
			diff = append(diff, "removed "+p)
		case a != b:
			diff = append(diff, fmt.Sprintf("changed %s (%s -> %s)", p, b, a))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && (skip == nil || !skip(p)) {
			diff = append(diff, "new "+p)
		}
	}
	sort.Strings(diff)
	return diff
}

// relTempFiles lists credgen's temp files under root.
func relTempFiles(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if ok, _ := filepath.Match(relTempGlob, d.Name()); ok {
				out = append(out, path)
			}
		}
		return nil
	})
	return out
}

// relMachineCount counts the netrc entries naming host.
func relMachineCount(netrc []byte, host string) int {
	re := regexp.MustCompile(`(?m)(^|\s)machine\s+` + regexp.QuoteMeta(host) + `(\s|$)`)
	return len(re.FindAll(netrc, -1))
}

var relPasswordRe = regexp.MustCompile(`(?m)machine\s+(\S+)\s+login\s+(\S+)\s+password\s+(\S+)`)

// relManagedSecrets is the password of each managed host's netrc machine.
func relManagedSecrets(netrc []byte) map[string]string {
	out := map[string]string{}
	for _, m := range relPasswordRe.FindAllSubmatch(netrc, -1) {
		host := string(m[1])
		if host == hostCGR || host == hostCA {
			out[host] = string(m[3])
		}
	}
	return out
}

// relCheckTokens fails when a managed host's netrc password is not a whole,
// valid token a fake issued (a torn write would show here).
func relCheckTokens(t *testing.T, id string, netrc []byte) {
	t.Helper()
	secrets := relManagedSecrets(netrc)
	for _, host := range []string{hostCGR, hostCA} {
		s, ok := secrets[host]
		if !ok {
			t.Errorf("%s: netrc has no one-line credgen entry for %s", id, host)
			continue
		}
		if _, err := faketoken.Verify(s, time.Now()); err != nil {
			t.Errorf("%s: the netrc password for %s is not a valid fake token: %v", id, host, err)
		}
	}
}

// relCopyTree copies src into dst (which must not exist), keeping modes and
// symlinks.
func relCopyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runBounded runs credgen, killing it (and failing) after limit: a hostile
// file (a FIFO) must not make credgen hang.
func (w *relWorld) runBounded(limit time.Duration, env []string, args ...string) relRun {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd, out := w.command(ctx, env, args...)
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		w.t.Errorf("credgen %s still running after %s: killed", strings.Join(args, " "), limit)
	}
	return w.finish(args, out, err, time.Since(start))
}

// runAsOther runs credgen as uid/gid 65534 over a world handed to that user,
// except the paths in rootOwned, which stay root's (only possible as root;
// otherwise as ourselves, where modes apply anyway).
func (w *relWorld) runAsOther(env []string, rootOwned []string, args ...string) relRun {
	w.t.Helper()
	if os.Geteuid() != 0 {
		return w.runBounded(20*time.Second, env, args...)
	}
	if err := openForOthers(w.dir); err != nil {
		w.t.Fatal(err)
	}
	relChownTree(w.t, w.home, 65534, 65534)
	_ = os.Chown(w.stack.CAFile, 65534, 65534)
	for _, p := range rootOwned {
		if err := os.Chown(p, 0, 0); err != nil {
			w.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd, out := w.command(ctx, env, args...)
	cmd.SysProcAttr = relDropPrivileges()
	start := time.Now()
	err := cmd.Run()
	return w.finish(args, out, err, time.Since(start))
}

func relChownTree(t *testing.T, root string, uid, gid int) {
	t.Helper()
	err := filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// relDropPrivileges is the process attribute that runs a command as uid/gid
// 65534.
func relDropPrivileges() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
