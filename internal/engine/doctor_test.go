package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers"
)

// TestDoctorFacts: the facts name each managed index with the fingerprint
// of the credential written, and the files written; nothing managed is an
// error; reading them mints nothing.
func TestDoctorFacts(t *testing.T) {
	w := newWorld(t)
	if _, err := w.engine(config.Flags{}).DoctorFacts(context.Background()); !errors.Is(err, errNothingToManage) || ExitCode(err) != ExitUsage {
		t.Fatalf("nothing managed: %v (exit %d), want nothing to manage, exit 2", err, ExitCode(err))
	}
	w.mustWrite(w.engine(config.Flags{DefaultIndex: cgrIndex}), WriteOptions{})
	facts, err := w.engine(config.Flags{}).DoctorFacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.Indexes) != 1 {
		t.Fatalf("indexes: %+v", facts.Indexes)
	}
	ix := facts.Indexes[0]
	want := providers.Fingerprint(w.chainguard.lastSecret())
	if ix.URL != cgrIndex || ix.Host != cgrHost || !ix.Default || ix.UVName != "chainguard-python" || ix.Username != "_token" || ix.Fingerprint != want || ix.ExpiresAt.IsZero() {
		t.Errorf("index facts %+v, want fingerprint %s", ix, want)
	}
	for kind, path := range map[string]string{config.Netrc: w.netrc(), config.Pip: w.pipConf(), config.UV: w.uvToml()} {
		if facts.Outputs[kind] != path {
			t.Errorf("output %s = %q, want %q", kind, facts.Outputs[kind], path)
		}
	}
	if n := w.chainguard.mintCount(); n != 1 {
		t.Errorf("%d mints, want the write's one only", n)
	}
}
