// Package netrc reads and edits netrc files byte for byte: an edit changes
// only the words of the entries it is about, and every other byte (comments,
// whitespace, macdef bodies, quoting, CRLF line endings, a missing final
// newline) stays as the user wrote it.
//
// Three readers matter and they disagree on some files: curl (7.88 in CI;
// the 8.x differences are noted where they matter), Python's netrc module,
// which pip, poetry, pdm and pipenv read ~/.netrc through, and uv's own
// reader (uv.go). Parse holds curl and Python to the same reading; uv,
// which ignores a whole file for more reasons, is not a reason to refuse
// one: File.Readers and File.ClientsMissing say after an edit which clients
// will not use an entry, for a warning. Parse reads words as curl does (split on
// blanks and line breaks, "double-quoted" with backslash escapes, a word
// starting with '#' comments out the rest of its line, keywords in any case,
// unknown words ignored) and refuses, naming the line, every spelling the
// readers would split or attach differently, so that what credgen writes
// means the same to both:
//
//   - a CR without LF; a control character outside comments;
//   - a quote left open at the end of its line; text right after a closing
//     quote; an unquoted backslash (also in a comment's first word) before
//     whitespace or the end of the file;
//   - a name or value starting with '#'; a value that is not right after its
//     keyword where curl 7 reads an empty word in between (a blank line, or
//     blanks or CR ending the keyword's line); an empty quoted word where a
//     keyword may stand (Python stops reading there);
//   - machine without a name; a keyword without a value; macdef without a
//     name on its line or without the empty line ending its body;
//   - a macdef body that curl reads as words (the macdef line ends in a blank
//     or CR, or a body line holds only blanks) holding machine, default or
//     macdef;
//   - a file Python reads without error but differently from curl, or in
//     which Python reads the words of a comment (see python.go).
//
// Values that only decode differently (an unquoted backslash: Python drops
// it, curl keeps it) are tolerated: credgen never rewrites another entry's
// values, and its own values are plain words (CheckToken). A file Python
// refuses outright is read as curl reads it.
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
	python  pyFile // what Python's netrc module reads
	pyOK    bool   // Python reads the file without error
	checked bool   // Python, where it reads the file, was found to agree
}

// span is a byte range [start, end) of the file.
type span struct{ start, end int }

// token is one word of the file.
type token struct {
	span
	line int
	text string // the word as Python's netrc reads it (quotes and escapes removed)
	curl string // the word as curl reads it
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
	if err := checkLineBreaks(data); err != nil {
		return nil, err
	}
	// One string copy of the file: words are cut from it without copying.
	src := string(data)
	own := []byte(src)
	p := newParser(own, src)
	if err := p.run(); err != nil {
		return nil, err
	}
	f := &File{data: own, entries: p.entries}
	f.python, f.pyOK = pythonReadSized(own, src, len(p.entries))
	if checkPython {
		if err := f.checkPythonAgrees(); err != nil {
			return nil, err
		}
		f.checked = true
	}
	return f, nil
}

// PythonReadable reports whether Python's netrc module (what pip and
// requests use) reads the file at all. One it refuses (a byte-order mark, a
// word it calls a bad token) is still edited as curl reads it, but pip finds
// no credential in it.
func (f *File) PythonReadable() bool { return f.pyOK }

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
