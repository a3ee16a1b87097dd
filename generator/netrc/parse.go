package netrc

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// parser builds the entries from the scanner's words, as curl reads them:
// `machine NAME` or `default` opens an entry; login, user, password and
// account take the next word as their value; `macdef NAME` closes the entry
// and skips its body up to the first empty line; any other word is ignored.
type parser struct {
	s       scanner
	entries []entry
	open    bool        // the last entry is still taking fields
	rec     *maskRecord // when set, also records what Masked needs
	step    int         // top-level words read so far
	// fields and others of all entries, in file order; run hands each entry
	// its part at the end (one backing array instead of several per entry).
	fields []field
	others []token
}

// newParser is a parser for data (and src, the same as a string), its
// slices sized for the entries the file seems to hold: appending to a slice
// grows it by a quarter at a time, copying it again each time, which was
// half the cost of a large file. The count is only an estimate (upper-case
// keywords do not count, "machine" in a comment does; one default is
// allowed for): append still grows the slices when it falls short.
func newParser(data []byte, src string) *parser {
	n := strings.Count(src, "machine") + 1
	return &parser{
		s:       scanner{data: data, src: src, line: 1},
		entries: make([]entry, 0, n),
		fields:  make([]field, 0, 2*n),
	}
}

func (p *parser) run() error {
	if err := p.read(); err != nil {
		return err
	}
	p.distribute()
	return nil
}

// distribute gives each entry its fields and other words: those that lie
// between its keyword and the next entry's (only the open entry, the last
// one, takes them as they come).
func (p *parser) distribute() {
	fi, oi := 0, 0
	for i := range p.entries {
		end := len(p.s.data)
		if i+1 < len(p.entries) {
			end = p.entries[i+1].keyword.start
		}
		e := &p.entries[i]
		n := fi
		for n < len(p.fields) && p.fields[n].kw.start < end {
			n++
		}
		if n > fi {
			e.fields = p.fields[fi:n:n]
		}
		fi = n
		for n = oi; n < len(p.others) && p.others[n].start < end; n++ {
		}
		if n > oi {
			e.others = p.others[oi:n:n]
		}
		oi = n
	}
}

func (p *parser) read() error {
	for {
		p.step++
		tok, ok, err := p.s.next("")
		if err != nil || !ok {
			return err
		}
		if tok.text == "" {
			return errorf(tok.line, `an empty quoted word where a keyword may stand (Python stops reading the file there)`)
		}
		kw, err := keywordOf(tok)
		if err != nil {
			return err
		}
		switch kw {
		case "machine":
			err = p.machine(tok)
		case "default":
			p.entries = append(p.entries, entry{keyword: tok, isDefault: true})
			p.open = true
		case "macdef":
			p.open = false
			err = p.macdef(tok)
		case "login", "user", "password", "account":
			// Outside an entry curl ignores these word by word.
			if p.open {
				err = p.field(kw, tok)
			} else {
				p.stray(tok)
			}
		default:
			if p.open {
				p.others = append(p.others, tok)
			} else {
				p.stray(tok)
			}
		}
		if err != nil {
			return err
		}
	}
}

// isKeyword reports whether w (in lower case) means something to curl or
// Python; user and account mean something to Python only.
func isKeyword(w string) bool {
	switch w {
	case "machine", "default", "macdef", "login", "user", "password", "account":
		return true
	}
	return false
}

func isCurlKeyword(word string) bool {
	w := lowerKeyword(word)
	return w != "" && w != "user" && w != "account"
}

// lowerKeyword is strings.ToLower(w) when that is a keyword, else "". An
// ASCII word is compared without building its lower-case copy; any other
// goes through strings.ToLower, whose Unicode mapping (e.g. 'İ' to 'i') the
// decisions have always followed.
func lowerKeyword(w string) string {
	const longest = len("password")
	var buf [longest]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= utf8.RuneSelf:
			if l := strings.ToLower(w); isKeyword(l) {
				return l
			}
			return ""
		case i >= longest:
			// Too long for a keyword; keep looking for non-ASCII bytes.
		case 'A' <= c && c <= 'Z':
			buf[i] = c + ('a' - 'A')
		default:
			buf[i] = c
		}
	}
	if len(w) > longest {
		return ""
	}
	// The constants are returned, not l, so that l needs no allocation.
	switch l := string(buf[:len(w)]); l {
	case "machine":
		return "machine"
	case "default":
		return "default"
	case "macdef":
		return "macdef"
	case "login":
		return "login"
	case "user":
		return "user"
	case "password":
		return "password"
	case "account":
		return "account"
	}
	return ""
}

// keywordOf is tok's keyword in lower case ("" for another word). A word
// whose escapes make it a keyword for one reader only is refused: that is,
// either reads a keyword and their lower-case forms differ, which (as one
// of them then is a keyword) is when their keywords differ.
func keywordOf(tok token) (string, error) {
	py, curl := lowerKeyword(tok.text), lowerKeyword(tok.curl)
	if py != curl {
		return "", errorf(tok.line, "a word that curl and Python read as different keywords (escaped with a backslash)")
	}
	return py, nil
}

func (p *parser) machine(kw token) error {
	name, ok, err := p.value(kw, "machine name")
	switch {
	case err != nil:
		return err
	case !ok:
		return errorf(kw.line, "machine without a name")
	case name.text == "":
		return errorf(name.line, "machine with an empty name")
	case name.text != name.curl:
		return errorf(name.line, "machine name with a backslash escape (curl and Python read it differently)")
	}
	p.entries = append(p.entries, entry{keyword: kw, name: name})
	p.open = true
	return nil
}

