package uvtoml

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/credgen/credgen/generator/masking"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/pelletier/go-toml/v2/unstable"
)

// splice replaces data[start:end] by text; start == end inserts.
type splice struct {
	start, end int
	text       string
}

// apply makes the splices (which must not overlap) and re-reads the result.
// An edit that yields a document Parse rejects is a bug in this package, not
// in the user's file, so it panics rather than write a broken uv.toml.
func (f *File) apply(edits []splice) {
	if len(edits) == 0 {
		return
	}
	g, err := Parse(spliced(f.data, edits))
	if err != nil {
		panic(fmt.Sprintf("uvtoml: an edit broke the document (%v); this is a bug", err))
	}
	*f = *g
}

// spliced is data with the splices made, in one pass over it (so that many
// edits cost no more than one). Splices at one offset go in the reverse of
// their order in edits; an insert goes after a replacement ending where it
// stands.
func spliced(data []byte, edits []splice) []byte {
	order := make([]int, len(edits))
	grow := 0
	for i, e := range edits {
		order[i] = i
		grow += len(e.text) - (e.end - e.start)
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(edits[a].start-edits[b].start, b-a)
	})
	out := make([]byte, 0, len(data)+max(grow, 0))
	at := 0
	for _, i := range order {
		e := edits[i]
		if e.start < at {
			panic(fmt.Sprintf("uvtoml: overlapping edits at %d; this is a bug", e.start))
		}
		out = append(append(out, data[at:e.start]...), e.text...)
		at = e.end
	}
	return append(out, data[at:]...)
}

// UpsertIndex makes the file carry the index at url (compared by
// urlcred.Key) and returns the name it goes by. An existing index gets url as
// its url, keeps its name (or is given name) and, when def, becomes the one
// default; a new one is appended as an [[index]] table (or to `index = [...]`
// when the file uses that form). An empty name is not written.
func (f *File) UpsertIndex(name, url string, def bool) (effectiveName string) {
	name, url = validText(name), validText(url)
	matches := f.matching(url)
	var edits []splice
	effectiveName = name
	if len(matches) == 0 {
		edits = append(edits, f.appendIndex(name, url, def))
	}
	for i, m := range matches {
		e := f.entries[m]
		if i == 0 && e.name != nil {
			effectiveName = e.name.text
		}
		edits = append(edits, f.updateIndex(e, name, url, def && i == 0)...)
	}
	if def {
		edits = append(edits, f.clearOtherDefaults(matches)...)
	}
	f.apply(edits)
	return effectiveName
}

// matching lists the entries whose url names the same index as url.
func (f *File) matching(url string) []int {
	key := urlcred.Key(url)
	var out []int
	for i, e := range f.entries {
		if e.url != nil && urlcred.Key(e.url.text) == key {
			out = append(out, i)
		}
	}
	return out
}

func (f *File) updateIndex(e entry, name, url string, def bool) []splice {
	var edits []splice
	if e.url.text != url {
		edits = append(edits, f.replaceString(e.url, url))
	}
	if e.name == nil && name != "" {
		edits = append(edits, f.insertBeforeURL(e, "name = "+quoteBasic(name)))
	}
	switch {
	case !def:
	case e.def == nil:
		edits = append(edits, f.insertAfterURL(e, "default = true"))
	case e.def.text != "true":
		edits = append(edits, splice{e.def.start, e.def.end, "true"})
	}
	return edits
}

// clearOtherDefaults sets default = false on every index but the first
// match (uv takes one default index).
func (f *File) clearOtherDefaults(matches []int) []splice {
	var edits []splice
	for i, e := range f.entries {
		if len(matches) > 0 && i == matches[0] {
			continue
		}
		if e.def != nil && e.def.text == "true" {
			edits = append(edits, splice{e.def.start, e.def.end, "false"})
		}
	}
	return edits
}

// replaceString swaps a string value for s, keeping its quoting style.
func (f *File) replaceString(v *scalar, s string) splice {
	return splice{v.start, v.end, quoteLike(f.data[v.start:v.end], s)}
}

// insertBeforeURL adds a key-value in front of the url one: a line of its
// own (indented like url) in a table, an element in an inline table.
func (f *File) insertBeforeURL(e entry, kv string) splice {
	at := e.urlKeyLine.start
	if e.inline {
		return splice{at, at, kv + ", "}
	}
	return splice{at, at, e.indent + kv + f.eol}
}

