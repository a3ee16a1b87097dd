package engine

import (
	"context"
	"time"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/proc"
	"github.com/credgen/credgen/providers"
)

// StatusMinValidity is how long a credential must still be valid for status
// to call it healthy.
const StatusMinValidity = 5 * time.Minute

// StatusReport is what `credgen status` shows. It never holds a secret.
type StatusReport struct {
	Indexes []IndexStatus `json:"indexes"`
	Watch   *WatchStatus  `json:"watch,omitempty"`
	Healthy bool          `json:"healthy"`
}

// IndexStatus is one managed index.
type IndexStatus struct {
	URL         string            `json:"url"`
	Provider    string            `json:"provider"`
	Default     bool              `json:"default,omitempty"`
	Username    string            `json:"username,omitempty"`
	ExpiresAt   time.Time         `json:"expires_at,omitzero"`
	Fingerprint string            `json:"fingerprint,omitempty"`
	WrittenTo   map[string]string `json:"written_to"` // outputs that hold the current credential
	Missing     []string          `json:"missing,omitempty"`
	NextRefresh time.Time         `json:"next_refresh,omitzero"`
	LastError   string            `json:"last_error,omitempty"`
	Healthy     bool              `json:"healthy"`
}

// WatchStatus is the watch recorded in the state.
type WatchStatus struct {
	PID       int       `json:"pid"`
	Running   bool      `json:"running"`
	StartedAt time.Time `json:"started_at"`
}

// Status reports each managed index: provider, user, expiry, where its
// credential is written. Exit code: 0 healthy, 1 not, 2 nothing managed.
func (e *Engine) Status(ctx context.Context) (*StatusReport, error) {
	r, err := e.begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer r.release()
	s, st, o, idx := r.s, r.st, r.o, r.idx
	rep := &StatusReport{Healthy: true}
	now := e.now()
	urls := o.urlsByHost()
	for _, m := range idx {
		is := IndexStatus{URL: m.URL, Provider: m.Provider, Default: m.Default, WrittenTo: map[string]string{}}
		if r := m.rec; r != nil {
			is.Username, is.ExpiresAt, is.Fingerprint = r.Username, r.ExpiresAt, r.Fingerprint
			is.NextRefresh, is.LastError = r.NextRefresh, r.LastError
		}
		same := func(_, secret string) bool {
			return is.Fingerprint != "" && providers.Fingerprint(secret) == is.Fingerprint
		}
		for _, kind := range s.Targets {
			if kind == config.Pip && !m.Requested && !urls.names(kind, m.URL) {
				continue // write adds to pip.conf only what the user named
			}
			if o.holds(kind, m.Host, urls, same, s.Embed) {
				is.WrittenTo[kind] = s.Paths[kind]
			} else {
				is.Missing = append(is.Missing, kind)
			}
		}
		is.Healthy = len(is.Missing) == 0 && is.ExpiresAt.Sub(now) > StatusMinValidity
		rep.Healthy = rep.Healthy && is.Healthy
		rep.Indexes = append(rep.Indexes, is)
	}
	if w := st.Watch; w != nil {
		rep.Watch = &WatchStatus{PID: w.PID, StartedAt: w.StartedAt, Running: alive(w.PID)}
	}
	return rep, nil
}

// alive says whether a process with pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	return proc.Alive(pid)
}
