package engine

import (
	"errors"
	"fmt"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/providers"
)

// snapshot is what a pass works from, read in one go: the settings, the
// state, the parsed outputs, the credential cache and the managed indexes
// grouped by host.
type snapshot struct {
	s     *config.Settings
	st    *state.State
	outs  []*output
	cache credentialCache
	idx   []*managed
	hosts []*hostPlan

	trackedAnswers map[string]error // git's answers, by path (see tracked)
}

// errNothingToManage: no index in the config, the flags, the state or the
// outputs.
var errNothingToManage = errors.New("nothing to manage")

// hostPlan is one host of a pass: one netrc machine, one credential.
type hostPlan struct {
	host, provider string
	indexes        []*managed
	// current is the host's credential credgen recorded last and still
	// holds (in an output or the credential cache); nil when none.
	current *providers.Credential
}

// read takes a snapshot; nothing to manage is an error.
func (e *Engine) read(s *config.Settings) (*snapshot, error) {
	st, err := state.Load(s.StatePath())
	if err != nil {
		return nil, usage("%v", err)
	}
	outs, err := readOutputs(s)
	if err != nil {
		return nil, err
	}
	idx, err := discover(s, st, outs)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, &Error{Code: ExitUsage, Err: fmt.Errorf("%w: no index in %s, in the flags, or in the outputs; run for example `credgen write --default-index https://libraries.cgr.dev/python/simple/`", errNothingToManage, s.ConfigPath)}
	}
	snap := &snapshot{s: s, st: st, outs: outs, cache: e.loadCache(s), idx: idx}
	snap.hosts = groupByHost(idx)
	for _, h := range snap.hosts {
		h.current = currentCredential(h, outs, snap.cache)
	}
	return snap, nil
}

func groupByHost(idx []*managed) []*hostPlan {
	var hosts []*hostPlan
	byHost := map[string]*hostPlan{}
	for _, m := range idx {
		h := byHost[m.Host]
		if h == nil {
			h = &hostPlan{host: m.Host, provider: m.Provider}
			byHost[m.Host] = h
			hosts = append(hosts, h)
		}
		h.indexes = append(h.indexes, m)
	}
	return hosts
}

// currentCredential is h's credential as credgen last recorded it (by its
// fingerprint in the state) and an output still holds it, or the credential
// cache's when that one is newer (another credgen or a keyring lookup
// minted it). Secrets an output holds that credgen did not record are the
// user's, not credgen's: they are never taken.
func currentCredential(h *hostPlan, outs []*output, cache credentialCache) *providers.Credential {
	var best *providers.Credential
	if rec := recordOf(h); rec != nil {
		for _, o := range outs {
			for _, f := range o.doc.Credentials(h.host) {
				if providers.Fingerprint(f.secret) == rec.Fingerprint {
					best = &providers.Credential{Username: f.user, Secret: f.secret, ObtainedAt: rec.MintedAt, Expiry: rec.ExpiresAt}
				}
			}
		}
	}
	return newer(best, cache.get(h.host, h.provider))
}

// recordOf is the state record of h's credential: the first of its indexes'
// records that has one.
func recordOf(h *hostPlan) *state.Index {
	for _, m := range h.indexes {
		if m.rec != nil && m.rec.Fingerprint != "" {
			return m.rec
		}
	}
	return nil
}

// newer is whichever of a and b credgen obtained later (nil counts as none):
// a provider may claim any expiry, but the later mint is the fresher one.
func newer(a, b *providers.Credential) *providers.Credential {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.ObtainedAt.After(a.ObtainedAt):
		return b
	}
	return a
}