// insertAfterURL adds a key-value after the url one, as insertBeforeURL.
func (f *File) insertAfterURL(e entry, kv string) splice {
	at := e.urlKeyLine.end
	switch {
	case e.inline:
		return splice{at, at, ", " + kv}
	case at == len(f.data) && !endsWithNewline(f.data):
		return splice{at, at, f.eol + e.indent + kv}
	}
	return splice{at, at, e.indent + kv + f.eol}
}

func endsWithNewline(data []byte) bool { return len(data) > 0 && data[len(data)-1] == '\n' }

// appendIndex adds a new index after the last one: an [[index]] table at the
// end of the file, separated by one blank line, or an element at the end of
// `index = [...]`.
func (f *File) appendIndex(name, url string, def bool) splice {
	if f.array != nil {
		return f.appendInline(name, url, def)
	}
	var prefix string
	if len(f.data) > 0 {
		if !endsWithNewline(f.data) {
			prefix = f.eol
		}
		prefix += f.eol
	}
	table := "[[index]]" + f.eol
	if name != "" {
		table += "name = " + quoteBasic(name) + f.eol
	}
	table += "url = " + quoteBasic(url) + f.eol
	if def {
		table += "default = true" + f.eol
	}
	return splice{len(f.data), len(f.data), prefix + table}
}

func (f *File) appendInline(name, url string, def bool) splice {
	tbl := "{ "
	if name != "" {
		tbl += "name = " + quoteBasic(name) + ", "
	}
	tbl += "url = " + quoteBasic(url)
	if def {
		tbl += ", default = true"
	}
	tbl += " }"
	if n := len(f.entries); n > 0 {
		at := f.entries[n-1].end
		return splice{at, at, ", " + tbl}
	}
	at := f.array.open + 1
	return splice{at, at, tbl}
}

// MapURLs replaces every index url by fn(url); values fn leaves alone keep
// their bytes.
func (f *File) MapURLs(fn func(raw string) string) {
	var edits []splice
	for _, e := range f.entries {
		if e.url == nil {
			continue
		}
		if u := validText(fn(e.url.text)); u != e.url.text {
			edits = append(edits, f.replaceString(e.url, u))
		}
	}
	f.apply(edits)
}

// RemoveIndex deletes every index whose url names the same index as url,
// and reports whether there was one.
func (f *File) RemoveIndex(url string) bool {
	url = validText(url)
	n := len(f.matching(url))
	// One at a time: removing one can change the blank lines around the next.
	for range n {
		f.apply([]splice{f.removal(f.matching(url)[0])})
	}
	return n > 0
}

func (f *File) removal(i int) splice {
	if f.entries[i].inline {
		return f.inlineRemoval(i)
	}
	return f.tableRemoval(f.entries[i])
}

// tableRemoval deletes the table's lines and one blank line that separated
// it: the one before it, else the one after.
func (f *File) tableRemoval(e entry) splice {
	start, end := e.start, e.end
	if start > 0 {
		if prev := lineStart(f.data, start-1); isBlank(f.data, prev, start) {
			return splice{prev, end, ""}
		}
	}
	if next := lineEnd(f.data, end); end < len(f.data) && isBlank(f.data, end, next) {
		end = next
	}
	return splice{start, end, ""}
}

// inlineRemoval deletes one element of `index = [...]` with the separator
// that went with it: its whole lines when it sits on lines of its own, else
// the ", " before it (what appendInline adds), else the ", " after it.
func (f *File) inlineRemoval(i int) splice {
	e := f.entries[i]
	after := skipSpaceAndComments(f.data, e.end)
	hasComma := after < len(f.data) && f.data[after] == ','
	if f.aloneOnLines(e, hasComma, after) {
		end := e.end
		if hasComma {
			end = after + 1
		}
		return splice{lineStart(f.data, e.start), lineEnd(f.data, end), ""}
	}
	if i > 0 && f.entries[i-1].inline {
		return splice{f.entries[i-1].end, e.end, ""}
	}
	if hasComma {
		end := after + 1
		for end < len(f.data) && (f.data[end] == ' ' || f.data[end] == '\t') {
			end++
		}
		return splice{e.start, end, ""}
	}
	return splice{e.start, e.end, ""}
}

