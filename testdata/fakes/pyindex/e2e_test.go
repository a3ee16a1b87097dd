package pyindex_test

// End-to-end: real curl and real pip reach https://libraries.cgr.dev/... and a
// CodeArtifact domain through the CONNECT proxy, trusting the test CA. Both
// tools must be installed: a missing one fails the test (CI installs them).

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

const (
	cgrIndex = "https://libraries.cgr.dev/python/simple/"
	caHost   = "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com"
	caIndex  = "https://" + caHost + "/pypi/plugins/simple/"
)

func startStack(t *testing.T) *pyindex.Stack {
	t.Helper()
	s, err := pyindex.StartStack(pyindex.StackOptions{Dir: t.TempDir(), Index: pyindex.Options{Accept: pyindex.ProviderUsers}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close stack: %v", err)
		}
	})
	return s
}

func liveToken() string {
	return faketoken.Issue("_token", "libraries.cgr.dev", time.Hour, time.Now())
}

func expiredToken() string {
	return faketoken.Issue("_token", "libraries.cgr.dev", time.Minute, time.Now().Add(-time.Hour))
}

func TestCurlThroughProxy(t *testing.T) {
	t.Parallel()
	curl := mustLookPath(t, "curl")
	s := startStack(t)
	token := liveToken()
	netrc := writeNetrc(t, t.TempDir(), "libraries.cgr.dev", "_token", token)
	tests := []struct {
		name string
		args []string
		url  string // default cgrIndex
		noCA bool   // leave out --cacert: TLS must then fail
		want string
	}{
		{name: "untrusted without --cacert", args: []string{"-u", "_token:" + token}, noCA: true, want: "000"},
		{name: "no credentials", want: "401"},
		{name: "fresh token", args: []string{"-u", "_token:" + token}, want: "200"},
		{name: "netrc file", args: []string{"--netrc-file", netrc}, want: "200"},
		{name: "expired token", args: []string{"-u", "_token:" + expiredToken()}, want: "401"},
		{name: "codeartifact as aws", args: []string{"-u", "aws:" + token}, url: caIndex + "credgen-probe/", want: "200"},
		{name: "codeartifact as _token", args: []string{"-u", "_token:" + token}, url: caIndex, want: "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := cmp.Or(tt.url, cgrIndex)
			args := []string{"-sS", "-o", os.DevNull, "-w", "%{http_code}"}
			if !tt.noCA {
				args = append(args, "--cacert", s.CAFile)
			}
			args = append(append(args, tt.args...), url)
			cmd := exec.Command(curl, args...)
			// HTTPS_PROXY from the environment, as pip and credgen's users get it.
			cmd.Env = []string{"HTTPS_PROXY=" + s.ProxyURL(), "HOME=" + t.TempDir()}
			out, err := cmd.Output()
			if string(out) != tt.want || (err == nil) != !tt.noCA {
				t.Fatalf("curl %s: status %q, want %s (err %v)", tt.name, out, tt.want, err)
			}
		})
	}
	if got := s.Proxy.Stats().Tunnels; got != int64(len(tests)) {
		t.Errorf("proxy tunnels = %d, want %d: curl bypassed the proxy", got, len(tests))
	}
}

// pipCase is one real pip run against its own stack, so the index's counters
// belong to that run alone.
type pipCase struct {
	name     string
	indexURL func(token string) string
	netrc    func(t *testing.T, home, token string) []string // env additions
	install  bool                                            // pip install --target and import instead of download
	ok       bool
}

func TestPipThroughProxy(t *testing.T) {
	t.Parallel()
	python := pythonExecutable(t)
	cases := []pipCase{
		{name: "credentials in index URL", indexURL: func(tok string) string { return withUserinfo(cgrIndex, "_token", tok) }, ok: true},
		{name: "NETRC file, bare URL", indexURL: bare(cgrIndex), ok: true, netrc: func(t *testing.T, home, tok string) []string {
			return []string{"NETRC=" + writeNetrc(t, t.TempDir(), "libraries.cgr.dev", "_token", tok)}
		}},
		{name: "~/.netrc on codeartifact as aws", indexURL: bare(caIndex), ok: true, netrc: func(t *testing.T, home, tok string) []string {
			writeNetrc(t, home, caHost, "aws", tok)
			return nil
		}},
		{name: "install --target from netrc and import", indexURL: bare(cgrIndex), install: true, ok: true, netrc: func(t *testing.T, home, tok string) []string {
			writeNetrc(t, home, "libraries.cgr.dev", "_token", tok)
			return nil
		}},
		{name: "no credentials", indexURL: bare(cgrIndex)},
		{name: "expired token in URL", indexURL: func(string) string { return withUserinfo(cgrIndex, "_token", expiredToken()) }},
	}
	for _, pc := range cases {
		t.Run(pc.name, func(t *testing.T) {
			t.Parallel()
			runPipCase(t, python, pc)
		})
	}
}

