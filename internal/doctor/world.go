package doctor

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// world is one doctor run: the facts, the environment, and the files read so
// far (each is read once).
type world struct {
	facts *Facts
	env   *Env
	files map[string]fileRead
}

type fileRead struct {
	data   []byte
	exists bool
}

func newWorld(facts *Facts, env *Env) *world {
	return &world{facts: facts, env: env, files: map[string]fileRead{}}
}

func (w *world) getenv(k string) string {
	if w.env.Getenv == nil {
		return ""
	}
	return w.env.Getenv(k)
}

// read is path's content; exists is false when it cannot be read at all (a
// client that cannot read a file skips it too).
func (w *world) read(path string) (data []byte, exists bool) {
	if path == "" {
		return nil, false
	}
	if r, ok := w.files[path]; ok {
		return r.data, r.exists
	}
	data, err := w.env.ReadFile(path)
	r := fileRead{data: data, exists: err == nil}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.exists = false // unreadable (a folder, no permission): the clients skip it as well
	}
	w.files[path] = r
	return r.data, r.exists
}

func (w *world) exists(path string) bool {
	_, ok := w.read(path)
	return ok
}

// home expands a leading ~ as Python and the shell do.
func (w *world) home(p string) string {
	if p == "~" {
		return w.env.Home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(w.env.Home, p[2:])
	}
	return p
}

// absolute makes p absolute against the current folder, as a client
// started there would.
func (w *world) absolute(p string) string {
	p = w.home(p)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(w.env.Cwd, p)
}

// xdgConfigHome is $XDG_CONFIG_HOME when absolute, else ~/.config.
func (w *world) xdgConfigHome() string {
	if v := w.getenv("XDG_CONFIG_HOME"); filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(w.env.Home, ".config")
}

// xdgConfigDirs is $XDG_CONFIG_DIRS split, else /etc/xdg.
func (w *world) xdgConfigDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(w.getenv("XDG_CONFIG_DIRS")) {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		dirs = []string{"/etc/xdg"}
	}
	return dirs
}

// upward lists cwd and each folder above it, nearest first.
func (w *world) upward() []string {
	var dirs []string
	for d := filepath.Clean(w.env.Cwd); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if filepath.Dir(d) == d {
			return dirs
		}
	}
}

// credgenWrites says whether credgen writes path as its output of kind.
func (w *world) credgenWrites(kind, path string) bool {
	own := w.facts.Outputs[kind]
	if own == "" || path == "" {
		return false
	}
	if own == path {
		return true
	}
	a, errA := w.realPath(own)
	b, errB := w.realPath(path)
	return errA == nil && errB == nil && a == b
}

func (w *world) realPath(p string) (string, error) {
	if w.env.RealPath == nil {
		return filepath.Clean(p), nil
	}
	return w.env.RealPath(p)
}

// truthy is how uv and pip read a boolean variable.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y", "t":
		return true
	}
	return false
}
