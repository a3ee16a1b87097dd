package pipconf

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/credgen/credgen/generator/ini"
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
	for _, o := range f.doc.Options {
		if !isURLKey(o) {
			continue
		}
		for _, t := range o.Tokens {
			refs = append(refs, URLRef{Section: o.Section, Key: pipName(o.Key), Line: t.Line + 1, URL: f.doc.TokenText(t)})
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
	c := &File{f.doc.Clone()}
	c.mapTokens(func(o *ini.Option) bool { return masking.SecretName(o.Key) }, func(string) string { return masking.Mask })
	c.mapTokens(func(*ini.Option) bool { return true }, masking.URL)
	c.maskCommentsAndHeaders()
	return c.Bytes()
}

// maskCommentsAndHeaders masks the text of comment lines (after their # or
// ;) and of section names. A section name that masks to one already seen
// gets a number, so that the result still parses.
func (f *File) maskCommentsAndHeaders() {
	headers := map[int]bool{}
	for _, s := range f.doc.Sections {
		headers[s.Header] = true
	}
	seen := map[string]bool{}
	var e ini.Edits
	for i, l := range f.doc.Lines {
		text := l.Text
		stripped := strings.TrimFunc(text, ini.IsSpace)
		lead := len(ini.LeadingSpace(text))
		switch {
		case ini.IsComment(stripped):
			e.Splice(i, lead+1, len(text), masking.Text(text[lead+1:]))
		case headers[i]:
			name, _ := ini.HeaderName(stripped)
			masked := masking.Text(name)
			for n := 2; seen[masked] && name != ini.DefaultSection; n++ {
				masked = fmt.Sprintf("%s-%d", masking.Text(name), n)
			}
			seen[masked] = true
			end := lead + strings.LastIndexByte(stripped, ']')
			e.Splice(i, lead+1, end, masked)
		}
	}
	must(f.doc.Apply(e))
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
	var e ini.Edits
	for _, o := range opts {
		if o.Value != raw {
			f.replaceValue(&e, o, raw)
		}
	}
	must(f.doc.Apply(e))
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
	if len(o.Tokens) == 0 {
		var e ini.Edits
		f.doc.SetKeyLineValue(&e, o, raw)
		must(f.doc.Apply(e))
		return
	}
	must(f.doc.InsertAfter(o.Last, f.continuationIndent(o)+raw))
}

// RemoveURLs removes every index URL drop selects; a key left without a URL
// loses its key and continuation lines (comments and blank lines among them
// stay).
func (f *File) RemoveURLs(drop func(raw string) bool) {
	var e ini.Edits
	for _, o := range f.doc.Options {
		if isURLKey(o) {
			f.removeTokens(&e, o, drop)
		}
	}
	must(f.doc.Apply(e))
}

func (f *File) removeTokens(e *ini.Edits, o *ini.Option, drop func(string) bool) {
	dropped := map[ini.Token]bool{}
	for _, t := range o.Tokens {
		if drop(f.doc.TokenText(t)) {
			dropped[t] = true
		}
	}
	switch {
	case len(dropped) == 0:
		return
	case len(dropped) == len(o.Tokens):
		e.Remove(o.Line)
		e.Remove(o.Conts...)
		return
	}
	isDropped := func(t ini.Token) bool { return dropped[t] }
	for _, line := range append([]int{o.Line}, o.Conts...) {
		f.doc.RemoveLineTokens(e, o, line, isDropped)
	}
}

// replaceValue makes o's value raw. A lone URL on the key line has just its
// bytes swapped; otherwise the key line's value becomes raw and the
// continuation lines go.
func (f *File) replaceValue(e *ini.Edits, o *ini.Option, raw string) {
	if len(o.Tokens) == 1 && o.Tokens[0].Line == o.Line {
		t := o.Tokens[0]
		e.Splice(t.Line, t.Start, t.End, raw)
		return
	}
	f.doc.SetKeyLineValue(e, o, raw)
	e.Remove(o.Conts...)
}

// addGlobalKey adds "name = raw" to [global] (spelled and indented like its
// keys), or a new [global] section at the end of the file.
func (f *File) addGlobalKey(name, raw string) {
	g := f.doc.Section(globalSection)
	if g == nil {
		must(f.doc.AppendLines("["+globalSection+"]", name+" = "+raw))
		return
	}
	must(f.doc.AddKey(g, name, raw))
}

// continuationIndent is the indentation of o's last continuation line, or the
// key line's indentation plus four spaces when it has none (configparser
// only needs it to be deeper than the key line).
func (f *File) continuationIndent(o *ini.Option) string {
	if n := len(o.Conts); n > 0 {
		return ini.LeadingSpace(f.doc.Lines[o.Conts[n-1]].Text)
	}
	return ini.LeadingSpace(f.doc.Lines[o.Line].Text) + "    "
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

// globalOptions lists the [global] keys pip reads as name, in file order:
// one per spelling (index_url, Index-URL, --index-url, ...).
func (f *File) globalOptions(name string) []*ini.Option {
	var opts []*ini.Option
	for _, o := range f.doc.Options {
		if o.Section == globalSection && pipName(o.Key) == name {
			opts = append(opts, o)
		}
	}
	return opts
}

func (f *File) mapTokens(match func(*ini.Option) bool, fn func(string) string) {
	var e ini.Edits
	for _, o := range f.doc.Options {
		if !match(o) {
			continue
		}
		for _, t := range o.Tokens {
			raw := f.doc.TokenText(t)
			if repl := fn(raw); repl != raw && validToken(repl) {
				e.Splice(t.Line, t.Start, t.End, repl)
			}
		}
	}
	must(f.doc.Apply(e))
}

func isURLKey(o *ini.Option) bool {
	n := pipName(o.Key)
	return n == indexURLKey || n == extraIndexURLKey
}

// validToken reports whether s can be written as one word of a value
// without changing how the lines around it parse.
func validToken(s string) bool {
	if s == "" || !utf8.ValidString(s) || strings.ContainsFunc(s, ini.IsSpace) {
		return false
	}
	return s[0] != '#' && s[0] != ';'
}
