// Package pypirc edits ~/.pypirc, the file twine (and other uploaders) read
// repository URLs and credentials from, by line surgery: it keeps the file
// as its raw lines and changes only the bytes an edit is about, and after
// every edit the lines are parsed again, the way twine reads them, so the
// model can never drift from the bytes.
//
// The dialect is exactly the one twine reads: it opens the file as text
// (universal newlines) and hands it to configparser.RawConfigParser() — no
// interpolation, no inline comments, strict: duplicate sections and keys are
// errors — which package ini parses. What this package adds is twine's
// reading of it: [distutils] index-servers, the server sections, and the
// defaults [server-login] and [DEFAULT] give them.
package pypirc

import "github.com/credgen/credgen/generator/ini"

// ParseError is a line twine could not read; Msg never quotes the line,
// which may hold a secret.
type ParseError = ini.ParseError

// File is a parsed .pypirc that remembers every byte.
type File struct {
	doc *ini.File
}

// Parse reads data the way twine does; an error names the first line twine
// would reject.
func Parse(data []byte) (*File, error) {
	doc, err := ini.Parse(data, "twine")
	if err != nil {
		return nil, err
	}
	return &File{doc}, nil
}

// Bytes is the file as it stands, byte for byte.
func (f *File) Bytes() []byte { return f.doc.Bytes() }

func (f *File) blankBefore(i int) bool { return i > 0 && f.doc.IsBlank(i-1) }

// firstHeader is the index of the first [section] header line, -1 when the
// file has none.
func (f *File) firstHeader() int {
	if len(f.doc.Sections) == 0 {
		return -1
	}
	return f.doc.Sections[0].Header
}
