// Package pipconf edits pip's configuration files (pip.conf, pip.ini) by line
// surgery: it keeps the file as its raw lines and changes only the bytes an
// edit is about, and after every edit the lines are parsed again, the way
// pip reads them, so the model can never drift from the bytes.
//
// The dialect is exactly the one pip reads: pip loads its files with
// configparser.RawConfigParser() (no interpolation, no inline comments,
// strict: duplicate sections and keys are errors), which package ini
// parses, and normalises key names with .lower().replace("_", "-"), which
// this package adds.
package pipconf

import (
	"strings"

	"github.com/credgen/credgen/generator/ini"
)

// ParseError is a line pip could not read; Msg never quotes the line, which
// may hold a secret.
type ParseError = ini.ParseError

// File is a parsed pip configuration file that remembers every byte.
type File struct {
	doc *ini.File
}

// Parse reads data the way pip does; an error names the first line pip
// would reject.
func Parse(data []byte) (*File, error) {
	doc, err := ini.Parse(data, "pip")
	if err != nil {
		return nil, err
	}
	return &File{doc}, nil
}

// Bytes is the file as it stands, byte for byte.
func (f *File) Bytes() []byte { return f.doc.Bytes() }

// pipName is pip's _normalize_name: lower case, "_" as "-", no leading "--".
func pipName(key string) string {
	name := strings.ReplaceAll(ini.PyLower(key), "_", "-")
	return strings.TrimPrefix(name, "--")
}

// must stops at an edit that produced what pip cannot read. Edits only ever
// produce what the parser accepts (the fuzz target checks it), so a failure
// here is a bug in this package.
func must(err error) {
	if err != nil {
		panic("pipconf: an edit produced a file pip cannot read: " + err.Error())
	}
}
