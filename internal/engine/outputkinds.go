package engine

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/credgen/credgen/generator/netrc"
	"github.com/credgen/credgen/generator/pipconf"
	"github.com/credgen/credgen/generator/pypirc"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/generator/uvtoml"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/known"
)

// document is one parsed output file, whatever its format: the operations
// every command needs of it. Implementations keep every byte they do not own.
type document interface {
	Bytes() []byte
	// Masked is the content with every secret as ****, for --dry-run.
	Masked() []byte
	// IndexURLs are the index URLs the file names (none for netrc).
	IndexURLs() []string
	// Credentials are the credentials the file holds for host.
	Credentials(host string) []found
	// Holds says whether every entry of the file that names host carries a
	// credential match accepts (without embed: carries none, for the kinds
	// that put credentials into URLs), and that there is such an entry.
	Holds(host string, match func(user, secret string) bool, embed bool) bool
	// Put refreshes every entry of a host in creds and adds an entry for
	// each index of indexes (which the kind receives) whose host has a
	// credential. It returns, by host, the credentials the file cannot carry;
	// the file is then left in an unspecified state and must be parsed
	// again.
	Put(creds credentials, embed bool, indexes []*managed) map[string]error
	// Strip takes the credentials of hosts out of the file; with purge, the
	// entries of the indexes purge lists go too.
	Strip(hosts map[string]bool, purge []*managed)
}

// found is a credential as it stands in one output.
type found struct{ user, secret string }

// credentials are the credentials to write, by host.
type credentials map[string]*providers.Credential

// outputKind is one kind of file credgen writes. The engine loops over
// outputKinds; nothing else in it names a kind.
type outputKind struct {
	name  string // as --targets names it
	parse func(data []byte) (document, error)
	// receives says whether an index gets an entry of its own in this kind
	// (the other managed indexes are refreshed only where the file already
	// names them). write, remove and status all ask it.
	receives func(m *managed) bool
	// refuseTracked: secrets go into this kind only when git does not track
	// the file (or --allow-tracked); a shared pip.conf or uv.toml is often
	// committed, while a netrc in git only gets a warning.
	refuseTracked bool
}

// outputKinds lists the kinds in the order outputs are written.
var outputKinds = []outputKind{
	{
		name:     config.Netrc,
		parse:    func(data []byte) (document, error) { f, err := netrc.Parse(data); return netrcDoc{f}, err },
		receives: func(*managed) bool { return true },
	},
	{
		name:  config.Pip,
		parse: func(data []byte) (document, error) { f, err := pipconf.Parse(data); return newPipDoc(f), err },
		// pip.conf gets entries only for the indexes the user named: an index
		// credgen found only in uv.toml is not copied into pip.conf.
		receives:      func(m *managed) bool { return m.Requested },
		refuseTracked: true,
	},
	{
		name:          config.UV,
		parse:         func(data []byte) (document, error) { f, err := uvtoml.Parse(data); return newUVDoc(f), err },
		receives:      func(*managed) bool { return true },
		refuseTracked: true,
	},
	{
		name:          config.Pypirc,
		parse:         func(data []byte) (document, error) { f, err := pypirc.Parse(data); return pypircDoc{f}, err },
		receives:      func(m *managed) bool { return known.TakesUploads(m.Provider) },
		refuseTracked: true,
	},
}

// kindNamed is the kind --targets calls name.
func kindNamed(name string) *outputKind {
	for i := range outputKinds {
		if outputKinds[i].name == name {
			return &outputKinds[i]
		}
	}
	return nil
}

// netrcDoc is a netrc file: one machine entry per host.
type netrcDoc struct{ f *netrc.File }

func (d netrcDoc) Bytes() []byte       { return d.f.Bytes() }
func (d netrcDoc) Masked() []byte      { return d.f.Masked() }
func (d netrcDoc) IndexURLs() []string { return nil }

// readerWarnings name, per host of creds, the clients that will not see
// credgen's entry: curl, Python (pip, poetry, pdm, pipenv) and uv each read
// netrc their own way, and Python and uv ignore a file they cannot parse.
func (d netrcDoc) readerWarnings(creds credentials) []string {
	var out []string
	for _, host := range slices.Sorted(maps.Keys(creds)) {
		if missing := d.f.ClientsMissing(host, creds[host].Username); len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s: these clients will not see credgen's entry in this netrc: %s; fix the file", host, strings.Join(missing, "; ")))
		}
	}
	return out
}

func (d netrcDoc) Credentials(host string) []found {
	if m, ok := d.f.Lookup(host); ok && m.Password != "" {
		return []found{{m.Login, m.Password}}
	}
	return nil
}

func (d netrcDoc) Holds(host string, match func(user, secret string) bool, _ bool) bool {
	m, ok := d.f.Lookup(host)
	return ok && match(m.Login, m.Password)
}

