package netrc

import (
	"bytes"
	"maps"
	"unicode/utf8"
)

// This file reads netrc data the way Python 3.11's netrc module does (pip
// reads ~/.netrc through it), so that Parse can refuse a file Python reads
// differently from curl. The two differ mainly on comments: Python skips the
// rest of a '#' line only when the '#' word directly follows a word on the
// line before (or the same line), so after a blank line or blanks ending the
// previous line it reads the comment's words as netrc words: a commented-out
// "# machine old login x password y" comes back to life there.
//
// The port reads the file's own bytes and applies Python's universal newlines
// (CRLF and a lone CR read as LF) as it goes, so that the offsets it records
// are offsets in the file: SetMachine uses them to tell which words Python
// took as which values.

// pyCreds is one entry as Python stores it: (login, account, password).
type pyCreds struct{ login, account, password string }

// pyHost is what Python keeps for one host name: the credentials of its last
// entry, the line of that entry, the order in which the name first appeared
// (index), and where the kept values came from (from: login, account,
// password; the zero span where a keyword did not occur).
type pyHost struct {
	pyCreds
	line, index int
	from        [3]span
}

// pyFile is what Python read: hosts by name ("default" for the default entry;
// a later entry replaces an earlier one), the spans of every word Python read
// as a machine name (names), and the lines of comments whose words Python
// read as netrc words.
type pyFile struct {
	hosts       map[string]pyHost
	names       []span
	liveComment []int
}

// pyLexer mirrors netrc._netrclex.
type pyLexer struct {
	data     []byte
	src      string // data as a string, to cut words from without copying
	pos      int
	lineno   int  // Python's counter: readline() does not advance it
	line     int  // the true line of pos
	tok      span // the bytes of the word token() returned last
	pushback []string
}

// pythonRead reads data as Python does; ok is false where Python raises.
func pythonRead(data []byte) (pf pyFile, ok bool) {
	return pythonReadSized(data, string(data), 0)
}

// pythonReadSized is pythonRead for data whose string form src the caller
// already has, expecting about hosts names.
func pythonReadSized(data []byte, src string, hosts int) (pf pyFile, ok bool) {
	if !utf8.Valid(data) {
		return pyFile{}, false // Python fails to decode it
	}
	l := &pyLexer{data: data, src: src, lineno: 1, line: 1}
	pf = pyFile{hosts: make(map[string]pyHost, hosts), names: make([]span, 0, hosts)}
	for {
		savedLineno := l.lineno
		tt := l.token()
		var name string
		switch {
		case tt == "":
			return pf, true
		case tt[0] == '#':
			if l.lineno == savedLineno && len(tt) == 1 {
				l.readline()
			} else {
				pf.noteLiveComment(l)
			}
			continue
		case tt == "machine":
			name = l.token()
			pf.names = append(pf.names, l.tok)
		case tt == "default":
			name = "default"
		case tt == "macdef":
			l.token()
			if !l.skipMacro() {
				return pyFile{}, false
			}
			continue
		default:
			return pyFile{}, false // bad toplevel token
		}
		if name == "" {
			return pyFile{}, false
		}
		h := pyHost{line: l.line, index: len(pf.hosts)}
		if old, ok := pf.hosts[name]; ok {
			h.index = old.index
		}
		if !l.entry(&pf, &h) {
			return pyFile{}, false
		}
		pf.hosts[name] = h
	}
}

// entry reads the follower words of an entry into h.
func (l *pyLexer) entry(pf *pyFile, h *pyHost) bool {
	for {
		prevLineno := l.lineno
		tt := l.token()
		if len(tt) > 0 && tt[0] == '#' {
			if l.lineno == prevLineno {
				l.readline()
			} else {
				pf.noteLiveComment(l)
			}
			continue
		}
		switch tt {
		case "", "machine", "default", "macdef":
			l.pushback = append(l.pushback, tt)
			return true
		case "login", "user":
			h.login = l.token()
			h.from[0] = l.tok
		case "account":
			h.account = l.token()
			h.from[1] = l.tok
		case "password":
			h.password = l.token()
			h.from[2] = l.tok
		default:
			return false // bad follower token
		}
	}
}

