//go:build unix

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// openNonBlock keeps an open of a FIFO from waiting for a writer.
const openNonBlock = syscall.O_NONBLOCK

// modeBitsGuardAccess: on Unix the permission bits are the access control,
// so a group- or world-readable file is tightened.
const modeBitsGuardAccess = true

// planOwner reads the owners of the file being replaced and its folder.
func planOwner(real string, old fs.FileInfo) (ownerPlan, error) {
	if old == nil {
		return ownerPlan{}, nil
	}
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return ownerPlan{}, nil
	}
	id := ids{euid: os.Geteuid(), egid: os.Getegid(), fileUID: int(st.Uid), fileGID: int(st.Gid), dirUID: -1}
	if id.fileUID != id.euid {
		dir, err := os.Stat(filepath.Dir(real))
		if err != nil {
			return ownerPlan{}, fmt.Errorf("stat folder of %s: %w", real, err)
		}
		if dst, ok := dir.Sys().(*syscall.Stat_t); ok {
			id.dirUID = int(dst.Uid)
		}
	}
	return decideOwner(real, id)
}

// restrictToOwner has nothing to add on Unix: the temp file's mode is
// owner-only already.
func restrictToOwner(*os.File) error { return nil }

// rename replaces newpath atomically; Unix has no sharing violations.
func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// syncDir makes the rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
