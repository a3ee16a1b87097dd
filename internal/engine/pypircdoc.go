package engine

import (
	"cmp"
	"strings"

	"github.com/credgen/credgen/generator/pypirc"
	"github.com/credgen/credgen/generator/urlcred"
)

// pypircDoc is twine's ~/.pypirc: one section per index that takes uploads,
// named as its uv index, with the upload URL and the credential. twine reads
// no netrc, so the section carries the secret even under --no-embed.
type pypircDoc struct{ f *pypirc.File }

func (d pypircDoc) Bytes() []byte  { return d.f.Bytes() }
func (d pypircDoc) Masked() []byte { return d.f.Masked() }

// IndexURLs: a pypirc names upload URLs, not indexes; it makes none managed.
func (d pypircDoc) IndexURLs() []string { return nil }

// sectionsOf are the sections whose repository is on host.
func (d pypircDoc) sectionsOf(host string) []string {
	var names []string
	for _, s := range d.f.Servers() {
		if s.Repository != "" && urlcred.Host(s.Repository) == host {
			names = append(names, s.Name)
		}
	}
	return names
}

func (d pypircDoc) Credentials(host string) []found {
	var out []found
	for _, name := range d.sectionsOf(host) {
		if user, secret, ok := d.f.Credentials(name); ok && secret != "" {
			out = append(out, found{user, secret})
		}
	}
	return out
}

func (d pypircDoc) Holds(host string, match func(user, secret string) bool, _ bool) bool {
	names := d.sectionsOf(host)
	for _, name := range names {
		if user, secret, ok := d.f.Credentials(name); !ok || !match(user, secret) {
			return false
		}
	}
	return len(names) > 0
}

func (d pypircDoc) Put(creds credentials, _ bool, indexes []*managed) map[string]error {
	refused := map[string]error{}
	for host, c := range creds {
		for _, name := range d.sectionsOf(host) {
			if err := d.f.SetCredentials(name, c.Username, c.Secret); err != nil {
				refused[host] = err
			}
		}
	}
	for _, m := range indexes {
		c := creds[m.Host]
		if c == nil {
			continue
		}
		name := cmp.Or(m.Name, uvName(m.Provider, m.URL))
		if err := d.f.SetServer(name, uploadURL(m.URL), c.Username, c.Secret); err != nil {
			refused[m.Host] = err
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return refused
}

func (d pypircDoc) Strip(hosts map[string]bool, purge []*managed) {
	for host := range hosts {
		for _, name := range d.sectionsOf(host) {
			_ = d.f.StripCredentials(name) // refused only when unsafe: the file stays as it was
		}
	}
	for _, m := range purge {
		if name, ok := d.f.ServerFor(uploadURL(m.URL)); ok {
			_ = d.f.RemoveServer(name)
		}
	}
}

// uploadURL is where twine uploads to an index: its URL without the trailing
// simple/ (CodeArtifact's upload endpoint is the repository's root).
func uploadURL(indexURL string) string {
	u := urlcred.Strip(indexURL)
	if strings.HasSuffix(u, "/simple/") || strings.HasSuffix(u, "/simple") {
		u = u[:strings.LastIndex(u, "/simple")] + "/"
	}
	return u
}