// noteLiveComment records a comment whose rest of line Python goes on to
// read as words.
func (pf *pyFile) noteLiveComment(l *pyLexer) {
	if l.pos == 0 || isPyNewline(l.data[l.pos-1]) {
		return // the comment word ended its line
	}
	end, _ := l.lineBreak(l.pos)
	if len(bytes.TrimSpace(l.data[l.pos:end])) > 0 {
		pf.liveComment = append(pf.liveComment, l.line)
	}
}

// skipMacro reads macro lines up to an empty one.
func (l *pyLexer) skipMacro() bool {
	for {
		switch l.readline() {
		case lineNone:
			return false // Macro definition missing null line terminator
		case lineEmpty:
			return true
		}
	}
}

func isPyNewline(c byte) bool { return c == '\n' || c == '\r' }

// lineBreak is the index of the line break at or after from (len(data) if
// none) and its length in bytes (2 for CRLF, 0 at the end of the data).
func (l *pyLexer) lineBreak(from int) (at, size int) {
	rest := l.data[from:]
	n := bytes.IndexByte(rest, '\n')
	if n < 0 {
		n = len(rest)
	}
	if cr := bytes.IndexByte(rest[:n], '\r'); cr >= 0 {
		if cr+1 < len(rest) && rest[cr+1] == '\n' {
			return from + cr, 2
		}
		return from + cr, 1
	}
	if n == len(rest) {
		return len(l.data), 0
	}
	return from + n, 1
}

// readChar reads one character of Python's text: CRLF and a lone CR read as
// LF.
func (l *pyLexer) readChar() (byte, bool) {
	if l.pos == len(l.data) {
		return 0, false
	}
	c := l.data[l.pos]
	l.pos++
	if c == '\r' {
		if l.pos < len(l.data) && l.data[l.pos] == '\n' {
			l.pos++
		}
		c = '\n'
	}
	if c == '\n' {
		l.lineno++
		l.line++
	}
	return c, true
}

// readLine is what Python's readline() returned, as far as the port needs.
type readLine int

const (
	lineNone  readLine = iota // "": the end of the file
	lineEmpty                 // "\n"
	lineText                  // anything else
)

// readline reads the rest of the line from the stream underneath the
// lexer, as Python's instream.readline() does: lineno stays.
func (l *pyLexer) readline() readLine {
	if l.pos == len(l.data) {
		return lineNone
	}
	at, size := l.lineBreak(l.pos)
	r := lineText
	if at == l.pos && size > 0 {
		r = lineEmpty
	}
	if size > 0 {
		l.line++
	}
	l.pos = at + size
	return r
}

func isPySpace(c byte) bool { return c == '\n' || c == '\t' || c == '\r' || c == ' ' }

// token mirrors _netrclex.get_token, and records in l.tok where the word
// lies.
func (l *pyLexer) token() string {
	if len(l.pushback) > 0 {
		t := l.pushback[0]
		// Shift rather than reslice, so that the next append reuses the array.
		l.pushback = l.pushback[:copy(l.pushback, l.pushback[1:])]
		return t
	}
	for {
		start := l.pos
		c, ok := l.readChar()
		if !ok {
			l.tok = span{l.pos, l.pos}
			return ""
		}
		if isPySpace(c) {
			continue
		}
		if c == '"' {
			return l.quotedRest(start)
		}
		return l.wordRest(start)
	}
}

// advancePlain moves to to over bytes that hold no CR, counting lines.
func (l *pyLexer) advancePlain(to int) {
	n := bytes.Count(l.data[l.pos:to], []byte{'\n'})
	l.lineno += n
	l.line += n
	l.pos = to
}

// quotedRest reads a quoted word whose opening quote is at start, up to the
// closing quote or the end of the file (Python lets it span lines). A word
// without backslash or CR is cut from src as it is.
func (l *pyLexer) quotedRest(start int) string {
	for i := l.pos; i < len(l.data); i++ {
		switch l.data[i] {
		case '"':
			tok := l.src[l.pos:i]
			l.advancePlain(i + 1)
			l.tok = span{start, i + 1}
			return tok
		case '\\', '\r':
			return l.quotedSlow(start)
		}
	}
	tok := l.src[l.pos:]
	l.advancePlain(len(l.data))
	l.tok = span{start, len(l.data)}
	return tok
}

