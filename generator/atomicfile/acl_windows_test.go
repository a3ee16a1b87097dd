//go:build windows

package atomicfile

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// A written file's access list names its owner alone and inherits nothing
// from the folder.
func TestWriteGivesOwnerOnlyAccessList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "_netrc")
	if _, err := Write(path, []byte("machine h login u password p\n"), Options{}); err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ownerOnlySDDL(user.User.Sid.String())
	got := sd.String()
	if !strings.HasPrefix(got, "D:P") || strings.Count(got, "(") != 1 || !strings.Contains(got, user.User.Sid.String()) {
		t.Errorf("access list %s, want %s", got, want)
	}
}
