package netrc

import (
	"bytes"
	"strings"
)

// parser builds the entries from the scanner's words, as curl reads them:
// `machine NAME` or `default` opens an entry; login, user, password and
// account take the next word as their value; `macdef NAME` closes the entry
// and skips its body up to the first empty line; any other word is ignored.
type parser struct {
	s       scanner
	entries []entry
	open    bool // the last entry is still taking fields
}

func (p *parser) run() error {
	for {
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
			}
		default:
			if p.open {
				last := &p.entries[len(p.entries)-1]
				last.others = append(last.others, tok)
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
	w := strings.ToLower(word)
	return isKeyword(w) && w != "user" && w != "account"
}

// keywordOf is tok's keyword in lower case ("" for another word). A word
// whose escapes make it a keyword for one reader only is refused.
func keywordOf(tok token) (string, error) {
	py, curl := strings.ToLower(tok.text), strings.ToLower(tok.curl)
	if (isKeyword(py) || isKeyword(curl)) && py != curl {
		return "", errorf(tok.line, "a word that curl and Python read as different keywords (escaped with a backslash)")
	}
	if isKeyword(py) {
		return py, nil
	}
	return "", nil
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
	v, ok, err := p.value(kw, key+" value")
	switch {
	case err != nil:
		return err
	case !ok:
		return errorf(kw.line, "%s without a value", key)
	case (key == "user" || key == "account") && isCurlKeyword(v.curl):
		// curl does not know user/account, so it reads their value as a keyword.
		return errorf(v.line, "the %s value is a keyword to curl", key)
	}
	last := &p.entries[len(p.entries)-1]
	last.fields = append(last.fields, field{key: key, kw: kw, value: v})
	return nil
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
	// curl ends the macro early when the macdef line ends in a blank or CR
	// (curl 7 and 8) or at a line of blanks (curl 8), and reads the rest of
	// the body as netrc words.
	if len(rest) > 0 && (isBlank(rest[len(rest)-1]) || rest[len(rest)-1] == '\r') {
		return checkBodyWords(s.data[:bodyEnd], bodyStart, bodyLine)
	}
	if blank.pos >= 0 {
		return checkBodyWords(s.data[:bodyEnd], blank.pos, blank.line)
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
func checkBodyWords(data []byte, from, line int) error {
	s := scanner{data: data, pos: from, line: line}
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
