package engine

import (
	"context"
	"os"

	"github.com/credgen/credgen/generator/urlcred"
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
	hosts, keys := map[string]bool{}, map[string]bool{}
	for _, m := range idx {
		hosts[m.Host], keys[urlcred.Key(m.URL)] = true, true
	}
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
	rep := &Report{Command: "remove", DryRun: dryRun}
	if err := e.writeOutputs(s, o, nil, dryRun, rep); err != nil {
		return rep, err
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
