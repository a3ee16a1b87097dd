package chainguard

import (
	"os"
	"testing"
	"time"
)

// killLeftovers kills fake processes a failed test may have left running.
func (f *fake) killLeftovers(t *testing.T) {
	for _, c := range f.calls(t) {
		for _, pid := range []int{c.PID, c.ChildPID} {
			if pid > 0 && !processGone(pid) {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
			}
		}
	}
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