func (l *pyLexer) quotedSlow(start int) string {
	var tok []byte
	for {
		c, ok := l.readChar()
		if !ok || c == '"' {
			l.tok = span{start, l.pos}
			return string(tok)
		}
		if c == '\\' {
			if c, ok = l.readChar(); !ok {
				l.tok = span{start, l.pos}
				return string(tok)
			}
		}
		tok = append(tok, c)
	}
}

// wordRest reads an unquoted word whose first byte, at start, was read, and
// the whitespace character ending it. A word without backslash is cut from
// src as it is.
func (l *pyLexer) wordRest(start int) string {
	if l.data[start] == '\\' {
		return l.wordSlow(start)
	}
	i := l.pos
	for i < len(l.data) && !isPySpace(l.data[i]) {
		if l.data[i] == '\\' {
			return l.wordSlow(start)
		}
		i++
	}
	l.pos = i
	l.tok = span{start, i}
	tok := l.src[start:i]
	l.readChar() // the whitespace that ends the word
	return tok
}

func (l *pyLexer) wordSlow(start int) string {
	var tok []byte
	c, ok := l.data[start], true
	for {
		if c == '\\' {
			c, ok = l.readChar()
		}
		if ok {
			tok = append(tok, c)
		}
		end := l.pos
		if c, ok = l.readChar(); !ok || isPySpace(c) {
			l.tok = span{start, end}
			return string(tok)
		}
	}
}

// pyName is the name Python keys e under.
func (e *entry) pyName() string {
	if e.isDefault {
		return "default"
	}
	return e.name.text
}

// pyCreds is e as Python stores it.
func (e *entry) pyCreds() pyCreds {
	m := e.machine()
	return pyCreds{login: m.Login, account: m.Account, password: m.Password}
}

// pythonShaped is f's entries keyed as Python keys them.
func (f *File) pythonShaped() map[string]pyCreds {
	m := make(map[string]pyCreds, len(f.entries))
	for i := range f.entries {
		e := &f.entries[i]
		m[e.pyName()] = e.pyCreds()
	}
	return m
}

// creds is what Python read, without where it came from.
func (pf *pyFile) creds() map[string]pyCreds {
	m := make(map[string]pyCreds, len(pf.hosts))
	for name, h := range pf.hosts {
		m[name] = h.pyCreds
	}
	return m
}

// checkPythonAgrees refuses f when Python reads it without error but
// differently, or reads a comment's words. A file Python refuses is left to
// curl's reading.
func (f *File) checkPythonAgrees() error {
	pf := f.python
	if !f.pyOK {
		return nil
	}
	// A live comment is refused even where the results agree: whatever is
	// appended later would be read differently.
	if len(pf.liveComment) > 0 {
		return errorf(pf.liveComment[0], "Python's netrc module reads the words of this comment as netrc words (after a blank line or blanks ending the line before); curl ignores them")
	}
	if f.agreesEntryByEntry() {
		return nil
	}
	ours := f.pythonShaped()
	if maps.Equal(pf.creds(), ours) {
		return nil
	}
	return errorf(f.firstDisagreement(pf, ours), "Python's netrc module reads this entry differently from curl")
}

// agreesEntryByEntry is the common case of the comparison without building
// a second map: when no two entries share a name, Python's hosts equal f's
// exactly when there are as many of them and each entry finds its own,
// holding the same values. Any doubt (a name twice, a difference) is false,
// and the caller compares the maps.
func (f *File) agreesEntryByEntry() bool {
	hosts := f.python.hosts
	if len(hosts) != len(f.entries) {
		return false
	}
	seen := make([]bool, len(hosts))
	for i := range f.entries {
		e := &f.entries[i]
		h, ok := hosts[e.pyName()]
		if !ok || seen[h.index] || h.pyCreds != e.pyCreds() {
			return false
		}
		seen[h.index] = true
	}
	return true
}

// firstDisagreement is the first line where an entry differs between pf and
// ours.
func (f *File) firstDisagreement(pf pyFile, ours map[string]pyCreds) int {
	line := 0
	consider := func(l int) {
		if line == 0 || l < line {
			line = l
		}
	}
	for name, h := range pf.hosts {
		if o, ok := ours[name]; !ok || o != h.pyCreds {
			consider(h.line)
		}
	}
	for i := range f.entries {
		e := &f.entries[i]
		name := e.pyName()
		if h, ok := pf.hosts[name]; !ok || h.pyCreds != ours[name] {
			consider(e.keyword.line)
		}
	}
	return max(line, 1)
}
