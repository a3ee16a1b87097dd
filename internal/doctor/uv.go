package doctor

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/generator/uvtoml"
)

// uvFile is one configuration file uv reads.
type uvFile struct {
	kind      string // project, user, system, UV_CONFIG_FILE
	path      string
	pyproject bool // settings under [tool.uv]
}

// uvChain lists the files uv reads, highest precedence first (uv's
// configuration-files documentation and uv-settings):
//   - UV_NO_CONFIG: none;
//   - UV_CONFIG_FILE: that file alone;
//   - else the project's: the nearest folder, from the current one up, with a
//     uv.toml, or a pyproject.toml that has a [tool.uv] table (uv.toml wins in
//     one folder; a pyproject.toml without [tool.uv] is passed over);
//     then the user's $XDG_CONFIG_HOME/uv/uv.toml (~/.config/uv/uv.toml);
//     then the system's: the first of $XDG_CONFIG_DIRS/uv/uv.toml and
//     /etc/uv/uv.toml that exists.
//
// Scalars take the first file's value; index lists are joined, the
// project's first.
func (w *world) uvChain() (files []uvFile, why string) {
	if truthy(w.getenv("UV_NO_CONFIG")) {
		return nil, "UV_NO_CONFIG is set, so uv reads no configuration file"
	}
	if f := w.getenv("UV_CONFIG_FILE"); f != "" {
		return []uvFile{{kind: "UV_CONFIG_FILE", path: w.absolute(f)}}, "UV_CONFIG_FILE=" + f + " replaces every other configuration file"
	}
	for _, d := range w.upward() {
		if p := filepath.Join(d, "uv.toml"); w.exists(p) {
			files = append(files, uvFile{kind: "project", path: p})
			break
		}
		if p := filepath.Join(d, "pyproject.toml"); w.hasToolUV(p) {
			files = append(files, uvFile{kind: "project", path: p, pyproject: true})
			break
		}
	}
	files = append(files, uvFile{kind: "user", path: filepath.Join(w.xdgConfigHome(), "uv", "uv.toml")})
	var system []string
	for _, d := range w.xdgConfigDirs() {
		system = append(system, filepath.Join(d, "uv", "uv.toml"))
	}
	for _, p := range append(system, "/etc/uv/uv.toml") {
		if w.exists(p) {
			files = append(files, uvFile{kind: "system", path: p})
			break
		}
	}
	return files, ""
}

func (w *world) hasToolUV(path string) bool {
	doc, ok := w.tomlDoc(path)
	if !ok {
		return false
	}
	return table(table(doc, "tool"), "uv") != nil
}

// tomlDoc decodes a TOML file; ok is false when it is missing or does not
// decode (uv then stops with an error, reported by the caller).
func (w *world) tomlDoc(path string) (map[string]any, bool) {
	data, ok := w.read(path)
	if !ok {
		return nil, false
	}
	var doc map[string]any
	if toml.Unmarshal(data, &doc) != nil {
		return nil, false
	}
	return doc, true
}

func table(doc any, key string) map[string]any {
	m, _ := doc.(map[string]any)
	t, _ := m[key].(map[string]any)
	return t
}

// uvIndex is one index definition as uv collects it.
type uvIndex struct {
	name, url string
	def       bool
	source    string // "UV_INDEX", "FILE line N"
	path      string // its file; "" for the environment
}

// uvConfig is what uv resolves: its index list (highest precedence first),
// its default index, its keyring provider.
type uvConfig struct {
	indexes  []uvIndex
	files    []uvFile
	why      string   // set when the environment cut the file chain
	broken   []string // files uv fails on
	keyring  string
	readFrom []string
}

