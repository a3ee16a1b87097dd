// Package pypirc edits ~/.pypirc, the file twine (and other uploaders) read
// repository URLs and credentials from, by line surgery. An INI library would
// rewrite multi-line values and drop comments and blank lines, so this
// package keeps the file as its raw lines and changes only the bytes an edit
// is about; after every edit the lines are parsed again, the way twine reads
// them, so the model can never drift from the bytes.
//
// The dialect is exactly the one twine reads: it opens the file as text
// (universal newlines) and hands it to configparser.RawConfigParser() — no
// interpolation, no inline comments, strict: duplicate sections and keys are
// errors. Keys are compared lower-cased (configparser's optionxform), section
// names exactly. The parser mirrors configparser's reading loop: "=" or ":"
// delimiters, "#" and ";" full-line comments (indented ones too),
// continuation lines that are indented deeper than their key line, blank
// lines inside values and Python's notion of whitespace.
package pypirc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is a line twine could not read; Msg never quotes the line,
// which may hold a secret.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// File is a parsed .pypirc that remembers every byte.
type File struct {
	lines    []rawLine
	sections []*section
	options  []*option
}

// rawLine is one line as Python's universal-newline reader splits it.
type rawLine struct {
	text string // without its line ending
	eol  string // "\n", "\r\n", "\r", or "" for a last line without one
}

// section is a [name] header and what follows it up to the next header.
type section struct {
	name   string
	header int // index of the header line
	last   int // index of the section's last header, key or continuation line
}

// option is one key line and its continuation lines.
type option struct {
	section string
	key     string // as written (configparser strips it on the right)
	name    string // configparser's optionxform: the key lower-cased
	line    int    // index of the key line
	delim   int    // byte offset of the delimiter in the key line
	conts   []int  // indices of its continuation lines
	last    int    // index of its last key or continuation line
	tokens  []token
	value   string // the value configparser reads
}

// token is one whitespace-separated word of a value: text[start:end] of a line.
type token struct{ line, start, end int }

// Parse reads data the way twine does; an error names the first line twine
// would reject.
func Parse(data []byte) (*File, error) {
	return parseLines(splitLines(string(data)))
}

// Bytes is the file as it stands, byte for byte.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l.text)
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

// splitLines splits like Python's text files do by default: "\r\n", "\r"
// and "\n" all end a line.
func splitLines(s string) []rawLine {
	var lines []rawLine
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, rawLine{text: s})
			break
		}
		n := 1
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		}
		lines = append(lines, rawLine{text: s[:i], eol: s[i : i+n]})
		s = s[i+n:]
	}
	return lines
}

// parser carries configparser's reading state across lines.
type parser struct {
	f        *File
	cur      *section
	opt      *option
	parts    []string          // the current option's value lines, as configparser collects them
	indent   int               // configparser's indent_level
	sections map[string]int    // section name -> line number of its header
	keys     map[[2]string]int // section and lower-cased key -> line number
}

func parseLines(lines []rawLine) (*File, error) {
	p := &parser{
		f:        &File{lines: lines},
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
	text := p.f.lines[i].text
	if !utf8.ValidString(text) {
		return &ParseError{i + 1, "not valid UTF-8"}
	}
	stripped := strings.TrimFunc(text, isSpace)
	switch {
	case strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";"):
		return nil
	case stripped == "":
		if p.opt != nil {
			p.parts = append(p.parts, "")
		}
		return nil
	}
	lead := len(text) - len(strings.TrimLeftFunc(text, isSpace))
	indent := utf8.RuneCountInString(text[:lead])
	if p.opt != nil && indent > p.indent {
		p.continuation(i, text, stripped, lead)
		return nil
	}
	p.indent = indent
	p.endOption()
	if name, ok := headerName(stripped); ok {
		return p.header(i, name)
	}
	if p.cur == nil {
		return &ParseError{i + 1, "text before the first [section] header"}
	}
	return p.keyLine(i, text, stripped, lead)
}

func (p *parser) continuation(i int, text, stripped string, lead int) {
	p.parts = append(p.parts, stripped)
	p.opt.conts = append(p.opt.conts, i)
	p.opt.last = i
	p.opt.tokens = append(p.opt.tokens, tokensOf(i, text, lead)...)
	p.cur.last = i
}

func (p *parser) header(i int, name string) error {
	if name != defaultSection {
		// Names are not quoted: a header can be any text, even a URL with a secret.
		if first, dup := p.sections[name]; dup {
			return &ParseError{i + 1, fmt.Sprintf("section header repeats the one on line %d (twine refuses the file)", first)}
		}
		p.sections[name] = i + 1
	}
	p.cur = &section{name: name, header: i, last: i}
	p.f.sections = append(p.f.sections, p.cur)
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
	key := strings.TrimRightFunc(stripped[:d], isSpace)
	name := pyLower(key)
	id := [2]string{p.cur.name, name}
	if first, dup := p.keys[id]; dup {
		return &ParseError{i + 1, fmt.Sprintf("key repeats the one on line %d in the same section (twine refuses the file)", first)}
	}
	p.keys[id] = i + 1
	p.opt = &option{
		section: p.cur.name,
		key:     key,
		name:    name,
		line:    i,
		delim:   lead + d,
		last:    i,
		tokens:  tokensOf(i, text, lead+d+1),
	}
	p.parts = []string{strings.TrimFunc(stripped[d+1:], isSpace)}
	p.cur.last = i
	return nil
}

// endOption joins the finished option's value as configparser does.
func (p *parser) endOption() {
	if p.opt == nil {
		return
	}
	p.opt.value = strings.TrimRightFunc(strings.Join(p.parts, "\n"), isSpace)
	p.f.options = append(p.f.options, p.opt)
	p.opt, p.parts = nil, nil
}

// defaultSection is configparser's DEFAULT: its keys show in every section
// and it may appear more than once.
const defaultSection = "DEFAULT"

// headerName matches configparser's SECTCRE, `\[(?P<header>.+)\]`, against
// the stripped line: the name runs to the last "]" and anything after it is
// ignored.
func headerName(stripped string) (string, bool) {
	end := strings.LastIndexByte(stripped, ']')
	if !strings.HasPrefix(stripped, "[") || end < 2 {
		return "", false
	}
	return stripped[1:end], true
}

// tokensOf lists the whitespace-separated words of text from byte from on.
func tokensOf(line int, text string, from int) []token {
	var toks []token
	start := -1
	for i, r := range text[from:] {
		switch {
		case isSpace(r) && start >= 0:
			toks = append(toks, token{line, from + start, from + i})
			start = -1
		case !isSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		toks = append(toks, token{line, from + start, len(text)})
	}
	return toks
}

// isSpace is Python's str.isspace for one character, which configparser's
// strip(), `\s` and str.split() use: Unicode's White_Space plus the
// separators U+001C–U+001F.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyLower is Python's str.lower, which configparser applies to keys. Go's
// ToLower differs for U+0130 only among the characters that could turn a key
// into an ASCII one, so that is the case handled here.
func pyLower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}
