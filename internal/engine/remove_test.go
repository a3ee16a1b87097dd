package engine

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
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

// remove warns of a running watch only when that watch names indexes of its
// own (config or flags): one started without them manages nothing after a
// remove.
func TestRemoveWarnsOfAWatchThatPutsIndexesBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		indexes []string
		warn    bool
	}{
		{"watch started with --default-index", []string{cgrIndex}, true},
		{"watch started without flags", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.mustWrite(w.engine(config.Flags{DefaultIndex: cgrIndex}), WriteOptions{})
			st, err := state.Load(w.state())
			if err != nil {
				t.Fatal(err)
			}
			// pid 1 is alive and is not this process.
			st.Watch = &state.Watch{PID: 1, Indexes: tc.indexes}
			if err := st.Save(w.state()); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			e := w.engine(config.Flags{})
			e.Log = slog.New(slog.NewTextHandler(&logs, nil))
			if _, err := e.Remove(context.Background(), false, false); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(logs.String(), "running credgen watch"); got != tc.warn {
				t.Errorf("warned: %v, want %v\n%s", got, tc.warn, logs.String())
			}
		})
	}
}
