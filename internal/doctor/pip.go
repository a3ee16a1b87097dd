package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/credgen/credgen/generator/pipconf"
	"github.com/credgen/credgen/generator/urlcred"
)

// pipFile is one file of pip's configuration chain.
type pipFile struct {
	kind string // global, user, site, env
	path string
}

// pipChain lists the files pip loads, in the order it loads them: a later
// file's value for a key replaces an earlier one's (pip's
// Configuration.iter_config_files):
//   - global: each $XDG_CONFIG_DIRS (default /etc/xdg) /pip/pip.conf, then
//     /etc/pip.conf (macOS: /Library/Application Support/pip/pip.conf);
//   - user, skipped when PIP_CONFIG_FILE names a file that exists: the legacy
//     ~/.pip/pip.conf, then $XDG_CONFIG_HOME/pip/pip.conf (macOS:
//     ~/Library/Application Support/pip/pip.conf when that folder exists);
//   - site: sys.prefix/pip.conf, here $VIRTUAL_ENV/pip.conf when VIRTUAL_ENV
//     is set (doctor runs no Python to ask);
//   - env: the file PIP_CONFIG_FILE names.
//
// PIP_CONFIG_FILE=/dev/null loads no file at all.
func (w *world) pipChain() (files []pipFile, skipAll bool) {
	envFile := w.getenv("PIP_CONFIG_FILE")
	if envFile == os.DevNull {
		return nil, true
	}
	if w.env.GOOS == "darwin" {
		files = append(files, pipFile{"global", "/Library/Application Support/pip/pip.conf"})
	} else {
		for _, d := range w.xdgConfigDirs() {
			files = append(files, pipFile{"global", filepath.Join(d, "pip", "pip.conf")})
		}
		files = append(files, pipFile{"global", "/etc/pip.conf"})
	}
	if envFile == "" || !w.exists(w.absolute(envFile)) {
		files = append(files, pipFile{"user", filepath.Join(w.env.Home, ".pip", "pip.conf")})
		user := filepath.Join(w.xdgConfigHome(), "pip", "pip.conf")
		if mac := filepath.Join(w.env.Home, "Library", "Application Support", "pip"); w.env.GOOS == "darwin" && w.dirExists(mac) {
			user = filepath.Join(mac, "pip.conf")
		}
		files = append(files, pipFile{"user", user})
	}
	if venv := w.getenv("VIRTUAL_ENV"); venv != "" {
		files = append(files, pipFile{"site", filepath.Join(w.absolute(venv), "pip.conf")})
	}
	if envFile != "" {
		files = append(files, pipFile{"env", w.absolute(envFile)})
	}
	return files, false
}

func (w *world) dirExists(p string) bool {
	return w.env.IsDir != nil && w.env.IsDir(p)
}

// pipValue is one setting as pip ends up with it, and where it came from.
type pipValue struct {
	urls   []string
	source string // "PIP_INDEX_URL" or "FILE [section] key (line N)"
	path   string // the file; "" for the environment
}

// pipConfig is pip's merged configuration for `pip install`.
type pipConfig struct {
	merged   map[string]pipValue // "section.key" -> value of the last file setting it
	keyring  string              // keyring-provider, after the environment
	broken   []string            // files pip fails on
	skipAll  bool
	readFrom []string // files that exist, in load order
}

func (w *world) pipConfig() *pipConfig {
	files, skipAll := w.pipChain()
	c := &pipConfig{merged: map[string]pipValue{}, skipAll: skipAll}
	for _, f := range files {
		data, ok := w.read(f.path)
		if !ok {
			continue
		}
		c.readFrom = append(c.readFrom, f.path)
		doc, err := pipconf.Parse(data)
		if err != nil {
			c.broken = append(c.broken, f.path)
			continue
		}
		perKey := map[string]pipValue{}
		for _, ref := range doc.IndexURLs() {
			k := strings.ToLower(ref.Section) + "." + pipKey(ref.Key)
			v := perKey[k]
			if v.source == "" {
				v = pipValue{source: fmt.Sprintf("%s [%s] %s (line %d)", f.path, ref.Section, pipKey(ref.Key), ref.Line), path: f.path}
			}
			v.urls = append(v.urls, ref.URL)
			perKey[k] = v
		}
		for k, v := range perKey {
			c.merged[k] = v
		}
		for _, sec := range []string{"global", "install"} {
			if v, ok := iniValue(data, sec, "keyring-provider"); ok {
				c.merged[sec+".keyring-provider"] = pipValue{urls: []string{v}, source: f.path + " [" + sec + "] keyring-provider", path: f.path}
			}
		}
	}
	c.keyring = w.getenv("PIP_KEYRING_PROVIDER")
	if c.keyring == "" {
		for _, k := range []string{"install.keyring-provider", "global.keyring-provider"} {
			if v, ok := c.merged[k]; ok {
				c.keyring = v.urls[0]
				break
			}
		}
	}
	return c
}

// pipKey is an option name as pip compares it: lower case, no leading
// dashes, '_' as '-'.
func pipKey(k string) string {
	return strings.ReplaceAll(strings.TrimLeft(strings.ToLower(k), "-"), "_", "-")
}

