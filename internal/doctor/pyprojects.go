package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/credgen/credgen/generator/urlcred"
)

// nearestWith is the nearest file name, from the current folder up, whose
// TOML document has the table path (e.g. tool, poetry); "" when none.
func (w *world) nearestWith(name string, path ...string) (string, map[string]any) {
	for _, d := range w.upward() {
		p := filepath.Join(d, name)
		doc, ok := w.tomlDoc(p)
		if !ok {
			continue
		}
		var t any = doc
		for _, k := range path {
			t = table(t, k)
		}
		if m, _ := t.(map[string]any); m != nil {
			return p, m
		}
	}
	return "", nil
}

// source is a named package source of poetry, pdm or pipenv.
type source struct {
	name, url      string
	user, password string // as configured beside the URL (pdm)
	where          string
}

// onHost is the source of list for ix: the one naming the index, else the
// first on its host.
func onHost(ix Index, list []source) (source, bool) {
	for _, s := range list {
		if urlcred.Key(s.url) == urlcred.Key(ix.URL) {
			return s, true
		}
	}
	for _, s := range list {
		if urlcred.Host(s.url) == ix.Host {
			return s, true
		}
	}
	return source{}, false
}

func sourcesIn(list any, where string) []source {
	var out []source
	items, _ := list.([]any)
	for _, e := range items {
		t, _ := e.(map[string]any)
		s := source{where: where}
		s.name, _ = t["name"].(string)
		s.url, _ = t["url"].(string)
		s.user, _ = t["username"].(string)
		s.password, _ = t["password"].(string)
		out = append(out, s)
	}
	return out
}

// expand replaces ${VAR} as pdm and pipenv do in their source settings.
func (w *world) expand(s string) string {
	return os.Expand(s, w.getenv)
}

// poetryConfigDir is $POETRY_CONFIG_DIR, else Poetry's per-system folder
// (platformdirs' user config dir: ~/.config/pypoetry on Linux,
// ~/Library/Application Support/pypoetry on macOS).
func (w *world) poetryConfigDir() string {
	if d := w.getenv("POETRY_CONFIG_DIR"); d != "" {
		return w.absolute(d)
	}
	if w.env.GOOS == "darwin" {
		return filepath.Join(w.env.Home, "Library", "Application Support", "pypoetry")
	}
	return filepath.Join(w.xdgConfigHome(), "pypoetry")
}

var poetryEnvRe = regexp.MustCompile(`[^A-Za-z0-9]`)

// poetry: the project's [[tool.poetry.source]] (or a repository in Poetry's
// config.toml) names the index; its credentials are http-basic.NAME
// (POETRY_HTTP_BASIC_<NAME>_USERNAME/PASSWORD over auth.toml), which Poetry
// sends in place of netrc's (requests still applies netrc on redirects),
// else netrc through requests.
func (w *world) poetry(ix Index) Verdict {
	var list []source
	if p, t := w.nearestWith("pyproject.toml", "tool", "poetry"); p != "" {
		list = sourcesIn(t["source"], p)
	}
	cfgDir := w.poetryConfigDir()
	if doc, ok := w.tomlDoc(filepath.Join(cfgDir, "config.toml")); ok {
		for name, r := range table(doc, "repositories") {
			if t, ok := r.(map[string]any); ok {
				u, _ := t["url"].(string)
				list = append(list, source{name: name, url: u, where: filepath.Join(cfgDir, "config.toml")})
			}
		}
	}
	s, ok := onHost(ix, list)
	if !ok {
		return Verdict{Status: Skipped, Why: "no Poetry source here names " + ix.Host}
	}
	if user, secret, has := urlcred.Userinfo(s.url); has && secret != "" {
		return judge(ix, found{source: s.where + " source " + s.name, user: user, fingerprint: fingerprint(secret)}, "remove the credentials from that source's URL")
	}
	envName := "POETRY_HTTP_BASIC_" + strings.ToUpper(poetryEnvRe.ReplaceAllString(s.name, "_")) + "_"
	unset := fmt.Sprintf("unset %sUSERNAME and %sPASSWORD, and run `poetry config --unset http-basic.%s`, so that netrc supplies credgen's credential", envName, envName, s.name)
	if pw := w.getenv(envName + "PASSWORD"); pw != "" {
		v := judge(ix, found{source: envName + "PASSWORD", user: w.getenv(envName + "USERNAME"), fingerprint: fingerprint(pw)}, unset)
		return poetryRedirectNote(v)
	}
	authPath := filepath.Join(cfgDir, "auth.toml")
	if doc, ok := w.tomlDoc(authPath); ok {
		if t, ok := table(doc, "http-basic")[s.name].(map[string]any); ok {
			user, _ := t["username"].(string)
			pw, hasPW := t["password"].(string)
			if !hasPW {
				return Verdict{Status: Skipped, Source: authPath + " http-basic." + s.name,
					Why: "Poetry takes the password of http-basic." + s.name + " from the system keyring; doctor cannot tell which one it is", Fix: unset}
			}
			return poetryRedirectNote(judge(ix, found{source: authPath + " http-basic." + s.name, user: user, fingerprint: fingerprint(pw)}, unset))
		}
	}
	return w.netrcVerdict(ix, readerPython, "")
}

