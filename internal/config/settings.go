package config

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/known"
)

// Output kinds, as named by --targets.
const (
	Netrc  = "netrc"
	Pip    = "pip"
	UV     = "uv"
	Pypirc = "pypirc" // opt-in: for twine and other uploaders
)

// KnownTargets are the output kinds, in the order outputs are written.
var KnownTargets = []string{Netrc, Pip, UV, Pypirc}

// DefaultTargets is --targets when neither a flag nor the config says.
var DefaultTargets = []string{Netrc, Pip, UV}

// ParseTargets reads a --targets list such as "netrc,pip".
func ParseTargets(list string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !slices.Contains(KnownTargets, t) {
			return nil, fmt.Errorf("unknown target %q (%s)", t, strings.Join(KnownTargets, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no targets in %q (%s)", list, strings.Join(KnownTargets, ", "))
	}
	return out, nil
}

// Flags are the command-line values; a nil pointer or empty string is "not given".
type Flags struct {
	Config         string
	Indexes        []string
	DefaultIndex   string
	Netrc          string
	PipConf        string
	UVConfig       string
	Pypirc         string
	Targets        string
	NoEmbed        *bool
	RefreshBefore  *time.Duration
	ChainguardMode string
	AllowTracked   *bool
}

// Env is the process environment and platform, injectable for tests.
type Env struct {
	Getenv func(string) string
	Home   string
	GOOS   string
	Stat   func(string) (os.FileInfo, error)
}

// OSEnv is the real environment.
func OSEnv() (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Env{}, fmt.Errorf("find home folder: %w", err)
	}
	return Env{Getenv: os.Getenv, Home: home, GOOS: runtime.GOOS, Stat: os.Stat}, nil
}

// Source says where credgen learnt of an index.
type Source int

// The sources of a managed index.
const (
	FromConfig Source = iota + 1 // a config [[index]]
	FromFlag                     // --index or --default-index
	FromState                    // recorded by an earlier run
	FromOutput                   // already in pip.conf or uv.toml
)

// IndexSpec is one index credgen manages: what the config, a flag, an earlier
// run (the state file embeds it) or an output says of it.
type IndexSpec struct {
	providers.Index
	Provider string `json:"provider"` // chainguard or menda
	Default  bool   `json:"default,omitempty"`
	Name     string `json:"name,omitempty"` // uv name as configured ("" = derived)
	// Requested: the user asked for this index (config or flags, now or in an
	// earlier run), so credgen adds its entries to every output, and puts
	// them back when they go. Indexes only found in an output are refreshed
	// where they are.
	Requested bool   `json:"requested,omitempty"`
	Source    Source `json:"-"`
}

// Settings is everything one run needs to know, resolved.
type Settings struct {
	ConfigPath     string
	Paths          map[string]string // output kind -> path
	Targets        []string
	Embed          bool
	RefreshBefore  time.Duration // 0: a quarter of each credential's lifetime
	ChainguardMode string        // the mode for indexes that name none
	// ModeOverride is --chainguard-mode, else the config's chainguard_mode: it
	// beats the mode an earlier run recorded for an index.
	ModeOverride string
	AllowTracked bool
	Indexes      []IndexSpec
	StateDir     string // $XDG_STATE_HOME/credgen
	// CredentialCache holds the credentials credgen obtained, secrets
	// included: $XDG_RUNTIME_DIR/credgen/credentials.json (memory-backed on
	// most Linux systems), else credentials.json in StateDir.
	CredentialCache string
}

// StatePath is the state file.
func (s *Settings) StatePath() string { return filepath.Join(s.StateDir, "state.json") }

// LockPath is the lock file beside the state.
func (s *Settings) LockPath() string { return filepath.Join(s.StateDir, "credgen.lock") }

// MintLockPath is the lock that serialises mints for host across credgen
// processes, so that one slow provider never holds up another's hosts.
func (s *Settings) MintLockPath(host string) string {
	return filepath.Join(s.StateDir, "mint", host+".lock")
}

// Targeted says whether output kind is written this run.
func (s *Settings) Targeted(kind string) bool { return slices.Contains(s.Targets, kind) }

// UsageError is a problem with flags or environment (exit 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Resolve loads the config file and merges it with flags and env.
func Resolve(fl Flags, env Env) (*Settings, error) {
	defaults := DefaultPaths(env)
	s := &Settings{StateDir: defaults.StateDir, CredentialCache: defaults.CredentialCache}
	cfgPath, optional := fl.Config, false
	if cfgPath == "" {
		cfgPath = env.Getenv("CREDGEN_CONFIG")
	}
	if cfgPath == "" {
		cfgPath, optional = defaults.Config, true
	}
	s.ConfigPath = expandHome(cfgPath, env.Home)
	cfg, err := Load(s.ConfigPath, optional)
	if err != nil {
		return nil, err
	}
	s.Paths = map[string]string{
		Netrc: cmp.Or(fl.Netrc, env.Getenv("NETRC"), cfg.Outputs.Netrc, defaults.Netrc),
		Pip:   cmp.Or(fl.PipConf, pipConfEnv(env), cfg.Outputs.Pip, defaults.Pip),
		UV:    cmp.Or(fl.UVConfig, env.Getenv("UV_CONFIG_FILE"), cfg.Outputs.UV, defaults.UV),
		// twine reads ~/.pypirc (or --config-file, which credgen cannot see).
		Pypirc: cmp.Or(fl.Pypirc, cfg.Outputs.Pypirc, defaults.Pypirc),
	}
	for k, p := range s.Paths {
		// Absolute, as the reader of a relative NETRC would take it now: the
		// state records these paths for runs from other folders.
		s.Paths[k] = absolute(expandHome(p, env.Home))
	}
	if err := s.resolveBehaviour(fl, cfg); err != nil {
		return nil, err
	}
	if err := s.checkDistinctOutputs(); err != nil {
		return nil, err
	}
	return s, s.resolveIndexes(fl, cfg)
}

// checkDistinctOutputs refuses two targeted outputs that are one file, by
// path, through symlinks or as hard links: credgen would write one kind's
// content over the other's, and the file would end up holding only the last.
func (s *Settings) checkDistinctOutputs() error {
	for i, a := range s.Targets {
		for _, b := range s.Targets[i+1:] {
			if sameFile(s.Paths[a], s.Paths[b]) {
				return &UsageError{Msg: fmt.Sprintf(
					"the %s and %s outputs are one file (%s and %s): each would overwrite the other; give each its own path",
					a, b, s.Paths[a], s.Paths[b])}
			}
		}
	}
	return nil
}

// sameFile says whether paths a and b name one file, which need not exist yet.
func sameFile(a, b string) bool {
	if realPath(a) == realPath(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// realPath is p with every symlink resolved, in its folders and in its last
// element, as far as they exist (p cleaned when nothing resolves).
func realPath(p string) string {
	p = filepath.Clean(p)
	if r, err := atomicfile.Resolve(p); err == nil {
		p = r
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(dir, filepath.Base(p))
	}
	return p
}

func (s *Settings) resolveBehaviour(fl Flags, cfg *File) error {
	s.Targets = slices.Clone(DefaultTargets)
	switch {
	case fl.Targets != "":
		t, err := ParseTargets(fl.Targets)
		if err != nil {
			return &UsageError{Msg: "--targets: " + err.Error()}
		}
		s.Targets = t
	case len(cfg.Targets) > 0:
		s.Targets, _ = ParseTargets(strings.Join(cfg.Targets, ","))
	}
	s.Embed = true
	if cfg.Outputs.Embed != nil {
		s.Embed = *cfg.Outputs.Embed
	}
	if fl.NoEmbed != nil {
		s.Embed = !*fl.NoEmbed
	}
	if !s.Embed && !s.Targeted(Netrc) {
		return &UsageError{Msg: "--no-embed keeps secrets only in netrc, but netrc is not among --targets"}
	}
	s.RefreshBefore = cfg.RefreshBefore.Duration
	if fl.RefreshBefore != nil {
		if *fl.RefreshBefore < 0 {
			return &UsageError{Msg: "--refresh-before must not be negative"}
		}
		s.RefreshBefore = *fl.RefreshBefore
	}
	s.ModeOverride = cmp.Or(fl.ChainguardMode, cfg.ChainguardMode)
	s.ChainguardMode = cmp.Or(s.ModeOverride, "session")
	if err := checkMode(s.ChainguardMode); err != nil {
		return &UsageError{Msg: "--chainguard-mode: " + err.Error()}
	}
	s.AllowTracked = cfg.AllowTracked
	if fl.AllowTracked != nil {
		s.AllowTracked = *fl.AllowTracked
	}
	return nil
}

// resolveIndexes gathers config [[index]] tables and --index/--default-index.
func (s *Settings) resolveIndexes(fl Flags, cfg *File) error {
	for i, ix := range cfg.Index {
		spec, err := NewIndexSpec(ix.URL, ix.Provider, FromConfig)
		if err != nil {
			return &Error{Path: cfg.Path(), Line: cfg.IndexLine(i, "url"), Msg: err.Error()}
		}
		spec.Default, spec.Name, spec.Profile, spec.Parent = ix.Default, ix.Name, ix.Profile, ix.Parent
		// A flag beats the config; an index's own mode beats the config-wide one.
		spec.Mode = cmp.Or(fl.ChainguardMode, ix.Mode, s.ChainguardMode)
		s.addIndex(spec)
	}
	for _, u := range fl.Indexes {
		spec, err := NewIndexSpec(u, "", FromFlag)
		if err != nil {
			return &UsageError{Msg: "--index: " + err.Error()}
		}
		spec.Mode = s.ChainguardMode
		s.addIndex(spec)
	}
	if fl.DefaultIndex != "" {
		spec, err := NewIndexSpec(fl.DefaultIndex, "", FromFlag)
		if err != nil {
			return &UsageError{Msg: "--default-index: " + err.Error()}
		}
		spec.Mode, spec.Default = s.ChainguardMode, true
		s.addIndex(spec)
	}
	return nil
}

// addIndex adds spec, or merges it into an earlier spec for the same URL
// (flags come later and win on default).
func (s *Settings) addIndex(spec IndexSpec) {
	if spec.Default {
		for i := range s.Indexes {
			s.Indexes[i].Default = false
		}
	}
	for i, have := range s.Indexes {
		if urlcred.Key(have.URL) == urlcred.Key(spec.URL) {
			s.Indexes[i].Default = have.Default || spec.Default
			return
		}
	}
	s.Indexes = append(s.Indexes, spec)
}

// NewIndexSpec checks an index URL and chooses its provider: a plain https
// URL (urlcred.CheckIndexURL), and a host a provider recognises unless
// provider names one. Every index goes through it, wherever it was found.
func NewIndexSpec(raw, provider string, src Source) (IndexSpec, error) {
	if err := urlcred.CheckIndexURL(raw); err != nil {
		return IndexSpec{}, err
	}
	host := urlcred.Host(raw)
	if provider == "" {
		provider = known.ForHost(host)
	}
	if provider == "" {
		return IndexSpec{}, fmt.Errorf("%s: no provider recognises host %s (set provider = \"chainguard\" or \"menda\" on its [[index]] in the config)", raw, host)
	}
	requested := src == FromConfig || src == FromFlag
	return IndexSpec{Index: providers.Index{URL: raw, Host: host}, Provider: provider, Source: src, Requested: requested}, nil
}

// pipConfEnv is PIP_CONFIG_FILE unless it is /dev/null, which tells pip to
// read no file at all and so tells credgen nothing about where to write.
func pipConfEnv(env Env) string {
	if v := env.Getenv("PIP_CONFIG_FILE"); v != os.DevNull {
		return v
	}
	return ""
}

// absolute is p made absolute against the working folder (p when that fails).
func absolute(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}
