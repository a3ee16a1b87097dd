package engine

import (
	"cmp"
	"regexp"
	"strings"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/providers/known"
)

// managed is one index this run manages, wherever it was found.
type managed struct {
	config.IndexSpec
	rec *state.Index // its state record, nil when new
}

// discover gathers the managed indexes, as SPEC.md says: config and flags,
// then what earlier runs recorded, then every index URL the outputs already
// hold whose host a provider recognises. A netrc machine alone does not count.
func discover(s *config.Settings, st *state.State, o *outputs) ([]*managed, error) {
	var out []*managed
	seen := map[string]*managed{}
	add := func(spec config.IndexSpec) {
		key := urlcred.Key(spec.URL)
		if seen[key] != nil {
			return
		}
		m := &managed{IndexSpec: spec, rec: st.Find(spec.URL)}
		seen[key] = m
		out = append(out, m)
	}
	explicitDefault := false
	for _, spec := range s.Indexes {
		explicitDefault = explicitDefault || spec.Default
		add(spec)
	}
	for _, rec := range st.Indexes {
		spec, err := config.NewIndexSpec(rec.URL, rec.Provider, config.FromState)
		if err != nil {
			continue // a record this credgen cannot use any more; it is dropped on save
		}
		spec.Requested = rec.Requested
		spec.Default = rec.Default && !explicitDefault
		spec.Mode = cmp.Or(s.ModeOverride, rec.Mode, s.ChainguardMode)
		add(spec)
	}
	for _, u := range outputURLs(o) {
		bare := urlcred.Strip(u.url)
		if known.ForHost(urlcred.Host(bare)) == "" || st.IsRemoved(bare) {
			continue
		}
		spec, err := config.NewIndexSpec(bare, "", config.FromOutput)
		if err != nil {
			return nil, usage("%s: %v", u.path, err)
		}
		spec.Mode = s.ChainguardMode
		add(spec)
	}
	// What the config says of an index is authoritative; otherwise what an
	// earlier run recorded fills in (a flag names only the URL).
	for _, m := range out {
		if m.rec != nil && m.Source != config.FromConfig {
			m.Name = cmp.Or(m.Name, m.rec.Name)
			m.Profile = cmp.Or(m.Profile, m.rec.Profile)
			m.Parent = cmp.Or(m.Parent, m.rec.Parent)
		}
	}
	return out, nil
}

type outputURL struct{ url, kind, path string }

// outputURLs lists the index URLs of pip.conf and uv.toml.
func outputURLs(o *outputs) []outputURL {
	var out []outputURL
	if o.pip != nil {
		for _, r := range o.pip.IndexURLs() {
			out = append(out, outputURL{r.URL, config.Pip, o.paths[config.Pip]})
		}
	}
	if o.uv != nil {
		for _, ix := range o.uv.Indexes() {
			out = append(out, outputURL{ix.URL, config.UV, o.paths[config.UV]})
		}
	}
	return out
}

var notNameChar = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// uvName is the uv index name SPEC.md promises when none is configured:
// <provider>-<repo>, repo being the path segment before simple/, so that
// UV_INDEX_<NAME>_USERNAME is predictable.
func uvName(provider, rawURL string) string {
	path := strings.TrimPrefix(urlcred.Strip(rawURL), "https://")
	segs := strings.Split(strings.Trim(path[strings.IndexByte(path+"/", '/'):], "/"), "/")
	repo := ""
	for i, seg := range segs {
		if seg == "simple" && i > 0 {
			repo = segs[i-1]
		}
	}
	if repo == "" {
		repo = segs[len(segs)-1]
	}
	repo = notNameChar.ReplaceAllString(repo, "-")
	if repo == "" {
		return provider
	}
	return provider + "-" + repo
}
