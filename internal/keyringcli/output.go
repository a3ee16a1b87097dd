package keyringcli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// WriteCredential prints a credential the way keyring's `get` does:
//
//	--mode password                -> PASSWORD\n
//	--mode creds                   -> USERNAME\nPASSWORD\n
//	--mode password --output json  -> {"password": "PASSWORD"}\n
//	--mode creds --output json     -> {"username": "USERNAME", "password": "PASSWORD"}\n
//
// The JSON is what Python's json.dumps writes with its defaults (", " and
// ": " separators, every non-ASCII character escaped), which pip parses.
// It is written in one call, so a reader never sees half of it.
func WriteCredential(w io.Writer, r Request, username, password string) error {
	var b strings.Builder
	switch {
	case r.Output == OutputJSON && r.Mode == ModeCreds:
		fmt.Fprintf(&b, "{\"username\": %s, \"password\": %s}\n", pythonJSONString(username), pythonJSONString(password))
	case r.Output == OutputJSON:
		fmt.Fprintf(&b, "{\"password\": %s}\n", pythonJSONString(password))
	case r.Mode == ModeCreds:
		b.WriteString(username + "\n" + password + "\n")
	default:
		b.WriteString(password + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pythonJSONString quotes s as Python's json.dumps does with ensure_ascii:
// `"` and `\` escaped, \n \r \t \b \f by name, every other character outside
// printable ASCII as \uXXXX in lower-case hex (UTF-16 surrogate pairs above
// U+FFFF). Go's encoding/json differs (it escapes <, >, & and leaves
// non-ASCII alone), hence this.
func pythonJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			writePythonRune(&b, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writePythonRune(b *strings.Builder, r rune) {
	switch {
	case r >= ' ' && r <= '~':
		b.WriteRune(r)
	case r > 0xFFFF:
		hi, lo := utf16.EncodeRune(r)
		fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}
