package engine

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
)

// Remove takes every credential credgen manages out of the outputs: its netrc
// machines go, managed URLs in pip.conf and uv.toml lose their credentials
// (with purge, the entries go too), and the state forgets the indexes.
func (e *Engine) Remove(ctx context.Context, purge, dryRun bool) (*Report, error) {
	r, err := e.begin(ctx, !dryRun)
	if err != nil {
		return nil, err
	}
	defer r.release()
	s, st, o, idx := r.s, r.st, r.o, r.idx
	// Outputs an earlier write recorded under other paths (a --netrc flag, or
	// NETRC set then and not now) are cleaned too: they hold the secrets.
	elsewhere, err := recordedElsewhere(s, idx)
	if err != nil {
		return nil, err
	}
	hosts, keys := map[string]bool{}, map[string]bool{}
	for _, m := range idx {
		hosts[m.Host], keys[urlcred.Key(m.URL)] = true, true
	}
	rep := &Report{Command: "remove", DryRun: dryRun}
	for _, out := range append([]settingsOutputs{{s, o}}, elsewhere...) {
		logOut(out.o, hosts, keys, idx, purge)
		if err := e.writeOutputs(out.s, out.o, nil, dryRun, rep); err != nil {
			return rep, err
		}
	}
	for _, m := range idx {
		rep.Indexes = append(rep.Indexes, IndexReport{URL: m.URL, Host: m.Host, Provider: m.Provider})
	}
	if dryRun {
		return rep, nil
	}
	e.mu.Lock()
	e.memo = nil
	e.mu.Unlock()
	var urls []string
	for _, m := range idx {
		urls = append(urls, m.URL)
	}
	st.Forget(urls)
	if w := st.Watch; w != nil && w.PID != os.Getpid() && alive(w.PID) {
		e.log().Warn("a credgen watch is running and will put what it was started with back; stop it too", "pid", w.PID)
	}
	return rep, st.Save(s.StatePath())
}

// settingsOutputs are outputs read with the settings that name their paths.
type settingsOutputs struct {
	s *config.Settings
	o *outputs
}

// recordedElsewhere reads the outputs the state says hold the credentials of
// idx at a path other than the one these settings use for that kind.
func recordedElsewhere(s *config.Settings, idx []*managed) ([]settingsOutputs, error) {
	seen := map[[2]string]bool{}
	var out []settingsOutputs
	for _, m := range idx {
		if m.rec == nil {
			continue
		}
		for _, kind := range slices.Sorted(maps.Keys(m.rec.Outputs)) {
			path := m.rec.Outputs[kind]
			key := [2]string{kind, path}
			if path == "" || seen[key] || (s.Targeted(kind) && sameFile(path, s.Paths[kind])) {
				continue
			}
			seen[key] = true
			other := *s
			other.Paths = maps.Clone(s.Paths)
			other.Paths[kind] = path
			other.Targets = []string{kind}
			o, err := readOutputs(&other)
			if err != nil {
				return nil, err
			}
			out = append(out, settingsOutputs{&other, o})
		}
	}
	return out, nil
}

// sameFile says whether a and b name one file (one path, or links to it).
func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// logOut takes the credentials of hosts out of o: their netrc machines go,
// managed URLs in pip.conf and uv.toml lose their credentials, and with purge
// the entries of the managed indexes (keys) go too.
func logOut(o *outputs, hosts, keys map[string]bool, idx []*managed, purge bool) {
	strip := func(raw string) string {
		if hosts[urlcred.Host(raw)] {
			return urlcred.Strip(raw)
		}
		return raw
	}
	managedURL := func(raw string) bool { return keys[urlcred.Key(raw)] }
	if o.netrc != nil {
		for h := range hosts {
			o.netrc.RemoveMachine(h)
		}
	}
	if o.pip != nil {
		o.pip.MapURLs(strip)
		if purge {
			o.pip.RemoveURLs(managedURL)
		}
	}
	if o.uv != nil {
		o.uv.MapURLs(strip)
		if purge {
			for _, m := range idx {
				o.uv.RemoveIndex(m.URL)
			}
		}
	}
}
