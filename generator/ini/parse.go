// Package ini is the line model and parser behind credgen's editors of INI
// files that Python reads with configparser.RawConfigParser(): pip's
// pip.conf and twine's ~/.pypirc. An INI library would rewrite multi-line
// values and drop comments and blank lines, so a File keeps every raw line
// and its editors change only the bytes an edit is about; after every edit
// the lines are parsed again, so the model can never drift from the bytes.
//
// The dialect is exactly RawConfigParser's defaults: no interpolation, no
// inline comments, strict (duplicate sections and keys are errors), keys
// compared lower-cased (optionxform), section names exactly. The parser
// mirrors configparser's reading loop: "=" or ":" delimiters, "#" and ";"
// full-line comments (indented ones too), continuation lines that are
// indented deeper than their key line, blank lines inside values, Python's
// universal newlines and Python's notion of whitespace. What a key means is
// left to the editor of each file kind.
package ini

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is a line the reader could not read; Msg never quotes the
// line, which may hold a secret.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// File is a parsed INI file that remembers every byte. Lines, Sections and
// Options are the model of the current bytes: read them freely, change them
// only through the editing methods, which parse the result again.
type File struct {
	Lines    []Line
	Sections []*Section
	Options  []*Option
	reader   string // the program that reads the file, named in errors ("pip", "twine")
}

// Line is one line as Python's universal-newline reader splits it.
type Line struct {
	Text string // without its line ending
	EOL  string // "\n", "\r\n", "\r", or "" for a last line without one
}

// Section is a [name] header and what follows it up to the next header.
type Section struct {
	Name   string
	Header int // index of the header line
	Last   int // index of the section's last header, key or continuation line
}

// Option is one key line and its continuation lines.
type Option struct {
	Section string
	Key     string // as written (configparser strips it on the right)
	Name    string // configparser's optionxform: the key lower-cased
	Line    int    // index of the key line
	Delim   int    // byte offset of the delimiter in the key line
	Conts   []int  // indices of its continuation lines
	Last    int    // index of its last key or continuation line
	Tokens  []Token
	Value   string // the value configparser reads
}

// Token is one whitespace-separated word of a value: Text[Start:End] of a line.
type Token struct{ Line, Start, End int }

// DefaultSection is configparser's DEFAULT: its keys show in every section
// and it may appear more than once.
const DefaultSection = "DEFAULT"

// Parse reads data the way configparser does; an error names the first line
// configparser would reject, and says that reader (the program that reads
// the file: "pip", "twine") refuses the file where configparser's strict
// mode is the reason.
func Parse(data []byte, reader string) (*File, error) {
	return parseLines(splitLines(string(data)), reader)
}

// Bytes is the file as it stands, byte for byte.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.Lines {
		b.WriteString(l.Text)
		b.WriteString(l.EOL)
	}
	return []byte(b.String())
}

// splitLines splits like Python's text files do by default: "\r\n", "\r"
// and "\n" all end a line.
func splitLines(s string) []Line {
	var lines []Line
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, Line{Text: s})
			break
		}
		n := 1
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		}
		lines = append(lines, Line{Text: s[:i], EOL: s[i : i+n]})
		s = s[i+n:]
	}
	return lines
}

// parser carries configparser's reading state across lines.
type parser struct {
	f        *File
	cur      *Section
	opt      *Option
	parts    []string          // the current option's value lines, as configparser collects them
	indent   int               // configparser's indent_level
	sections map[string]int    // section name -> line number of its header
	keys     map[[2]string]int // section and lower-cased key -> line number
}

func parseLines(lines []Line, reader string) (*File, error) {
	p := &parser{
		f:        &File{Lines: lines, reader: reader},
		sections: map[string]int{},
		keys:     map[[2]string]int{},
	}
	for i := range lines {
		if err := p.line(i); err != nil {
			return nil, err
		}
	}
	p.endOption()
	return p.f, nil
}

// line handles one line in the order configparser's _read does.
func (p *parser) line(i int) error {
	text := p.f.Lines[i].Text
	if !utf8.ValidString(text) {
		return &ParseError{i + 1, "not valid UTF-8"}
	}
	stripped := strings.TrimFunc(text, IsSpace)
	switch {
	case IsComment(stripped):
		return nil
	case stripped == "":
		if p.opt != nil {
			p.parts = append(p.parts, "")
		}
		return nil
	}
	lead := len(LeadingSpace(text))
	indent := utf8.RuneCountInString(text[:lead])
	if p.opt != nil && indent > p.indent {
		p.continuation(i, text, stripped, lead)
		return nil
	}
	p.indent = indent
	p.endOption()
	if name, ok := HeaderName(stripped); ok {
		return p.header(i, name)
	}
	if p.cur == nil {
		return &ParseError{i + 1, "text before the first [section] header"}
	}
	return p.keyLine(i, text, stripped, lead)
}

