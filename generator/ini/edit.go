package ini

import (
	"slices"
	"strings"
)

// Edits collects byte replacements and line removals so that one pass
// (File.Apply) makes them all, before any line moves.
type Edits struct {
	splices map[int][]splice
	removed map[int]bool
}

type splice struct {
	start, end int
	with       string
}

// Splice replaces Text[start:end] of line with with.
func (e *Edits) Splice(line, start, end int, with string) {
	if e.splices == nil {
		e.splices = map[int][]splice{}
	}
	e.splices[line] = append(e.splices[line], splice{start, end, with})
}

// Remove drops whole lines.
func (e *Edits) Remove(lines ...int) {
	if e.removed == nil {
		e.removed = map[int]bool{}
	}
	for _, l := range lines {
		e.removed[l] = true
	}
}

// Apply makes every edit in e and parses the result again; on a
// *ParseError the file holds the edited lines but a stale model, so the
// caller must drop it (or treat the error as its own bug).
func (f *File) Apply(e Edits) error {
	if len(e.splices) == 0 && len(e.removed) == 0 {
		return nil
	}
	for line, ss := range e.splices {
		// Right to left, so earlier offsets stay valid.
		slices.SortFunc(ss, func(a, b splice) int { return b.start - a.start })
		text := f.Lines[line].Text
		for _, s := range ss {
			text = text[:s.start] + s.with + text[s.end:]
		}
		f.Lines[line].Text = text
	}
	kept := f.Lines[:0]
	for i, l := range f.Lines {
		if !e.removed[i] {
			kept = append(kept, l)
		}
	}
	f.Lines = kept
	return f.reparse()
}

// reparse rebuilds the model from the edited lines.
func (f *File) reparse() error {
	g, err := parseLines(f.Lines, f.reader)
	if err != nil {
		return err
	}
	*f = *g
	return nil
}

// Clone is an independent copy of f.
func (f *File) Clone() *File {
	c, err := Parse(f.Bytes(), f.reader)
	if err != nil {
		panic("ini: a parsed file no longer parses: " + err.Error())
	}
	return c
}

// AppendLines ends the file with lines, after a blank line (and a final
// newline the file may have lacked).
func (f *File) AppendLines(lines ...string) error {
	eol := f.EOL()
	if n := len(f.Lines); n > 0 {
		f.Lines[n-1].EOL = eol
		if !f.IsBlank(n - 1) {
			f.Lines = append(f.Lines, Line{EOL: eol})
		}
	}
	for _, l := range lines {
		f.Lines = append(f.Lines, Line{l, eol})
	}
	return f.reparse()
}

// InsertAfter puts new lines, ended the file's way, after line i; a file
// without a final newline keeps lacking one.
func (f *File) InsertAfter(i int, texts ...string) error {
	added := f.newLines(texts)
	if f.Lines[i].EOL == "" {
		f.Lines[i].EOL, added[len(added)-1].EOL = f.EOL(), ""
	}
	f.Lines = slices.Insert(f.Lines, i+1, added...)
	return f.reparse()
}

// InsertBefore puts new lines, ended the file's way, before line i.
func (f *File) InsertBefore(i int, texts ...string) error {
	f.Lines = slices.Insert(f.Lines, i, f.newLines(texts)...)
	return f.reparse()
}

func (f *File) newLines(texts []string) []Line {
	eol := f.EOL()
	lines := make([]Line, len(texts))
	for j, t := range texts {
		lines[j] = Line{t, eol}
	}
	return lines
}

// AddKey puts "key = value" after the last value line of s. The line is
// indented like the section's last key line and separates key and value as
// that line does (" = ", "=", ": "): a shallower or equal indent keeps it
// from reading as a continuation, a deeper one would. After a bare header
// (or in DEFAULT, whose last key may stand under another of its headers) it
// is indented as deep as the next content line, so that line does not turn
// into its continuation.
func (f *File) AddKey(s *Section, key, value string) error {
	last := f.LastOption(s.Name)
	if last == nil || s.Name == DefaultSection {
		return f.InsertAfter(s.Last, f.NextContentIndent(s.Last)+key+" = "+value)
	}
	return f.InsertAfter(s.Last, LeadingSpace(f.Lines[last.Line].Text)+key+f.KeySeparator(last)+value)
}

