// Package netrc reads and edits netrc files byte for byte: an edit changes
// only the bytes of the entries it is about, and every other byte (comments,
// whitespace, macdef bodies, quoting, CRLF line endings, a missing final
// newline) stays as the user wrote it.
//
// A netrc file has more than one reader, and they do not agree on every
// file: curl 7/8 (a '#' at the start of a word comments out the rest of the
// line; keywords in any case) and Python's netrc module, which pip uses
// (its own comment and escape rules). Parse follows curl's tokenisation and
// refuses, with the line number, every file whose structure the two would
// read differently, so that what credgen writes means the same to both.
// Values that only decode differently (an unquoted backslash) are tolerated:
// credgen never rewrites them, and its own values are plain words
// (see CheckToken).
package netrc

import (
	"fmt"
	"strings"
)

// ParseError is a file credgen does not edit, with the line (1-based) where
// the problem is. Its message never quotes a value from the file.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Machine is one entry as the readers see it. Default marks the `default`
// entry (Name is then ""). Line is the line of its `machine`/`default` word.
type Machine struct {
	Name, Login, Password, Account string
	Default                        bool
	Line                           int
}

// File is a parsed netrc file. The zero value is not usable; call Parse.
type File struct {
	data    []byte
	entries []entry
}

// span is a byte range [start, end) of the file.
type span struct{ start, end int }

// token is one word of the file.
type token struct {
	span
	line   int
	text   string // the word as Python's netrc reads it (quotes and escapes removed)
	curl   string // the word as curl reads it
	quoted bool
}

// field is a keyword (login, user, password, account) and its value.
type field struct {
	key   string // lower-case keyword
	kw    token
	value token
}

// entry is a `machine NAME ...` or `default ...` entry: its words run from
// the keyword to the next machine/default/macdef keyword.
type entry struct {
	keyword   token
	name      token // zero for default
	isDefault bool
	fields    []field
	others    []token // words curl ignores inside the entry
}

// Parse reads a netrc file. Errors are *ParseError.
func Parse(data []byte) (*File, error) {
	return parse(data, true)
}

// parse reads data; checkPython also compares the result with what Python's
// netrc module reads.
func parse(data []byte, checkPython bool) (*File, error) {
	own := append([]byte(nil), data...)
	if err := checkLineBreaks(own); err != nil {
		return nil, err
	}
	p := parser{s: scanner{data: own, line: 1}}
	if err := p.run(); err != nil {
		return nil, err
	}
	f := &File{data: own, entries: p.entries}
	if checkPython {
		if err := f.checkPythonAgrees(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Bytes is the file's content.
func (f *File) Bytes() []byte { return append([]byte(nil), f.data...) }

// Machines lists the entries in file order.
func (f *File) Machines() []Machine {
	out := make([]Machine, 0, len(f.entries))
	for _, e := range f.entries {
		out = append(out, e.machine())
	}
	return out
}

// Lookup is the first entry for host, compared without regard to case: the
// one curl uses.
func (f *File) Lookup(host string) (Machine, bool) {
	for _, e := range f.entries {
		if e.isFor(host) {
			return e.machine(), true
		}
	}
	return Machine{}, false
}

func (e entry) isFor(host string) bool {
	return !e.isDefault && strings.EqualFold(e.name.text, host)
}

// machine is e as the readers see it: a keyword given twice counts with its
// last value, as both curl and Python read it.
func (e entry) machine() Machine {
	m := Machine{Name: e.name.text, Default: e.isDefault, Line: e.keyword.line}
	for _, fl := range e.fields {
		switch fl.key {
		case "login", "user":
			m.Login = fl.value.text
		case "password":
			m.Password = fl.value.text
		case "account":
			m.Account = fl.value.text
		}
	}
	return m
}
