package doctor

import (
	"encoding/base64"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeEnv is a world of files and variables, nothing on disk.
func fakeEnv(vars map[string]string, files map[string]string) *Env {
	return &Env{
		Getenv: func(k string) string { return vars[k] },
		Cwd:    "/home/u/proj/sub",
		Home:   "/home/u",
		GOOS:   "linux",
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		IsDir: func(p string) bool {
			for f := range files {
				if strings.HasPrefix(f, p+"/") {
					return true
				}
			}
			return false
		},
		Now: time.Unix(1_800_000_000, 0),
	}
}

func TestPipChain(t *testing.T) {
	cases := []struct {
		name    string
		vars    map[string]string
		files   map[string]string
		goos    string
		want    []string
		skipAll bool
	}{
		{name: "defaults", want: []string{
			"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf",
			"user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf"}},
		{name: "XDG folders", vars: map[string]string{"XDG_CONFIG_DIRS": "/a:/b", "XDG_CONFIG_HOME": "/x"}, want: []string{
			"global /a/pip/pip.conf", "global /b/pip/pip.conf", "global /etc/pip.conf",
			"user /home/u/.pip/pip.conf", "user /x/pip/pip.conf"}},
		{name: "PIP_CONFIG_FILE that exists replaces the user files",
			vars: map[string]string{"PIP_CONFIG_FILE": "/p/pip.conf"}, files: map[string]string{"/p/pip.conf": ""},
			want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "env /p/pip.conf"}},
		{name: "PIP_CONFIG_FILE that does not exist keeps them",
			vars: map[string]string{"PIP_CONFIG_FILE": "rel.conf"},
			want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf",
				"user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "env /home/u/proj/sub/rel.conf"}},
		{name: "PIP_CONFIG_FILE=/dev/null reads nothing", vars: map[string]string{"PIP_CONFIG_FILE": "/dev/null"}, skipAll: true},
		{name: "a virtualenv's site file", vars: map[string]string{"VIRTUAL_ENV": "/v"}, want: []string{
			"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf",
			"user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "site /v/pip.conf"}},
		{name: "macOS with its Application Support folder", goos: "darwin",
			files: map[string]string{"/home/u/Library/Application Support/pip/x": ""},
			want: []string{"global /Library/Application Support/pip/pip.conf",
				"user /home/u/.pip/pip.conf", "user /home/u/Library/Application Support/pip/pip.conf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := fakeEnv(c.vars, c.files)
			if c.goos != "" {
				env.GOOS = c.goos
			}
			files, skipAll := newWorld(&Facts{}, env).pipChain()
			var got []string
			for _, f := range files {
				got = append(got, f.kind+" "+f.path)
			}
			if skipAll != c.skipAll || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q (skip all %v), want %q (skip all %v)", got, skipAll, c.want, c.skipAll)
			}
		})
	}
}

// TestPipOverrideOrder: the environment beats [install], [install] from any
// file beats [global], and a later file's value replaces an earlier one's.
func TestPipOverrideOrder(t *testing.T) {
	files := map[string]string{
		"/etc/pip.conf":                "[install]\nindex-url = https://etc-install/simple/\n",
		"/home/u/.pip/pip.conf":        "[global]\nindex-url = https://legacy/simple/\n",
		"/home/u/.config/pip/pip.conf": "[global]\nindex_url = https://xdg/simple/\nextra-index-url =\n  https://a/ https://b/\n",
	}
	cases := []struct {
		name, key string
		vars      map[string]string
		files     map[string]string
		want      string
	}{
		{"install from the global file beats global from the user file", "index-url", nil, files, "https://etc-install/simple/"},
		{"the environment beats every file", "index-url", map[string]string{"PIP_INDEX_URL": "https://env/simple/"}, files, "https://env/simple/"},
		{"the XDG user file beats the legacy one", "index-url", nil, map[string]string{
			"/home/u/.pip/pip.conf": files["/home/u/.pip/pip.conf"], "/home/u/.config/pip/pip.conf": files["/home/u/.config/pip/pip.conf"]}, "https://xdg/simple/"},
		{"multi-line extra-index-url", "extra-index-url", nil, files, "https://a/ https://b/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(&Facts{}, fakeEnv(c.vars, c.files))
			v, ok := w.pipEffective(w.pipConfig(), c.key)
			if got := strings.Join(v.urls, " "); !ok || got != c.want {
				t.Errorf("%s = %q (from %s), want %q", c.key, got, v.source, c.want)
			}
		})
	}
}

func TestUVChain(t *testing.T) {
	cases := []struct {
		name  string
		vars  map[string]string
		files map[string]string
		want  []string
	}{
		{name: "defaults, no project", want: []string{"user /home/u/.config/uv/uv.toml"}},
		{name: "nearest project uv.toml, system /etc/uv", files: map[string]string{
			"/home/u/proj/uv.toml": "", "/home/u/uv.toml": "", "/etc/uv/uv.toml": ""},
			want: []string{"project /home/u/proj/uv.toml", "user /home/u/.config/uv/uv.toml", "system /etc/uv/uv.toml"}},
		{name: "uv.toml beats pyproject.toml in one folder", files: map[string]string{
			"/home/u/proj/sub/pyproject.toml": "[tool.uv]\n", "/home/u/proj/sub/uv.toml": ""},
			want: []string{"project /home/u/proj/sub/uv.toml", "user /home/u/.config/uv/uv.toml"}},
		{name: "a pyproject.toml without [tool.uv] is passed over", files: map[string]string{
			"/home/u/proj/sub/pyproject.toml": "[project]\nname='x'\n", "/home/u/proj/pyproject.toml": "[tool.uv]\nnative-tls = true\n"},
			want: []string{"project /home/u/proj/pyproject.toml", "user /home/u/.config/uv/uv.toml"}},
		{name: "the XDG system file comes before /etc/uv", vars: map[string]string{"XDG_CONFIG_DIRS": "/xdg"},
			files: map[string]string{"/xdg/uv/uv.toml": "", "/etc/uv/uv.toml": ""},
			want:  []string{"user /home/u/.config/uv/uv.toml", "system /xdg/uv/uv.toml"}},
		{name: "UV_CONFIG_FILE alone", vars: map[string]string{"UV_CONFIG_FILE": "/c/uv.toml"},
			files: map[string]string{"/home/u/proj/uv.toml": ""}, want: []string{"UV_CONFIG_FILE /c/uv.toml"}},
		{name: "UV_NO_CONFIG: none", vars: map[string]string{"UV_NO_CONFIG": "1"}, files: map[string]string{"/home/u/proj/uv.toml": ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, _ := newWorld(&Facts{}, fakeEnv(c.vars, c.files)).uvChain()
			var got []string
			for _, f := range files {
				got = append(got, f.kind+" "+f.path)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestUVIndexOrder: the environment's definitions come before the files',
// the project's before the user's.
func TestUVIndexOrder(t *testing.T) {
	vars := map[string]string{"UV_INDEX": "envname=https://e1/simple/ https://e2/simple/", "UV_DEFAULT_INDEX": "https://d/simple/",
		"UV_EXTRA_INDEX_URL": "https://x/simple/", "UV_INDEX_URL": "https://i/simple/"}
	files := map[string]string{
		"/home/u/proj/uv.toml":       "keyring-provider = \"subprocess\"\n[[index]]\nname = \"p\"\nurl = \"https://p/simple/\"\n",
		"/home/u/.config/uv/uv.toml": "extra-index-url = [\"https://ux/simple/\"]\n[[index]]\nname = \"u\"\nurl = \"https://u/simple/\"\ndefault = true\n",
	}
	c := newWorld(&Facts{}, fakeEnv(vars, files)).uvConfig()
	var got []string
	for _, ix := range c.indexes {
		got = append(got, ix.name+"="+ix.url)
	}
	want := []string{"envname=https://e1/simple/", "=https://e2/simple/", "=https://d/simple/", "=https://x/simple/", "=https://i/simple/",
		"p=https://p/simple/", "u=https://u/simple/", "=https://ux/simple/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if c.keyring != "subprocess" {
		t.Errorf("keyring provider %q, want the project's subprocess", c.keyring)
	}
}

func TestNetrcFile(t *testing.T) {
	cases := []struct {
		name             string
		vars             map[string]string
		files            map[string]string
		python, uv, curl string
	}{
		{"no NETRC, ~/.netrc", nil, map[string]string{"/home/u/.netrc": ""}, "/home/u/.netrc", "/home/u/.netrc", "/home/u/.netrc"},
		{"Python falls back to ~/_netrc", nil, map[string]string{"/home/u/_netrc": ""}, "/home/u/_netrc", "/home/u/.netrc", "/home/u/.netrc"},
		{"NETRC names a file that exists", map[string]string{"NETRC": "/n"}, map[string]string{"/n": "", "/home/u/.netrc": ""}, "/n", "/n", "/n"},
		{"NETRC names a file that does not exist", map[string]string{"NETRC": "/gone"}, map[string]string{"/home/u/.netrc": ""}, "", "/home/u/.netrc", "/gone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(&Facts{}, fakeEnv(c.vars, c.files))
			got := []string{w.netrcFile(readerPython).path, w.netrcFile(readerUV).path, w.netrcFile(readerCurl).path}
			if want := []string{c.python, c.uv, c.curl}; !reflect.DeepEqual(got, want) {
				t.Errorf("python, uv, curl read %q, want %q", got, want)
			}
		})
	}
}

// TestNetrcReaders: the same file, three readers, three answers.
func TestNetrcReaders(t *testing.T) {
	ix := Index{URL: "https://h.example/simple/", Host: "h.example", Username: "_token", Fingerprint: fingerprint("fresh")}
	cases := []struct {
		name, netrc, urlUser string
		python, uv, curl     Status
	}{
		{"one entry", "machine h.example login _token password fresh\n", "", OK, OK, OK},
		{"an old duplicate first: curl takes the first, the others the last",
			"machine h.example login _token password old\nmachine h.example login _token password fresh\n", "", OK, OK, Problem},
		{"the URL's user differs from the login: uv skips the entry", "machine h.example login _token password fresh\n", "someone", OK, Problem, OK},
		{"host in another case: curl alone matches it", "machine H.EXAMPLE login _token password fresh\n", "", Problem, Problem, OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(&Facts{Outputs: map[string]string{"netrc": "/home/u/.netrc"}}, fakeEnv(nil, map[string]string{"/home/u/.netrc": c.netrc}))
			got := []Status{w.netrcVerdict(ix, readerPython, "").Status, w.netrcVerdict(ix, readerUV, c.urlUser).Status, w.netrcVerdict(ix, readerCurl, "").Status}
			if want := []Status{c.python, c.uv, c.curl}; !reflect.DeepEqual(got, want) {
				t.Errorf("python, uv, curl: %v, want %v", got, want)
			}
		})
	}
}

func TestIssuedAt(t *testing.T) {
	enc := func(payload string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	cases := []struct {
		name, secret string
		want         int64
	}{
		{"a JWT with iat", enc(`{"iat":1700000000,"exp":1700003600}`), 1700000000},
		{"a JWT without iat", enc(`{"exp":1700003600}`), 0},
		{"not a JWT", "plain-token", 0},
		{"a payload that is not JSON", enc(`nope`), 0},
	}
	for _, c := range cases {
		got := IssuedAt(c.secret)
		if (c.want == 0 && !got.IsZero()) || (c.want != 0 && got.Unix() != c.want) {
			t.Errorf("%s: %v, want %d", c.name, got, c.want)
		}
	}
}

// TestNoSecretInReport: a report over stale credentials everywhere names
// them by fingerprint only.
func TestNoSecretInReport(t *testing.T) {
	const stale = "stale-secret-value-42"
	ix := Index{URL: "https://h.example/simple/", Host: "h.example", Provider: "chainguard", UVName: "chainguard-simple", Default: true,
		Username: "_token", Fingerprint: fingerprint("fresh"), ExpiresAt: time.Unix(1_800_003_600, 0)}
	env := fakeEnv(map[string]string{
		"PIP_INDEX_URL": "https://_token:" + stale + "@h.example/simple/", "UV_INDEX": "https://_token:" + stale + "@h.example/simple/",
		"POETRY_HTTP_BASIC_H_PASSWORD": stale,
	}, map[string]string{
		"/home/u/.netrc":              "machine h.example login _token password " + stale + "\n",
		"/home/u/proj/pyproject.toml": "[tool.poetry]\nname='x'\n[[tool.poetry.source]]\nname = \"h\"\nurl = \"https://h.example/simple/\"\n",
	})
	rep := Run(&Facts{Indexes: []Index{ix}, Outputs: map[string]string{"netrc": "/home/u/.netrc"}}, env, nil)
	if rep.OK {
		t.Error("report OK, want problems")
	}
	for _, v := range rep.Indexes[0].Clients {
		all := strings.Join([]string{v.Source, v.Sends, v.Why, v.Fix}, " ")
		if strings.Contains(all, stale) {
			t.Errorf("%s: the secret shows: %s", v.Client, all)
		}
		if v.Client != "twine" && v.Client != "pdm" && v.Client != "pipenv" && v.Status != Problem {
			t.Errorf("%s: %s, want a problem", v.Client, v.Status)
		}
	}
}

// TestPipKeyringProvider: PIP_KEYRING_PROVIDER, else keyring-provider from
// [install], else from [global].
func TestPipKeyringProvider(t *testing.T) {
	files := map[string]string{"/home/u/.config/pip/pip.conf": "[global]\nkeyring_provider = import\n[install]\nkeyring-provider = subprocess\n"}
	cases := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"[install] over [global]", nil, "subprocess"},
		{"the environment over both", map[string]string{"PIP_KEYRING_PROVIDER": "disabled"}, "disabled"},
	}
	for _, c := range cases {
		if got := newWorld(&Facts{}, fakeEnv(c.vars, files)).pipConfig().keyring; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
