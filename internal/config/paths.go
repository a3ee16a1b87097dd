package config

import (
	"path"
	"regexp"
	"strings"
)

// Defaults are the files credgen reads and writes when neither flags,
// environment overrides (NETRC, PIP_CONFIG_FILE, UV_CONFIG_FILE) nor its
// config name them: each one where its client looks on env's system.
type Defaults struct {
	Config   string // credgen's own config.toml
	StateDir string // credgen's state and lock
	Netrc    string
	Pip      string
	UV       string
	Pypirc   string // twine reads ~/.pypirc on every system
	// CredentialCache is credentials.json in a runtime folder when the
	// system has one (memory-backed on most Linux systems), else in StateDir.
	CredentialCache string
}

// DefaultPaths computes Defaults from env alone (its GOOS, variables, home
// folder and Stat), so every system's rules can be checked on any system.
func DefaultPaths(env Env) Defaults {
	if env.GOOS == "windows" {
		return windowsDefaults(env)
	}
	xdg := func(name, fallback string) string {
		if v := env.Getenv(name); v != "" && path.IsAbs(v) {
			return v
		}
		return path.Join(env.Home, fallback)
	}
	configHome := xdg("XDG_CONFIG_HOME", ".config")
	d := Defaults{
		Config:   path.Join(configHome, "credgen", "config.toml"),
		StateDir: path.Join(xdg("XDG_STATE_HOME", ".local/state"), "credgen"),
		Netrc:    path.Join(env.Home, ".netrc"),
		Pip:      unixPipConf(env, configHome),
		UV:       path.Join(configHome, "uv", "uv.toml"),
		Pypirc:   path.Join(env.Home, ".pypirc"),
	}
	d.CredentialCache = path.Join(d.StateDir, "credentials.json")
	if run := env.Getenv("XDG_RUNTIME_DIR"); run != "" && path.IsAbs(run) {
		d.CredentialCache = path.Join(run, "credgen", "credentials.json")
	}
	return d
}

// unixPipConf is the user file pip reads: the XDG one, unless only the
// legacy ~/.pip/pip.conf exists; on macOS the Application Support one when
// its folder exists.
func unixPipConf(env Env, configHome string) string {
	if env.GOOS == "darwin" {
		mac := path.Join(env.Home, "Library", "Application Support", "pip")
		if fi, err := env.Stat(mac); err == nil && fi.IsDir() {
			return path.Join(mac, "pip.conf")
		}
	}
	return newestUnlessOnlyLegacy(env, path.Join(configHome, "pip", "pip.conf"), path.Join(env.Home, ".pip", "pip.conf"))
}

// windowsDefaults follow the clients on Windows: pip and uv keep their user
// files in the roaming application data folder (%APPDATA%), pip's legacy one
// is %USERPROFILE%\pip\pip.ini, and pip (through requests) and uv read
// %USERPROFILE%\.netrc, or _netrc when only that exists. credgen keeps its
// own config beside theirs and its state in the local (not roaming) folder.
// XDG variables mean nothing there, to uv as to pip.
func windowsDefaults(env Env) Defaults {
	home := env.Home
	appData := windowsFolder(env, "APPDATA", home, `AppData\Roaming`)
	localAppData := windowsFolder(env, "LOCALAPPDATA", home, `AppData\Local`)
	return Defaults{
		Config:   windowsJoin(appData, "credgen", "config.toml"),
		StateDir: windowsJoin(localAppData, "credgen"),
		Netrc:    newestUnlessOnlyLegacy(env, windowsJoin(home, ".netrc"), windowsJoin(home, "_netrc")),
		Pip:      newestUnlessOnlyLegacy(env, windowsJoin(appData, "pip", "pip.ini"), windowsJoin(home, "pip", "pip.ini")),
		UV:       windowsJoin(appData, "uv", "uv.toml"),
		Pypirc:   windowsJoin(home, ".pypirc"),
		// No runtime folder on Windows: beside the state, owner-only.
		CredentialCache: windowsJoin(localAppData, "credgen", "credentials.json"),
	}
}

// newestUnlessOnlyLegacy is preferred, unless it is missing and legacy
// exists: a client reading both takes what the user has.
func newestUnlessOnlyLegacy(env Env, preferred, legacy string) string {
	if _, err := env.Stat(preferred); err != nil {
		if _, err := env.Stat(legacy); err == nil {
			return legacy
		}
	}
	return preferred
}

// windowsFolder is the absolute folder the variable name holds, else the
// folder under home where Windows puts it.
func windowsFolder(env Env, name, home, underHome string) string {
	if v := env.Getenv(name); windowsIsAbs(v) {
		return v
	}
	return windowsJoin(home, underHome)
}

var windowsAbs = regexp.MustCompile(`^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])`)

// windowsIsAbs says whether p is a drive path (C:\...) or a UNC path
// (\\server\share\...).
func windowsIsAbs(p string) bool { return windowsAbs.MatchString(p) }

// windowsJoin joins path elements with backslashes, cleaning as
// filepath.Join does on Windows, and keeps a UNC path's leading \\.
func windowsJoin(elem ...string) string {
	joined := strings.ReplaceAll(strings.Join(elem, "/"), `\`, "/")
	unc := strings.HasPrefix(joined, "//")
	joined = path.Clean(joined)
	if unc {
		joined = "/" + joined
	}
	return strings.ReplaceAll(joined, "/", `\`)
}
