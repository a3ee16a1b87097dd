// Package uvtoml edits the [[index]] tables of a uv.toml in place.
//
// The document is never re-encoded: go-toml's unstable parser gives the byte
// ranges of tables, keys and values, and every edit splices new bytes into
// those ranges, so comments, blank lines, key order, quoting and line endings
// the user wrote stay byte-for-byte.
package uvtoml

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// ParseError is a uv.toml that cannot be edited safely: not TOML, or an
// `index` that is not an array of tables. Msg never quotes a value.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Index is one entry of the `index` array as the file has it.
type Index struct {
	Name, URL string
	Default   bool
	Line      int // 1-based line of its [[index]] header or of its inline '{'
}

// File is a parsed uv.toml. Its edits keep every byte they do not own.
type File struct {
	data    []byte
	eol     string
	entries []entry
	array   *inlineArray // set when the file writes `index = [ {...}, ... ]`
}

// entry is one index, either an [[index]] table (with any [index.x]
// sub-tables right after it) or an inline table inside `index = [...]`.
type entry struct {
	inline     bool
	line       int
	start, end int // table: header line start to the end of its last line; inline: '{' to after '}'
	name, url  *scalar
	def        *scalar
	urlKeyLine span // table: the url key-value's whole lines; inline: the key-value itself
	indent     string
}

// scalar is a string or boolean value: its raw bytes [start,end) and what it
// decodes to.
type scalar struct {
	start, end int
	text       string
}

type span struct{ start, end int }

// inlineArray is `index = [ ... ]`: where it opens, so that a first element
// can be added to an empty one.
type inlineArray struct {
	open int // offset of its '['
}

// Parse reads a uv.toml. Anything go-toml rejects, and an `index` key that is
// not an array of tables, is a *ParseError naming the line.
func Parse(data []byte) (*File, error) {
	data = bytes.Clone(data) // the caller's slice stays theirs
	if err := checkDecodes(data); err != nil {
		return nil, err
	}
	w := walker{data: data}
	if err := w.walk(); err != nil {
		return nil, err
	}
	return &File{data: data, eol: lineEnding(data), entries: w.entries, array: w.array}, nil
}

