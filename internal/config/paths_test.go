package config

import (
	"io/fs"
	"os"
	"testing"
	"time"
)

// dirInfo is a folder's FileInfo for a fake Stat.
type dirInfo struct{ name string }

func (d dirInfo) Name() string       { return d.name }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o700 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

// systemEnv is an Env for goos whose only existing paths are existing.
func systemEnv(goos, home string, vars map[string]string, existing ...string) Env {
	return Env{
		Getenv: func(k string) string { return vars[k] },
		Home:   home,
		GOOS:   goos,
		Stat: func(p string) (os.FileInfo, error) {
			for _, e := range existing {
				if e == p {
					return dirInfo{name: p}, nil
				}
			}
			return nil, fs.ErrNotExist
		},
	}
}

func TestDefaultPathsPerSystem(t *testing.T) {
	const winHome = `C:\Users\alice`
	winVars := map[string]string{"APPDATA": `C:\Users\alice\AppData\Roaming`, "LOCALAPPDATA": `D:\Local`}
	for _, tc := range []struct {
		name     string
		goos     string
		home     string
		vars     map[string]string
		existing []string
		want     Defaults
	}{
		{
			name: "linux", goos: "linux", home: "/home/alice",
			want: Defaults{
				Config: "/home/alice/.config/credgen/config.toml", StateDir: "/home/alice/.local/state/credgen",
				Netrc: "/home/alice/.netrc", Pip: "/home/alice/.config/pip/pip.conf", UV: "/home/alice/.config/uv/uv.toml",
			},
		},
		{
			name: "linux with XDG folders", goos: "linux", home: "/home/alice",
			vars: map[string]string{"XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "/st"},
			want: Defaults{
				Config: "/cfg/credgen/config.toml", StateDir: "/st/credgen",
				Netrc: "/home/alice/.netrc", Pip: "/cfg/pip/pip.conf", UV: "/cfg/uv/uv.toml",
			},
		},
		{
			name: "linux ignores a relative XDG folder", goos: "linux", home: "/home/alice",
			vars: map[string]string{"XDG_CONFIG_HOME": "cfg"},
			want: Defaults{
				Config: "/home/alice/.config/credgen/config.toml", StateDir: "/home/alice/.local/state/credgen",
				Netrc: "/home/alice/.netrc", Pip: "/home/alice/.config/pip/pip.conf", UV: "/home/alice/.config/uv/uv.toml",
			},
		},
		{
			name: "linux with only pip's legacy file", goos: "linux", home: "/home/alice",
			existing: []string{"/home/alice/.pip/pip.conf"},
			want: Defaults{
				Config: "/home/alice/.config/credgen/config.toml", StateDir: "/home/alice/.local/state/credgen",
				Netrc: "/home/alice/.netrc", Pip: "/home/alice/.pip/pip.conf", UV: "/home/alice/.config/uv/uv.toml",
			},
		},
		{
			name: "macos", goos: "darwin", home: "/Users/alice",
			want: Defaults{
				Config: "/Users/alice/.config/credgen/config.toml", StateDir: "/Users/alice/.local/state/credgen",
				Netrc: "/Users/alice/.netrc", Pip: "/Users/alice/.config/pip/pip.conf", UV: "/Users/alice/.config/uv/uv.toml",
			},
		},
		{
			name: "macos with pip's Application Support folder", goos: "darwin", home: "/Users/alice",
			existing: []string{"/Users/alice/Library/Application Support/pip"},
			want: Defaults{
				Config: "/Users/alice/.config/credgen/config.toml", StateDir: "/Users/alice/.local/state/credgen",
				Netrc: "/Users/alice/.netrc", Pip: "/Users/alice/Library/Application Support/pip/pip.conf", UV: "/Users/alice/.config/uv/uv.toml",
			},
		},
		{
			name: "windows", goos: "windows", home: winHome, vars: winVars,
			want: Defaults{
				Config: `C:\Users\alice\AppData\Roaming\credgen\config.toml`, StateDir: `D:\Local\credgen`,
				Netrc: `C:\Users\alice\.netrc`, Pip: `C:\Users\alice\AppData\Roaming\pip\pip.ini`, UV: `C:\Users\alice\AppData\Roaming\uv\uv.toml`,
			},
		},
		{
			name: "windows without APPDATA, XDG ignored", goos: "windows", home: winHome,
			vars: map[string]string{"XDG_CONFIG_HOME": `C:\xdg`},
			want: Defaults{
				Config: `C:\Users\alice\AppData\Roaming\credgen\config.toml`, StateDir: `C:\Users\alice\AppData\Local\credgen`,
				Netrc: `C:\Users\alice\.netrc`, Pip: `C:\Users\alice\AppData\Roaming\pip\pip.ini`, UV: `C:\Users\alice\AppData\Roaming\uv\uv.toml`,
			},
		},
		{
			name: "windows with only _netrc and pip's legacy file", goos: "windows", home: winHome, vars: winVars,
			existing: []string{`C:\Users\alice\_netrc`, `C:\Users\alice\pip\pip.ini`},
			want: Defaults{
				Config: `C:\Users\alice\AppData\Roaming\credgen\config.toml`, StateDir: `D:\Local\credgen`,
				Netrc: `C:\Users\alice\_netrc`, Pip: `C:\Users\alice\pip\pip.ini`, UV: `C:\Users\alice\AppData\Roaming\uv\uv.toml`,
			},
		},
		{
			name: "windows with both netrc names and both pip files", goos: "windows", home: winHome, vars: winVars,
			existing: []string{`C:\Users\alice\_netrc`, `C:\Users\alice\.netrc`, `C:\Users\alice\pip\pip.ini`, `C:\Users\alice\AppData\Roaming\pip\pip.ini`},
			want: Defaults{
				Config: `C:\Users\alice\AppData\Roaming\credgen\config.toml`, StateDir: `D:\Local\credgen`,
				Netrc: `C:\Users\alice\.netrc`, Pip: `C:\Users\alice\AppData\Roaming\pip\pip.ini`, UV: `C:\Users\alice\AppData\Roaming\uv\uv.toml`,
			},
		},
		{
			name: "windows on a network home", goos: "windows", home: `\\srv\homes\alice`,
			vars: map[string]string{"APPDATA": `\\srv\homes\alice\AppData\Roaming`, "LOCALAPPDATA": "relative"},
			want: Defaults{
				Config: `\\srv\homes\alice\AppData\Roaming\credgen\config.toml`, StateDir: `\\srv\homes\alice\AppData\Local\credgen`,
				Netrc: `\\srv\homes\alice\.netrc`, Pip: `\\srv\homes\alice\AppData\Roaming\pip\pip.ini`, UV: `\\srv\homes\alice\AppData\Roaming\uv\uv.toml`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultPaths(systemEnv(tc.goos, tc.home, tc.vars, tc.existing...))
			got.Pypirc, got.CredentialCache = "", "" // TestDefaultPypircAndCredentialCache
			if got != tc.want {
				t.Errorf("DefaultPaths =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestDefaultPypircAndCredentialCache(t *testing.T) {
	for _, tc := range []struct {
		name, goos, home    string
		vars                map[string]string
		pypirc, credentials string
	}{
		{"linux", "linux", "/home/alice", nil, "/home/alice/.pypirc", "/home/alice/.local/state/credgen/credentials.json"},
		{"linux with a runtime folder", "linux", "/home/alice", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"},
			"/home/alice/.pypirc", "/run/user/1000/credgen/credentials.json"},
		{"linux ignores a relative runtime folder", "linux", "/home/alice", map[string]string{"XDG_RUNTIME_DIR": "run"},
			"/home/alice/.pypirc", "/home/alice/.local/state/credgen/credentials.json"},
		{"windows", "windows", `C:\Users\alice`, map[string]string{"LOCALAPPDATA": `C:\Users\alice\AppData\Local`},
			`C:\Users\alice\.pypirc`, `C:\Users\alice\AppData\Local\credgen\credentials.json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultPaths(systemEnv(tc.goos, tc.home, tc.vars))
			if got.Pypirc != tc.pypirc || got.CredentialCache != tc.credentials {
				t.Errorf("Pypirc %q, CredentialCache %q; want %q, %q", got.Pypirc, got.CredentialCache, tc.pypirc, tc.credentials)
			}
		})
	}
}

func TestWindowsJoin(t *testing.T) {
	for _, tc := range []struct {
		elem []string
		want string
	}{
		{[]string{`C:\Users\a`, "pip", "pip.ini"}, `C:\Users\a\pip\pip.ini`},
		{[]string{`C:\Users\a\`, `AppData\Roaming`}, `C:\Users\a\AppData\Roaming`},
		{[]string{`C:/Users/a`, "x"}, `C:\Users\a\x`},
		{[]string{`\\srv\share`, "x"}, `\\srv\share\x`},
	} {
		if got := windowsJoin(tc.elem...); got != tc.want {
			t.Errorf("windowsJoin(%q) = %s, want %s", tc.elem, got, tc.want)
		}
	}
}
