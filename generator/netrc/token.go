package netrc

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxToken is the longest word curl 8 reads from a netrc file.
const maxToken = 4095

// CheckToken accepts a value netrc can carry as a plain word that curl,
// Python and every other reader read alike: not empty, valid UTF-8, no
// whitespace, double quote, backslash or control character, no leading '#'
// (a comment to curl 7), not machine, default or macdef in any case (curl
// takes them for keywords when it skips an entry), at most 4095 bytes. Its
// error never quotes s.
func CheckToken(s string) error {
	switch {
	case s == "":
		return errors.New("value is empty")
	case !utf8.ValidString(s):
		return errors.New("value is not valid UTF-8")
	case strings.HasPrefix(s, "#"):
		return errors.New("value starts with '#', which curl reads as a comment")
	case len(s) > maxToken:
		return errors.New("value is longer than 4095 bytes, which curl cannot read")
	case startsEntry(s):
		return errors.New("value is a word that starts an entry for curl (machine, default or macdef)")
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return errors.New("value contains whitespace, which netrc cannot carry portably")
		case r == '"':
			return errors.New("value contains a double quote, which netrc cannot carry portably")
		case r == '\\':
			return errors.New("value contains a backslash, which netrc cannot carry portably")
		case unicode.IsControl(r):
			return errors.New("value contains a control character")
		}
	}
	return nil
}