func (w *world) uvConfig() *uvConfig {
	c := &uvConfig{}
	c.files, c.why = w.uvChain()
	// The environment first: UV_INDEX and UV_DEFAULT_INDEX, then the legacy
	// UV_EXTRA_INDEX_URL and UV_INDEX_URL.
	for _, s := range strings.Fields(w.getenv("UV_INDEX")) {
		c.indexes = append(c.indexes, uvEnvIndex(s, "UV_INDEX", false))
	}
	if s := strings.TrimSpace(w.getenv("UV_DEFAULT_INDEX")); s != "" {
		c.indexes = append(c.indexes, uvEnvIndex(s, "UV_DEFAULT_INDEX", true))
	}
	for _, s := range strings.Fields(w.getenv("UV_EXTRA_INDEX_URL")) {
		c.indexes = append(c.indexes, uvIndex{url: s, source: "UV_EXTRA_INDEX_URL"})
	}
	if s := strings.TrimSpace(w.getenv("UV_INDEX_URL")); s != "" {
		c.indexes = append(c.indexes, uvIndex{url: s, def: true, source: "UV_INDEX_URL"})
	}
	c.keyring = w.getenv("UV_KEYRING_PROVIDER")
	for _, f := range c.files {
		if !w.exists(f.path) {
			continue
		}
		c.readFrom = append(c.readFrom, f.path)
		doc, ok := w.tomlDoc(f.path)
		if !ok {
			c.broken = append(c.broken, f.path)
			continue
		}
		settings := doc
		if f.pyproject {
			settings = table(table(doc, "tool"), "uv")
		}
		c.indexes = append(c.indexes, w.uvFileIndexes(f, settings)...)
		if kp, ok := settings["keyring-provider"].(string); ok && c.keyring == "" {
			c.keyring = kp
		}
	}
	return c
}

// uvFileIndexes are a file's [[index]] tables (with their lines, through
// uvtoml for a uv.toml), then its legacy extra-index-url and index-url.
func (w *world) uvFileIndexes(f uvFile, settings map[string]any) []uvIndex {
	var out []uvIndex
	if data, _ := w.read(f.path); !f.pyproject {
		if doc, err := uvtoml.Parse(data); err == nil {
			for _, ix := range doc.Indexes() {
				out = append(out, uvIndex{name: ix.Name, url: ix.URL, def: ix.Default, source: fmt.Sprintf("%s line %d", f.path, ix.Line), path: f.path})
			}
		}
	} else if list, ok := settings["index"].([]any); ok {
		for _, e := range list {
			t, _ := e.(map[string]any)
			name, _ := t["name"].(string)
			u, _ := t["url"].(string)
			def, _ := t["default"].(bool)
			out = append(out, uvIndex{name: name, url: u, def: def, source: f.path + " [[tool.uv.index]]", path: f.path})
		}
	}
	if list, ok := settings["extra-index-url"].([]any); ok {
		for _, e := range list {
			if u, ok := e.(string); ok {
				out = append(out, uvIndex{url: u, source: f.path + " extra-index-url", path: f.path})
			}
		}
	}
	if u, ok := settings["index-url"].(string); ok {
		out = append(out, uvIndex{url: u, def: true, source: f.path + " index-url", path: f.path})
	}
	return out
}

var uvEnvNameRe = regexp.MustCompile(`[^A-Za-z0-9]`)

// uvEnvName is the NAME of UV_INDEX_<NAME>_USERNAME: upper case, every other
// character than A-Z and 0-9 as '_'.
func uvEnvName(name string) string {
	return strings.ToUpper(uvEnvNameRe.ReplaceAllString(name, "_"))
}

// uvEnvIndex reads one `[name=]url` entry of UV_INDEX or UV_DEFAULT_INDEX.
func uvEnvIndex(s, source string, def bool) uvIndex {
	if i := strings.IndexByte(s, '='); i > 0 && !strings.ContainsAny(s[:i], ":/") {
		return uvIndex{name: s[:i], url: s[i+1:], def: def, source: source}
	}
	return uvIndex{url: s, def: def, source: source}
}

