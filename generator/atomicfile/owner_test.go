package atomicfile

import (
	"errors"
	"testing"
)

func TestDecideOwner(t *testing.T) {
	const root, alice, bob = 0, 1234, 1235
	for _, tc := range []struct {
		name    string
		id      ids
		want    ownerPlan
		refused bool
	}{
		{"own file", ids{euid: alice, egid: alice, fileUID: alice, fileGID: alice, dirUID: alice}, ownerPlan{}, false},
		{"own file, other group: no chown a user may not do", ids{euid: alice, egid: alice, fileUID: alice, fileGID: 50, dirUID: alice}, ownerPlan{}, false},
		{"root's own file, other group kept", ids{euid: root, egid: root, fileUID: root, fileGID: 50, dirUID: root},
			ownerPlan{chown: true, uid: root, gid: 50}, false},
		{"root on a user's file in the user's folder", ids{euid: root, egid: root, fileUID: alice, fileGID: alice, dirUID: alice},
			ownerPlan{chown: true, uid: alice, gid: alice}, false},
		{"root on a user's file in a shared folder", ids{euid: root, egid: root, fileUID: alice, fileGID: alice, dirUID: root}, ownerPlan{}, true},
		{"root on a user's file in another user's folder", ids{euid: root, egid: root, fileUID: alice, fileGID: alice, dirUID: bob}, ownerPlan{}, true},
		{"user on another user's file in a folder of its own", ids{euid: bob, egid: bob, fileUID: alice, fileGID: alice, dirUID: bob}, ownerPlan{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decideOwner("/x/netrc", tc.id)
			if refused := errors.Is(err, ErrForeignOwner); refused != tc.refused {
				t.Fatalf("err = %v, refused want %v", err, tc.refused)
			}
			if got != tc.want {
				t.Errorf("plan = %+v, want %+v", got, tc.want)
			}
		})
	}
}
