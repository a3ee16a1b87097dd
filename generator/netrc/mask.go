package netrc

import (
	"bytes"
	"strings"
)

// Masked is the file as a dry run may show it: every value credgen does not
// know to be harmless reads ****. Keywords, machine names and logins stay
// readable; password and account values, words curl ignores inside an entry
// (an unknown keyword and its value), every word outside an entry (a file
// starting with a byte-order mark has its first entry there), the words of
// comments and every line of a macdef body are masked. Outside entries and
// in comments, a word reads as a keyword in any case and after a byte-order
// mark or '#', and the word after machine, login or user stays readable
// (after password or account it is masked even when it is a keyword).
func (f *File) Masked() []byte {
	rec, err := f.record()
	if err != nil {
		// Unreachable for a parsed file; mask every word rather than guess.
		return applyEdits(f.data, maskWords(f.data, span{0, len(f.data)}))
	}
	var edits []edit
	for _, e := range f.entries {
		for _, fl := range e.fields {
			// An empty value ("") shows: it hides nothing.
			if (fl.key == "password" || fl.key == "account") && fl.value.text+fl.value.curl != "" {
				edits = append(edits, edit{fl.value.span, masked})
			}
		}
		for _, o := range e.others {
			edits = append(edits, edit{o.span, masked})
		}
	}
	for _, w := range rec.stray {
		if !w.keep {
			edits = append(edits, edit{w.span, masked})
		}
	}
	for _, c := range rec.comments {
		edits = append(edits, maskComment(f.data, c)...)
	}
	for _, m := range rec.macdefs {
		edits = append(edits, maskWords(f.data, m.rest)...)
		edits = append(edits, maskLines(f.data, m.body)...)
	}
	return applyEdits(f.data, edits)
}

const masked = "****"

// maskRecord is what a parse records for Masked beyond the entries.
type maskRecord struct {
	comments []span
	macdefs  []macdefSpans
	stray    []strayWord
	// the last stray word: its parser step and its keyword ("" for none)
	lastStep    int
	lastKeyword string
}

// macdefSpans are the rest of a macdef line after its name, and its body.
type macdefSpans struct{ rest, body span }

// strayWord is a word outside any entry, which curl ignores.
type strayWord struct {
	span
	keep bool
}

// record parses f's bytes again, recording comments, macdefs and stray
// words.
func (f *File) record() (*maskRecord, error) {
	p := newParser(f.data, string(f.data))
	p.rec = &maskRecord{}
	p.s.comments = &p.rec.comments
	return p.rec, p.read()
}

// stray records a word outside any entry, deciding whether it may show.
func (p *parser) stray(tok token) {
	r := p.rec
	if r == nil {
		return
	}
	prev := ""
	if r.lastStep == p.step-1 {
		prev = r.lastKeyword
	}
	keep, kw := showWord(prev, tok.curl)
	r.stray = append(r.stray, strayWord{span: tok.span, keep: keep})
	r.lastStep, r.lastKeyword = p.step, kw
}

// showWord decides whether word, after a word that was the keyword prev
// (or "" when it was none), may show, and which keyword it counts as for
// the next word.
func showWord(prev, word string) (keep bool, kw string) {
	switch prev {
	case "password", "account":
		return false, "" // a secret, whatever it looks like
	case "machine", "login", "user":
		return true, ""
	}
	kw = lowerKeyword(strings.TrimPrefix(word, "\ufeff"))
	return kw != "", kw
}

// maskComment masks the words of the comment at c, keeping its leading
// '#'s and the words showWord lets show.
func maskComment(data []byte, c span) []edit {
	from := c.start
	for from < c.end && data[from] == '#' {
		from++
	}
	var edits []edit
	prev := ""
	for _, w := range wordSpans(data, span{from, c.end}) {
		keep, kw := showWord(prev, string(data[w.start:w.end]))
		if !keep {
			edits = append(edits, edit{w, masked})
		}
		prev = kw
	}
	return edits
}

// maskWords masks every word in s.
func maskWords(data []byte, s span) []edit {
	var edits []edit
	for _, w := range wordSpans(data, s) {
		edits = append(edits, edit{w, masked})
	}
	return edits
}

// wordSpans are the runs of non-whitespace bytes in s.
func wordSpans(data []byte, s span) []span {
	var words []span
	start := -1
	for i := s.start; i < s.end; i++ {
		switch {
		case isSpace(data[i]) && start >= 0:
			words = append(words, span{start, i})
			start = -1
		case !isSpace(data[i]) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		words = append(words, span{start, s.end})
	}
	return words
}

// maskLines replaces what each line of a macdef body holds, from its first
// non-blank byte to its end (before CR), with ****; a line of blanks, which
// keeps its meaning to curl, stays.
func maskLines(data []byte, body span) []edit {
	var edits []edit
	for ls := body.start; ls < body.end; {
		le := ls + bytes.IndexByte(data[ls:body.end], '\n')
		next := le + 1
		if le < ls {
			le, next = body.end, body.end
		}
		end := le
		if end > ls && data[end-1] == '\r' {
			end--
		}
		start := ls
		for start < end && isBlank(data[start]) {
			start++
		}
		if start < end {
			edits = append(edits, edit{span{start, end}, masked})
		}
		ls = next
	}
	return edits
}
