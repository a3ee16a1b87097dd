package netrc

import (
	"strings"
	"unicode/utf8"
)

// This file reads netrc data the way uv does. uv does not use curl's or
// Python's reader: it carries its own translation of Python's netrc module
// (the rust-netrc parser) and looks entries up itself. The translation
// differs from Python where it matters here:
//
//   - it never reads CRLF as a line break: CR is a blank, and only LF
//     advances the line count. So in a CRLF file a comment on the line after
//     an entry line looks, to the lexer, as if it followed a line break it
//     skipped, and the comment's words are read as netrc words; and a macdef
//     line's CR ends the macro at once (its "line" is then empty), so the
//     body is read as netrc words;
//   - a line of only blanks also ends a macro; a macro may run to the end of
//     the file;
//   - bytes that are not UTF-8 read as U+FFFD rather than failing.
//
// Like Python it knows only the lower-case keywords, refuses any word it does
// not know where a keyword must stand (a byte-order mark makes the first word
// unknown), and a word it refuses makes uv ignore the whole file without a
// word. Before uv 0.11.16 a '#' word longer than "#" at the top level (before
// the first entry, or after a macro) did not comment out the rest of its
// line either.

// UVVersion selects the uv whose netrc rules apply.
type UVVersion int

const (
	// UVCurrent is uv 0.11.16 and later.
	UVCurrent UVVersion = iota
	// UVBefore01116 is uv before 0.11.16, which also reads the words after a
	// top-level "#word" comment.
	UVBefore01116
)

// UVReading is what uv made of a netrc file.
type UVReading struct {
	// OK is false when uv ignores the whole file; Line is then the line uv
	// stopped at and Reason says why (never quoting a word, which may be a
	// secret).
	OK     bool
	Line   int
	Reason string
	hosts  map[string]Machine
}

// ReadUV reads data as the given uv version does.
func ReadUV(data []byte, version UVVersion) UVReading {
	l := &uvLexer{src: validUTF8(data), lineno: 1}
	p := uvParser{l: l, version: version, hosts: make(map[string]Machine, strings.Count(l.src, "machine")+1)}
	if ok := p.run(); !ok {
		return UVReading{Line: p.failLine, Reason: p.failReason}
	}
	return UVReading{OK: true, hosts: p.hosts}
}

// validUTF8 is data with every invalid byte read as U+FFFD, as uv decodes
// the file (lossily, never failing).
func validUTF8(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		b.WriteRune(r) // RuneError for an invalid byte
		data = data[n:]
	}
	return b.String()
}

// Lookup is the entry uv uses for an index on host whose URL carries
// username ("" for none): the last entry named exactly host (uv keeps one
// entry per name, the last one read), else the default entry; none when
// username is given and differs from that entry's login. host is compared
// as uv's URL parser gives it, in lower case.
func (r UVReading) Lookup(host, username string) (Machine, bool) {
	if !r.OK {
		return Machine{}, false
	}
	m, ok := r.hosts[strings.ToLower(host)]
	if !ok {
		m, ok = r.hosts["default"]
	}
	if !ok || (username != "" && username != m.Login) {
		return Machine{}, false
	}
	return m, true
}

// uvLexer mirrors rust-netrc's Lex: it reads characters, not bytes, and
// counts lines at LF only.
type uvLexer struct {
	src      string
	pos      int
	lineno   int
	pushback []string
}

// readChar reads one character, counting a line at LF.
func (l *uvLexer) readChar() (rune, bool) {
	if l.pos == len(l.src) {
		return 0, false
	}
	r, n := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += n
	if r == '\n' {
		l.lineno++
	}
	return r, true
}

// readLine reads up to and including the next LF and returns the line
// without it. Like rust-netrc it does not count the line.
func (l *uvLexer) readLine() string {
	rest := l.src[l.pos:]
	i := strings.IndexByte(rest, '\n')
	if i < 0 {
		l.pos = len(l.src)
		return rest
	}
	l.pos += i + 1
	return rest[:i]
}

func isUVSpace(r rune) bool { return r == '\n' || r == '\t' || r == '\r' || r == ' ' }

// escaped is the character after a backslash; a backslash at the end of
// the file reads as a blank.
func (l *uvLexer) escaped() rune {
	if r, ok := l.readChar(); ok {
		return r
	}
	return ' '
}

