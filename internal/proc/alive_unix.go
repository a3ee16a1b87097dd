//go:build unix

package proc

import (
	"errors"
	"syscall"
)

// Alive says whether a process with pid exists. Signal 0 checks without
// sending anything; EPERM means it exists but belongs to another user.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
