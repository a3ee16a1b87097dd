//go:build windows

package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// openNonBlock is not needed on Windows: opening a named pipe path does not
// wait, and the regular-file check that follows refuses it.
const openNonBlock = 0

// modeBitsGuardAccess: on Windows the permission bits only mirror the
// read-only attribute; the access list set by restrictToOwner is the
// access control, so no mode is ever reported as tightened.
const modeBitsGuardAccess = false

// planOwner keeps Windows' own rule: a new file belongs to whoever creates
// it, and its access list names that owner alone.
func planOwner(string, fs.FileInfo) (ownerPlan, error) { return ownerPlan{}, nil }

// restrictToOwner replaces the temp file's inherited access list with one
// that grants the current user alone, before any secret is written to it.
// The protected list is kept when the file is renamed over the old one.
func restrictToOwner(f *os.File) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("find the current user: %w", err)
	}
	sddl, err := ownerOnlySDDL(user.User.Sid.String())
	if err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("build access list %s: %w", sddl, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("read access list %s: %w", sddl, err)
	}
	return windows.SetNamedSecurityInfo(f.Name(), windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// rename replaces newpath (os.Rename uses MoveFileEx with
// MOVEFILE_REPLACE_EXISTING), retrying while another program, such as pip
// reading pip.ini or a virus scanner, has the file open without sharing it.
func rename(oldpath, newpath string) error {
	return renameRetrying(os.Rename, isSharingViolation, time.Sleep, oldpath, newpath)
}

// isSharingViolation says whether err is Windows refusing because another
// handle holds the file open.
func isSharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED)
}

// syncDir has nothing to do on Windows: a folder cannot be flushed there
// (FlushFileBuffers refuses folder handles) and NTFS journals the rename.
func syncDir(string) error { return nil }
