package pipconf

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/credgen/credgen/generator/masking"
	"github.com/credgen/credgen/generator/urlcred"
)

// The two keys whose values are index URLs, as pip normalises them.
const (
	indexURLKey      = "index-url"
	extraIndexURLKey = "extra-index-url"
	globalSection    = "global"
)

// URLRef is one URL of an index-url or extra-index-url value.
type URLRef struct {
	Section string
	Key     string // "index-url" or "extra-index-url" however the file spells it (Index_URL, --index-url)
	Line    int    // 1-based
	URL     string
}

// IndexURLs lists every URL of every index-url and extra-index-url value, in
// any section, in file order.
func (f *File) IndexURLs() []URLRef {
	var refs []URLRef
	for _, o := range f.options {
		if !isURLKey(o) {
			continue
		}
		for _, t := range o.tokens {
			refs = append(refs, URLRef{Section: o.section, Key: o.name, Line: t.line + 1, URL: f.tokenText(t)})
		}
	}
	return refs
}

// MapURLs replaces each index URL by fn(raw); only that URL's bytes change.
// With an idempotent fn (urlcred.With) doing it twice changes nothing. A
// replacement that could not stand as one word of a value (empty, holding
// whitespace, starting with # or ;) is ignored, so no edit can inject lines.
func (f *File) MapURLs(fn func(raw string) string) {
	f.mapTokens(isURLKey, fn)
}

// Masked is the file as a dry run may show it: every value credgen does not
// know to be harmless reads ****. That is the credentials of every URL in
// any value (pip's proxy form user:password@host too), every word of the
// value of a key whose name looks secret (password, token, secret...), and
// in comments and section names the secrets masking.Text finds there
// (commented-out URLs with credentials, "token: ..."). Comments stay
// comments and the file still parses.
func (f *File) Masked() []byte {
	c := f.clone()
	c.mapTokens(func(o *option) bool { return masking.SecretName(o.key) }, func(string) string { return masking.Mask })
	c.mapTokens(func(*option) bool { return true }, masking.URL)
	c.maskCommentsAndHeaders()
	return c.Bytes()
}

// maskCommentsAndHeaders masks the text of comment lines (after their # or
// ;) and of section names. A section name that masks to one already seen
// gets a number, so that the result still parses.
func (f *File) maskCommentsAndHeaders() {
	headers := map[int]bool{}
	for _, s := range f.sections {
		headers[s.header] = true
	}
	seen := map[string]bool{}
	for i := range f.lines {
		text := f.lines[i].text
		stripped := strings.TrimFunc(text, isSpace)
		lead := len(text) - len(strings.TrimLeftFunc(text, isSpace))
		switch {
		case strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";"):
			f.lines[i].text = text[:lead+1] + masking.Text(text[lead+1:])
		case headers[i]:
			name, _ := headerName(stripped)
			masked := masking.Text(name)
			for n := 2; seen[masked] && name != defaultSection; n++ {
				masked = fmt.Sprintf("%s-%d", masking.Text(name), n)
			}
			seen[masked] = true
			end := lead + strings.LastIndexByte(stripped, ']')
			f.lines[i].text = text[:lead+1] + masked + text[end:]
		}
	}
	f.reparse()
}

// SetIndexURL makes [global] index-url exactly raw: a different value is
// replaced (one URL on the key line by swapping just its bytes), a missing
// key or section is created. raw must be a single word; anything else is
// ignored.
func (f *File) SetIndexURL(raw string) {
	if !validToken(raw) {
		return
	}
	opts := f.globalOptions(indexURLKey)
	if len(opts) == 0 {
		f.addGlobalKey(indexURLKey, raw)
		return
	}
	var e edits
	for _, o := range opts {
		if o.value != raw {
			f.replaceValue(&e, o, raw)
		}
	}
	f.apply(e)
}

// AddExtraIndexURL adds raw to [global] extra-index-url unless an index-url
// or extra-index-url anywhere in the file already names the same index
// (urlcred.Key). A value on continuation lines gets one more, indented like
// the others; a single-line value gets its first continuation line.
func (f *File) AddExtraIndexURL(raw string) {
	if !validToken(raw) || f.hasIndex(raw) {
		return
	}
	opts := f.globalOptions(extraIndexURLKey)
	if len(opts) == 0 {
		f.addGlobalKey(extraIndexURLKey, raw)
		return
	}
	o := opts[len(opts)-1] // pip lets the last spelling win
	if len(o.tokens) == 0 {
		var e edits
		e.splice(o.line, o.delim+1, len(f.lines[o.line].text), f.delimSpace(o)+raw)
		f.apply(e)
		return
	}
	f.insertAfter(o.last, f.continuationIndent(o)+raw)
}

// RemoveURLs removes every index URL drop selects; a key left without a URL
// loses its key and continuation lines (comments and blank lines among them
// stay).
func (f *File) RemoveURLs(drop func(raw string) bool) {
	var e edits
	for _, o := range f.options {
		if isURLKey(o) {
			f.removeTokens(&e, o, drop)
		}
	}
	f.apply(e)
}

func (f *File) removeTokens(e *edits, o *option, drop func(string) bool) {
	dropped := map[token]bool{}
	for _, t := range o.tokens {
		if drop(f.tokenText(t)) {
			dropped[t] = true
		}
	}
	switch {
	case len(dropped) == 0:
		return
	case len(dropped) == len(o.tokens):
		e.remove(o.line)
		e.remove(o.conts...)
		return
	}
	for _, line := range append([]int{o.line}, o.conts...) {
		f.removeLineTokens(e, o, line, dropped)
	}
}