func (d netrcDoc) Put(creds credentials, _ bool, indexes []*managed) map[string]error {
	var refused map[string]error
	done := map[string]bool{}
	for _, m := range indexes {
		c := creds[m.Host]
		if c == nil || done[m.Host] {
			continue
		}
		done[m.Host] = true
		if err := d.f.SetMachine(m.Host, c.Username, c.Secret); err != nil {
			if refused == nil {
				refused = map[string]error{}
			}
			refused[m.Host] = fmt.Errorf("netrc cannot carry this credential: %w", err)
		}
	}
	return refused
}

func (d netrcDoc) Strip(hosts map[string]bool, _ []*managed) {
	for h := range hosts {
		d.f.RemoveMachine(h)
	}
}

// urlDoc is what pip.conf and uv.toml share: credentials live in the index
// URLs the file names.
type urlDoc struct{ indexURLs func() []string }

func (d urlDoc) IndexURLs() []string { return d.indexURLs() }

func (d urlDoc) Credentials(host string) []found { return urlCredentials(d.indexURLs(), host) }

func (d urlDoc) Holds(host string, match func(user, secret string) bool, embed bool) bool {
	return urlsHold(d.indexURLs(), host, match, embed)
}

// pipDoc is a pip.conf: credentials in the index URLs.
type pipDoc struct {
	urlDoc
	f *pipconf.File
}

func newPipDoc(f *pipconf.File) pipDoc {
	return pipDoc{f: f, urlDoc: urlDoc{func() []string {
		var out []string
		for _, r := range f.IndexURLs() {
			out = append(out, r.URL)
		}
		return out
	}}}
}

func (d pipDoc) Bytes() []byte  { return d.f.Bytes() }
func (d pipDoc) Masked() []byte { return d.f.Masked() }

func (d pipDoc) Put(creds credentials, embed bool, indexes []*managed) map[string]error {
	d.f.MapURLs(creds.urlFor(embed))
	for _, m := range indexes {
		if creds[m.Host] == nil {
			continue
		}
		if m.Default {
			d.f.SetIndexURL(creds.urlFor(embed)(m.URL))
		} else {
			d.f.AddExtraIndexURL(creds.urlFor(embed)(m.URL))
		}
	}
	return nil
}

func (d pipDoc) Strip(hosts map[string]bool, purge []*managed) {
	d.f.MapURLs(stripHosts(hosts))
	if len(purge) > 0 {
		d.f.RemoveURLs(func(raw string) bool { return namesAny(purge, raw) })
	}
}

// uvDoc is a uv.toml: one [[index]] table per index, credentials in its url.
type uvDoc struct {
	urlDoc
	f *uvtoml.File
}

func newUVDoc(f *uvtoml.File) uvDoc {
	return uvDoc{f: f, urlDoc: urlDoc{func() []string {
		var out []string
		for _, ix := range f.Indexes() {
			out = append(out, ix.URL)
		}
		return out
	}}}
}

func (d uvDoc) Bytes() []byte  { return d.f.Bytes() }
func (d uvDoc) Masked() []byte { return d.f.Masked() }

func (d uvDoc) Put(creds credentials, embed bool, indexes []*managed) map[string]error {
	d.f.MapURLs(creds.urlFor(embed))
	for _, m := range indexes {
		if creds[m.Host] == nil {
			continue
		}
		// An existing table for the URL keeps its name; the report shows it.
		m.Name = d.f.UpsertIndex(cmp.Or(m.Name, uvName(m.Provider, m.URL)), creds.urlFor(embed)(m.URL), m.Default)
	}
	return nil
}

func (d uvDoc) Strip(hosts map[string]bool, purge []*managed) {
	d.f.MapURLs(stripHosts(hosts))
	for _, m := range purge {
		d.f.RemoveIndex(m.URL)
	}
}

// urlFor is the URL raw as credgen writes it: with the credential of its
// host embedded (or, without embed, bare); raw as it is for other hosts.
func (c credentials) urlFor(embed bool) func(raw string) string {
	return func(raw string) string {
		cred := c[urlcred.Host(raw)]
		switch {
		case cred == nil:
			return raw
		case embed:
			return urlcred.With(raw, cred.Username, cred.Secret)
		}
		return urlcred.Strip(raw)
	}
}

func stripHosts(hosts map[string]bool) func(raw string) string {
	return func(raw string) string {
		if hosts[urlcred.Host(raw)] {
			return urlcred.Strip(raw)
		}
		return raw
	}
}

func namesAny(indexes []*managed, raw string) bool {
	key := urlcred.Key(raw)
	for _, m := range indexes {
		if urlcred.Key(m.URL) == key {
			return true
		}
	}
	return false
}

func urlCredentials(urls []string, host string) []found {
	var out []found
	for _, raw := range urls {
		if urlcred.Host(raw) != host {
			continue
		}
		if u, s, ok := urlcred.Userinfo(raw); ok && s != "" {
			out = append(out, found{u, s})
		}
	}
	return out
}

func urlsHold(urls []string, host string, match func(user, secret string) bool, embed bool) bool {
	named := false
	for _, raw := range urls {
		if urlcred.Host(raw) != host {
			continue
		}
		named = true
		user, secret, has := urlcred.Userinfo(raw)
		if embed && (!has || !match(user, secret)) || !embed && has {
			return false
		}
	}
	return named
}
