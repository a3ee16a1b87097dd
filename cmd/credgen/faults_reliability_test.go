//go:build unix

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
	"github.com/credgen/credgen/testdata/fakes/testca"
)

// faultWorld is a HOME where credgen manages a Chainguard and a CodeArtifact
// index, after one good write.
func faultWorld(t *testing.T, kit *testKit) (*relWorld, relUser) {
	w := newRelWorld(t, kit, relWorldOptions{m2m: true})
	user := relUserFiles(8)
	w.install(user)
	w.want(w.run(relBaselineArgs...), 0)
	if t.Failed() {
		t.FailNow()
	}
	return w, user
}

// credentialOf is host's netrc password now.
func (w *relWorld) credentialOf(host string) string {
	w.t.Helper()
	data, err := os.ReadFile(w.netrc())
	if err != nil {
		w.t.Fatal(err)
	}
	return relManagedSecrets(data)[host]
}

// wantKept fails unless host's credential is still old in netrc, pip.conf
// and uv.toml.
func (w *relWorld) wantKept(host, old string) {
	w.t.Helper()
	if got := w.credentialOf(host); got != old {
		w.t.Errorf("the netrc credential of %s changed after a failed mint", host)
	}
	for _, p := range []string{w.pipConf(), w.uvToml()} {
		data, _ := os.ReadFile(p)
		if !strings.Contains(string(data), old) {
			w.t.Errorf("%s no longer holds the old credential of %s", p, host)
		}
	}
}

// wantAbsent fails when a refused token reached an output.
func (w *relWorld) wantAbsent(secret string) {
	w.t.Helper()
	for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml(), w.state()} {
		data, _ := os.ReadFile(p)
		// The whole token, and its last word: a JWT's first half is
		// shared with every other token of its kind.
		fields := strings.Fields(secret)
		for _, part := range []string{secret, fields[len(fields)-1]} {
			if len(part) >= 8 && strings.Contains(string(data), part) {
				w.t.Errorf("%s holds (part of) a token credgen should have refused", p)
			}
		}
	}
}

// testChainctlFaults: chainctl failing, printing garbage, printing 50 MiB,
// printing a token netrc cannot carry, or hanging: exit 1, a clear message,
// the Chainguard credential unchanged everywhere (the CodeArtifact one is
// still renewed), no chainctl process left behind.
func testChainctlFaults(t *testing.T, kit *testKit) {
	w, user := faultWorld(t, kit)
	cases := []struct {
		mode    string
		pattern string
	}{
		{"fail", `not logged in.*chainctl auth login --audience=libraries\.cgr\.dev`},
		{"garbage", `chainctl auth token --audience=libraries\.cgr\.dev: exit status 0: output is not a token`},
		{"huge", `more than 1 MiB`},
		{"badchars", `token refused: it contains whitespace, which netrc cannot carry`},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			w.t = t
			old := w.credentialOf(hostCGR)
			w.want(w.runEnv(w.env("FAKE_CHAINCTL_MODE="+c.mode), "write", "--force"), 1, c.pattern, hostCGR)
			w.wantKept(hostCGR, old)
			if c.mode == "badchars" {
				for _, tok := range chainctlTokens(w.chainctlLog()) {
					if strings.Contains(tok, " ") {
						w.wantAbsent(tok)
					}
				}
			}
		})
	}
	t.Run("hang", func(t *testing.T) {
		w.t = t
		chainctlHang(t, w)
	})
	w.t = t
	w.want(w.run("status"), 0)
	kit.pyCheck(t, w.checks("after chainctl faults", user.want, nil))
}

