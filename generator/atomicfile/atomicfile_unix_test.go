//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestWriteCreatesOwnerOnlyFileAndFolders(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "netrc")
	res, err := Write(path, []byte("x\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || !res.Written || res.Path != path {
		t.Fatalf("result %+v", res)
	}
	if m := modeOf(t, path); m != 0o600 {
		t.Errorf("file mode %v, want 0600", m)
	}
	for _, d := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b")} {
		if m := modeOf(t, d); m != 0o700 {
			t.Errorf("folder %s mode %v, want 0700", d, m)
		}
	}
}

func TestWriteTightensLooseMode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new fs.FileMode
		data     string
	}{
		{"changed content", 0o644, 0o600, "new\n"},
		{"same content", 0o664, 0o600, "old\n"},
		{"already tight", 0o400, 0o400, "new\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			mustWrite(t, path, "old\n", tc.old)
			res, err := Write(path, []byte(tc.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m := modeOf(t, path); m != tc.new {
				t.Errorf("mode %v, want %v", m, tc.new)
			}
			wantTightened := tc.old != tc.new
			if (res.Tightened != 0) != wantTightened {
				t.Errorf("Tightened = %v", res.Tightened)
			}
			if got := readString(t, path); got != tc.data {
				t.Errorf("content %q", got)
			}
		})
	}
}

// A FIFO where a file should be must be refused at once: reading it would
// block credgen for ever.
func TestReadRefusesFIFOAndOversize(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "netrc")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := Read(fifo); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("err = %v, want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read blocked on a FIFO")
	}
	if _, _, err := Read(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("folder: err = %v", err)
	}
	big := filepath.Join(dir, "big")
	mustWrite(t, big, strings.Repeat("x", 100), 0o600)
	if _, err := ReadLimited(big, 99); err == nil || !strings.Contains(err.Error(), "larger than 99 bytes") {
		t.Errorf("oversize: err = %v", err)
	}
}
