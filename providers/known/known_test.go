package known

import (
	"testing"

	"github.com/credgen/credgen/providers/chainguard"
	"github.com/credgen/credgen/providers/menda"
)

func TestForHost(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"libraries.cgr.dev", chainguard.Name},
		{"cgr.dev", chainguard.Name},
		{"LIBRARIES.CGR.DEV", chainguard.Name},
		{"evilcgr.dev", ""},
		{"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com", menda.Name},
		{"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com.", menda.Name},
		{"d.codeartifact.eu-west-1.amazonaws.com", ""},
		{"x.d.codeartifact.eu-west-1.amazonaws.com.evil.com", ""},
		{"pypi.org", ""},
		{"", ""},
	} {
		if got := ForHost(tc.host); got != tc.want {
			t.Errorf("ForHost(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
}
