package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func mustWrite(t *testing.T, path, data string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// symlinkOrSkip makes a symlink, skipping the test where the system refuses
// (Windows without developer mode or the symlink privilege).
func symlinkOrSkip(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("no symlinks here: %v", err)
		}
		t.Fatal(err)
	}
}

func TestWriteSkipsIdenticalContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	mustWrite(t, path, "same\n", 0o600)
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
	res, err := Write(path, []byte("same\n"), Options{})
	if err != nil || res.Changed || res.Written {
		t.Fatalf("Write = %+v, %v", res, err)
	}
	fi, _ := os.Stat(path)
	if !fi.ModTime().Equal(past) {
		t.Errorf("mtime changed: %v", fi.ModTime())
	}
}

func TestWriteGoesThroughSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "netrc")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, real, "old\n", 0o600)
	link1 := filepath.Join(dir, "link1")
	link := filepath.Join(dir, ".netrc")
	symlinkOrSkip(t, "dotfiles/netrc", link1)
	symlinkOrSkip(t, link1, link)
	res, err := Write(link, []byte("new\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != real {
		t.Errorf("Path = %s, want %s", res.Path, real)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	if got := readString(t, real); got != "new\n" {
		t.Errorf("target content %q", got)
	}
}

func TestWriteCreatesDanglingSymlinkTarget(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, ".netrc")
	symlinkOrSkip(t, "store/netrc", link)
	if _, err := Write(link, []byte("x\n"), Options{}); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(dir, "store", "netrc")); got != "x\n" {
		t.Errorf("target %q", got)
	}
}

func TestWriteFailureKeepsOldFileAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "netrc")
	mustWrite(t, path, "old\n", 0o600)
	diskFull := errors.New("no space left on device")
	_, err := Write(path, []byte("new\n"), Options{WriteHook: func(w io.Writer, data []byte) error {
		_, _ = w.Write(data[:2])
		return diskFull
	}})
	if !errors.Is(err, diskFull) || strings.Count(err.Error(), ".credgen-") != 1 {
		t.Fatalf("err = %v", err)
	}
	if got := readString(t, path); got != "old\n" {
		t.Errorf("old file changed: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
}

func TestWriteRefusesDirectoryAndReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, []byte("x"), Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory target: %v", err)
	}
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Log("root, or Windows (where mode bits do not guard folders): checked by the directory case only")
		return
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(filepath.Join(ro, "f"), []byte("x"), Options{}); err == nil {
		t.Error("write into read-only folder succeeded")
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "f")
	res, err := Write(path, []byte("x"), Options{DryRun: true})
	if err != nil || !res.Changed || !res.Created || res.Written {
		t.Fatalf("Write = %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dry run created the folder: %v", err)
	}
}

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if _, ok, err := Read(path); ok || err != nil {
		t.Fatalf("missing file: %v %v", ok, err)
	}
	mustWrite(t, path, "x", 0o600)
	if b, ok, err := Read(path); !ok || err != nil || string(b) != "x" {
		t.Fatalf("Read = %q %v %v", b, ok, err)
	}
}

// A killed credgen leaves a temp file holding secrets; the next write sweeps
// the stale ones and leaves a fresh one (another writer's) alone.
func TestWriteSweepsStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "netrc")
	stale := filepath.Join(dir, ".netrc.credgen-123")
	fresh := filepath.Join(dir, ".netrc.credgen-456")
	mustWrite(t, stale, "secret", 0o600)
	mustWrite(t, fresh, "secret", 0o600)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(path, []byte("x\n"), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
}

// TestReadRefusesAFileOverMaxRead: a file over the limit is refused with its
// path and the limit named, and stays as it was; one at the limit is read.
func TestReadRefusesAFileOverMaxRead(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{
		{"at the limit", MaxRead, true},
		{"one byte over", MaxRead + 1, false},
		{"60 MB", 60 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "netrc")
			content := bytes.Repeat([]byte("machine h login u password p\n"), tc.size/29+1)[:tc.size]
			mustWrite(t, path, string(content), 0o600)
			before, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			data, exists, err := Read(path)
			if tc.ok {
				if err != nil || !exists || len(data) != tc.size {
					t.Fatalf("Read = %d bytes, %v, %v", len(data), exists, err)
				}
				return
			}
			var tooLarge *TooLargeError
			if !errors.As(err, &tooLarge) || tooLarge.Limit != MaxRead || data != nil {
				t.Fatalf("Read = %d bytes, err %v; want a TooLargeError", len(data), err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "larger than 4 MiB") {
				t.Fatalf("err = %q, want the path and the limit", msg)
			}
			after, err := os.Stat(path)
			if err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
				t.Fatalf("the file changed: %v", err)
			}
		})
	}
}

// TestWriteOverAFileOverMaxRead: replacing a file larger than any read limit
// needs no read of it.
func TestWriteOverAFileOverMaxRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netrc")
	mustWrite(t, path, strings.Repeat("x", MaxRead+1), 0o600)
	res, err := Write(path, []byte("machine h\n"), Options{})
	if err != nil || !res.Written {
		t.Fatalf("Write = %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(path); string(got) != "machine h\n" {
		t.Fatalf("content = %.20q", got)
	}
}
