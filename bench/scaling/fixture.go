package scaling

import (
	"fmt"

	"github.com/credgen/credgen/generator/urlcred"
)

// The credentials the editor benchmarks rewrite: the token an earlier write
// left in the file and the one the next write puts in, on the managed host.
// Shared so that the three editors are measured doing the same job.
const (
	ManagedHost  = "libraries.cgr.dev"
	DefaultIndex = "https://libraries.cgr.dev/python/simple/"
	OldToken     = "eyJhbGciOiJIUzI1NiJ9.b2xkLXRva2VuLXBheWxvYWQ.b2xkLXNpZ25hdHVyZQ"
	NewToken     = "eyJhbGciOiJIUzI1NiJ9.bmV3LXRva2VuLXBheWxvYWQ.bmV3LXNpZ25hdHVyZQ"
)

// TeamIndex is the i-th other managed repository, the old credential
// embedded.
func TeamIndex(i int) string {
	return urlcred.With(fmt.Sprintf("https://libraries.cgr.dev/python-team%04d/simple/", i), "_token", OldToken)
}

// Refresh is credgen's URL mapping: the managed host's URLs get the new
// credential, every other URL stays as it is.
func Refresh(raw string) string {
	if urlcred.Host(raw) != ManagedHost {
		return raw
	}
	return urlcred.With(raw, "_token", NewToken)
}
