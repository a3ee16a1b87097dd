package pypirc

import (
	"slices"
	"strings"
)

// nextContentIndent is the indentation of the first line after line i that
// is neither blank nor a comment. A key put after a bare section header must
// be indented at least that deep: configparser reads a line indented deeper
// than the key before it as that key's continuation, even a " [section]".
func (f *File) nextContentIndent(i int) string {
	for _, l := range f.lines[i+1:] {
		s := strings.TrimFunc(l.text, isSpace)
		if s != "" && s[0] != '#' && s[0] != ';' {
			return leadingSpace(l.text)
		}
	}
	return ""
}

func leadingSpace(text string) string {
	return text[:len(text)-len(strings.TrimLeftFunc(text, isSpace))]
}

func (f *File) isBlank(i int) bool {
	return strings.TrimFunc(f.lines[i].text, isSpace) == ""
}

func (f *File) blankBefore(i int) bool { return i > 0 && f.isBlank(i-1) }

// firstHeader is the index of the first [section] header line, -1 when the
// file has none.
func (f *File) firstHeader() int {
	if len(f.sections) == 0 {
		return -1
	}
	return f.sections[0].header
}

// appendLines ends the file with lines, after a blank line (and a final
// newline the file may have lacked).
func (f *File) appendLines(lines []string) error {
	eol := f.eol()
	if n := len(f.lines); n > 0 {
		f.lines[n-1].eol = eol
		if !f.isBlank(n - 1) {
			f.lines = append(f.lines, rawLine{eol: eol})
		}
	}
	for _, l := range lines {
		f.lines = append(f.lines, rawLine{l, eol})
	}
	return f.reparse()
}

// insertAfter puts new lines, ended the file's way, after line i; a file
// without a final newline keeps lacking one.
func (f *File) insertAfter(i int, texts ...string) error {
	eol := f.eol()
	added := make([]rawLine, len(texts))
	for j, t := range texts {
		added[j] = rawLine{t, eol}
	}
	if f.lines[i].eol == "" {
		f.lines[i].eol, added[len(added)-1].eol = eol, ""
	}
	f.lines = slices.Insert(f.lines, i+1, added...)
	return f.reparse()
}

// insertBefore puts new lines, ended the file's way, before line i.
func (f *File) insertBefore(i int, texts []string) error {
	eol := f.eol()
	added := make([]rawLine, len(texts))
	for j, t := range texts {
		added[j] = rawLine{t, eol}
	}
	f.lines = slices.Insert(f.lines, i, added...)
	return f.reparse()
}

// keySeparator copies how o's key line separates key and value (" = ",
// "=", ": ", ...), so a new key looks like its neighbours.
func (f *File) keySeparator(o *option) string {
	text := f.lines[o.line].text
	keyEnd := len(leadingSpace(text)) + len(o.key)
	return text[keyEnd:o.delim+1] + f.delimSpace(o)
}

// delimSpace is the whitespace to put between o's delimiter and a value:
// what is there now, else what stands before the delimiter.
func (f *File) delimSpace(o *option) string {
	text := f.lines[o.line].text
	if len(o.tokens) > 0 && o.tokens[0].line == o.line {
		return text[o.delim+1 : o.tokens[0].start]
	}
	before := text[:o.delim]
	return before[len(strings.TrimRightFunc(before, isSpace)):]
}

// eol is the file's line ending: that of its first line, "\n" when none.
func (f *File) eol() string {
	for _, l := range f.lines {
		if l.eol != "" {
			return l.eol
		}
	}
	return "\n"
}

func (f *File) tokenText(t token) string { return f.lines[t.line].text[t.start:t.end] }

// edits collects byte replacements and line removals so that one pass
// applies them all, before anything moves.
type edits struct {
	splices map[int][]splice
	removed map[int]bool
}

type splice struct {
	start, end int
	with       string
}

func (e *edits) splice(line, start, end int, with string) {
	if e.splices == nil {
		e.splices = map[int][]splice{}
	}
	e.splices[line] = append(e.splices[line], splice{start, end, with})
}

func (e *edits) remove(lines ...int) {
	if e.removed == nil {
		e.removed = map[int]bool{}
	}
	for _, l := range lines {
		e.removed[l] = true
	}
}

func (f *File) apply(e edits) error {
	if len(e.splices) == 0 && len(e.removed) == 0 {
		return nil
	}
	for line, ss := range e.splices {
		// Right to left, so earlier offsets stay valid.
		slices.SortFunc(ss, func(a, b splice) int { return b.start - a.start })
		text := f.lines[line].text
		for _, s := range ss {
			text = text[:s.start] + s.with + text[s.end:]
		}
		f.lines[line].text = text
	}
	kept := f.lines[:0]
	for i, l := range f.lines {
		if !e.removed[i] {
			kept = append(kept, l)
		}
	}
	f.lines = kept
	return f.reparse()
}

// reparse rebuilds the model from the edited lines. An edit that produced
// what twine cannot read fails here, and the caller's copy is dropped.
func (f *File) reparse() error {
	g, err := parseLines(f.lines)
	if err != nil {
		return err
	}
	*f = *g
	return nil
}
