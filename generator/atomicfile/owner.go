package atomicfile

import (
	"errors"
	"fmt"
	"os"
)

// ErrForeignOwner is returned when the file to replace belongs to another
// user who does not also own its folder. Keeping that owner would hand the
// new credentials to that user (root writing /shared/netrc that anyone
// could create in a sticky world-writable folder); taking the file over
// would break the user's own file. Neither is safe, so credgen refuses.
var ErrForeignOwner = errors.New("owned by another user who does not own its folder")

// ownerPlan says whether the temp file must be given another owner before
// it replaces the old file.
type ownerPlan struct {
	chown    bool
	uid, gid int
}

// apply gives f the planned owner.
func (p ownerPlan) apply(f *os.File) error {
	if !p.chown {
		return nil
	}
	return f.Chown(p.uid, p.gid)
}

// ids are the numeric owners involved in replacing a file.
type ids struct {
	euid, egid       int // the writing process
	fileUID, fileGID int // the file being replaced
	dirUID           int // the folder holding it
}

// decideOwner keeps the old file's owner and group, so that root running
// credgen on a user's own file (sudo -E with that user's HOME) leaves it
// the user's. A foreign owner is kept only when that owner also owns the
// folder: otherwise the folder is shared or someone else's, and the file's
// owner may be anyone who got there first.
func decideOwner(path string, id ids) (ownerPlan, error) {
	if id.fileUID != id.euid && id.fileUID != id.dirUID {
		return ownerPlan{}, fmt.Errorf("write %s: %w (file uid %d, folder uid %d, credgen uid %d): "+
			"keeping that owner would hand it the new credentials; remove the file or give it to the folder's owner",
			path, ErrForeignOwner, id.fileUID, id.dirUID, id.euid)
	}
	// A user's own file keeps the group the system gave the new file: only
	// root may give it any group (a user may not chown to a group it is not
	// in), and with owner-only modes the group grants nothing.
	if id.fileUID == id.euid && (id.fileGID == id.egid || id.euid != 0) {
		return ownerPlan{}, nil
	}
	return ownerPlan{chown: true, uid: id.fileUID, gid: id.fileGID}, nil
}

// CheckOwner says, before anything is minted or written, whether Write
// would refuse path because of its owner (ErrForeignOwner). A missing file
// is fine: credgen creates it as its own.
func CheckOwner(path string) error {
	real, err := Resolve(path)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", path, err)
	}
	old, err := os.Lstat(real)
	if err != nil {
		return nil // missing, or Write reports why it cannot stat it
	}
	_, err = planOwner(real, old)
	return err
}