// removeLineTokens drops the selected words of one line of o's value along
// with the whitespace that separated them from a kept word.
func (f *File) removeLineTokens(e *edits, o *option, line int, dropped map[token]bool) {
	var toks, kept []token
	for _, t := range o.tokens {
		if t.line == line {
			toks = append(toks, t)
			if !dropped[t] {
				kept = append(kept, t)
			}
		}
	}
	switch {
	case len(kept) == len(toks):
		return
	case len(kept) == 0 && line == o.line:
		e.splice(line, o.delim+1, toks[len(toks)-1].end, "")
		return
	case len(kept) == 0:
		e.remove(line)
		return
	}
	text := f.lines[line].text
	var b strings.Builder
	for i, t := range toks {
		if dropped[t] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(text[toks[i-1].end:t.start]) // the space in front of it
		}
		b.WriteString(text[t.start:t.end])
	}
	e.splice(line, toks[0].start, toks[len(toks)-1].end, b.String())
}

// replaceValue makes o's value raw. A lone URL on the key line has just its
// bytes swapped; otherwise the key line's value becomes raw and the
// continuation lines go.
func (f *File) replaceValue(e *edits, o *option, raw string) {
	if len(o.tokens) == 1 && o.tokens[0].line == o.line {
		t := o.tokens[0]
		e.splice(t.line, t.start, t.end, raw)
		return
	}
	e.splice(o.line, o.delim+1, len(f.lines[o.line].text), f.delimSpace(o)+raw)
	e.remove(o.conts...)
}

// addGlobalKey adds "name = raw" after the last value line of [global], or a
// new [global] section at the end of the file.
func (f *File) addGlobalKey(name, raw string) {
	g := f.section(globalSection)
	if g == nil {
		f.appendGlobal(name + " = " + raw)
		return
	}
	indent, sep := f.nextContentIndent(g.last), " = "
	if last := f.lastOption(g.name); last != nil {
		indent = leadingSpace(f.lines[last.line].text)
		sep = f.keySeparator(last)
	}
	f.insertAfter(g.last, indent+name+sep+raw)
}

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

// appendGlobal ends the file with a [global] section holding keyLine, after a
// blank line (and a final newline the file may have lacked).
func (f *File) appendGlobal(keyLine string) {
	eol := f.eol()
	if n := len(f.lines); n > 0 {
		f.lines[n-1].eol = eol
		if strings.TrimFunc(f.lines[n-1].text, isSpace) != "" {
			f.lines = append(f.lines, rawLine{eol: eol})
		}
	}
	f.lines = append(f.lines, rawLine{"[" + globalSection + "]", eol}, rawLine{keyLine, eol})
	f.reparse()
}

// insertAfter puts a new line, ended the file's way, after line i; a file
// without a final newline keeps lacking one.
func (f *File) insertAfter(i int, text string) {
	eol := f.eol()
	if f.lines[i].eol == "" {
		f.lines[i].eol, eol = eol, ""
	}
	f.lines = slices.Insert(f.lines, i+1, rawLine{text, eol})
	f.reparse()
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

// continuationIndent is the indentation of o's last continuation line, or the
// key line's indentation plus four spaces when it has none (configparser
// only needs it to be deeper than the key line).
func (f *File) continuationIndent(o *option) string {
	if n := len(o.conts); n > 0 {
		return leadingSpace(f.lines[o.conts[n-1]].text)
	}
	return leadingSpace(f.lines[o.line].text) + "    "
}

func (f *File) hasIndex(raw string) bool {
	key := urlcred.Key(raw)
	for _, u := range f.IndexURLs() {
		if urlcred.Key(u.URL) == key {
			return true
		}
	}
	return false
}

func (f *File) section(name string) *section {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (f *File) globalOptions(name string) []*option {
	var opts []*option
	for _, o := range f.options {
		if o.section == globalSection && o.name == name {
			opts = append(opts, o)
		}
	}
	return opts
}

func (f *File) lastOption(sectionName string) *option {
	var last *option
	for _, o := range f.options {
		if o.section == sectionName {
			last = o
		}
	}
	return last
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

func (f *File) mapTokens(match func(*option) bool, fn func(string) string) {
	var e edits
	for _, o := range f.options {
		if !match(o) {
			continue
		}
		for _, t := range o.tokens {
			raw := f.tokenText(t)
			if repl := fn(raw); repl != raw && validToken(repl) {
				e.splice(t.line, t.start, t.end, repl)
			}
		}
	}
	f.apply(e)
}

func (f *File) clone() *File {
	c, err := Parse(f.Bytes())
	if err != nil {
		panic("pipconf: a parsed file no longer parses: " + err.Error())
	}
	return c
}

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

func (f *File) apply(e edits) {
	if len(e.splices) == 0 && len(e.removed) == 0 {
		return
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
	f.reparse()
}

// reparse rebuilds the model from the edited lines. Edits only ever produce
// what the parser accepts (the fuzz target checks it), so a failure here is a
// bug in this package.
func (f *File) reparse() {
	g, err := parseLines(f.lines)
	if err != nil {
		panic("pipconf: an edit produced a file pip cannot read: " + err.Error())
	}
	*f = *g
}

func isURLKey(o *option) bool { return o.name == indexURLKey || o.name == extraIndexURLKey }

// validToken reports whether s can be written as one word of a value
// without changing how the lines around it parse.
func validToken(s string) bool {
	if s == "" || !utf8.ValidString(s) || strings.ContainsFunc(s, isSpace) {
		return false
	}
	return s[0] != '#' && s[0] != ';'
}