// SetKeyLineValue makes the value on o's key line value, keeping the key,
// its delimiter and the space after it; continuation lines are left to the
// caller.
func (f *File) SetKeyLineValue(e *Edits, o *Option, value string) {
	e.Splice(o.Line, o.Delim+1, len(f.Lines[o.Line].Text), f.DelimSpace(o)+value)
}

// RemoveLineTokens drops the words of one line of o's value that drop
// selects, along with the whitespace that separated them from a kept word.
// The key line keeps its key when every word goes; a continuation line
// left without words goes.
func (f *File) RemoveLineTokens(e *Edits, o *Option, line int, drop func(Token) bool) {
	var toks, kept []Token
	for _, t := range o.Tokens {
		if t.Line != line {
			continue
		}
		toks = append(toks, t)
		if !drop(t) {
			kept = append(kept, t)
		}
	}
	switch {
	case len(kept) == len(toks):
		return
	case len(kept) == 0 && line == o.Line:
		e.Splice(line, o.Delim+1, toks[len(toks)-1].End, "")
		return
	case len(kept) == 0:
		e.Remove(line)
		return
	}
	text := f.Lines[line].Text
	var b strings.Builder
	for i, t := range toks {
		if drop(t) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(text[toks[i-1].End:t.Start]) // the space in front of it
		}
		b.WriteString(text[t.Start:t.End])
	}
	e.Splice(line, toks[0].Start, toks[len(toks)-1].End, b.String())
}

// NextContentIndent is the indentation of the first line after line i that
// is neither blank nor a comment. A key put after a bare section header must
// be indented at least that deep: configparser reads a line indented deeper
// than the key before it as that key's continuation, even a " [section]".
func (f *File) NextContentIndent(i int) string {
	for _, l := range f.Lines[i+1:] {
		s := strings.TrimFunc(l.Text, IsSpace)
		if s != "" && !IsComment(s) {
			return LeadingSpace(l.Text)
		}
	}
	return ""
}

// IsBlank reports whether line i holds only whitespace.
func (f *File) IsBlank(i int) bool {
	return strings.TrimFunc(f.Lines[i].Text, IsSpace) == ""
}

// KeySeparator copies how o's key line separates key and value (" = ",
// "=", ": ", ...), so a new key looks like its neighbours.
func (f *File) KeySeparator(o *Option) string {
	text := f.Lines[o.Line].Text
	keyEnd := len(LeadingSpace(text)) + len(o.Key)
	return text[keyEnd:o.Delim+1] + f.DelimSpace(o)
}

// DelimSpace is the whitespace to put between o's delimiter and a value:
// what is there now, else what stands before the delimiter.
func (f *File) DelimSpace(o *Option) string {
	text := f.Lines[o.Line].Text
	if len(o.Tokens) > 0 && o.Tokens[0].Line == o.Line {
		return text[o.Delim+1 : o.Tokens[0].Start]
	}
	before := text[:o.Delim]
	return before[len(strings.TrimRightFunc(before, IsSpace)):]
}

// EOL is the file's line ending: that of its first line, "\n" when none.
func (f *File) EOL() string {
	for _, l := range f.Lines {
		if l.EOL != "" {
			return l.EOL
		}
	}
	return "\n"
}

// TokenText is the word t stands for.
func (f *File) TokenText(t Token) string { return f.Lines[t.Line].Text[t.Start:t.End] }

// Section is the first section called name, nil when there is none.
func (f *File) Section(name string) *Section {
	for _, s := range f.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// OwnOption is the option section sectionName itself sets (not through
// DEFAULT) under the lower-cased key name. Keys repeat neither within a
// section nor across repeated DEFAULT headers, so there is at most one.
func (f *File) OwnOption(sectionName, name string) *Option {
	for _, o := range f.Options {
		if o.Section == sectionName && o.Name == name {
			return o
		}
	}
	return nil
}

// LastOption is the last option of section sectionName in file order.
func (f *File) LastOption(sectionName string) *Option {
	var last *Option
	for _, o := range f.Options {
		if o.Section == sectionName {
			last = o
		}
	}
	return last
}
