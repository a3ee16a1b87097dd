//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// ownerOf is the uid of path.
func ownerOf(t *testing.T, path string) int {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}

// folderOwnedBy is a new folder owned by uid with mode perm.
func folderOwnedBy(t *testing.T, uid int, perm os.FileMode) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "folder")
	if err := os.Mkdir(dir, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, uid); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Root (a cron job, sudo) writing a file another user planted in a shared
// sticky folder must not give that user the fresh credentials; root writing
// a user's file in the user's own folder (sudo -E on the user's HOME) must
// leave it the user's.
func TestWriteAsRootKeepsForeignOwnerOnlyInOwnersFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can write another user's file")
	}
	const alice = 1234
	for _, tc := range []struct {
		name     string
		dirUID   int
		dirPerm  os.FileMode
		refused  bool
		wantUID  int
		wantData string
	}{
		{"shared sticky folder", 0, 0o777 | os.ModeSticky, true, alice, "planted\n"},
		{"the user's own folder", alice, 0o700, false, alice, "secret\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := folderOwnedBy(t, tc.dirUID, tc.dirPerm)
			path := filepath.Join(dir, "netrc")
			mustWrite(t, path, "planted\n", 0o600)
			if err := os.Chown(path, alice, alice); err != nil {
				t.Fatal(err)
			}
			if err := CheckOwner(path); errors.Is(err, ErrForeignOwner) != tc.refused {
				t.Errorf("CheckOwner: err = %v, refused want %v", err, tc.refused)
			}
			_, err := Write(path, []byte("secret\n"), Options{})
			if refused := errors.Is(err, ErrForeignOwner); refused != tc.refused {
				t.Fatalf("err = %v, refused want %v", err, tc.refused)
			}
			if got := readString(t, path); got != tc.wantData {
				t.Errorf("content %q, want %q", got, tc.wantData)
			}
			if uid := ownerOf(t, path); uid != tc.wantUID {
				t.Errorf("owner %d, want %d", uid, tc.wantUID)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("temp files left: %v", entries)
			}
		})
	}
}

// A dry run says the write would be refused.
func TestDryRunReportsForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root can give a file away")
	}
	dir := folderOwnedBy(t, 0, 0o777|os.ModeSticky)
	path := filepath.Join(dir, "netrc")
	mustWrite(t, path, "planted\n", 0o600)
	if err := os.Chown(path, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(path, []byte("secret\n"), Options{DryRun: true}); !errors.Is(err, ErrForeignOwner) {
		t.Fatalf("err = %v, want ErrForeignOwner", err)
	}
}