// token mirrors Lex::get_token: "" at the end of the file (and for an empty
// quoted word).
func (l *uvLexer) token() string {
	if len(l.pushback) > 0 {
		t := l.pushback[0]
		l.pushback = l.pushback[1:]
		return t
	}
	for {
		start := l.pos
		r, ok := l.readChar()
		switch {
		case !ok:
			return ""
		case isUVSpace(r):
			continue
		case r == '"':
			if t, ok := l.plainQuoted(); ok {
				return t
			}
			var tok strings.Builder
			return l.quoted(&tok)
		}
		if t, ok := l.plainWord(start); ok {
			return t
		}
		var tok strings.Builder
		if r == '\\' {
			r = l.escaped()
		}
		tok.WriteRune(r)
		return l.word(&tok)
	}
}

// plainWord is the common case of an unquoted word starting at start (its
// first character read): without a backslash it is cut from src as it is,
// with the blank ending it read. ok is false, and nothing more read, when
// the word holds a backslash. (Blanks are ASCII, so bytes can be compared.)
func (l *uvLexer) plainWord(start int) (string, bool) {
	i := start
	for i < len(l.src) && !isUVSpace(rune(l.src[i])) {
		if l.src[i] == '\\' {
			return "", false
		}
		i++
	}
	l.pos = i
	l.readChar() // the blank ending the word
	return l.src[start:i], true
}

// plainQuoted is the common case of a quoted word (its quote read): without
// a backslash, up to the closing quote or the end of the file, cut from src.
func (l *uvLexer) plainQuoted() (string, bool) {
	rest := l.src[l.pos:]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		end = len(rest)
	}
	if strings.IndexByte(rest[:end], '\\') >= 0 {
		return "", false
	}
	l.lineno += strings.Count(rest[:end], "\n")
	l.pos += min(end+1, len(rest))
	return rest[:end], true
}

// quoted reads a quoted word after its opening quote, up to the closing
// quote or the end of the file.
func (l *uvLexer) quoted(tok *strings.Builder) string {
	for {
		r, ok := l.readChar()
		switch {
		case !ok, r == '"':
			return tok.String()
		case r == '\\':
			r = l.escaped()
		}
		tok.WriteRune(r)
	}
}

// word reads the rest of an unquoted word and the blank ending it.
func (l *uvLexer) word(tok *strings.Builder) string {
	for {
		r, ok := l.readChar()
		switch {
		case !ok, isUVSpace(r):
			return tok.String()
		case r == '\\':
			r = l.escaped()
		}
		tok.WriteRune(r)
	}
}

// uvParser mirrors rust-netrc's Netrc::from_str.
type uvParser struct {
	l          *uvLexer
	version    UVVersion
	hosts      map[string]Machine
	failLine   int
	failReason string
}

func (p *uvParser) fail(reason string) bool {
	p.failLine, p.failReason = p.l.lineno, reason
	return false
}

// run reads the top level: comments, macros and entries.
func (p *uvParser) run() bool {
	l := p.l
	for {
		savedLineno := l.lineno
		tt := l.token()
		var name string
		switch {
		case tt == "":
			return true
		case tt[0] == '#':
			if l.lineno == savedLineno && (len(tt) == 1 || p.version == UVCurrent) {
				l.readLine()
			}
			continue
		case tt == "machine":
			name = l.token()
		case tt == "default":
			name = "default"
		case tt == "macdef":
			l.token()
			p.skipMacro()
			continue
		default:
			return p.fail("a word uv does not know where machine, default or macdef must stand")
		}
		if name == "" {
			return p.fail("an entry without a name")
		}
		if !p.entry(name, tt == "default") {
			return false
		}
	}
}

// skipMacro reads macro lines up to one of only blanks (or the end of the
// file). The rest of the macdef line counts as the first line.
func (p *uvParser) skipMacro() {
	for strings.TrimSpace(p.l.readLine()) != "" {
	}
}

// entry reads the words of an entry and keeps it under name, replacing an
// earlier one. (uv keeps the default entry under the name "default", where a
// `machine default` entry also goes.)
func (p *uvParser) entry(name string, isDefault bool) bool {
	l := p.l
	m := Machine{Name: name, Default: isDefault, Line: l.lineno}
	if isDefault {
		m.Name = ""
	}
	for {
		prevLineno := l.lineno
		tt := l.token()
		if strings.HasPrefix(tt, "#") {
			if l.lineno == prevLineno {
				l.readLine()
			}
			continue
		}
		switch tt {
		case "", "machine", "default", "macdef":
			p.hosts[name] = m
			l.pushback = append(l.pushback, tt)
			return true
		case "login", "user":
			m.Login = l.token()
		case "account":
			m.Account = l.token()
		case "password":
			m.Password = l.token()
		default:
			return p.fail("a word uv does not know where an entry's keyword must stand")
		}
	}
}
