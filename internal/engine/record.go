package engine

import (
	"maps"
	"time"

	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/providers"
	"github.com/credgen/credgen/providers/redact"
)

// lastErrorMax bounds the state's last_error: a short, redacted summary.
const lastErrorMax = 200

// record updates the state with a pass's indexes and credentials: never a
// secret, only its fingerprint, and where it was written.
func (e *Engine) record(snap *snapshot, pass *Pass) {
	var keep []*state.Index
	for _, h := range pass.Hosts {
		writtenTo := e.writtenTo(snap, h)
		for _, spec := range h.Indexes {
			rec := snap.st.Upsert(spec.URL)
			if spec.Requested {
				snap.st.Unremove(spec.URL)
			}
			rec.IndexSpec = *spec
			if c := h.Credential; c != nil {
				rec.Username, rec.MintedAt, rec.ExpiresAt = c.Username, c.ObtainedAt, c.Expiry
				rec.Fingerprint = providers.Fingerprint(c.Secret)
				rec.Outputs = maps.Clone(writtenTo)
			}
			switch {
			case h.Err != nil:
				rec.LastError, rec.LastErrorAt = redact.Summary(h.Err, lastErrorMax), e.now()
			case h.Credential != nil && h.Credential.ObtainedAt.After(rec.LastErrorAt):
				// minted since the error, by this pass or another credgen
				rec.LastError, rec.LastErrorAt = "", time.Time{}
			}
			keep = append(keep, rec)
		}
	}
	snap.st.Indexes = keep
}

// writtenTo lists, by kind, the outputs that carry h's credential.
func (e *Engine) writtenTo(snap *snapshot, h *HostOutcome) map[string]string {
	c := h.Credential
	if c == nil {
		return nil
	}
	same := func(user, secret string) bool { return user == c.Username && secret == c.Secret }
	out := map[string]string{}
	for _, o := range snap.outs {
		if o.doc.Holds(h.Host, same, snap.s.Embed) {
			out[o.kind.name] = o.path
		}
	}
	return out
}