// checkDecodes runs go-toml's full decoder, which (unlike the unstable
// parser) also rejects duplicate keys and tables redefined.
func checkDecodes(data []byte) error {
	var doc map[string]any
	err := toml.Unmarshal(data, &doc)
	if err == nil {
		return nil
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return &ParseError{Line: line, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	}
	return &ParseError{Line: 1, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// lineEnding is the file's own: that of its first line, "\n" when it has none.
func lineEnding(data []byte) string {
	i := bytes.IndexByte(data, '\n')
	if i > 0 && data[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// Indexes lists every index in document order.
func (f *File) Indexes() []Index {
	out := make([]Index, 0, len(f.entries))
	for _, e := range f.entries {
		ix := Index{Line: e.line}
		if e.name != nil {
			ix.Name = e.name.text
		}
		if e.url != nil {
			ix.URL = e.url.text
		}
		ix.Default = e.def != nil && e.def.text == "true"
		out = append(out, ix)
	}
	return out
}

// Bytes is the document as it stands.
func (f *File) Bytes() []byte { return bytes.Clone(f.data) }

// walker turns the unstable parser's expressions into entries.
type walker struct {
	data    []byte
	p       unstable.Parser
	entries []entry
	array   *inlineArray
	// where the expressions being read land
	section section
	// the last offset line was asked for and its line: the walk asks in
	// document order, so each newline is counted once
	lineOff, lineNo int
}

// line is the 1-based line holding offset off.
func (w *walker) line(off int) int {
	if off < w.lineOff || w.lineNo == 0 {
		w.lineOff, w.lineNo = 0, 1
	}
	w.lineNo += bytes.Count(w.data[w.lineOff:off], []byte{'\n'})
	w.lineOff = off
	return w.lineNo
}

type section int

const (
	inRoot section = iota
	inIndex
	inIndexSub
	inOther
)

func (w *walker) walk() error {
	w.p.Reset(w.data)
	for w.p.NextExpression() {
		if err := w.expression(w.p.Expression()); err != nil {
			return err
		}
	}
	if err := w.p.Error(); err != nil {
		return w.parserError(err)
	}
	return nil
}

func (w *walker) parserError(err error) error {
	var pe *unstable.ParserError
	if !errors.As(err, &pe) {
		return &ParseError{Line: 1, Msg: err.Error()}
	}
	off := cap(w.data) - cap(pe.Highlight)
	if off < 0 || off > len(w.data) {
		off = 0
	}
	return &ParseError{Line: w.line(off), Msg: pe.Message}
}

func (w *walker) expression(n *unstable.Node) error {
	switch n.Kind {
	case unstable.Table, unstable.ArrayTable:
		return w.header(n)
	case unstable.KeyValue:
		return w.keyValue(n)
	}
	return nil
}

// keyParts are the decoded parts of a (dotted) key and where it starts and ends.
type keyParts struct {
	parts      []string
	start, end int
}

func readKey(n *unstable.Node) keyParts {
	var k keyParts
	it := n.Key()
	for it.Next() {
		kn := it.Node()
		if len(k.parts) == 0 {
			k.start = int(kn.Raw.Offset)
		}
		k.parts = append(k.parts, string(kn.Data))
		k.end = int(kn.Raw.Offset + kn.Raw.Length)
	}
	return k
}

func (w *walker) header(n *unstable.Node) error {
	k := readKey(n)
	line := w.line(k.start)
	isIndex := k.parts[0] == "index"
	switch {
	case isIndex && len(k.parts) == 1 && n.Kind == unstable.ArrayTable:
		w.entries = append(w.entries, entry{
			line:  line,
			start: lineStart(w.data, k.start),
			end:   lineEnd(w.data, k.end),
		})
		w.section = inIndex
	case isIndex && len(k.parts) == 1:
		return &ParseError{Line: line, Msg: "index must be an array of tables ([[index]]), not a table"}
	case isIndex && isIndexField(k.parts[1]):
		return &ParseError{Line: line, Msg: fmt.Sprintf("index %s must not be a table", k.parts[1])}
	case isIndex && (w.section == inIndex || w.section == inIndexSub):
		// [index.x] right after its [[index]] belongs to that entry and
		// goes with it when it is removed.
		w.last().end = lineEnd(w.data, k.end)
		w.section = inIndexSub
	case isIndex:
		return &ParseError{Line: line, Msg: "a table under index must directly follow its [[index]] table"}
	default:
		w.section = inOther
	}
	return nil
}

func (w *walker) last() *entry { return &w.entries[len(w.entries)-1] }

func (w *walker) keyValue(n *unstable.Node) error {
	k := readKey(n)
	kvEnd := int(n.Raw.Offset + n.Raw.Length)
	switch w.section {
	case inRoot:
		if k.parts[0] == "index" {
			return w.inlineIndexes(n, k)
		}
	case inIndex:
		e := w.last()
		e.end = lineEnd(w.data, kvEnd)
		lines := span{lineStart(w.data, int(n.Raw.Offset)), lineEnd(w.data, kvEnd)}
		return w.field(e, n, k, lines)
	case inIndexSub:
		w.last().end = lineEnd(w.data, kvEnd)
	}
	return nil
}

// indexFieldKind tells the keys of an index this package reads and writes, and
// the kind of value each must have.
func indexFieldKind(key string) (unstable.Kind, bool) {
	switch key {
	case "name", "url":
		return unstable.String, true
	case "default":
		return unstable.Bool, true
	}
	return unstable.Invalid, false
}

func isIndexField(key string) bool {
	_, ok := indexFieldKind(key)
	return ok
}

// field records name, url and default of an index; other keys are the
// user's and are left alone.
func (w *walker) field(e *entry, n *unstable.Node, k keyParts, urlKeyLine span) error {
	line := w.line(k.start)
	want, known := indexFieldKind(k.parts[0])
	if !known {
		return nil
	}
	v := n.Value()
	if len(k.parts) > 1 || v.Kind != want {
		return &ParseError{Line: line, Msg: fmt.Sprintf("index %s must be a %s", k.parts[0], strings.ToLower(want.String()))}
	}
	s := &scalar{start: int(v.Raw.Offset), end: int(v.Raw.Offset + v.Raw.Length), text: string(v.Data)}
	switch k.parts[0] {
	case "name":
		e.name = s
	case "url":
		e.url = s
		e.urlKeyLine = urlKeyLine
		e.indent = string(w.data[urlKeyLine.start:k.start])
	case "default":
		e.def = s
	}
	return nil
}

// inlineIndexes reads `index = [ {...}, ... ]`.
func (w *walker) inlineIndexes(n *unstable.Node, k keyParts) error {
	line := w.line(k.start)
	arr := n.Value()
	if len(k.parts) > 1 || arr.Kind != unstable.Array {
		return &ParseError{Line: line, Msg: "index must be an array of tables"}
	}
	// Between the key and its value there is only " = ", no comment.
	w.array = &inlineArray{open: bytes.IndexByte(w.data[k.end:], '[') + k.end}
	it := arr.Children()
	for it.Next() {
		el := it.Node()
		if el.Kind != unstable.InlineTable {
			return &ParseError{Line: line, Msg: "index must be an array of tables"}
		}
		if err := w.inlineEntry(el); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) inlineEntry(tbl *unstable.Node) error {
	start := int(tbl.Raw.Offset)
	e := entry{inline: true, line: w.line(start), start: start, end: skipValue(w.data, start)}
	it := tbl.Children()
	for it.Next() {
		kv := it.Node()
		kvSpan := span{int(kv.Raw.Offset), int(kv.Raw.Offset + kv.Raw.Length)}
		if err := w.field(&e, kv, readKey(kv), kvSpan); err != nil {
			return err
		}
	}
	w.entries = append(w.entries, e)
	return nil
}
