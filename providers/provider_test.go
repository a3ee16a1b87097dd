package providers

import (
	"strings"
	"testing"
	"time"
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

func TestClampExpiry(t *testing.T) {
	obtained := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	year9999 := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		expiry      time.Time
		longest     time.Duration
		want        time.Time
		wantClamped bool
	}{
		{"within", obtained.Add(time.Hour), 24 * time.Hour, obtained.Add(time.Hour), false},
		{"exactly the longest", obtained.Add(12 * time.Hour), 12 * time.Hour, obtained.Add(12 * time.Hour), false},
		{"issuer clock a little ahead", obtained.Add(8*time.Hour + ClockSkew), 8 * time.Hour, obtained.Add(8*time.Hour + ClockSkew), false},
		{"just past the allowance", obtained.Add(8*time.Hour + ClockSkew + time.Second), 8 * time.Hour, obtained.Add(8 * time.Hour), true},
		{"year 9999, CodeArtifact", year9999, 12 * time.Hour, obtained.Add(12 * time.Hour), true},
		{"year 9999, session", year9999, 24 * time.Hour, obtained.Add(24 * time.Hour), true},
		{"year 9999, pull token", year9999, 8 * time.Hour, obtained.Add(8 * time.Hour), true},
	} {
		got, clamped := ClampExpiry(obtained, tc.expiry, tc.longest)
		if !got.Equal(tc.want) || clamped != tc.wantClamped {
			t.Errorf("%s: ClampExpiry = %v, %v; want %v, %v", tc.name, got, clamped, tc.want, tc.wantClamped)
		}
	}
}
