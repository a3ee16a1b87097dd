// Package known lists the providers credgen is built with and chooses one by
// index host. Each provider package owns the rule for the hosts it serves;
// this is the one place that asks them in turn.
package known

import (
	"strings"

	"github.com/credgen/credgen/providers/chainguard"
	"github.com/credgen/credgen/providers/menda"
)

// Names are the providers' names, as the config's `provider` key takes them.
func Names() []string { return []string{chainguard.Name, menda.Name} }

// TakesUploads says whether the provider's indexes accept uploads (twine,
// uv publish): CodeArtifact repositories do, Chainguard Libraries do not.
func TakesUploads(provider string) bool { return provider == menda.Name }

// ForHost names the provider that serves host, or "" when none recognises it.
func ForHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case chainguard.Serves(host):
		return chainguard.Name
	case menda.Serves(host):
		return menda.Name
	}
	return ""
}
