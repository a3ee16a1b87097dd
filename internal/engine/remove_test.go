package engine

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/credgen/credgen/internal/config"
)

func TestRemoveTakesCredentialsOutAndEmptiesTheCache(t *testing.T) {
	w := newWorld(t)
	w.write(w.netrc(), "machine git.example.com login alice password alicepw\n")
	e := w.engine(config.Flags{DefaultIndex: cgrIndex})
	w.mustWrite(e, WriteOptions{})
	if _, err := os.Stat(e.Settings.CredentialCache); err != nil {
		t.Fatalf("no credential cache after a write: %v", err)
	}
	if _, err := w.engine(config.Flags{}).Remove(context.Background(), false, false); err != nil {
		t.Fatal(err)
	}
	netrc := w.read(w.netrc())
	if netrc != "machine git.example.com login alice password alicepw\n" {
		t.Errorf("netrc after remove:\n%s", netrc)
	}
	pip := w.read(w.pipConf())
	if strings.Contains(pip, w.chainguard.lastSecret()) || !strings.Contains(pip, "index-url = "+cgrIndex) {
		t.Errorf("pip.conf after remove:\n%s", pip)
	}
	if _, err := os.Stat(e.Settings.CredentialCache); !os.IsNotExist(err) {
		t.Errorf("the credential cache is still there: %v", err)
	}
	// remove sticks: the bare URL left behind is not managed again.
	if _, err := w.engine(config.Flags{}).Write(context.Background(), WriteOptions{}); ExitCode(err) != ExitUsage {
		t.Errorf("write after remove: %v, want nothing to manage", err)
	}
}
