package engine

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/credgen/credgen/internal/proc"
	"github.com/credgen/credgen/providers"
)

// StatusMinValidity is how long a credential must still be valid for status
// to call it healthy.
const StatusMinValidity = 5 * time.Minute

// StatusReport is what `credgen status` shows. It never holds a secret.
type StatusReport struct {
	Indexes []IndexStatus `json:"indexes"`
	// Cached are the credentials in the credential cache (keyring, exec and
	// env answer from it): host, user, expiry and fingerprint only.
	Cached  []CachedStatus `json:"cached,omitempty"`
	Watch   *WatchStatus   `json:"watch,omitempty"`
	Healthy bool           `json:"healthy"`
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

// CachedStatus is one credential of the credential cache.
type CachedStatus struct {
	Host        string    `json:"host"`
	Provider    string    `json:"provider"`
	Username    string    `json:"username"`
	ExpiresAt   time.Time `json:"expires_at"`
	Fingerprint string    `json:"fingerprint"`
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
	s := e.settings()
	rep := &StatusReport{Healthy: true, Indexes: []IndexStatus{}}
	now := e.now()
	snap, err := e.read(s)
	var cache credentialCache
	switch {
	case err == nil:
		cache = snap.cache
	case errors.Is(err, errNothingToManage):
		cache = e.loadCache(s) // perhaps only on-demand lookups ran
	default:
		return nil, err
	}
	for _, host := range slices.Sorted(maps.Keys(cache)) {
		c := cache[host]
		rep.Cached = append(rep.Cached, CachedStatus{Host: host, Provider: c.Provider, Username: c.Username,
			ExpiresAt: c.ExpiresAt, Fingerprint: providers.Fingerprint(c.Secret)})
	}
	if err != nil {
		if len(rep.Cached) > 0 {
			return rep, nil
		}
		return nil, err
	}
	for _, m := range snap.idx {
		is := IndexStatus{URL: m.URL, Provider: m.Provider, Default: m.Default, WrittenTo: map[string]string{}}
		if r := m.rec; r != nil {
			is.Username, is.ExpiresAt, is.Fingerprint = r.Username, r.ExpiresAt, r.Fingerprint
			is.NextRefresh, is.LastError = r.NextRefresh, r.LastError
		}
		same := func(_, secret string) bool {
			return is.Fingerprint != "" && providers.Fingerprint(secret) == is.Fingerprint
		}
		for _, o := range snap.outs {
			switch {
			case !o.expects(m):
			case o.doc.Holds(m.Host, same, snap.s.Embed):
				is.WrittenTo[o.kind.name] = o.path
			default:
				is.Missing = append(is.Missing, o.kind.name)
			}
		}
		is.Healthy = len(is.Missing) == 0 && is.ExpiresAt.Sub(now) > StatusMinValidity
		rep.Healthy = rep.Healthy && is.Healthy
		rep.Indexes = append(rep.Indexes, is)
	}
	if w := snap.st.Watch; w != nil {
		rep.Watch = &WatchStatus{PID: w.PID, StartedAt: w.StartedAt, Running: proc.Alive(w.PID)}
	}
	return rep, nil
}
