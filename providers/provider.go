// Package providers defines what every credential source offers credgen: given
// an index, mint a credential for its host. The chainguard and menda
// subpackages implement it; the choice between them is made by the index host.
package providers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Index is one private package index credgen manages.
type Index struct {
	URL     string `json:"url"`               // without credentials, e.g. https://libraries.cgr.dev/python/simple/
	Host    string `json:"host"`              // lower-case host of URL, without port
	Profile string `json:"profile,omitempty"` // menda: profile id ("" = MENDA_PROFILE_ID or "default")
	Mode    string `json:"mode,omitempty"`    // chainguard: "session" (default) or "pull-token"
	Parent  string `json:"parent,omitempty"`  // chainguard pull-token: --parent organisation ("" = none)
}

// Credential is what a provider mints: a username and a secret for one host.
type Credential struct {
	Username   string
	Secret     string
	ObtainedAt time.Time // when credgen received it
	Expiry     time.Time
}

// Provider mints credentials. Implementations must honour ctx cancellation and
// must never put the secret into an error message. Which hosts a provider
// serves is a pure function of its package (see providers/known), so that
// config can be checked before any provider is built.
type Provider interface {
	Name() string
	// Username is the username a credential minted for idx will carry, or ""
	// when only a mint can tell (a pull token names a new identity each time).
	Username(idx Index) string
	// WatchedFiles are the provider's own inputs, which a login rewrites: a
	// change to one means its credentials should be minted again.
	WatchedFiles() []string
	Mint(ctx context.Context, idx Index) (Credential, error)
}

// ClockSkew is how far past a provider's longest real lifetime an expiry may
// lie and still be believed: an issuer's clock may run a little ahead of ours.
const ClockSkew = 5 * time.Minute

// ClampExpiry bounds an expiry an issuer claimed by the longest lifetime its
// credentials really have, counted from obtained. A later expiry (a year-9999
// exp, say) would make credgen never renew, and is taken for obtained+longest;
// clamped tells the caller to warn.
func ClampExpiry(obtained, expiry time.Time, longest time.Duration) (bounded time.Time, clamped bool) {
	limit := obtained.Add(longest)
	if expiry.After(limit.Add(ClockSkew)) {
		return limit, true
	}
	return expiry, false
}

// Fingerprint is a short, non-reversible identifier of a secret, safe to store
// in the state file and to print: it tells whether two secrets are the same.
func Fingerprint(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:6])
}
