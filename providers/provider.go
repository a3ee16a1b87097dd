// Package providers defines what every credential source offers credgen: given
// an index, mint a credential for its host. The chainguard and menda
// subpackages implement it; the choice between them is made by the index host.
package providers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Names of the providers credgen knows.
const (
	Chainguard = "chainguard"
	Menda      = "menda"
)

// Index is one private package index credgen manages.
type Index struct {
	URL     string // the index URL without credentials, e.g. https://libraries.cgr.dev/python/simple/
	Host    string // lower-case host of URL, without port
	Profile string // menda: profile id for this index ("" = MENDA_PROFILE_ID or "default")
	Mode    string // chainguard: "session" (default) or "pull-token"
	Parent  string // chainguard pull-token: --parent organisation ("" = none)
}

// Credential is what a provider mints: a username and a secret for one host.
type Credential struct {
	Username   string
	Secret     string
	ObtainedAt time.Time // when credgen received it
	Expiry     time.Time
}

// Lifetime is the expiry minus the moment credgen obtained the credential.
func (c Credential) Lifetime() time.Duration { return c.Expiry.Sub(c.ObtainedAt) }

// Provider mints credentials. Implementations must honour ctx cancellation and
// must never put the secret into an error message.
type Provider interface {
	Name() string
	Mint(ctx context.Context, idx Index) (Credential, error)
}

// ForHost names the provider that serves host, or "" when none recognises it.
// chainguard: cgr.dev and *.cgr.dev; menda: *.d.codeartifact.*.amazonaws.com.
func ForHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case host == "cgr.dev" || strings.HasSuffix(host, ".cgr.dev"):
		return Chainguard
	case isCodeArtifact(host):
		return Menda
	}
	return ""
}

// isCodeArtifact matches DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com.
func isCodeArtifact(host string) bool {
	labels := strings.Split(host, ".")
	// domain-owner . d . codeartifact . region . amazonaws . com
	if len(labels) != 6 {
		return false
	}
	return labels[0] != "" && labels[1] == "d" && labels[2] == "codeartifact" &&
		labels[3] != "" && labels[4] == "amazonaws" && labels[5] == "com"
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
