package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// probe drives a fileWatcher the way the loop does: it keeps the digests taken when watching started
// (or after "our own" writes) and counts a path as changed only when its digest differs.
type probe struct {
	w    *fileWatcher
	seen map[string]digest
}

func newProbe(t *testing.T, paths ...string) *probe {
	t.Helper()
	log, _ := testLogger(t)
	w, err := newFileWatcher(log, debounceQuiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.close(); err != nil {
			t.Error(err)
		}
	})
	for i, p := range paths {
		paths[i] = absolute(p)
	}
	w.setTargets(paths)
	p := &probe{w: w, seen: map[string]digest{}}
	p.resnapshot()
	return p
}

// resnapshot takes every digest again, as the loop does right after a pass.
func (p *probe) resnapshot() {
	p.w.mu.Lock()
	paths := slices.Collect(func(yield func(string) bool) {
		for path := range p.w.targets {
			if !yield(path) {
				return
			}
		}
	})
	p.w.mu.Unlock()
	for _, path := range paths {
		p.seen[path] = digestOf(path)
	}
}

// changes returns the watched paths whose digest changed among those the watcher reports dirty.
func (p *probe) changes() []string {
	var changed []string
	for _, path := range p.w.takeDirty() {
		if d := digestOf(path); d != p.seen[path] {
			p.seen[path] = d
			changed = append(changed, path)
		}
	}
	return changed
}

func (p *probe) expectChange(t *testing.T, path string) {
	t.Helper()
	path = absolute(path)
	deadline := time.After(eventually)
	for {
		select {
		case <-p.w.changed():
			if slices.Contains(p.changes(), path) {
				return
			}
		case <-deadline:
			t.Fatalf("no change of %s seen", path)
		}
	}
}

func (p *probe) expectNoChange(t *testing.T) {
	t.Helper()
	deadline := time.After(quietly)
	for {
		select {
		case <-p.w.changed():
			if changed := p.changes(); len(changed) > 0 {
				t.Fatalf("unexpected change of %v", changed)
			}
		case <-deadline:
			return
		}
	}
}

func TestWatcherSeesAtomicRename(t *testing.T) {
	t.Parallel()
	netrc := filepath.Join(t.TempDir(), ".netrc")
	writeFile(t, netrc, "machine a login b password c\n")
	p := newProbe(t, netrc)
	atomicWrite(t, netrc, "machine a login b password d\n")
	p.expectChange(t, netrc)
	// The watch survived the inode swap: a second rename is seen too.
	atomicWrite(t, netrc, "machine a login b password e\n")
	p.expectChange(t, netrc)
}

func TestWatcherSeesInPlaceWriteAndDelete(t *testing.T) {
	t.Parallel()
	conf := filepath.Join(t.TempDir(), "pip", "pip.conf")
	writeFile(t, conf, "[global]\n")
	p := newProbe(t, conf)
	writeFile(t, conf, "[global]\nindex-url = https://example.org/simple/\n")
	p.expectChange(t, conf)
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	p.expectChange(t, conf)
	writeFile(t, conf, "") // absent → empty is a change too
	p.expectChange(t, conf)
}

func TestWatcherIgnoresOwnWritesAndNeighbours(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	netrc := filepath.Join(dir, ".netrc")
	writeFile(t, netrc, "machine a login b password c\n")
	p := newProbe(t, netrc)
	atomicWrite(t, netrc, "machine a login b password d\n") // "our" write...
	p.resnapshot()                                          // ...digested right after the pass
	writeFile(t, filepath.Join(dir, ".bash_history"), "ls\n")
	atomicWrite(t, netrc, "machine a login b password d\n") // same content rewritten: not a change
	p.expectNoChange(t)
}

func TestWatcherFindsFolderChainCreatedLater(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		create func(t *testing.T, token string)
	}{
		{"all at once", func(t *testing.T, token string) { writeFile(t, token, "{}") }},
		{"one folder at a time", func(t *testing.T, token string) {
			home := filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(token))))
			folder := home
			for _, name := range []string{".menda", "tokens", "cache"} {
				folder = filepath.Join(folder, name)
				if err := os.Mkdir(folder, 0o700); err != nil {
					t.Fatal(err)
				}
				time.Sleep(50 * time.Millisecond) // let the watcher move down between steps
			}
			atomicWrite(t, token, "{}")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := filepath.Join(t.TempDir(), ".menda", "tokens", "cache", ".token")
			p := newProbe(t, token)
			tt.create(t, token)
			p.expectChange(t, token)
			// Now watched in its own folder: a later login is seen as well.
			atomicWrite(t, token, `{"default": {}}`)
			p.expectChange(t, token)
		})
	}
}

func TestWatcherFolderMatchesAnyFileBelow(t *testing.T) {
	t.Parallel()
	cache := filepath.Join(t.TempDir(), "chainguard") // does not exist yet
	p := newProbe(t, cache)
	token := filepath.Join(cache, "https:%2F%2Fissuer.enforce.dev", "libraries.cgr.dev", "oidc-token")
	writeFile(t, token, "token-1")
	p.expectChange(t, cache)
	atomicWrite(t, token, "token-2") // deep inside, in a folder created after watching began
	p.expectChange(t, cache)
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	p.expectChange(t, cache)
}

func TestWatcherFollowsSymlinkedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	realPath := filepath.Join(dir, "dotfiles", "netrc")
	link := filepath.Join(dir, "home", ".netrc")
	writeFile(t, realPath, "machine a login b password c\n")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(realPath, link); err != nil {
		t.Fatal(err)
	}
	p := newProbe(t, link)
	atomicWrite(t, realPath, "machine a login b password d\n") // rename in the target's folder
	p.expectChange(t, link)
	writeFile(t, link, "machine a login b password e\n") // written through the link
	p.expectChange(t, link)
}

func TestWatcherSeesFolderReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "uv", "uv.toml")
	writeFile(t, conf, "# uv\n")
	p := newProbe(t, conf)
	if err := os.RemoveAll(filepath.Dir(conf)); err != nil {
		t.Fatal(err)
	}
	p.expectChange(t, conf)
	writeFile(t, conf, "# uv again\n") // the folder is back: watched anew
	p.expectChange(t, conf)
	atomicWrite(t, conf, "# and edited\n")
	p.expectChange(t, conf)
}

func TestDigestStates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	folder := filepath.Join(dir, "d")
	absent := digestOf(file)
	writeFile(t, file, "")
	empty := digestOf(file)
	writeFile(t, file, "x")
	full := digestOf(file)
	if absent != digestAbsent || absent == empty || empty == full {
		t.Errorf("absent %q, empty %q, full %q: want three distinct states", absent, empty, full)
	}

	writeFile(t, filepath.Join(folder, "a"), "1")
	before := digestOf(folder)
	if err := os.Rename(filepath.Join(folder, "a"), filepath.Join(folder, "b")); err != nil {
		t.Fatal(err)
	}
	renamed := digestOf(folder)
	writeFile(t, filepath.Join(folder, "b"), "2")
	edited := digestOf(folder)
	if before == renamed || renamed == edited {
		t.Errorf("folder digest misses a rename or an edit: %q %q %q", before, renamed, edited)
	}
	if again := digestOf(folder); again != edited {
		t.Errorf("folder digest not stable: %q then %q", edited, again)
	}
}