func runPipCase(t *testing.T, python string, pc pipCase) {
	s := startStack(t)
	home, out := t.TempDir(), t.TempDir()
	token := liveToken()
	env := pipEnv(home, s)
	if pc.netrc != nil {
		env = append(env, pc.netrc(t, home, token)...)
	}
	args := []string{"-m", "pip"}
	if pc.install {
		args = append(args, "install", "--target", out)
	} else {
		args = append(args, "download", "-d", out)
	}
	args = append(args, "--no-deps", "--disable-pip-version-check", "--no-input", "--cert", s.CAFile, "--index-url", pc.indexURL(token))
	if !pc.ok {
		// pip only prints the 401 at -vv: at default verbosity an index
		// that refuses it is "No matching distribution found".
		args = append(args, "-vv")
	}
	args = append(args, "credgen-probe")
	cmd := exec.Command(python, args...)
	cmd.Env = env
	output, err := cmd.CombinedOutput()
	stats := s.Index.Stats()
	if pc.ok {
		if err != nil {
			t.Fatalf("pip failed: %v\n%s\nindex stats %+v", err, output, stats)
		}
		if stats.Downloads != 1 {
			t.Errorf("index stats %+v, want one download", stats)
		}
		checkResult(t, python, out, home, s.Index.Wheel(), pc.install)
		return
	}
	if err == nil {
		t.Fatalf("pip succeeded, want failure:\n%s", output)
	}
	if !strings.Contains(string(output), "401 Client Error: Unauthorized") || stats.AuthFailures == 0 || stats.Downloads != 0 {
		t.Fatalf("want a 401 from the index; stats %+v, pip said:\n%s", stats, output)
	}
}

func checkResult(t *testing.T, python, out, home string, wheel pyindex.Wheel, installed bool) {
	t.Helper()
	if !installed {
		data, err := os.ReadFile(filepath.Join(out, wheel.Filename))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != wheel.SHA256 {
			t.Fatal("downloaded wheel differs from the served one")
		}
		return
	}
	cmd := exec.Command(python, "-c", "import credgen_probe; print(credgen_probe.__version__)")
	cmd.Env = []string{"HOME=" + home, "PYTHONPATH=" + out, "PYTHONNOUSERSITE=1"}
	got, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != pyindex.ProbeVersion {
		t.Fatalf("import credgen_probe: %v\n%s", err, got)
	}
}

// pipEnv is a clean environment: nothing of the developer's pip config,
// keyring, proxies or NO_PROXY leaks in.
func pipEnv(home string, s *pyindex.Stack) []string {
	return []string{
		"HOME=" + home,
		"PATH=/usr/bin:/bin",
		"LANG=C.UTF-8",
		"PIP_CONFIG_FILE=" + os.DevNull,
		"PIP_NO_INPUT=1",
		"PIP_KEYRING_PROVIDER=disabled",
		"PYTHONNOUSERSITE=1",
		"HTTPS_PROXY=" + s.ProxyURL(),
	}
}

func bare(url string) func(string) string { return func(string) string { return url } }

func withUserinfo(url, user, secret string) string {
	return strings.Replace(url, "https://", "https://"+user+":"+secret+"@", 1)
}

// writeNetrc writes dir/.netrc (0600, as netrc readers expect) and returns it.
func writeNetrc(t *testing.T, dir, machine, login, password string) string {
	t.Helper()
	path := filepath.Join(dir, ".netrc")
	body := "machine " + machine + " login " + login + " password " + password + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required for this test: %v", name, err)
	}
	return path
}

// pythonExecutable is python3's real path: a pyenv shim on PATH would need
// the developer's HOME, which the clean environment replaces.
func pythonExecutable(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(mustLookPath(t, "python3"), "-c", "import sys, pip; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3 with pip is required for this test: %v", err)
	}
	return strings.TrimSpace(string(out))
}
