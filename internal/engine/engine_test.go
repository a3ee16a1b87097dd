package engine

import (
	"testing"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/providers"
)

func TestUVName(t *testing.T) {
	for _, tc := range []struct{ provider, url, want string }{
		{"chainguard", "https://libraries.cgr.dev/python/simple/", "chainguard-python"},
		{"menda", "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/", "menda-plugins"},
		{"menda", "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple", "menda-plugins"},
		{"chainguard", "https://libraries.cgr.dev/simple/", "chainguard-simple"},
		{"chainguard", "https://libraries.cgr.dev/a b/simple/", "chainguard-a-b"},
		{"chainguard", "https://libraries.cgr.dev/", "chainguard"},
	} {
		if got := uvName(tc.provider, tc.url); got != tc.want {
			t.Errorf("uvName(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestDiscoverUnionOfConfigStateAndOutputs(t *testing.T) {
	s := &config.Settings{ChainguardMode: "session", Paths: map[string]string{config.Pip: "pip.conf", config.UV: "uv.toml"}}
	spec, err := config.NewIndexSpec("https://libraries.cgr.dev/python/simple/", "", config.FromFlag)
	if err != nil {
		t.Fatal(err)
	}
	spec.Default, spec.Mode = true, "session"
	s.Indexes = []config.IndexSpec{spec}
	st := &state.State{}
	st.Upsert("https://libraries.cgr.dev/python/simple").Provider = "chainguard" // same as the flag
	old := st.Upsert("https://libraries.cgr.dev/old/simple/")
	old.Provider, old.Default, old.Mode = "chainguard", true, "pull-token"
	outs := []*output{
		parsedOutput(t, config.Pip, "[global]\nextra-index-url =\n    https://aws:x@acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/\n    https://pypi.example/simple/\n"),
		parsedOutput(t, config.UV, "[[index]]\nname = \"x\"\nurl = \"https://libraries.cgr.dev/python/simple/\"\n"),
	}
	got, err := discover(s, st, outs)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		url      string
		def      bool
		provider string
		mode     string
	}{
		{"https://libraries.cgr.dev/python/simple/", true, "chainguard", "session"},
		{"https://libraries.cgr.dev/old/simple/", false, "chainguard", "pull-token"}, // the flag's default wins
		{"https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/", false, "menda", "session"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d indexes: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.URL != w.url || g.Default != w.def || g.Provider != w.provider || g.Mode != w.mode {
			t.Errorf("index %d = %s default=%v provider=%s mode=%s, want %+v", i, g.URL, g.Default, g.Provider, g.Mode, w)
		}
	}
}

func TestDiscoverRefusesHTTPIndexInOutputs(t *testing.T) {
	outs := []*output{parsedOutput(t, config.Pip, "[global]\nindex-url = http://libraries.cgr.dev/python/simple/\n")}
	_, err := discover(&config.Settings{}, &state.State{}, outs)
	if ExitCode(err) != ExitUsage {
		t.Fatalf("err = %v (exit %d), want exit 2", err, ExitCode(err))
	}
}

func TestDue(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	e := &Engine{Now: func() time.Time { return now }}
	cred := func(obtainedAgo, left time.Duration) *providers.Credential {
		return &providers.Credential{ObtainedAt: now.Add(-obtainedAgo), Expiry: now.Add(left)}
	}
	for _, tc := range []struct {
		name     string
		refresh  time.Duration
		current  *providers.Credential
		opts     WriteOptions
		wantMint bool
	}{
		{"none yet", 0, nil, WriteOptions{}, true},
		{"fresh, quarter rule", 0, cred(10*time.Minute, 50*time.Minute), WriteOptions{}, false},
		{"inside the last quarter", 0, cred(46*time.Minute, 14*time.Minute), WriteOptions{}, true},
		{"configured refresh-before", 30 * time.Minute, cred(31*time.Minute, 29*time.Minute), WriteOptions{}, true},
		{"expired", 0, cred(2*time.Hour, -time.Hour), WriteOptions{}, true},
		{"forced", 0, cred(time.Minute, 59*time.Minute), WriteOptions{Force: true}, true},
		{"asked by host", 0, cred(time.Minute, 59*time.Minute), WriteOptions{Mint: []string{"libraries.cgr.dev"}}, true},
		{"asked by provider", 0, cred(time.Minute, 59*time.Minute), WriteOptions{MintProviders: []string{"chainguard"}}, true},
		{"another provider asked", 0, cred(time.Minute, 59*time.Minute), WriteOptions{MintProviders: []string{"menda"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &hostPlan{host: "libraries.cgr.dev", provider: "chainguard", current: tc.current}
			if got := e.due(&config.Settings{RefreshBefore: tc.refresh}, p, tc.opts.forced(p)); got != tc.wantMint {
				t.Errorf("due = %v, want %v", got, tc.wantMint)
			}
		})
	}
}

// parsedOutput is an output of kind holding content, as if read from a file.
func parsedOutput(t *testing.T, kind, content string) *output {
	t.Helper()
	k := kindNamed(kind)
	doc, err := k.parse([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return &output{kind: k, path: "/home/u/" + kind, read: atomicfile.Content{Data: []byte(content), Exists: true}, doc: doc}
}
