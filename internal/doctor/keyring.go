package doctor

import "path/filepath"

// withKeyring is v, or, when the client found no credential and its
// keyring provider is "subprocess", what the `keyring` command first on
// PATH answers instead: credgen's own answer (ok) or another program's.
func (w *world) withKeyring(ix Index, v Verdict, client, provider string) Verdict {
	if v.Status != Problem || v.Sends != "nothing" || provider != "subprocess" || w.env.LookPath == nil {
		return v
	}
	path, err := w.env.LookPath("keyring")
	if err != nil {
		v.Why += "; its keyring-provider is subprocess, but there is no `keyring` on PATH"
		return v
	}
	if w.isCredgen(path) {
		return Verdict{Status: OK, Source: "keyring " + path, Sends: "credgen's credential, on demand (`credgen keyring`)"}
	}
	return Verdict{Status: Problem, Source: "keyring " + path, Sends: "what that keyring answers",
		Why: client + " finds no credential for " + ix.Host + " in its configuration or netrc, so it asks `keyring` (keyring-provider subprocess), and the first `keyring` on PATH, " + path + ", is not credgen",
		Fix: "run `credgen keyring install DIR` with DIR ahead of " + filepath.Dir(path) + " on PATH"}
}

// isCredgen says whether path is credgen's binary or a link to it.
func (w *world) isCredgen(path string) bool {
	if w.env.Self == "" {
		return false
	}
	real, err := w.realPath(path)
	return err == nil && real == w.env.Self
}