// chainctlHang: a chainctl that never answers. Under make test credgen is
// stopped with SIGTERM after a second (its 30 s timeout has no knob); under
// make stress the timeout itself must fire. Either way the old credential
// stays and chainctl's whole process group is gone.
func chainctlHang(t *testing.T, w *relWorld) {
	old := w.credentialOf(hostCGR)
	w.writeAgainstHang(t, relHang{
		what:      "chainctl",
		env:       w.env("FAKE_CHAINCTL_MODE=hang"),
		calls:     w.chainctlCalls,
		wait:      time.Minute,
		stressErr: []string{`no answer within 30s`, `chainctl auth login`},
		stressMax: 40 * time.Second,
	})
	w.wantKept(hostCGR, old)
	relWantChainctlGone(t, w)
}

// relWantChainctlGone: every hanging fake chainctl and its child have ended.
func relWantChainctlGone(t *testing.T, w *relWorld) {
	t.Helper()
	data, _ := os.ReadFile(w.chainctlLog())
	deadline := time.Now().Add(3 * time.Second)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec struct {
			Mode     string
			PID      int
			ChildPID int `json:"child_pid"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Mode != "hang" {
			continue
		}
		for _, pid := range []int{rec.PID, rec.ChildPID} {
			for pid > 0 && !processGone(pid) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if pid > 0 && !processGone(pid) {
				t.Errorf("chainctl process %d still runs after credgen ended", pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

// testMendaFaults: menda-cloud answering 401, 403, 429, 500, invalid JSON,
// an HTML page, a token netrc cannot carry, too slowly, or under a CA credgen
// does not trust: exit 1, a message with the endpoint and status, the
// CodeArtifact credential unchanged everywhere.
func testMendaFaults(t *testing.T, kit *testKit) {
	w, user := faultWorld(t, kit)
	type fault struct {
		name     string
		endpoint mendacloud.Endpoint
		fault    mendacloud.Fault
		secret   string // a token the fake answers with that credgen must refuse
		pattern  string
	}
	badToken := func(name, token string) fault {
		body, _ := json.Marshal(map[string]string{"token": token, "expiration": "2099-01-01T00:00:00Z"})
		return fault{name: name, endpoint: mendacloud.Registry, fault: mendacloud.Fault{Status: 200, Body: string(body)}, secret: token,
			pattern: `registry token endpoint: .*: the token (contains|starts with) .*netrc cannot carry; refusing it`}
	}
	faults := []fault{
		{name: "registry 401", endpoint: mendacloud.Registry, fault: mendacloud.Fault{Status: 401}, pattern: `registry token endpoint: POST https://api\.menda\.example/api/v1/auth/registry/token: HTTP 401`},
		{name: "registry 403", endpoint: mendacloud.Registry, fault: mendacloud.Fault{Status: 403}, pattern: `HTTP 403`},
		{name: "registry 429", endpoint: mendacloud.Registry, fault: mendacloud.Fault{Status: 429, RetryAfter: "1"}, pattern: `HTTP 429`},
		{name: "registry 500", endpoint: mendacloud.Registry, fault: mendacloud.Fault{Status: 500}, pattern: `HTTP 500`},
		{name: "registry invalid JSON", endpoint: mendacloud.Registry, fault: mendacloud.Fault{InvalidJSON: true}, pattern: `registry token endpoint: .*: the response is not the expected JSON`},
		{name: "registry HTML page", endpoint: mendacloud.Registry, fault: mendacloud.Fault{WrongContentType: true}, pattern: `registry token endpoint: .*content type "text/html", not JSON`},
		badToken("token with a space", "menda-badchar-token-7c1e with-a-space"),
		badToken("token with a quote", `menda-badchar-token-"quoted"-5d2a`),
		badToken("token with a backslash", `menda-badchar-token-back\slash-9e0b`),
		badToken("token starting with #", "#menda-badchar-token-hash-3f4c"),
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			w.t = t
			if f.secret != "" {
				w.addSecret(f.secret)
			}
			old := w.credentialOf(hostCA)
			w.menda.SetFault(f.endpoint, f.fault)
			defer w.menda.ClearFaults()
			w.want(w.run("write", "--force"), 1, f.pattern, hostCA)
			w.wantKept(hostCA, old)
			if f.secret != "" {
				w.wantAbsent(f.secret)
			}
		})
	}
	t.Run("oauth 401 without a cached token", func(t *testing.T) {
		w.t = t
		old := w.credentialOf(hostCA)
		cache, _ := os.ReadFile(w.cache())
		if err := os.Remove(w.cache()); err != nil {
			t.Fatal(err)
		}
		defer relWriteFile(t, w.cache(), cache, 0o600)
		w.menda.SetFault(mendacloud.OAuth, mendacloud.Fault{Status: 401})
		defer w.menda.ClearFaults()
		w.want(w.run("write", "--force"), 1, `oauth2 token endpoint.*HTTP 401`)
		w.wantKept(hostCA, old)
	})
	t.Run("TLS: a CA credgen does not trust", func(t *testing.T) {
		w.t = t
		ca, err := testca.New()
		if err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(w.dir, "other-ca.pem")
		if err := ca.WritePEM(other); err != nil {
			t.Fatal(err)
		}
		old := w.credentialOf(hostCA)
		w.want(w.runEnv(w.env("SSL_CERT_FILE="+other), "write", "--force"), 1, `certificate`, `menda`)
		w.wantKept(hostCA, old)
	})
	t.Run("timeout", func(t *testing.T) {
		w.t = t
		mendaTimeout(t, w)
	})
	w.t = t
	w.want(w.run("status"), 0)
	kit.pyCheck(t, w.checks("after menda faults", user.want, nil))
}

