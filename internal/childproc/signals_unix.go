//go:build unix

package childproc

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwarded are the signals passed on to the command.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// deliveredByTerminal says whether the command already got sig from the
// terminal: Ctrl-C sends SIGINT to the terminal's whole foreground process
// group, the command included, and a second SIGINT would cut short the
// clean-up the first one started. That is so when credgen's process group
// is its controlling terminal's foreground group. SIGTERM and SIGHUP, and a
// SIGINT when credgen runs in the background or without a terminal (a CI
// runner, a container's stop, kill), are passed on.
func deliveredByTerminal(sig os.Signal) bool {
	if sig != syscall.SIGINT {
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// exitCode is the command's exit code, or 128 + the signal that ended it,
// as shells report it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// ownedByMe says whether this user owns path, so a folder another user
// named like ours in a shared temp folder is never touched.
func ownedByMe(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
