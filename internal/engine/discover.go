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

// managed is one index this run manages, wherever it was found, with its
// state record (nil when new).
type managed struct {
	config.IndexSpec
	rec *state.Index
}

// discover gathers the managed indexes: config and flags, then what earlier
// runs recorded, then every index URL the outputs already hold whose host a
// provider recognises. A netrc machine alone does not count.
func discover(s *config.Settings, st *state.State, outs []*output) ([]*managed, error) {
	var found []*managed
	seen := map[string]bool{}
	add := func(spec config.IndexSpec) {
		key := urlcred.Key(spec.URL)
		if seen[key] {
			return
		}
		seen[key] = true
		found = append(found, &managed{IndexSpec: spec, rec: st.Find(spec.URL)})
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
	for _, o := range outs {
		for _, raw := range o.doc.IndexURLs() {
			bare := urlcred.Strip(raw)
			if known.ForHost(urlcred.Host(bare)) == "" || st.IsRemoved(bare) {
				continue
			}
			spec, err := config.NewIndexSpec(bare, "", config.FromOutput)
			if err != nil {
				return nil, usage("%s: %v", o.path, err)
			}
			spec.Mode = s.ChainguardMode
			add(spec)
		}
	}
	// What the config says of an index is authoritative; otherwise what an
	// earlier run recorded fills in (a flag names only the URL).
	for _, m := range found {
		if m.rec != nil && m.Source != config.FromConfig {
			m.Name = cmp.Or(m.Name, m.rec.Name)
			m.Profile = cmp.Or(m.Profile, m.rec.Profile)
			m.Parent = cmp.Or(m.Parent, m.rec.Parent)
		}
	}
	return found, nil
}

var notNameChar = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// uvName is the uv index name credgen gives an index when none is
// configured: <provider>-<repo>, repo being the path segment before simple/,
// so that UV_INDEX_<NAME>_USERNAME is predictable.
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
