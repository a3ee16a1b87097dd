package atomicfile

import (
	"fmt"
	"regexp"
)

// sidPattern is the string form of a Windows security identifier.
var sidPattern = regexp.MustCompile(`^S-1-[0-9]+(-[0-9]+)+$`)

// ownerOnlySDDL is the security descriptor, in Windows' SDDL text form, of
// an access list that grants sid full access and nobody else anything: "P"
// protects it from the folder's inherited entries (on a default home those
// grant SYSTEM and Administrators too), and the one entry allows (A) file
// all access (FA) to sid.
func ownerOnlySDDL(sid string) (string, error) {
	if !sidPattern.MatchString(sid) {
		return "", fmt.Errorf("not a security identifier: %q", sid)
	}
	return "D:P(A;;FA;;;" + sid + ")", nil
}
