package engine

import (
	"time"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

// Pass is what one write or remove pass did. The JSON report, the logs, the
// state record and watch's schedule are all derived from it.
type Pass struct {
	Command string
	DryRun  bool
	Hosts   []*HostOutcome
	Files   []FileOutcome
}

// HostOutcome is one host after a pass.
type HostOutcome struct {
	Host, Provider string
	Indexes        []*config.IndexSpec
	// Credential is what the outputs carry for the host after the pass; nil
	// when there is none. It holds the secret: never print it.
	Credential *providers.Credential
	Minted     bool  // obtained from the provider in this pass
	WouldMint  bool  // --dry-run: would have minted
	Err        error // the host could not be refreshed; the previous credential stays
}

// FileOutcome is one output after a pass.
type FileOutcome struct {
	Kind, Path string
	Changed    bool
	Written    bool
	Created    bool
	Diff       string // --dry-run: unified diff, secrets as ****
	// Content is what the file holds after the pass (nil: no file), secrets
	// included: watch compares it with what it finds later.
	Content []byte
}

// Err is the pass's failed hosts as one error (exit code 1), nil when every
// host was refreshed.
func (p *Pass) Err() error {
	var failed MintErrors
	for _, h := range p.Hosts {
		if h.Err != nil {
			failed = append(failed, h)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &Error{Code: ExitMint, Err: failed}
}

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
	WouldMint   bool      `json:"would_mint,omitempty"`
	ObtainedAt  time.Time `json:"obtained_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Error       string    `json:"error,omitempty"`
}

// FileReport is one output.
type FileReport struct {
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Written bool   `json:"written"`
	Created bool   `json:"created,omitempty"`
	Diff    string `json:"diff,omitempty"`
}

// Report is the pass as --json prints it.
func (p *Pass) Report() *Report {
	if p == nil {
		return nil
	}
	r := &Report{Command: p.Command, DryRun: p.DryRun, Indexes: []IndexReport{}, Files: []FileReport{}}
	for _, h := range p.Hosts {
		for _, ix := range h.Indexes {
			ir := IndexReport{URL: ix.URL, Host: h.Host, Provider: h.Provider, Default: ix.Default, Name: ix.Name,
				Minted: h.Minted, WouldMint: h.WouldMint}
			if c := h.Credential; c != nil {
				ir.Username, ir.ObtainedAt, ir.ExpiresAt = c.Username, c.ObtainedAt, c.Expiry
				if !p.DryRun || !h.WouldMint {
					ir.Fingerprint = providers.Fingerprint(c.Secret)
				}
			}
			if h.Err != nil {
				ir.Error = h.Err.Error()
			}
			r.Indexes = append(r.Indexes, ir)
		}
	}
	for _, f := range p.Files {
		r.Files = append(r.Files, FileReport{Kind: f.Kind, Path: f.Path, Changed: f.Changed, Written: f.Written, Created: f.Created, Diff: f.Diff})
	}
	return r
}
