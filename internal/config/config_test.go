package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseReportsFileAndLine(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown key", "[[index]]\nurl = \"https://libraries.cgr.dev/python/simple/\"\nbogus = 1\n", "c.toml:3: unknown key index.bogus"},
		{"wrong type", "refresh_before = \"30m\"\n[outputs]\nembed = \"yes\"\n", "c.toml:3:"},
		{"bad duration", "refresh_before = \"soon\"\n", "c.toml:1:"},
		{"syntax", "[[index]\n", "c.toml:1:"},
		{"bad mode", "[[index]]\nurl = \"https://libraries.cgr.dev/python/simple/\"\n\nmode = \"robot\"\n", "c.toml:4: unknown chainguard mode"},
		{"bad provider", "[[index]]\nurl = \"https://x.example/simple/\"\n[[index]]\nurl = \"https://y.example/simple/\"\nprovider = \"pypi\"\n", "c.toml:5: unknown provider"},
		{"bad target", "targets = [\"netrc\", \"conda\"]\n", "c.toml:1: unknown target"},
		{"index without url", "[[index]]\ndefault = true\n", "c.toml:1: [[index]] without url"},
		{"two defaults", "[[index]]\nurl = \"https://libraries.cgr.dev/python/simple/\"\ndefault = true\n[[index]]\nurl = \"https://libraries.cgr.dev/java/simple/\"\ndefault = true\n", "c.toml:6: a second index with default = true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(tc.toml))
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func fakeEnv(home string, vars map[string]string, existing ...string) Env {
	return Env{
		Getenv: func(k string) string { return vars[k] },
		Home:   home,
		GOOS:   "linux",
		Stat: func(p string) (os.FileInfo, error) {
			for _, e := range existing {
				if e == p {
					return os.Stat(home) // any dir info will do
				}
			}
			return nil, fs.ErrNotExist
		},
	}
}

func TestResolveOutputPaths(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		name           string
		vars           map[string]string
		existing       []string
		fl             Flags
		netrc, pip, uv string
	}{
		{name: "defaults", netrc: home + "/.netrc", pip: home + "/.config/pip/pip.conf", uv: home + "/.config/uv/uv.toml"},
		{name: "xdg", vars: map[string]string{"XDG_CONFIG_HOME": "/x"}, netrc: home + "/.netrc", pip: "/x/pip/pip.conf", uv: "/x/uv/uv.toml"},
		{name: "env", vars: map[string]string{"NETRC": "/n", "PIP_CONFIG_FILE": "/p", "UV_CONFIG_FILE": "/u"}, netrc: "/n", pip: "/p", uv: "/u"},
		{name: "pip devnull ignored", vars: map[string]string{"PIP_CONFIG_FILE": "/dev/null"}, netrc: home + "/.netrc", pip: home + "/.config/pip/pip.conf", uv: home + "/.config/uv/uv.toml"},
		{name: "legacy pip", existing: []string{home + "/.pip/pip.conf"}, netrc: home + "/.netrc", pip: home + "/.pip/pip.conf", uv: home + "/.config/uv/uv.toml"},
		{name: "legacy pip but xdg exists", existing: []string{home + "/.pip/pip.conf", home + "/.config/pip/pip.conf"}, netrc: home + "/.netrc", pip: home + "/.config/pip/pip.conf", uv: home + "/.config/uv/uv.toml"},
		{name: "flags win", vars: map[string]string{"NETRC": "/n"}, fl: Flags{Netrc: "~/my-netrc", PipConf: "/fp", UVConfig: "/fu"}, netrc: home + "/my-netrc", pip: "/fp", uv: "/fu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Resolve(tc.fl, fakeEnv(home, tc.vars, tc.existing...))
			if err != nil {
				t.Fatal(err)
			}
			if s.Paths[Netrc] != tc.netrc || s.Paths[Pip] != tc.pip || s.Paths[UV] != tc.uv {
				t.Errorf("paths = %v", s.Paths)
			}
		})
	}
}

