package engine

import (
	"cmp"
	"context"

	"github.com/credgen/credgen/internal/doctor"
	"github.com/credgen/credgen/providers"
)

// DoctorFacts is what `credgen doctor` needs to know of credgen's own work:
// each managed index with the fingerprint of the credential credgen holds
// for it, and the files credgen writes. It reads only: no lock, no mint, no
// write. Nothing managed is an error (exit 2), as for status.
func (e *Engine) DoctorFacts(ctx context.Context) (*doctor.Facts, error) {
	s := e.settings()
	snap, err := e.read(s)
	if err != nil {
		return nil, err
	}
	facts := &doctor.Facts{Outputs: map[string]string{}}
	for _, name := range s.Targets {
		facts.Outputs[name] = s.Paths[name]
	}
	current := map[string]*providers.Credential{}
	for _, h := range snap.hosts {
		current[h.host] = h.current
	}
	for _, m := range snap.idx {
		ix := doctor.Index{URL: m.URL, Host: m.Host, Provider: m.Provider, Default: m.Default, Profile: m.Profile,
			UVName: cmp.Or(m.Name, uvName(m.Provider, m.URL))}
		if r := m.rec; r != nil {
			ix.LastError = r.LastError
			// Where an earlier run wrote is where credgen writes, even
			// when this environment (NETRC, PIP_CONFIG_FILE,
			// UV_CONFIG_FILE) now names other files.
			for kind, path := range r.Outputs {
				facts.Outputs[kind] = path
			}
		}
		if c := current[m.Host]; c != nil {
			ix.Username, ix.Fingerprint = c.Username, providers.Fingerprint(c.Secret)
			ix.ObtainedAt, ix.ExpiresAt = c.ObtainedAt, c.Expiry
			ix.IssuedAt = doctor.IssuedAt(c.Secret)
		}
		facts.Indexes = append(facts.Indexes, ix)
	}
	return facts, nil
}
