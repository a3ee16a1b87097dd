package engine

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/credgen/credgen/internal/proc"
)

// Remove takes every credential credgen manages out of the outputs: its netrc
// machines go, managed URLs lose their credentials (with purge, the entries
// go too), the credential cache is emptied, and the state forgets the
// indexes.
func (e *Engine) Remove(ctx context.Context, purge, dryRun bool) (*Pass, error) {
	e.startRun()
	s := e.settings()
	if !dryRun {
		l, err := e.lockFiles(ctx, s)
		if err != nil {
			return nil, err
		}
		defer l.Release()
	}
	snap, err := e.read(s)
	if errors.Is(err, errNothingToManage) && !dryRun && len(e.loadCache(s)) > 0 {
		// Only on-demand lookups ran: logging out empties their cache.
		return &Pass{Command: "remove"}, e.updateCacheLocked(s, func(c credentialCache) { clear(c) })
	}
	if err != nil {
		return nil, err
	}
	if err := checkOwners(snap.outs); err != nil {
		return nil, err
	}
	// Outputs an earlier write recorded under other paths (a --netrc flag, or
	// NETRC set then and not now) are cleaned too: they hold the secrets.
	elsewhere, err := recordedElsewhere(snap)
	if err != nil {
		return nil, err
	}
	hosts := map[string]bool{}
	var purged []*managed
	for _, m := range snap.idx {
		hosts[m.Host] = true
		if purge {
			purged = append(purged, m)
		}
	}
	edit := func(o *output) error {
		o.doc.Strip(hosts, purged)
		return nil
	}
	pass := &Pass{Command: "remove", DryRun: dryRun}
	for _, h := range snap.hosts {
		pass.Hosts = append(pass.Hosts, settle(h, obtained{}))
		pass.Hosts[len(pass.Hosts)-1].Credential = nil
	}
	outs := append(slices.Clone(snap.outs), elsewhere...)
	for _, o := range outs {
		_ = edit(o)
	}
	files, err := e.commit(snap, outs, edit, dryRun, nil)
	pass.Files = files
	if err != nil || dryRun {
		return pass, err
	}
	if err := e.updateCacheLocked(s, func(c credentialCache) { clear(c) }); err != nil {
		return pass, err
	}
	var urls []string
	for _, m := range snap.idx {
		urls = append(urls, m.URL)
	}
	snap.st.Forget(urls)
	if w := snap.st.Watch; w != nil && len(w.Indexes) > 0 && w.PID != os.Getpid() && proc.Alive(w.PID) {
		e.log().Warn("a running credgen watch will put back the indexes its config and flags name; stop it too", "pid", w.PID, "indexes", strings.Join(w.Indexes, " "))
	}
	return pass, snap.st.Save(s.StatePath())
}

// recordedElsewhere reads the outputs the state says hold the credentials of
// the managed indexes at a path other than the one this run uses for that
// kind.
func recordedElsewhere(snap *snapshot) ([]*output, error) {
	current := map[string]string{}
	for _, o := range snap.outs {
		current[o.kind.name] = o.path
	}
	seen := map[[2]string]bool{}
	var out []*output
	for _, m := range snap.idx {
		if m.rec == nil {
			continue
		}
		for _, kind := range slices.Sorted(maps.Keys(m.rec.Outputs)) {
			path := m.rec.Outputs[kind]
			key := [2]string{kind, path}
			k := kindNamed(kind)
			if k == nil || path == "" || seen[key] || sameFile(path, current[kind]) {
				continue
			}
			seen[key] = true
			o, err := readOutput(k, path)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// sameFile says whether a and b name one file (one path, or links to it).
func sameFile(a, b string) bool {
	if b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}
