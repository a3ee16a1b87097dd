package providers

import (
	"strings"
	"testing"
)

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