func poetryRedirectNote(v Verdict) Verdict {
	if v.Status == Problem {
		v.Why += "; Poetry sends it instead of netrc's, and requests applies netrc's only after a redirect"
	}
	return v
}

// pdmConfigFile is pdm's global config: $PDM_CONFIG_FILE, else
// ~/.config/pdm/config.toml.
func (w *world) pdmConfigFile() string {
	if f := w.getenv("PDM_CONFIG_FILE"); f != "" {
		return w.absolute(f)
	}
	return filepath.Join(w.xdgConfigHome(), "pdm", "config.toml")
}

// pdm: PDM_PYPI_URL (with PDM_PYPI_USERNAME/PASSWORD), the project's
// [[tool.pdm.source]], the project's pdm.toml and pdm's global config
// ([pypi] and [pypi.NAME], with username/password beside the url), with
// ${VAR} expanded; credentials configured there win; else netrc.
func (w *world) pdm(ix Index) Verdict {
	var list []source
	if u := w.getenv("PDM_PYPI_URL"); u != "" {
		list = append(list, source{name: "pypi", url: u, user: w.getenv("PDM_PYPI_USERNAME"), password: w.getenv("PDM_PYPI_PASSWORD"), where: "PDM_PYPI_URL"})
	}
	p, t := w.nearestWith("pyproject.toml", "tool", "pdm")
	if p != "" {
		list = append(list, sourcesIn(t["source"], p)...)
		list = append(list, w.pdmConfigSources(filepath.Join(filepath.Dir(p), "pdm.toml"))...)
	}
	list = append(list, w.pdmConfigSources(w.pdmConfigFile())...)
	s, ok := onHost(ix, list)
	if !ok {
		return Verdict{Status: Skipped, Why: "no pdm source here names " + ix.Host}
	}
	url, user, pw := w.expand(s.url), w.expand(s.user), w.expand(s.password)
	fix := "remove the credentials from " + s.where + " (source " + s.name + "), so that netrc supplies credgen's"
	if pw != "" {
		return judge(ix, found{source: s.where + " source " + s.name, user: user, fingerprint: fingerprint(pw)}, fix)
	}
	if u, secret, has := urlcred.Userinfo(url); has && secret != "" {
		return judge(ix, found{source: s.where + " source " + s.name, user: u, fingerprint: fingerprint(secret)}, fix)
	}
	return w.netrcVerdict(ix, readerPython, "")
}

func (w *world) pdmConfigSources(path string) []source {
	doc, ok := w.tomlDoc(path)
	if !ok {
		return nil
	}
	pypi := table(doc, "pypi")
	var out []source
	str := func(t map[string]any, k string) string { s, _ := t[k].(string); return s }
	if u := str(pypi, "url"); u != "" {
		out = append(out, source{name: "pypi", url: u, user: str(pypi, "username"), password: str(pypi, "password"), where: path})
	}
	for name, v := range pypi {
		if t, ok := v.(map[string]any); ok {
			out = append(out, source{name: name, url: str(t, "url"), user: str(t, "username"), password: str(t, "password"), where: path})
		}
	}
	return out
}

// pipenv: the Pipfile's [[source]] URLs (PIPENV_PIPFILE, else the nearest
// Pipfile up to three folders up), ${VAR} expanded; their credentials win,
// else pip's netrc.
func (w *world) pipenv(ix Index) Verdict {
	path := w.getenv("PIPENV_PIPFILE")
	if path != "" {
		path = w.absolute(path)
	} else {
		for i, d := range w.upward() {
			if i > 3 {
				break
			}
			if p := filepath.Join(d, "Pipfile"); w.exists(p) {
				path = p
				break
			}
		}
	}
	doc, ok := w.tomlDoc(path)
	if !ok {
		return Verdict{Status: Skipped, Why: "no Pipfile here"}
	}
	s, ok := onHost(ix, sourcesIn(doc["source"], path))
	if !ok {
		return Verdict{Status: Skipped, Why: "the Pipfile names no source on " + ix.Host}
	}
	if user, secret, has := urlcred.Userinfo(w.expand(s.url)); has && secret != "" {
		return judge(ix, found{source: path + " source " + s.name, user: user, fingerprint: fingerprint(secret)},
			"drop the credentials from that source's url (netrc then supplies credgen's)")
	}
	return w.netrcVerdict(ix, readerPython, "")
}
