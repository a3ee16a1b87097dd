package engine

import (
	"context"
	"errors"

	"github.com/credgen/credgen/providers"
)

// Write runs one write pass:
//  1. read the outputs, the state and the cache, and find what is due;
//  2. mint what is due, each host under its own mint lock, without the lock
//     on the files (a mint can take as long as its provider's timeout);
//  3. under the lock, read everything again and apply the credentials to
//     what the files hold now, so that an edit made during the mint is kept;
//  4. write each changed file only if it still holds what was read (else
//     read it again and apply again), and record the state.
func (e *Engine) Write(ctx context.Context, opts WriteOptions) (*Pass, error) {
	e.startRun()
	s := e.settings()
	since := e.now()
	snap, err := e.read(s)
	if err != nil {
		return nil, err
	}
	if err := checkOwners(snap.outs); err != nil {
		return nil, err
	}
	if opts.DryRun {
		return e.dryRun(snap, opts)
	}
	got := map[string]obtained{}
	for _, h := range snap.hosts {
		if !e.due(s, h, opts.forced(h)) {
			continue
		}
		if len(got) == 0 {
			// Before the first mint: a pull token creates an identity each
			// time, so a mint must not happen in vain.
			if err := refuseTracked(snap); err != nil {
				return nil, err
			}
		}
		got[h.host] = e.obtain(ctx, s, h, mintRequest{force: opts.forced(h), since: since, afterMint: opts.AfterMint})
	}
	l, err := e.lockFiles(ctx, s)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	asked := snap.trackedAnswers
	if snap, err = e.read(s); err != nil {
		return nil, err
	}
	snap.trackedAnswers = asked
	pass := &Pass{Command: "write"}
	for _, h := range snap.hosts {
		pass.Hosts = append(pass.Hosts, settle(h, got[h.host]))
	}
	writeErr := e.putAndCommit(snap, pass)
	// Recorded even when a write failed: the outputs already written hold
	// the new credential, and the next run must know it.
	e.record(snap, pass)
	if err := snap.st.Save(s.StatePath()); err != nil {
		return pass, errors.Join(writeErr, err)
	}
	return pass, writeErr
}

// settle decides what h's outputs get: the credential obtained in this pass,
// or the current one when that is newer (another credgen wrote it since) or
// nothing was obtained.
func settle(h *hostPlan, got obtained) *HostOutcome {
	out := &HostOutcome{Host: h.host, Provider: h.provider, Err: got.err, Credential: h.current}
	for _, m := range h.indexes {
		out.Indexes = append(out.Indexes, &m.IndexSpec)
	}
	if got.cred != nil && (h.current == nil || !h.current.ObtainedAt.After(got.cred.ObtainedAt)) {
		out.Credential, out.Minted = got.cred, got.minted
	}
	return out
}

// dryRun shows what a pass would change: what is due gets a placeholder
// credential, nothing is minted, locked or written.
func (e *Engine) dryRun(snap *snapshot, opts WriteOptions) (*Pass, error) {
	pass := &Pass{Command: "write", DryRun: true}
	for _, h := range snap.hosts {
		out := settle(h, obtained{})
		if e.due(snap.s, h, opts.forced(h)) {
			out.Credential, out.WouldMint = e.placeholder(h), true
		}
		pass.Hosts = append(pass.Hosts, out)
	}
	return pass, e.putAndCommit(snap, pass)
}

// placeholder stands in for a credential --dry-run does not mint.
func (e *Engine) placeholder(h *hostPlan) *providers.Credential {
	user := ""
	if prov := e.Providers[h.provider]; prov != nil {
		user = prov.Username(h.indexes[0].Index)
	}
	switch {
	case user != "":
	case h.current != nil:
		user = h.current.Username
	default:
		user = "new-identity" // only a mint names it (a pull token)
	}
	return &providers.Credential{Username: user, Secret: "****"}
}