// effective is the value pip uses for key: the environment variable, else
// [install], else [global] (pip's override order: global, the command's
// own section, then the environment; a section's value from any file beats
// the section before it).
func (w *world) pipEffective(c *pipConfig, key string) (pipValue, bool) {
	envName := "PIP_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
	if v := w.getenv(envName); v != "" {
		return pipValue{urls: strings.Fields(v), source: envName}, true
	}
	for _, sec := range []string{"install", "global"} {
		if v, ok := c.merged[sec+"."+key]; ok {
			return v, true
		}
	}
	return pipValue{}, false
}

// pip: the index URL pip uses for the host (with its credentials), else
// netrc through requests, else keyring.
func (w *world) pip(ix Index) Verdict {
	c := w.pipConfig()
	if len(c.broken) > 0 {
		return Verdict{Status: Problem, Sends: "nothing", Why: "pip cannot load " + strings.Join(c.broken, ", ") + " and stops", Fix: "fix the file's syntax"}
	}
	var cands []pipValue
	for _, key := range []string{"index-url", "extra-index-url"} {
		if v, ok := w.pipEffective(c, key); ok {
			cands = append(cands, v)
		}
	}
	url, from, ok := pickURL(ix, cands)
	if !ok {
		if v, handled := w.pipNotUsed(ix, c, cands); handled {
			return v
		}
		v := w.withKeyring(ix, w.netrcVerdict(ix, readerPython, ""), "pip", c.keyring)
		v.Why = strings.TrimSpace("pip's configuration does not name this index; with `pip --index-url " + ix.URL + "`: " + v.Why)
		return v
	}
	user, secret, has := urlcred.Userinfo(url)
	if has && secret != "" {
		return judge(ix, found{source: from.source, user: user, fingerprint: fingerprint(secret)}, w.pipFix(from))
	}
	return w.withKeyring(ix, w.netrcVerdict(ix, readerPython, ""), "pip", c.keyring)
}

// pickURL is the URL of cands for ix: the first naming the index itself,
// else the first on its host.
func pickURL(ix Index, cands []pipValue) (string, pipValue, bool) {
	key := urlcred.Key(ix.URL)
	for _, v := range cands {
		for _, u := range v.urls {
			if urlcred.Key(u) == key {
				return u, v, true
			}
		}
	}
	for _, v := range cands {
		for _, u := range v.urls {
			if urlcred.Host(u) == ix.Host {
				return u, v, true
			}
		}
	}
	return "", pipValue{}, false
}

// pipNotUsed explains why pip does not use an index credgen put into its
// pip.conf; handled is false when credgen's pip.conf does not name it.
func (w *world) pipNotUsed(ix Index, c *pipConfig, winners []pipValue) (Verdict, bool) {
	own := w.facts.Outputs["pip"]
	data, ok := w.read(own)
	if own == "" || !ok {
		return Verdict{}, false
	}
	doc, err := pipconf.Parse(data)
	if err != nil {
		return Verdict{}, false
	}
	key := urlcred.Key(ix.URL)
	var ownKey string
	for _, ref := range doc.IndexURLs() {
		if urlcred.Key(ref.URL) == key {
			ownKey = pipKey(ref.Key)
		}
	}
	if ownKey == "" {
		return Verdict{}, false
	}
	v := Verdict{Status: Problem, Sends: "nothing to this index"}
	switch {
	case c.skipAll:
		v.Why = "PIP_CONFIG_FILE=" + os.DevNull + " makes pip read no configuration file, so it never sees credgen's " + own
		v.Fix = "unset PIP_CONFIG_FILE"
		return v, true
	case !slices.Contains(c.readFrom, own):
		v.Why = "pip does not read credgen's " + own
		if f := w.getenv("PIP_CONFIG_FILE"); f != "" {
			v.Why += " (PIP_CONFIG_FILE=" + f + " replaces the user files)"
			v.Fix = "unset PIP_CONFIG_FILE, or run `credgen write --pip-conf " + w.absolute(f) + "`"
		} else {
			v.Fix = "run `credgen write --pip-conf FILE` with a file pip reads"
		}
		return v, true
	}
	if win, ok := w.pipEffective(c, ownKey); ok && win.path != own {
		v.Why = win.source + " sets " + ownKey + ", which replaces credgen's in " + own + ", so pip never asks this index"
		v.Fix = w.pipFix(win)
		return v, true
	}
	return Verdict{}, false
}

// pipFix is the fix for a stale credential where v came from.
func (w *world) pipFix(v pipValue) string {
	switch {
	case v.path == "":
		return "unset " + strings.Fields(v.source)[0] + " (credgen keeps pip.conf and netrc fresh)"
	case w.credgenWrites("pip", v.path):
		return "run `credgen write`"
	}
	return "remove that setting from " + v.path + " (or its credentials), or run `credgen write --pip-conf " + v.path + "`"
}

// iniValue finds key in section of an INI file as configparser reads it
// (names case-insensitive, '_' and '-' alike as pip compares them, '=' or
// ':'); for single-line settings such as keyring-provider.
func iniValue(data []byte, section, key string) (string, bool) {
	cur := ""
	val, found := "", false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			cur = strings.ToLower(strings.TrimSpace(t[1 : len(t)-1]))
		case cur == section && line[0] != ' ' && line[0] != '\t':
			i := strings.IndexAny(t, "=:")
			if i > 0 && pipKey(strings.TrimSpace(t[:i])) == key {
				val, found = strings.TrimSpace(t[i+1:]), true
			}
		}
	}
	return val, found
}
