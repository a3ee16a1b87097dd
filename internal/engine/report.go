package engine

import (
	"time"

	"github.com/credgen/credgen/providers"
)

// Report summarises one run; it is what --json prints. It never holds a
// secret: credentials appear as username, expiry and fingerprint.
type Report struct {
	Command string        `json:"command"`
	DryRun  bool          `json:"dry_run,omitempty"`
	Indexes []IndexReport `json:"indexes"`
	Files   []FileReport  `json:"files"`
}

// IndexReport is one managed index.
type IndexReport struct {
	URL         string    `json:"url"`
	Host        string    `json:"host"`
	Provider    string    `json:"provider"`
	Default     bool      `json:"default,omitempty"`
	Name        string    `json:"uv_name,omitempty"`
	Username    string    `json:"username,omitempty"`
	Minted      bool      `json:"minted"`
	WouldMint   bool      `json:"would_mint,omitempty"` // --dry-run: would have minted
	ObtainedAt  time.Time `json:"obtained_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Error       string    `json:"error,omitempty"`

	mintErr error
}

// FileReport is one output.
type FileReport struct {
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Written bool   `json:"written"`
	Created bool   `json:"created,omitempty"`
	Diff    string `json:"diff,omitempty"` // --dry-run: unified diff, secrets as ****

	content []byte // what the file holds after the run (nil: no file); for watch
}

func (r *Report) addIndexes(plans []*hostPlan, dryRun bool) {
	for _, p := range plans {
		for _, m := range p.indexes {
			ir := IndexReport{URL: m.URL, Host: m.Host, Provider: m.Provider, Default: m.Default, Name: m.Name, mintErr: p.err}
			if dryRun {
				ir.WouldMint = p.minted
			} else {
				ir.Minted = p.minted && p.err == nil
			}
			if p.next != nil {
				ir.Username, ir.ObtainedAt, ir.ExpiresAt = p.next.Username, p.next.ObtainedAt, p.next.Expiry
				if p.next.Secret != "****" {
					ir.Fingerprint = providers.Fingerprint(p.next.Secret)
				}
			}
			if p.err != nil {
				ir.Error = p.err.Error()
			}
			r.Indexes = append(r.Indexes, ir)
		}
	}
}
