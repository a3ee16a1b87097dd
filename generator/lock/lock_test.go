package lock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAcquireHonoursCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credgen.lock")
	first, err := Acquire(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Acquire(ctx, path, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// A lock file is reused: a second Acquire after Release gets it at once, in
// the same file, on every system (flock on Unix, LockFileEx on Windows).
func TestReleaseThenAcquireAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "credgen.lock")
	for range 2 {
		l, err := Acquire(context.Background(), path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Release(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock file gone: %v", err)
	}
}
