// Package lock serialises credgen processes: one lock file beside the state,
// held across every read-modify-write of the outputs and the menda token cache.
package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// DefaultTimeout is how long a second credgen waits for the first.
const DefaultTimeout = 30 * time.Second

// retryDelay is how often a waiting process tries the lock again.
const retryDelay = 50 * time.Millisecond

// ErrTimeout is returned when another credgen held the lock for the whole wait.
var ErrTimeout = errors.New("another credgen holds the lock")

// Lock is a held lock; Release gives it back.
type Lock struct{ f *flock.Flock }

// ErrNotRegular is returned when something other than a regular file (a
// FIFO, a device, a folder) sits at the lock path.
var ErrNotRegular = errors.New("not a regular file")

// openFlags open the lock file without blocking: opening a FIFO for reading
// waits for a writer, for ever and deaf to signals, before any timeout runs.
const openFlags = os.O_CREATE | os.O_RDONLY | syscall.O_NONBLOCK

// Acquire takes the lock file at path, creating it (0600, folder 0700) when
// needed, waiting up to timeout for another process to release it. The lock
// file must be a regular file.
func Acquire(ctx context.Context, path string, timeout time.Duration) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	f := newFlock(path)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ok, err := f.TryLockContext(waitCtx, retryDelay)
	switch {
	case ok:
		return held(f)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w (%s) for more than %s; try again when it is done", ErrTimeout, path, timeout)
	default:
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
}

// newFlock is the lock file at path, opened non-blocking when locked.
func newFlock(path string) *flock.Flock {
	return flock.New(path, flock.SetFlag(openFlags), flock.SetPermissions(0o600))
}

// held is the lock taken on f, once the file actually locked is known to be
// regular: the one checkRegular saw may have been replaced since.
func held(f *flock.Flock) (*Lock, error) {
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Unlock()
		return nil, notRegular(f.Path())
	}
	return &Lock{f: f}, nil
}

// checkRegular opens path as the lock will (creating it when missing,
// without blocking) and refuses anything but a regular file.
func checkRegular(path string) error {
	f, err := os.OpenFile(path, openFlags, 0o600)
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return notRegular(path)
	}
	return nil
}

func notRegular(path string) error {
	return fmt.Errorf("lock %s: %w; remove it and run credgen again", path, ErrNotRegular)
}

// Release gives the lock back. The file stays, so waiting processes keep
// locking the same inode.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	return l.f.Unlock()
}

// TryAcquire takes the lock file at path if no other process holds it, without
// waiting: ok is false when another holds it.
func TryAcquire(path string) (l *Lock, ok bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := checkRegular(path); err != nil {
		return nil, false, err
	}
	f := newFlock(path)
	if ok, err = f.TryLock(); err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, false, nil
	}
	if l, err = held(f); err != nil {
		return nil, false, err
	}
	return l, true, nil
}
