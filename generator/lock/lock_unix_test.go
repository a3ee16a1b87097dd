//go:build unix

package lock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAcquireCreatesOwnerOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "credgen.lock")
	l, err := Acquire(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", fi, err)
	}
}

// TestSecondProcessWaitsThenTimesOut holds the lock in another process (flock
// is per open file, so a second open in this process would also conflict, but
// a real process is what users run).
func TestSecondProcessWaitsThenTimesOut(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Fatal("the flock command (util-linux) is needed for this test")
	}
	path := filepath.Join(t.TempDir(), "credgen.lock")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	holder := exec.Command("flock", "--exclusive", path, "sleep", "30")
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	// sleep inherits the locked descriptor: end the whole group.
	killHolder := func() { _ = syscall.Kill(-holder.Process.Pid, syscall.SIGKILL); _ = holder.Wait() }
	defer killHolder()
	// Wait until the holder has it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if exec.Command("flock", "--nonblock", path, "true").Run() != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("holder never took the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	_, err := Acquire(context.Background(), path, 300*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the timeout", waited)
	}
	killHolder()
	l, err := Acquire(context.Background(), path, 5*time.Second)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	l.Release()
}

// TestAcquireRefusesNonRegularFile: a FIFO (or a device, or a folder) at the
// lock path fails at once with an error naming the path; opening a FIFO
// blocking would hang credgen past its timeout and past SIGTERM.
func TestAcquireRefusesNonRegularFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(path string) error
	}{
		{"fifo", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
		{"device through a symlink", func(path string) error { return os.Symlink(os.DevNull, path) }},
		{"folder", func(path string) error { return os.Mkdir(path, 0o700) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credgen.lock")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			for _, acquire := range []struct {
				name string
				take func() (*Lock, error)
			}{
				{"Acquire", func() (*Lock, error) { return Acquire(context.Background(), path, DefaultTimeout) }},
				{"TryAcquire", func() (*Lock, error) { l, _, err := TryAcquire(path); return l, err }},
			} {
				done := make(chan error, 1)
				go func() {
					l, err := acquire.take()
					if err == nil {
						l.Release()
					}
					done <- err
				}()
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), path) {
						t.Fatalf("%s: err = %v, want a refusal naming %s", acquire.name, err, path)
					}
					if tc.name != "folder" && !errors.Is(err, ErrNotRegular) {
						t.Fatalf("%s: err = %v, want ErrNotRegular", acquire.name, err)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s blocked on the lock path", acquire.name)
				}
			}
		})
	}
}
