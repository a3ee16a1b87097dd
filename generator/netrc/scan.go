package netrc

import (
	"bytes"
	"strings"
)

// scanner splits a netrc file into words the way curl does, recording where
// each word lies. It refuses the spellings that curl and Python split or read
// differently, so that a word it returns has the same extent for both.
type scanner struct {
	data []byte
	src  string // data as a string: words are cut from it without copying
	pos  int
	line int // line of pos, 1-based
	// comments, when set, receives the span of each comment skipped.
	comments *[]span
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// isSpace is the whitespace both readers split words on. (Python does not
// split on \v or \f, curl does: those are refused as control characters.)
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isControl(c byte) bool { return c < 0x20 && c != '\t' }

// checkLineBreaks refuses a CR that does not start a CRLF: Python reads it as
// a line break, curl as a blank, so comments and macdef bodies would end in
// different places.
func checkLineBreaks(data []byte) error {
	for i := 0; ; i++ {
		cr := bytes.IndexByte(data[i:], '\r')
		if cr < 0 {
			return nil
		}
		i += cr
		if i+1 == len(data) || data[i+1] != '\n' {
			return errorf(1+bytes.Count(data[:i], []byte{'\n'}), "carriage return without a line feed")
		}
	}
}

// skipSpace moves past whitespace.
func (s *scanner) skipSpace() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		if s.data[s.pos] == '\n' {
			s.line++
		}
		s.pos++
	}
}

// lineEnd is the index of the '\n' ending the line at from, or len(data).
func (s *scanner) lineEnd(from int) int {
	if i := bytes.IndexByte(s.data[from:], '\n'); i >= 0 {
		return from + i
	}
	return len(s.data)
}

// next returns the next word. role is "" where a keyword may stand; there a
// word starting with '#' comments out the rest of the line, as curl reads it.
// Otherwise role names the value expected ("password value"), and a '#' there
// is refused: curl 7 reads a comment, Python and curl 8 a value.
func (s *scanner) next(role string) (token, bool, error) {
	for {
		s.skipSpace()
		if s.pos == len(s.data) {
			return token{}, false, nil
		}
		if s.data[s.pos] != '#' {
			break
		}
		if role != "" {
			return token{}, false, errorf(s.line, "%s starts with '#' (curl reads a comment there, Python a value)", role)
		}
		if err := s.checkCommentWord(); err != nil {
			return token{}, false, err
		}
		if s.comments != nil {
			*s.comments = append(*s.comments, span{s.pos, s.lineEnd(s.pos)})
		}
		s.pos = s.lineEnd(s.pos)
	}
	if s.data[s.pos] == '"' {
		return s.quoted()
	}
	return s.word()
}

// checkCommentWord refuses a comment whose first word ends in a backslash:
// Python reads that word with escapes, so the backslash would swallow the
// line break (or a blank) and the comment would run into the next line.
func (s *scanner) checkCommentWord() error {
	for i := s.pos; i < len(s.data) && !isSpace(s.data[i]); i++ {
		if s.data[i] != '\\' {
			continue
		}
		if i+1 == len(s.data) || isSpace(s.data[i+1]) {
			return errorf(s.line, "a comment's first word ends in a backslash (Python joins it with what follows)")
		}
		i++
	}
	return nil
}

// word scans an unquoted word. A backslash before whitespace is refused:
// Python joins the two words, curl does not (and at the end of the file,
// Python would join it with whatever is appended).
func (s *scanner) word() (token, bool, error) {
	start := s.pos
	for s.pos < len(s.data) && !isSpace(s.data[s.pos]) {
		c := s.data[s.pos]
		if isControl(c) {
			return token{}, false, errorf(s.line, "control character 0x%02x", c)
		}
		if c == '\\' {
			if s.pos+1 == len(s.data) || isSpace(s.data[s.pos+1]) {
				return token{}, false, errorf(s.line, "backslash before whitespace or the end of the file (Python joins the words, curl does not)")
			}
			s.pos++ // the escaped byte is part of the word; check it below
			if isControl(s.data[s.pos]) {
				return token{}, false, errorf(s.line, "control character 0x%02x", s.data[s.pos])
			}
		}
		s.pos++
	}
	raw := s.src[start:s.pos]
	return token{span: span{start, s.pos}, line: s.line, text: unescape(raw, false), curl: raw}, true, nil
}

// quoted scans a "double-quoted" word. It must close on its line (curl reads
// line by line) and be followed by whitespace (after a closing quote Python
// starts a new word, curl skips a byte).
func (s *scanner) quoted() (token, bool, error) {
	start, line := s.pos, s.line
	i := s.pos + 1
	for {
		if i >= len(s.data) || s.data[i] == '\n' || s.data[i] == '\r' {
			return token{}, false, errorf(line, "unterminated quote")
		}
		c := s.data[i]
		if c == '"' {
			i++
			break
		}
		if c == '\\' {
			i++
			if i >= len(s.data) || s.data[i] == '\n' || s.data[i] == '\r' {
				return token{}, false, errorf(line, "unterminated quote")
			}
			c = s.data[i]
		}
		if isControl(c) {
			return token{}, false, errorf(line, "control character 0x%02x", c)
		}
		i++
	}
	if i < len(s.data) && !isSpace(s.data[i]) {
		return token{}, false, errorf(line, "text right after a closing quote (curl and Python split it differently)")
	}
	s.pos = i
	inner := s.src[start+1 : i-1]
	return token{span: span{start, i}, line: line, text: unescape(inner, false), curl: unescape(inner, true)}, true, nil
}

// unescape removes backslash escapes: Python keeps the escaped character;
// curl (cStyle, inside quotes only) reads \n, \r and \t as control
// characters.
func unescape(s string, cStyle bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			i++
			if i == len(s) {
				break // Python: a backslash at the end of the file escapes nothing
			}
			c = s[i]
			if cStyle {
				c = cEscape(c)
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func cEscape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c
}