// mendaTimeout: a registry endpoint that does not answer. Under make test
// credgen gets SIGTERM after a second (its 30 s request timeout has no
// knob); under make stress the timeout itself must fire.
func mendaTimeout(t *testing.T, w *relWorld) {
	old := w.credentialOf(hostCA)
	w.menda.SetFault(mendacloud.Registry, mendacloud.Fault{Delay: 10 * time.Minute})
	defer w.menda.ClearFaults()
	w.writeAgainstHang(t, relHang{
		what:      "menda-cloud",
		env:       w.env(),
		calls:     func() int { return w.menda.Calls(mendacloud.Registry) },
		wait:      2 * time.Minute,
		stressErr: []string{`registry token endpoint`, `(?i)timeout|deadline|time`},
		stressMax: 75 * time.Second,
	})
	w.wantKept(hostCA, old)
}

// relHang is a dependency of credgen that never answers.
type relHang struct {
	what      string        // for messages
	env       []string      // credgen's environment
	calls     func() int    // counts credgen's calls to it: moves once credgen waits on it
	wait      time.Duration // the test's own bound
	stressErr []string      // under make stress: what credgen's timeout error says
	stressMax time.Duration // and how long it may take
}

// writeAgainstHang runs `credgen write --force` against h. Under make test
// credgen gets SIGTERM a second after it called h (its timeouts have no knob)
// and must end within 3 s with a non-zero exit; under make stress its own
// timeout must end it, with exit 1 and the expected error.
func (w *relWorld) writeAgainstHang(t *testing.T, h relHang) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), h.wait)
	defer cancel()
	args := []string{"write", "--force"}
	cmd, out := w.command(ctx, h.env, args...)
	before := h.calls()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for h.calls() == before && time.Since(start) < 10*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	if !relStress() {
		// Let credgen sit in the hung call for a while: the point is that
		// SIGTERM ends it there.
		time.Sleep(time.Second)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	sent := time.Now()
	r := w.finish(args, out, cmd.Wait(), time.Since(start))
	switch {
	case relStress():
		w.want(r, 1, h.stressErr...)
		if r.took > h.stressMax {
			t.Errorf("%s timeout took %s", h.what, r.took)
		}
	case r.code == 0:
		t.Errorf("want a non-zero exit after SIGTERM; %s", r)
	case time.Since(sent) > 3*time.Second:
		t.Errorf("credgen took %s to end after SIGTERM while %s hung", time.Since(sent), h.what)
	}
}
