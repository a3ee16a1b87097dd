package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/credgen/credgen/internal/config"
)

func TestLookupServes(t *testing.T) {
	w := newWorld(t)
	e := w.engine(config.Flags{})
	for _, tc := range []struct {
		service, username string
		wantUser          string // "" = not served
	}{
		{cgrIndex, "_token", "_token"},
		{cgrIndex + "requests/", "", "_token"},
		{cgrHost, "", "_token"},
		{cgrHost + ":443", "_token", "_token"},
		{caIndex, "aws", "aws"},
		{cgrIndex, "aws", ""},
		{"http://libraries.cgr.dev/python/simple/", "_token", ""},
		{"https://pypi.org/simple/", "", ""},
		{"https://evil.example/libraries.cgr.dev/", "", ""},
		{"https://_token:x@libraries.cgr.dev/python/simple/", "_token", ""},
	} {
		t.Run(fmt.Sprintf("%s as %q", tc.service, tc.username), func(t *testing.T) {
			user, secret, err := e.Lookup(context.Background(), tc.service, tc.username)
			switch {
			case tc.wantUser == "" && !errors.Is(err, ErrNotServed):
				t.Errorf("err = %v, want not served", err)
			case tc.wantUser != "" && (err != nil || user != tc.wantUser || secret == ""):
				t.Errorf("Lookup = %q, secret %v, err %v; want user %q", user, secret != "", err, tc.wantUser)
			}
		})
	}
	if w.chainguard.mintCount() != 1 || w.menda.mintCount() != 1 {
		t.Errorf("mints: chainguard %d, menda %d; want one each, the cache serving the rest", w.chainguard.mintCount(), w.menda.mintCount())
	}
	for _, p := range []string{w.netrc(), w.pipConf(), w.uvToml()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was written by a lookup", p)
		}
	}
}

// A configured index's settings apply to a service under it.
func TestLookupTakesTheConfiguredIndexSettings(t *testing.T) {
	w := newWorld(t)
	w.write(w.home+"/.config/credgen/config.toml", "[[index]]\nurl = \""+cgrIndex+"\"\nmode = \"pull-token\"\nparent = \"acme\"\n")
	e := w.engine(config.Flags{})
	spec, err := e.serviceIndex(cgrIndex + "requests/")
	if err != nil || spec.Mode != "pull-token" || spec.Parent != "acme" {
		t.Errorf("serviceIndex = %+v, %v", spec, err)
	}
	if spec, _ := e.serviceIndex(cgrHost); spec.Mode != "pull-token" {
		t.Errorf("a bare host does not take its configured index: %+v", spec)
	}
	if spec, _ := e.serviceIndex("https://libraries.cgr.dev/other/simple/"); spec.Mode != "session" {
		t.Errorf("another index on the host took the configured one's mode: %+v", spec)
	}
}

// Twenty lookups with a cold cache, as many credgen processes would run them
// (each its own engine, the file locks between them), mint once.
func TestConcurrentLookupsMintOnce(t *testing.T) {
	w := newWorld(t)
	gate := make(chan struct{})
	w.chainguard.gate, w.chainguard.started = gate, make(chan string, 20)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, secret, err := w.engine(config.Flags{}).Lookup(context.Background(), cgrIndex, "_token")
			if err == nil && secret == "" {
				err = errors.New("empty secret")
			}
			errs <- err
		}()
	}
	waitStarted(t, w.chainguard)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := w.chainguard.mintCount(); n != 1 {
		t.Errorf("%d mints, want 1", n)
	}
}

// The credential cache lives in the runtime folder when there is one (memory
// on most Linux systems), else beside the state; 0600 in a 0700 folder.
func TestCredentialCachePlaceAndModes(t *testing.T) {
	for _, runtime := range []bool{true, false} {
		t.Run(fmt.Sprintf("XDG_RUNTIME_DIR set: %v", runtime), func(t *testing.T) {
			w := newWorld(t)
			want := w.home + "/.local/state/credgen/credentials.json"
			if runtime {
				w.runtimeDir = t.TempDir()
				want = w.runtimeDir + "/credgen/credentials.json"
			}
			e := w.engine(config.Flags{})
			if e.Settings.CredentialCache != want {
				t.Fatalf("cache at %s, want %s", e.Settings.CredentialCache, want)
			}
			if _, _, err := e.Lookup(context.Background(), cgrIndex, "_token"); err != nil {
				t.Fatal(err)
			}
			for path, mode := range map[string]os.FileMode{want: 0o600, want[:len(want)-len("/credentials.json")]: 0o700} {
				fi, err := os.Stat(path)
				if err != nil || fi.Mode().Perm() != mode {
					t.Errorf("%s: %v, %v; want mode %04o", path, fi.Mode().Perm(), err, mode)
				}
			}
		})
	}
}
