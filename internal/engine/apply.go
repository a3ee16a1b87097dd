package engine

import (
	"cmp"
	"fmt"

	"github.com/credgen/credgen/providers"
)

// putAndCommit puts each host's credential into the outputs and writes them
// (under --dry-run: reports the masked diffs).
func (e *Engine) putAndCommit(snap *snapshot, pass *Pass) error {
	creds := put(snap, pass)
	for _, o := range snap.outs {
		if w, ok := o.doc.(interface{ readerWarnings(credentials) []string }); ok {
			for _, msg := range w.readerWarnings(creds) {
				e.log().Warn(msg, "path", o.path)
			}
		}
	}
	edit := func(o *output) error {
		for host, err := range o.doc.Put(creds, snap.s.Embed, receivers(o, snap.idx)) {
			return fmt.Errorf("%s: %w", host, err)
		}
		return nil
	}
	files, err := e.commit(snap, snap.outs, edit, pass.DryRun, secretsOf(pass))
	pass.Files = files
	return err
}

// put puts each host's credential into every output: its netrc machine, the
// URLs that name it, and an entry for each index the kind receives. A host
// with no credential at all (its first mint failed) gets no new entries. A
// credential some output cannot carry goes nowhere: the host keeps its
// current one everywhere, and the pass says why.
func put(snap *snapshot, pass *Pass) credentials {
	for {
		creds := credentials{}
		for _, h := range pass.Hosts {
			if h.Credential != nil {
				creds[h.Host] = h.Credential
			}
		}
		refused := false
		for _, o := range snap.outs {
			for host, err := range o.doc.Put(creds, snap.s.Embed, receivers(o, snap.idx)) {
				refused = true
				fallBack(snap, pass, host, err)
			}
		}
		if !refused {
			return creds
		}
		for _, o := range snap.outs {
			o.doc, _ = o.kind.parse(o.read.Data) // it parsed when read
		}
	}
}

// fallBack gives host its current credential again after err refused the
// new one (no credential when the current one is what was refused).
func fallBack(snap *snapshot, pass *Pass, host string, err error) {
	var current *providers.Credential
	for _, plan := range snap.hosts {
		if plan.host == host {
			current = plan.current
		}
	}
	for _, h := range pass.Hosts {
		if h.Host != host {
			continue
		}
		if h.Credential == current {
			current = nil
		}
		h.Err, h.Credential, h.Minted = cmp.Or(h.Err, err), current, false
	}
}

// receivers are the managed indexes that get an entry of their own in o.
func receivers(o *output, idx []*managed) []*managed {
	var out []*managed
	for _, m := range idx {
		if o.kind.receives(m) {
			out = append(out, m)
		}
	}
	return out
}

// secretsOf lists the secrets a pass writes.
func secretsOf(pass *Pass) []string {
	var out []string
	for _, h := range pass.Hosts {
		if c := h.Credential; c != nil {
			out = append(out, c.Secret)
		}
	}
	return out
}
