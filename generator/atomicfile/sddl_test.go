package atomicfile

import "testing"

func TestOwnerOnlySDDL(t *testing.T) {
	for _, tc := range []struct {
		sid, want string
		ok        bool
	}{
		{"S-1-5-21-3623811015-3361044348-30300820-1013", "D:P(A;;FA;;;S-1-5-21-3623811015-3361044348-30300820-1013)", true},
		{"S-1-5-18", "D:P(A;;FA;;;S-1-5-18)", true},
		{"", "", false},
		{"WD", "", false}, // "everyone" as an SDDL alias must never slip in
		{"S-1-5-21-1)(A;;FA;;;WD", "", false},
	} {
		got, err := ownerOnlySDDL(tc.sid)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ownerOnlySDDL(%q) = %q, %v; want %q", tc.sid, got, err, tc.want)
		}
	}
}
