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
