package netrc

import (
	"bytes"
	"fmt"
	"sort"
)

// edit replaces the bytes of span with text (an insertion when the span is
// empty).
type edit struct {
	span
	text string
}

// applyEdits returns data with the non-overlapping edits applied.
func applyEdits(data []byte, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	b.Grow(len(data) + 128)
	last := 0
	for _, e := range edits {
		b.Write(data[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(data[last:])
	return b.Bytes()
}

// SetMachine makes host's credentials login and password. Every entry for
// host (compared without regard to case) gets its login and password values
// replaced; a missing one is added right after the machine name. A new entry
// `machine HOST login L password P` goes on its own line before `default`
// (else at the end) when no entry carries exactly this name (Python compares
// names exactly) or when `default` comes before the first entry for host
// (curl would stop at default). Nothing changes when it is already so.
func (f *File) SetMachine(host, login, password string) error {
	for _, v := range []struct{ what, value string }{{"host", host}, {"login", login}, {"password", password}} {
		if err := CheckToken(v.value); err != nil {
			return fmt.Errorf("netrc %s: %w", v.what, err)
		}
	}
	edits := f.credentialEdits(host, login, password)
	if f.needsNewEntry(host) {
		edits = append(edits, f.newEntry(host, login, password))
	}
	if len(edits) == 0 {
		return nil
	}
	if f.swapValuesInPlace(host, login, password, edits) {
		return nil
	}
	next, err := Parse(applyEdits(f.data, edits))
	if err == nil {
		err = checkSet(f, next, host, login, password)
	}
	if err != nil {
		return fmt.Errorf("netrc: setting the entry for %s would leave a file the readers disagree on: %w", host, err)
	}
	*f = *next
	return nil
}

// credentialEdits replaces the login (and Python's synonym user) and
// password values of every entry for host, and adds the missing keywords.
func (f *File) credentialEdits(host, login, password string) []edit {
	var edits []edit
	for _, e := range f.entries {
		if !e.isFor(host) {
			continue
		}
		hasLogin, hasPassword := false, false
		for _, fl := range e.fields {
			switch fl.key {
			case "login", "user": // curl knows only login
				hasLogin = hasLogin || fl.key == "login"
				edits = appendValueEdit(edits, fl.value, login)
			case "password":
				hasPassword = true
				edits = appendValueEdit(edits, fl.value, password)
			}
		}
		var add string
		if !hasLogin {
			add += " login " + login
		}
		if !hasPassword {
			add += " password " + password
		}
		if add != "" {
			edits = append(edits, edit{span{e.name.end, e.name.end}, add})
		}
	}
	return edits
}

func appendValueEdit(edits []edit, v token, want string) []edit {
	if v.text == want && v.curl == want {
		return edits
	}
	return append(edits, edit{v.span, want})
}

// needsNewEntry reports whether a new entry for host must be added: when no
// entry carries exactly this name (Python looks names up exactly), or when
// default precedes the first entry for host (curl stops at default).
func (f *File) needsNewEntry(host string) bool {
	found, exact := false, false
	for _, e := range f.entries {
		switch {
		case e.isDefault && !found:
			return true
		case e.isFor(host):
			found = true
			exact = exact || e.name.text == host
		}
	}
	return !exact
}

// newEntry inserts `machine HOST login L password P` on a line of its own,
// before the first default entry, else at the end of the file.
func (f *File) newEntry(host, login, password string) edit {
	eol := f.lineEnding()
	line := "machine " + host + " login " + login + " password " + password
	for _, e := range f.entries {
		if !e.isDefault {
			continue
		}
		at := e.keyword.start
		ls := lineStart(f.data, at)
		if len(bytes.Trim(f.data[ls:at], " \t")) == 0 {
			return edit{span{ls, ls}, line + eol}
		}
		return edit{span{at, at}, eol + line + eol} // default shares its line: break it
	}
	n := len(f.data)
	if n > 0 && f.data[n-1] != '\n' {
		return edit{span{n, n}, eol + line + eol}
	}
	return edit{span{n, n}, line + eol}
}

// lineEnding is the file's line ending: that of its first line.
func (f *File) lineEnding() string {
	if i := bytes.IndexByte(f.data, '\n'); i > 0 && f.data[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

func lineStart(data []byte, at int) int {
	return bytes.LastIndexByte(data[:at], '\n') + 1
}

// checkSet verifies next, the result of setting host in prev: every entry
// for host holds the credentials, curl finds one before any default, and
// Python, when it reads the file, finds them too.
func checkSet(prev, next *File, host, login, password string) error {
	for _, e := range next.entries {
		if e.isDefault {
			return fmt.Errorf("curl would read the default entry first")
		}
		if e.isFor(host) {
			break
		}
	}
	for _, e := range next.entries {
		if m := e.machine(); e.isFor(host) && (m.Login != login || m.Password != password) {
			return fmt.Errorf("line %d: the entry does not hold the new credentials", e.keyword.line)
		}
	}
	if prev.pyOK && !next.pyOK {
		return fmt.Errorf("the Python netrc module could no longer read the file")
	}
	if c := next.python.hosts[host]; next.pyOK && (c.login != login || c.password != password) {
		return fmt.Errorf("the Python netrc module would not read the new credentials")
	}
	return nil
}

// RemoveMachine removes every entry for host (compared without regard to
// case): its words, and the lines that held nothing else; comments and other
// entries' words stay. It reports whether there was one. Rarely, removing
// an entry lets Python read the words of a comment below it (after blanks
// ending the line above): the entry goes anyway, and Parse of the result
// names that line.
func (f *File) RemoveMachine(host string) bool {
	var spans []span
	for _, e := range f.entries {
		if e.isFor(host) {
			spans = append(spans, e.spans()...)
		}
	}
	if len(spans) == 0 {
		return false
	}
	out := applyEdits(f.data, removalEdits(f.data, spans))
	next, err := Parse(out)
	if err != nil {
		next, err = parse(out, false)
	}
	if err != nil {
		// Unreachable: removing whole entries keeps every other word where
		// curl reads it (FuzzEdit checks this).
		panic(fmt.Sprintf("netrc: removing entries left a file that does not parse: %v", err))
	}
	*f = *next
	return true
}

// spans are the byte ranges of e's words, in file order.
func (e entry) spans() []span {
	s := []span{e.keyword.span}
	if !e.isDefault {
		s = append(s, e.name.span)
	}
	for _, fl := range e.fields {
		s = append(s, fl.kw.span, fl.value.span)
	}
	for _, o := range e.others {
		s = append(s, o.span)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	return s
}

// removalEdits deletes the words in spans: a line left with only whitespace
// goes entirely; on a line that keeps other words or a comment, each run of
// removed words goes with the blanks before it (or, at the start of the
// line, after it), so no trailing blanks are left behind.
func removalEdits(data []byte, spans []span) []edit {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var edits []edit
	for i := 0; i < len(spans); {
		ls := lineStart(data, spans[i].start)
		le := len(data)
		if n := bytes.IndexByte(data[spans[i].start:], '\n'); n >= 0 {
			le = spans[i].start + n + 1
		}
		j := i
		for j < len(spans) && spans[j].start < le {
			j++
		}
		if onlyWhitespaceBesides(data[:le], ls, spans[i:j]) {
			edits = append(edits, edit{span{ls, le}, ""})
		} else {
			edits = append(edits, runEdits(data, ls, spans[i:j])...)
		}
		i = j
	}
	return edits
}

// onlyWhitespaceBesides reports whether data[from:] holds only whitespace
// outside spans.
func onlyWhitespaceBesides(data []byte, from int, spans []span) bool {
	for _, s := range spans {
		if len(bytes.TrimSpace(data[from:s.start])) > 0 {
			return false
		}
		from = s.end
	}
	return len(bytes.TrimSpace(data[from:])) == 0
}

// runEdits deletes the spans of one line that also keeps other content.
func runEdits(data []byte, ls int, spans []span) []edit {
	var edits []edit
	for i := 0; i < len(spans); {
		run := spans[i]
		for i++; i < len(spans) && len(bytes.TrimSpace(data[run.end:spans[i].start])) == 0; i++ {
			run.end = spans[i].end
		}
		start := run.start
		for start > ls && isBlank(data[start-1]) {
			start--
		}
		if start > ls {
			edits = append(edits, edit{span{start, run.end}, ""})
			continue
		}
		end := run.end
		for end < len(data) && isBlank(data[end]) {
			end++
		}
		edits = append(edits, edit{span{run.start, end}, ""})
	}
	return edits
}