// aloneOnLines says whether only indentation precedes the element on its
// first line and only its comma, spaces and a comment follow it on its last.
func (f *File) aloneOnLines(e entry, hasComma bool, comma int) bool {
	ls := lineStart(f.data, e.start)
	if !isBlankOrEmpty(f.data[ls:e.start]) {
		return false
	}
	rest := e.end
	if hasComma {
		if lineAt(f.data, comma) != lineAt(f.data, e.end) {
			return false // the comma's line may hold the next element
		}
		rest = comma + 1
	}
	tail := f.data[rest:lineEnd(f.data, rest)]
	for len(tail) > 0 && (tail[0] == ' ' || tail[0] == '\t') {
		tail = tail[1:]
	}
	return len(tail) == 0 || tail[0] == '#' || tail[0] == '\n' || tail[0] == '\r'
}

func isBlankOrEmpty(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// Masked is the document as a dry run may show it: every value credgen does
// not know to be harmless reads ****. That is the credentials of every URL
// string (index urls and any other; a scheme-less user:password@host too),
// every value but a boolean under a key whose name, or any table or key
// above it, looks secret (password, token, secret...), and the secrets
// masking.Text finds in comments (commented-out URLs with credentials,
// "token: ..."). The result is still TOML.
func (f *File) Masked() []byte {
	g := &File{data: f.Bytes(), eol: f.eol}
	var edits []splice
	for _, v := range maskableValues(g.data) {
		switch {
		case v.secret && v.isString:
			edits = append(edits, g.replaceString(&v.scalar, masking.Mask))
		case v.secret:
			edits = append(edits, splice{v.start, v.end, quoteBasic(masking.Mask)})
		default:
			if m := masking.URL(v.text); m != v.text {
				edits = append(edits, g.replaceString(&v.scalar, m))
			}
		}
	}
	g.apply(append(edits, commentMasks(g.data)...))
	return g.data
}

// maskable is a scalar value Masked may hide: a string, or (under a
// secret-looking key) any scalar but a boolean.
type maskable struct {
	scalar
	isString, secret bool
}

// maskableValues lists the scalar values of data (which Parse accepted),
// inside arrays and inline tables too, each marked secret when a key on its
// path looks secret.
func maskableValues(data []byte) []maskable {
	var p unstable.Parser
	p.Reset(data)
	var out []maskable
	tableSecret := false
	for p.NextExpression() {
		switch e := p.Expression(); e.Kind {
		case unstable.Table, unstable.ArrayTable:
			tableSecret = secretKey(e.Key())
		case unstable.KeyValue:
			out = appendMaskable(out, e.Value(), tableSecret || secretKey(e.Key()))
		}
	}
	return out
}

func secretKey(it unstable.Iterator) bool {
	for it.Next() {
		if masking.SecretName(string(it.Node().Data)) {
			return true
		}
	}
	return false
}

func appendMaskable(out []maskable, v *unstable.Node, secret bool) []maskable {
	raw := scalar{start: int(v.Raw.Offset), end: int(v.Raw.Offset + v.Raw.Length), text: string(v.Data)}
	switch v.Kind {
	case unstable.String:
		return append(out, maskable{scalar: raw, isString: true, secret: secret})
	case unstable.Array:
		it := v.Children()
		for it.Next() {
			out = appendMaskable(out, it.Node(), secret)
		}
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			out = appendMaskable(out, kv.Value(), secret || secretKey(kv.Key()))
		}
	case unstable.Bool:
	default:
		if secret {
			return append(out, maskable{scalar: raw, secret: true})
		}
	}
	return out
}

// commentMasks masks the text of every comment (after its '#'). Outside
// strings, a '#' in TOML always starts a comment.
func commentMasks(data []byte) []splice {
	var edits []splice
	for i := 0; i < len(data); {
		switch data[i] {
		case '"', '\'':
			i = skipString(data, i)
		case '#':
			end := lineEnd(data, i)
			if text := string(data[i+1 : end]); masking.Text(text) != text {
				edits = append(edits, splice{i + 1, end, masking.Text(text)})
			}
			i = end
		default:
			i++
		}
	}
	return edits
}