func (p *parser) continuation(i int, text, stripped string, lead int) {
	p.parts = append(p.parts, stripped)
	p.opt.Conts = append(p.opt.Conts, i)
	p.opt.Last = i
	p.opt.Tokens = append(p.opt.Tokens, tokensOf(i, text, lead)...)
	p.cur.Last = i
}

func (p *parser) header(i int, name string) error {
	if name != DefaultSection {
		// Names are not quoted: a header can be any text, even a URL with a secret.
		if first, dup := p.sections[name]; dup {
			return &ParseError{i + 1, fmt.Sprintf("section header repeats the one on line %d (%s refuses the file)", first, p.f.reader)}
		}
		p.sections[name] = i + 1
	}
	p.cur = &Section{Name: name, Header: i, Last: i}
	p.f.Sections = append(p.f.Sections, p.cur)
	return nil
}

func (p *parser) keyLine(i int, text, stripped string, lead int) error {
	d := strings.IndexAny(stripped, "=:")
	switch {
	case d < 0 && strings.HasPrefix(stripped, "["):
		return &ParseError{i + 1, "malformed [section] header"}
	case d < 0:
		return &ParseError{i + 1, "neither a comment, a [section] header, a key = value line nor an indented continuation line"}
	case d == 0:
		return &ParseError{i + 1, "no key before the " + stripped[:1]}
	}
	key := strings.TrimRightFunc(stripped[:d], IsSpace)
	name := PyLower(key)
	id := [2]string{p.cur.Name, name}
	if first, dup := p.keys[id]; dup {
		return &ParseError{i + 1, fmt.Sprintf("key repeats the one on line %d in the same section (%s refuses the file)", first, p.f.reader)}
	}
	p.keys[id] = i + 1
	p.opt = &Option{
		Section: p.cur.Name,
		Key:     key,
		Name:    name,
		Line:    i,
		Delim:   lead + d,
		Last:    i,
		Tokens:  tokensOf(i, text, lead+d+1),
	}
	p.parts = []string{strings.TrimFunc(stripped[d+1:], IsSpace)}
	p.cur.Last = i
	return nil
}

// endOption joins the finished option's value as configparser does.
func (p *parser) endOption() {
	if p.opt == nil {
		return
	}
	p.opt.Value = strings.TrimRightFunc(strings.Join(p.parts, "\n"), IsSpace)
	p.f.Options = append(p.f.Options, p.opt)
	p.opt, p.parts = nil, nil
}

// HeaderName matches configparser's SECTCRE, `\[(?P<header>.+)\]`, against
// the stripped line: the name runs to the last "]" and anything after it is
// ignored.
func HeaderName(stripped string) (string, bool) {
	end := strings.LastIndexByte(stripped, ']')
	if !strings.HasPrefix(stripped, "[") || end < 2 {
		return "", false
	}
	return stripped[1:end], true
}

// IsComment reports whether a stripped line is a full-line comment: one
// that starts with configparser's comment prefixes "#" or ";".
func IsComment(stripped string) bool {
	return strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";")
}

// tokensOf lists the whitespace-separated words of text from byte from on.
func tokensOf(line int, text string, from int) []Token {
	var toks []Token
	start := -1
	for i, r := range text[from:] {
		switch {
		case IsSpace(r) && start >= 0:
			toks = append(toks, Token{line, from + start, from + i})
			start = -1
		case !IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		toks = append(toks, Token{line, from + start, len(text)})
	}
	return toks
}

// IsSpace is Python's str.isspace for one character, which configparser's
// strip(), `\s` and str.split() use: Unicode's White_Space plus the
// separators U+001C–U+001F.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// LeadingSpace is the whitespace text starts with, as Python's lstrip()
// would remove it.
func LeadingSpace(text string) string {
	return text[:len(text)-len(strings.TrimLeftFunc(text, IsSpace))]
}

// PyLower is Python's str.lower, which configparser applies to keys. Go's
// ToLower differs for U+0130 only among the characters that could turn a key
// into an ASCII one, so that is the case handled here.
func PyLower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

// View is what configparser reads: section -> lower-cased key -> value,
// each section's own keys (not DEFAULT's), with DEFAULT as a section of its
// own, there even when the file has no [DEFAULT].
type View map[string]map[string]string

// View is the file as configparser reads it.
func (f *File) View() View {
	v := View{DefaultSection: {}}
	for _, s := range f.Sections {
		if v[s.Name] == nil {
			v[s.Name] = map[string]string{}
		}
	}
	for _, o := range f.Options {
		v[o.Section][o.Name] = o.Value
	}
	return v
}
