package netrc

import (
	"bytes"
	"maps"
	"strings"
	"unicode/utf8"
)

// This file reads netrc data the way Python 3.11's netrc module does (pip
// reads ~/.netrc through it), so that Parse can refuse a file Python reads
// differently from curl. The two differ mainly on comments: Python skips the
// rest of a '#' line only when the '#' word directly follows a word on the
// line before (or the same line), so after a blank line or blanks ending the
// previous line it reads the comment's words as netrc words: a commented-out
// "# machine old login x password y" comes back to life there.

// pyCreds is one entry as Python stores it: (login, account, password).
type pyCreds struct{ login, account, password string }

// pyFile is what Python read: hosts by name ("default" for the default entry;
// a later entry replaces an earlier one), the line of each host's entry, and
// the lines of comments whose words Python read as netrc words.
type pyFile struct {
	hosts       map[string]pyCreds
	lines       map[string]int
	liveComment []int
}

// pyLexer mirrors netrc._netrclex.
type pyLexer struct {
	text     []byte // universal newlines applied, as Python's text mode does
	pos      int
	lineno   int // Python's counter: readline() does not advance it
	line     int // the true line of pos
	pushback []string
}

// pythonRead reads data as Python does; ok is false where Python raises.
func pythonRead(data []byte) (pf pyFile, ok bool) {
	if !utf8.Valid(data) {
		return pyFile{}, false // Python fails to decode it
	}
	text := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	l := &pyLexer{text: text, lineno: 1, line: 1}
	pf = pyFile{hosts: map[string]pyCreds{}, lines: map[string]int{}}
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
		pf.lines[name] = l.line
		c, ok := l.entry(&pf)
		if !ok {
			return pyFile{}, false
		}
		pf.hosts[name] = c
	}
}

// entry reads the follower words of an entry.
func (l *pyLexer) entry(pf *pyFile) (pyCreds, bool) {
	var c pyCreds
	for {
		prevLineno := l.lineno
		tt := l.token()
		if strings.HasPrefix(tt, "#") {
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
			return c, true
		case "login", "user":
			c.login = l.token()
		case "account":
			c.account = l.token()
		case "password":
			c.password = l.token()
		default:
			return c, false // bad follower token
		}
	}
}

// noteLiveComment records a comment whose rest of line Python goes on to
// read as words.
func (pf *pyFile) noteLiveComment(l *pyLexer) {
	if l.pos == 0 || l.text[l.pos-1] == '\n' {
		return // the comment word ended its line
	}
	end := bytes.IndexByte(l.text[l.pos:], '\n')
	if end < 0 {
		end = len(l.text) - l.pos
	}
	if len(bytes.TrimSpace(l.text[l.pos:l.pos+end])) > 0 {
		pf.liveComment = append(pf.liveComment, l.line)
	}
}

// skipMacro reads macro lines up to an empty one.
func (l *pyLexer) skipMacro() bool {
	for {
		switch l.readline() {
		case "":
			return false // Macro definition missing null line terminator
		case "\n":
			return true
		}
	}
}

func (l *pyLexer) readChar() (byte, bool) {
	if l.pos == len(l.text) {
		return 0, false
	}
	c := l.text[l.pos]
	l.pos++
	if c == '\n' {
		l.lineno++
		l.line++
	}
	return c, true
}

// readline reads the rest of the line from the stream underneath the
// lexer, as Python's instream.readline() does: lineno stays.
func (l *pyLexer) readline() string {
	end := bytes.IndexByte(l.text[l.pos:], '\n')
	if end < 0 {
		end = len(l.text) - l.pos
	} else {
		end++
		l.line++
	}
	s := string(l.text[l.pos : l.pos+end])
	l.pos += end
	return s
}

func isPySpace(c byte) bool { return c == '\n' || c == '\t' || c == '\r' || c == ' ' }

// token mirrors _netrclex.get_token.
func (l *pyLexer) token() string {
	if len(l.pushback) > 0 {
		t := l.pushback[0]
		l.pushback = l.pushback[1:]
		return t
	}
	var tok []byte
	for {
		c, ok := l.readChar()
		if !ok {
			return string(tok)
		}
		if isPySpace(c) {
			continue
		}
		if c == '"' {
			return l.quotedRest(tok)
		}
		return l.wordRest(c)
	}
}

func (l *pyLexer) quotedRest(tok []byte) string {
	for {
		c, ok := l.readChar()
		if !ok || c == '"' {
			return string(tok)
		}
		if c == '\\' {
			if c, ok = l.readChar(); !ok {
				return string(tok)
			}
		}
		tok = append(tok, c)
	}
}

func (l *pyLexer) wordRest(first byte) string {
	var tok []byte
	c, ok := first, true
	for {
		if c == '\\' {
			c, ok = l.readChar()
		}
		if ok {
			tok = append(tok, c)
		}
		if c, ok = l.readChar(); !ok || isPySpace(c) {
			return string(tok)
		}
	}
}

// pythonShaped is f's entries keyed as Python keys them.
func (f *File) pythonShaped() map[string]pyCreds {
	m := make(map[string]pyCreds, len(f.entries))
	for _, e := range f.entries {
		mc := e.machine()
		name := mc.Name
		if e.isDefault {
			name = "default"
		}
		m[name] = pyCreds{login: mc.Login, account: mc.Account, password: mc.Password}
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
	ours := f.pythonShaped()
	if maps.Equal(pf.hosts, ours) {
		return nil
	}
	return errorf(f.firstDisagreement(pf, ours), "Python's netrc module reads this entry differently from curl")
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
	for name, c := range pf.hosts {
		if o, ok := ours[name]; !ok || o != c {
			consider(pf.lines[name])
		}
	}
	for _, e := range f.entries {
		name := e.name.text
		if e.isDefault {
			name = "default"
		}
		if c, ok := pf.hosts[name]; !ok || c != ours[name] {
			consider(e.keyword.line)
		}
	}
	return max(line, 1)
}
