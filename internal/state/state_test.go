package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "state.json")
	st, err := Load(path)
	if err != nil || len(st.Indexes) != 0 {
		t.Fatalf("a missing state loads as empty: %+v, %v", st, err)
	}
	rec := st.Upsert("https://libraries.cgr.dev/python/simple/")
	rec.Provider, rec.Default, rec.Requested, rec.Mode = "chainguard", true, true, "pull-token"
	rec.Username, rec.Fingerprint = "org/identity", "sha256:0123456789ab"
	rec.ExpiresAt = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	st.Forget(nil)
	st.Indexes = append(st.Indexes, rec)
	st.Removed = []string{"https://libraries.cgr.dev/old/simple/"}
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode: %v, %v", fi, err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := again.Find("https://LIBRARIES.cgr.dev/python/simple")
	if got == nil || got.Provider != "chainguard" || !got.Default || !got.Requested || got.Mode != "pull-token" ||
		got.Username != "org/identity" || got.Fingerprint != rec.Fingerprint || !got.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Errorf("after a round trip: %+v", got)
	}
	if !again.IsRemoved("https://libraries.cgr.dev/old/simple") {
		t.Error("the removed URL was forgotten")
	}
	again.Unremove("https://libraries.cgr.dev/old/simple/")
	if again.IsRemoved("https://libraries.cgr.dev/old/simple/") {
		t.Error("Unremove did not take")
	}
}

func TestLoadRefusesAnotherVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"version": 99, "indexes": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Error("a state of another version loaded")
	}
}
