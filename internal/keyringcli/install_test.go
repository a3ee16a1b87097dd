package keyringcli

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestInstall(t *testing.T) {
	tests := []struct {
		name string
		// before prepares DIR/keyring; target and an older credgen are given.
		before        func(t *testing.T, link, target, older string)
		wantErr       error
		wantUnchanged bool
		wantLinkTo    string // "target", or "" when the file must stay as it was
	}{
		{"a new folder", nil, nil, false, "target"},
		{"an existing link to this credgen", func(t *testing.T, link, target, _ string) { symlink(t, target, link) }, nil, true, "target"},
		{"a link to an older credgen", func(t *testing.T, link, _, older string) { symlink(t, older, link) }, nil, false, "target"},
		{"a dangling link to a removed credgen", func(t *testing.T, link, _, _ string) {
			symlink(t, filepath.Join(t.TempDir(), "gone", "credgen"), link)
		}, nil, false, "target"},
		{"a link through another path to the same file", func(t *testing.T, link, target, _ string) {
			via := filepath.Join(t.TempDir(), "credgen-current")
			symlink(t, target, via)
			symlink(t, via, link)
		}, nil, false, "target"},
		{"Python's keyring script", func(t *testing.T, link, _, _ string) {
			writeExecutable(t, link, fakePythonKeyring)
		}, ErrNotOurs, false, ""},
		{"a link to Python's keyring", func(t *testing.T, link, _, _ string) {
			symlink(t, writeExecutable(t, filepath.Join(t.TempDir(), "venv", "bin", "keyring"), fakePythonKeyring), link)
		}, ErrNotOurs, false, ""},
		{"a folder named keyring", func(t *testing.T, link, _, _ string) {
			if err := os.MkdirAll(link, 0o755); err != nil {
				t.Fatal(err)
			}
		}, ErrNotOurs, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			target := writeExecutable(t, filepath.Join(root, "go", "bin", "credgen"), "#!/bin/sh\n")
			older := writeExecutable(t, filepath.Join(root, "old", "credgen"), "#!/bin/sh\n")
			dir := filepath.Join(root, "home", ".local", "bin")
			link := filepath.Join(dir, Name)
			if tt.before != nil {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				tt.before(t, link, target, older)
			}
			was, _ := os.Lstat(link)

			got, unchanged, err := Install(dir, target)
			if got != link {
				t.Errorf("link path %q, want %q", got, link)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Install: %v, want %v", err, tt.wantErr)
			}
			if unchanged != tt.wantUnchanged {
				t.Errorf("unchanged = %v, want %v", unchanged, tt.wantUnchanged)
			}
			if tt.wantLinkTo == "" {
				now, err := os.Lstat(link)
				if err != nil || !os.SameFile(was, now) || was.ModTime() != now.ModTime() {
					t.Errorf("%s was changed", link)
				}
				return
			}
			dest, err := os.Readlink(link)
			if err != nil || dest != target {
				t.Errorf("%s -> %q (%v), want -> %q", link, dest, err, target)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".keyring-link-*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary folders left: %q", leftovers)
			}
		})
	}
}
