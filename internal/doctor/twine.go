package doctor

import (
	"path/filepath"
	"strings"

	"github.com/credgen/credgen/generator/pypirc"
	"github.com/credgen/credgen/generator/urlcred"
)

// uploadURL is where twine uploads to an index: its URL without the
// trailing simple/.
func uploadURL(index string) string {
	u := strings.TrimSuffix(urlcred.Strip(index), "/")
	return strings.TrimSuffix(u, "/simple") + "/"
}

// twine (utils.get_repository_from_config, get_username/get_password):
// TWINE_REPOSITORY_URL, else the pypirc section for the repository;
// TWINE_USERNAME/TWINE_PASSWORD win over the section's values; then
// keyring, then a prompt. twine sends what it resolved, never netrc's.
func (w *world) twine(ix Index) Verdict {
	if ix.Provider == "chainguard" {
		return Verdict{Status: Skipped, Why: "Chainguard Libraries takes no uploads"}
	}
	envPW := w.getenv("TWINE_PASSWORD")
	if repo := w.getenv("TWINE_REPOSITORY_URL"); repo != "" && urlcred.Host(repo) == ix.Host {
		if envPW == "" {
			return Verdict{Status: Skipped, Why: "TWINE_REPOSITORY_URL names this repository but TWINE_PASSWORD is unset: twine asks keyring or prompts", Fix: "upload with `credgen exec --publish " + ix.URL + " -- twine upload dist/*`"}
		}
		return judge(ix, found{source: "TWINE_PASSWORD", user: w.getenv("TWINE_USERNAME"), fingerprint: fingerprint(envPW)}, "unset TWINE_USERNAME and TWINE_PASSWORD, or use `credgen exec --publish`")
	}
	path := filepath.Join(w.env.Home, ".pypirc")
	data, ok := w.read(path)
	if !ok {
		return Verdict{Status: Skipped, Why: "there is no ~/.pypirc for twine", Fix: "add pypirc to credgen's --targets, or upload with `credgen exec --publish " + ix.URL + " -- twine upload dist/*`"}
	}
	f, err := pypirc.Parse(data)
	if err != nil {
		return Verdict{Status: Problem, Sends: "nothing", Why: "twine cannot read " + path, Fix: "fix the file's syntax"}
	}
	name, ok := f.ServerFor(uploadURL(ix.URL))
	if !ok {
		return Verdict{Status: Skipped, Why: path + " has no repository for " + uploadURL(ix.URL), Fix: "add pypirc to credgen's --targets"}
	}
	source := path + " [" + name + "]"
	if envPW != "" {
		return judge(ix, found{source: "TWINE_PASSWORD", user: w.getenv("TWINE_USERNAME"), fingerprint: fingerprint(envPW)}, "unset TWINE_PASSWORD (credgen keeps "+source+" fresh)")
	}
	user, pw, has := f.Credentials(name)
	if !has {
		return Verdict{Status: Skipped, Source: source, Why: "the section sets no password: twine asks keyring or prompts", Fix: "add pypirc to credgen's --targets"}
	}
	fix := "remove the password from " + source + ", or add pypirc to credgen's --targets"
	if w.credgenWrites("pypirc", path) {
		fix = "run `credgen write`"
	}
	return judge(ix, found{source: source, user: user, fingerprint: fingerprint(pw)}, fix)
}

// curl reads netrc only when asked (--netrc, --netrc-file); the verdict is
// for `curl --netrc`.
func (w *world) curl(ix Index) Verdict {
	v := w.netrcVerdict(ix, readerCurl, "")
	if v.Status == OK {
		v.Sends += " with `curl --netrc`"
	}
	return v
}