func TestResolveMacOSPipConf(t *testing.T) {
	home := t.TempDir()
	env := fakeEnv(home, nil, filepath.Join(home, "Library", "Application Support", "pip"))
	env.GOOS = "darwin"
	s, err := Resolve(Flags{}, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, "Library", "Application Support", "pip", "pip.conf"); s.Paths[Pip] != want {
		t.Errorf("pip = %s, want %s", s.Paths[Pip], want)
	}
}

func TestResolveConfigAndFlags(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "credgen.toml")
	os.WriteFile(cfg, []byte(`refresh_before = "30m"
targets = ["netrc", "pip"]
[outputs]
netrc = "~/cfg-netrc"
embed = false
[[index]]
url = "https://libraries.cgr.dev/python/simple/"
default = true
mode = "pull-token"
parent = "acme"
[[index]]
url = "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/simple/"
profile = "ci"
`), 0o600)
	yes := true
	s, err := Resolve(Flags{Config: cfg, AllowTracked: &yes, Indexes: []string{"https://libraries.cgr.dev/java/simple/"}}, fakeEnv(home, nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.RefreshBefore != 30*time.Minute || s.Embed || !s.AllowTracked || strings.Join(s.Targets, ",") != "netrc,pip" {
		t.Errorf("settings %+v", s)
	}
	if s.Paths[Netrc] != home+"/cfg-netrc" {
		t.Errorf("netrc = %s", s.Paths[Netrc])
	}
	if len(s.Indexes) != 3 || !s.Indexes[0].Default || s.Indexes[0].Mode != "pull-token" || s.Indexes[0].Parent != "acme" ||
		s.Indexes[1].Provider != "menda" || s.Indexes[1].Profile != "ci" || s.Indexes[2].Mode != "session" {
		t.Errorf("indexes %+v", s.Indexes)
	}
	// --default-index moves the default.
	s, err = Resolve(Flags{Config: cfg, DefaultIndex: "https://libraries.cgr.dev/java/simple/"}, fakeEnv(home, nil))
	if err != nil || s.Indexes[0].Default || !s.Indexes[2].Default {
		t.Fatalf("default moved: %v %+v", err, s.Indexes)
	}
}

func TestResolveRefuses(t *testing.T) {
	home := t.TempDir()
	no := true
	for _, tc := range []struct {
		name string
		fl   Flags
		want string
	}{
		{"http", Flags{Indexes: []string{"http://libraries.cgr.dev/python/simple/"}}, "http:// index refused"},
		{"unknown host", Flags{Indexes: []string{"https://pypi.example/simple/"}}, "no provider recognises host pypi.example"},
		{"credentials in url", Flags{DefaultIndex: "https://u:s3cret@libraries.cgr.dev/python/simple/"}, "must not carry credentials"},
		{"undecodable credentials in url", Flags{Indexes: []string{"https://_token:s3cretx%zz@libraries.cgr.dev/python/simple/"}}, "must not carry credentials"},
		{"backslash host", Flags{Indexes: []string{`https://evil.com\.cgr.dev/python/simple/`}},
			`--index: https://evil.com\.cgr.dev/python/simple/: index URL has a backslash in its host: pip and uv end the host there and would send the token to evil.com`},
		{"decimal IPv4 behind a backslash", Flags{DefaultIndex: `https://2130706433\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/`},
			`--default-index: https://2130706433\.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/: index URL has a backslash in its host`},
		{"fullwidth dot", Flags{Indexes: []string{"https://evil\u3002com.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/"}}, "is not a plain DNS name"},
		{"newline", Flags{Indexes: []string{"https://libraries.cgr.dev/python/simple/\n"}}, "control character"},
		{"control character", Flags{Indexes: []string{"https://libraries.cgr.dev/py\x01thon/simple/"}}, "control character"},
		{"empty label", Flags{Indexes: []string{"https://x..cgr.dev/python/simple/"}}, "empty label"},
		{"no-embed without netrc", Flags{NoEmbed: &no, Targets: "pip,uv"}, "netrc is not among --targets"},
		{"bad targets", Flags{Targets: "pip,conda"}, "unknown target"},
		{"missing explicit config", Flags{Config: filepath.Join(home, "nope.toml")}, "nope.toml: read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(tc.fl, fakeEnv(home, nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestNewIndexSpecChecksEverySource: flags, config, state and the URLs found in
// pip.conf or uv.toml all go through NewIndexSpec, so one check covers them,
// and a provider named in the config does not bypass it.
func TestNewIndexSpecChecksEverySource(t *testing.T) {
	for _, src := range []Source{FromConfig, FromFlag, FromState, FromOutput} {
		for _, provider := range []string{"", "chainguard", "menda"} {
			for _, raw := range []string{
				`https://evil.com\.cgr.dev/python/simple/`,
				"https://libraries.cgr.dev/python/\nsimple/",
				"https://2130706433/pypi/r/simple/",
			} {
				if _, err := NewIndexSpec(raw, provider, src); err == nil {
					t.Errorf("NewIndexSpec(%q, %q, %d) accepted it", raw, provider, src)
				}
			}
		}
		if _, err := NewIndexSpec("https://libraries.cgr.dev/python/simple/", "", src); err != nil {
			t.Errorf("source %d: %v", src, err)
		}
	}
}

func TestResolveRefusesHostileConfigIndex(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "config.toml")
	os.WriteFile(cfg, []byte("[[index]]\nurl = \"https://libraries.cgr.dev/python/simple/\"\n[[index]]\nprovider = \"chainguard\"\nurl = 'https://evil.com\\.cgr.dev/python/simple/'\n"), 0o600)
	_, err := Resolve(Flags{Config: cfg}, fakeEnv(home, nil))
	var ce *Error
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), cfg+":5: https://evil.com\\.cgr.dev/python/simple/: index URL has a backslash") {
		t.Fatalf("err = %v", err)
	}
}

// TestResolveRefusesOneFileForTwoOutputs: one file given for two outputs, by
// flag, environment or config, directly or through a symlink or hard link, is
// a usage error naming both kinds; outputs that are not targeted may share.
func TestResolveRefusesOneFileForTwoOutputs(t *testing.T) {
	home := t.TempDir()
	shared := filepath.Join(home, "shared")
	if err := os.WriteFile(shared, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(home, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(shared, filepath.Join(home, "hardlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(home, filepath.Join(home, "dirlink")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(home, "pip-is-uv.toml")
	os.WriteFile(cfg, []byte("[outputs]\npip = \"~/conf\"\nuv = \"~/conf\"\n"), 0o600)
	for _, tc := range []struct {
		name string
		fl   Flags
		vars map[string]string
		want string // "" when Resolve must accept
	}{
		{name: "netrc and uv flags", fl: Flags{Netrc: "~/x", UVConfig: "~/x"}, want: "the netrc and uv outputs are one file"},
		{name: "config pip and uv", fl: Flags{Config: cfg}, want: "the pip and uv outputs are one file"},
		{name: "relative and absolute", fl: Flags{Netrc: home + "/./x", PipConf: home + "/x"}, want: "the netrc and pip outputs are one file"},
		{name: "env and flag", vars: map[string]string{"NETRC": home + "/x"}, fl: Flags{PipConf: home + "/x"}, want: "the netrc and pip outputs are one file"},
		{name: "symlink", fl: Flags{Netrc: shared, UVConfig: home + "/link"}, want: "the netrc and uv outputs are one file"},
		{name: "hard link", fl: Flags{PipConf: shared, UVConfig: home + "/hardlink"}, want: "the pip and uv outputs are one file"},
		{name: "symlinked folder, file not there yet", fl: Flags{Netrc: home + "/new", PipConf: home + "/dirlink/new"}, want: "the netrc and pip outputs are one file"},
		{name: "not targeted", fl: Flags{Netrc: "~/x", UVConfig: "~/x", Targets: "netrc,pip"}},
		{name: "distinct", fl: Flags{Netrc: "~/x", PipConf: "~/y", UVConfig: "~/z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(tc.fl, fakeEnv(home, tc.vars))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a usage error with %q", err, tc.want)
			}
		})
	}
}