// uv: the index definition that wins for the URL (its UV_INDEX_<NAME>_*
// variables, else its URL's credentials), else netrc (skipped when its login
// is not the URL's username), else keyring.
func (w *world) uv(ix Index) Verdict {
	c := w.uvConfig()
	if len(c.broken) > 0 {
		return Verdict{Status: Problem, Sends: "nothing", Why: "uv cannot parse " + strings.Join(c.broken, ", ") + " and stops", Fix: "fix the file's syntax"}
	}
	key := urlcred.Key(ix.URL)
	var ours *uvIndex
	for i := range c.indexes {
		if urlcred.Key(c.indexes[i].url) == key {
			ours = &c.indexes[i]
			break
		}
	}
	if ours == nil {
		if v, handled := w.uvNotUsed(ix, c); handled {
			return v
		}
		v := w.withKeyring(ix, w.netrcVerdict(ix, readerUV, ""), "uv", c.keyring)
		v.Why = strings.TrimSpace("uv's configuration does not name this index; with `uv --index " + ix.URL + "`: " + v.Why)
		return v
	}
	if ix.Default {
		for _, d := range c.indexes {
			if d.def {
				if urlcred.Key(d.url) != key {
					return Verdict{Status: Problem, Sends: "nothing to this index",
						Why: fmt.Sprintf("uv's default index is %s from %s, which replaces credgen's default index", urlcred.Mask(d.url), d.source),
						Fix: uvRemoveFix(d, "the default index")}
				}
				break
			}
		}
	}
	name := ours.name
	if name == "" && w.credgenWrites("uv", ours.path) {
		name = ix.UVName
	}
	if name != "" {
		prefix := "UV_INDEX_" + uvEnvName(name) + "_"
		if pw := w.getenv(prefix + "PASSWORD"); pw != "" {
			return judge(ix, found{source: prefix + "PASSWORD", user: w.getenv(prefix + "USERNAME"), fingerprint: fingerprint(pw)},
				"unset "+prefix+"USERNAME and "+prefix+"PASSWORD (or set them with `credgen exec`)")
		}
	}
	user, secret, has := urlcred.Userinfo(ours.url)
	if has && secret != "" {
		fix := uvRemoveFix(*ours, "the credentials in that URL")
		if w.credgenWrites("uv", ours.path) {
			fix = "run `credgen write`"
		}
		return judge(ix, found{source: ours.source, user: user, fingerprint: fingerprint(secret)}, fix)
	}
	return w.withKeyring(ix, w.netrcVerdict(ix, readerUV, user), "uv", c.keyring)
}

func uvRemoveFix(d uvIndex, what string) string {
	if d.path == "" {
		return "unset " + d.source
	}
	return "remove " + what + " from " + d.path + ", or run uv with --config-file pointing at credgen's uv.toml"
}

// uvNotUsed explains why uv does not see an index credgen wrote into its
// uv.toml; handled is false when credgen's uv.toml does not name it.
func (w *world) uvNotUsed(ix Index, c *uvConfig) (Verdict, bool) {
	own := w.facts.Outputs["uv"]
	data, ok := w.read(own)
	if own == "" || !ok {
		return Verdict{}, false
	}
	doc, err := uvtoml.Parse(data)
	if err != nil {
		return Verdict{}, false
	}
	named := false
	for _, e := range doc.Indexes() {
		named = named || urlcred.Key(e.URL) == urlcred.Key(ix.URL)
	}
	if !named || slices.Contains(c.readFrom, own) {
		return Verdict{}, false
	}
	v := Verdict{Status: Problem, Sends: "nothing to this index", Why: "uv does not read credgen's " + own}
	switch {
	case c.why != "":
		v.Why += ": " + c.why
		if truthy(w.getenv("UV_NO_CONFIG")) {
			v.Fix = "unset UV_NO_CONFIG, or pass the index with `credgen exec -- uv ...`"
		} else {
			v.Fix = "unset UV_CONFIG_FILE, or run `credgen write --uv-config " + w.absolute(w.getenv("UV_CONFIG_FILE")) + "`"
		}
	default:
		v.Fix = "run `credgen write --uv-config FILE` with the file uv reads"
	}
	return v, true
}