func (p *parser) field(key string, kw token) error {
	v, ok, err := p.value(kw, valueRole(key))
	switch {
	case err != nil:
		return err
	case !ok:
		return errorf(kw.line, "%s without a value", key)
	case (key == "user" || key == "account") && isCurlKeyword(v.curl):
		// curl does not know user/account, so it reads their value as a keyword.
		return errorf(v.line, "the %s value is a keyword to curl", key)
	case startsEntry(v.curl):
		// Looking up another machine, curl skips this entry word by word and
		// takes such a word for the keyword; Python reads a value. (The
		// message does not say which word: it may be someone's password.)
		return errorf(v.line, "the %s value is a word that starts an entry for curl when it looks up another machine (Python reads it as a value)", key)
	}
	p.fields = append(p.fields, field{key: key, kw: kw, value: v})
	return nil
}

// startsEntry reports whether curl takes word for machine, default or macdef
// wherever it stands in an entry it is skipping.
func startsEntry(word string) bool {
	switch lowerKeyword(word) {
	case "machine", "default", "macdef":
		return true
	}
	return false
}

// valueRole names the value of keyword key in errors.
func valueRole(key string) string {
	switch key {
	case "login":
		return "login value"
	case "user":
		return "user value"
	case "password":
		return "password value"
	}
	return "account value"
}

// value is the word after keyword kw. It may stand on a later line, but curl
// 7 reads an empty word at a blank line and at blanks or CR ending the
// keyword's line, so the value must follow directly on the next line.
func (p *parser) value(kw token, role string) (token, bool, error) {
	v, ok, err := p.s.next(role)
	if err != nil || !ok {
		return v, ok, err
	}
	if gap := p.s.data[kw.end:v.start]; bytes.ContainsAny(gap[1:], "\r\n") {
		return token{}, false, errorf(kw.line, "the %s is not right after its keyword: curl 7 reads it as empty (blank line, or blanks or CR ending the keyword's line)", role)
	}
	return v, true, nil
}

// macdef skips `macdef NAME`, the rest of its line and its body: the lines up
// to the first empty one ("\n" or "\r\n").
func (p *parser) macdef(kw token) error {
	s := &p.s
	end := s.lineEnd(kw.end)
	i := kw.end
	for i < end && isBlank(s.data[i]) {
		i++
	}
	if i == end || s.data[i] == '\r' || s.data[i] == '#' {
		return errorf(kw.line, "macdef without a name on its line")
	}
	s.pos = i
	name, _, err := s.next("macdef name")
	if err != nil {
		return err
	}
	rest := s.data[name.end:end]
	if err := checkControls(rest, kw.line); err != nil {
		return err
	}
	if end == len(s.data) {
		return runsToEOF(kw.line)
	}
	bodyStart, bodyLine := end+1, kw.line+1
	bodyEnd, blank, err := p.skipBody(kw.line, bodyStart)
	if err != nil {
		return err
	}
	if p.rec != nil {
		p.rec.macdefs = append(p.rec.macdefs, macdefSpans{rest: span{name.end, end}, body: span{bodyStart, bodyEnd}})
	}
	// curl ends the macro early when the macdef line ends in a blank or CR
	// (curl 7 and 8) or at a line of blanks (curl 8), and reads the rest of
	// the body as netrc words.
	if len(rest) > 0 && (isBlank(rest[len(rest)-1]) || rest[len(rest)-1] == '\r') {
		return checkBodyWords(s.data[:bodyEnd], s.src[:bodyEnd], bodyStart, bodyLine)
	}
	if blank.pos >= 0 {
		return checkBodyWords(s.data[:bodyEnd], s.src[:bodyEnd], blank.pos, blank.line)
	}
	return nil
}

// place is a byte offset and its line.
type place struct{ pos, line int }

// skipBody moves past a macdef body starting at from, up to and including
// its empty line, and returns where the empty line starts and the first line
// of only blanks (pos -1 if none).
func (p *parser) skipBody(macdefLine, from int) (bodyEnd int, blank place, err error) {
	s := &p.s
	blank = place{-1, 0}
	s.line++
	for pos := from; pos < len(s.data); {
		end := s.lineEnd(pos)
		line := bytes.TrimSuffix(s.data[pos:end], []byte("\r"))
		if len(line) == 0 {
			s.pos = min(end+1, len(s.data))
			s.line++
			return pos, blank, nil
		}
		if blank.pos < 0 && len(bytes.Trim(line, " \t")) == 0 {
			blank = place{pos, s.line}
		}
		if err := checkControls(line, s.line); err != nil {
			return 0, blank, err
		}
		pos = end + 1
		s.line++
	}
	return 0, blank, runsToEOF(macdefLine)
}

func runsToEOF(macdefLine int) error {
	return errorf(macdefLine, "macdef runs to the end of the file (its body ends with an empty line)")
}

// checkBodyWords refuses a macdef body that curl reads as netrc words when
// one of them is a keyword that would start an entry for curl.
func checkBodyWords(data []byte, src string, from, line int) error {
	s := scanner{data: data, src: src, pos: from, line: line}
	for {
		tok, ok, err := s.next("")
		if err != nil || !ok {
			return err
		}
		if w := strings.ToLower(tok.curl); w == "machine" || w == "default" || w == "macdef" {
			return errorf(tok.line, "curl reads this macdef body as netrc words (the macdef line ends in a blank or CR, or a line of blanks precedes) and finds the keyword %q", w)
		}
	}
}

func checkControls(b []byte, line int) error {
	for _, c := range b {
		if isControl(c) && c != '\r' {
			return errorf(line, "control character 0x%02x", c)
		}
	}
	return nil
}
