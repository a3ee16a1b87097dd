package uvtoml

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// lineAt is the 1-based line holding offset off.
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// lineStart is the offset of the first byte of the line holding off.
func lineStart(data []byte, off int) int {
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

// lineEnd is the offset just past the line ending of the line holding off
// (len(data) on a last line without one).
func lineEnd(data []byte, off int) int {
	i := bytes.IndexByte(data[off:], '\n')
	if i < 0 {
		return len(data)
	}
	return off + i + 1
}

// isBlank says whether data[start:end] holds only spaces, tabs and a line
// ending: a blank line.
func isBlank(data []byte, start, end int) bool {
	return start < end && len(bytes.Trim(data[start:end], " \t\r\n")) == 0
}

// skipValue returns the offset just past the array or inline table opening
// at data[start]. data is known-good TOML, so this only has to step over
// strings and comments, which may hold brackets.
func skipValue(data []byte, start int) int {
	depth := 0
	for i := start; i < len(data); {
		switch c := data[i]; c {
		case '"', '\'':
			i = skipString(data, i)
			continue
		case '#':
			i = lineEnd(data, i)
			continue
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(data)
}

// skipString returns the offset just past the string opening at data[i].
func skipString(data []byte, i int) int {
	q := data[i]
	if bytes.HasPrefix(data[i:], []byte{q, q, q}) {
		for j := i + 3; j < len(data); j++ {
			switch {
			case q == '"' && data[j] == '\\':
				j++
			case data[j] == q && bytes.HasPrefix(data[j:], []byte{q, q, q}):
				// a closing run may be up to five quotes: two belong to the content
				k := j + 3
				for k < len(data) && k < j+5 && data[k] == q {
					k++
				}
				return k
			}
		}
		return len(data)
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case q == '"' && data[j] == '\\':
			j++
		case data[j] == q:
			return j + 1
		}
	}
	return len(data)
}

// skipSpaceAndComments returns the offset of the first byte at or after i
// that is not whitespace, a line ending or a comment.
func skipSpaceAndComments(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '#':
			i = lineEnd(data, i)
		default:
			return i
		}
	}
	return i
}

// validText makes s valid UTF-8, which every TOML string must be.
func validText(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// quoteLike encodes s as a TOML string in the style of the raw string it
// replaces: a literal string stays literal when s can be one, a multi-line
// one stays multi-line; everything else becomes a basic string.
func quoteLike(raw []byte, s string) string {
	switch {
	case bytes.HasPrefix(raw, []byte("'''")) && canBeLiteral(s):
		return "'''" + s + "'''"
	case bytes.HasPrefix(raw, []byte("'")) && canBeLiteral(s):
		return "'" + s + "'"
	case bytes.HasPrefix(raw, []byte(`"""`)):
		return `"""` + escapeBasic(s) + `"""`
	}
	return quoteBasic(s)
}

// canBeLiteral says whether s fits in a single-line literal string: no
// quote, no line break, no control character but tab.
func canBeLiteral(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\'' || r == 0x7f || (r < 0x20 && r != '\t') {
			return false
		}
	}
	return true
}

// quoteBasic encodes s as a TOML basic string.
func quoteBasic(s string) string { return `"` + escapeBasic(s) + `"` }

// escapeBasic escapes s for a basic string using only TOML 1.0 escapes
// (not \e or \xHH, which TOML 1.0 readers such as Python's tomllib refuse).
func escapeBasic(s string) string {
	var b strings.Builder
	for _, r := range validText(s) {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
