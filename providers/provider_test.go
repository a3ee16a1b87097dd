package providers

import (
	"strings"
	"testing"
)

func TestForHost(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"libraries.cgr.dev", Chainguard},
		{"cgr.dev", Chainguard},
		{"LIBRARIES.CGR.DEV", Chainguard},
		{"evilcgr.dev", ""},
		{"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com", Menda},
		{"acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com.", Menda},
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

func TestFingerprintIsShortAndStable(t *testing.T) {
	a, b := Fingerprint("secret-one"), Fingerprint("secret-one")
	if a != b || !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+12 {
		t.Fatalf("Fingerprint = %q, %q", a, b)
	}
	if Fingerprint("secret-two") == a {
		t.Fatal("different secrets share a fingerprint")
	}
	if Fingerprint("") != "" {
		t.Fatal("empty secret must have no fingerprint")
	}
}
