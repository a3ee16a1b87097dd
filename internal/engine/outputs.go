package engine

import (
	"bytes"
	"cmp"
	"errors"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/netrc"
	"github.com/credgen/credgen/generator/pipconf"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/generator/uvtoml"
	"github.com/credgen/credgen/internal/config"
)

// outputs holds the parsed netrc, pip.conf and uv.toml of one run (nil when
// not targeted) and their bytes as read.
type outputs struct {
	paths map[string]string
	orig  map[string][]byte
	netrc *netrc.File
	pip   *pipconf.File
	uv    *uvtoml.File

	tracked map[string]error // refuseIfTracked answers, by path
}

// readOutputs reads and parses every targeted output. Any that cannot be read
// or does not parse stops the run before anything is written.
func readOutputs(s *config.Settings) (*outputs, error) {
	o := &outputs{paths: s.Paths, orig: map[string][]byte{}}
	for _, kind := range s.Targets {
		path := s.Paths[kind]
		data, exists, err := atomicfile.Read(path)
		if err != nil {
			return nil, usage("read %s: %v", path, cmp.Or(errors.Unwrap(err), err))
		}
		if exists && data == nil {
			data = []byte{} // an empty file, not a missing one
		}
		o.orig[kind] = data
		if err := o.parse(kind, data); err != nil {
			return nil, usage("%s: %v (credgen changed nothing; fix the file and run again)", path, err)
		}
	}
	return o, nil
}

func (o *outputs) parse(kind string, data []byte) (err error) {
	switch kind {
	case config.Netrc:
		o.netrc, err = netrc.Parse(data)
	case config.Pip:
		o.pip, err = pipconf.Parse(data)
	case config.UV:
		o.uv, err = uvtoml.Parse(data)
	}
	return err
}

// render is the current content of kind.
func (o *outputs) render(kind string) []byte {
	switch kind {
	case config.Netrc:
		return o.netrc.Bytes()
	case config.Pip:
		return o.pip.Bytes()
	case config.UV:
		return o.uv.Bytes()
	}
	return nil
}

// masked shows data of kind with every secret as ****, for --dry-run.
func masked(kind string, data []byte) []byte {
	switch kind {
	case config.Netrc:
		if f, err := netrc.Parse(data); err == nil {
			return f.Masked()
		}
	case config.Pip:
		if f, err := pipconf.Parse(data); err == nil {
			return f.Masked()
		}
	case config.UV:
		if f, err := uvtoml.Parse(data); err == nil {
			return f.Masked()
		}
	}
	return []byte("(content hidden: it may hold secrets)\n")
}

// verify re-parses what credgen is about to write: a file credgen cannot read
// back is never written.
func verify(kind string, data []byte) error {
	probe := &outputs{}
	return probe.parse(kind, data)
}

// found is a credential as it stands in one output.
type found struct {
	kind, user, secret string
}

// credentialsOf lists the credentials the outputs hold for host.
func (o *outputs) credentialsOf(host string) []found {
	var out []found
	if o.netrc != nil {
		if m, ok := o.netrc.Lookup(host); ok && m.Password != "" {
			out = append(out, found{config.Netrc, m.Login, m.Password})
		}
	}
	addURL := func(kind, raw string) {
		if urlcred.Host(raw) != host {
			return
		}
		if u, s, ok := urlcred.Userinfo(raw); ok && s != "" {
			out = append(out, found{kind, u, s})
		}
	}
	if o.pip != nil {
		for _, r := range o.pip.IndexURLs() {
			addURL(config.Pip, r.URL)
		}
	}
	if o.uv != nil {
		for _, ix := range o.uv.Indexes() {
			addURL(config.UV, ix.URL)
		}
	}
	return out
}

// hostURLs are the index URLs of pip.conf and uv.toml by output kind and
// host, taken once for the many questions a run asks of them.
type hostURLs map[[2]string][]string

func (o *outputs) urlsByHost() hostURLs {
	m := hostURLs{}
	for _, u := range outputURLs(o) {
		k := [2]string{u.kind, urlcred.Host(u.url)}
		m[k] = append(m[k], u.url)
	}
	return m
}

// holds reports whether output kind carries the credential match accepts for
// host everywhere it names host: netrc its machine entry; pip.conf and uv.toml
// every URL of host, embedded (or, without embed, none embedded).
func (o *outputs) holds(kind, host string, urls hostURLs, match func(user, secret string) bool, embed bool) bool {
	if kind == config.Netrc {
		m, ok := o.netrc.Lookup(host)
		return ok && match(m.Login, m.Password)
	}
	named := urls[[2]string{kind, host}]
	for _, u := range named {
		user, secret, has := urlcred.Userinfo(u)
		if embed && (!has || !match(user, secret)) || !embed && has {
			return false
		}
	}
	return len(named) > 0
}

// names says whether output kind holds an entry for the index url.
func (urls hostURLs) names(kind, url string) bool {
	key := urlcred.Key(url)
	for _, u := range urls[[2]string{kind, urlcred.Host(url)}] {
		if urlcred.Key(u) == key {
			return true
		}
	}
	return false
}

// containsSecret says whether data holds any of secrets.
func containsSecret(data []byte, secrets []string) bool {
	for _, s := range secrets {
		if s != "" && bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}
