package netrc

import (
	"sort"
)

// This file is SetMachine's fast path for its most common edit: credgen's
// own entry already exists and only its token changes. SetMachine's general
// path parses the edited file again, both as curl and as Python read it, to
// confirm they agree; on a large file that doubled the cost of an edit. Here
// the result of that parse is derived from the parse of the input instead,
// for edits where it is provably the same, and any doubt falls back to the
// general path (which then decides, and words any error, as before).
//
// The edits taken here replace the value of a login or password keyword
// whose old value is a plain word (no quotes, no backslash, not a keyword,
// CheckToken's rules) with a new plain word (CheckToken's rules, not a
// keyword), in a file that Parse accepted with Python reading it. Both words
// are then runs of bytes without whitespace, quote, backslash or control
// character, not starting with '#', not empty, holding a non-space
// character, so:
//
//   - curl's reading (the scanner and parser): every word keeps its extent,
//     line and role; the value is read as before, now with the new text,
//     and none of the checks a value goes through looks at its text (login
//     and password values may be anything but a '#'-word);
//   - Python's reading: its lexer's control flow depends on the bytes only
//     through whitespace, quotes and backslashes (the same in both words),
//     through the words it compares (a word at a keyword position: the old
//     value, not being a keyword, would have made Python fail; a longer word
//     containing it also contains the whitespace before it), through the
//     lines readline returns (neither "" nor "\n" with either word in them)
//     and the emptiness of a line after a comment word (both words hold a
//     non-space character). So it reads the same words at the same places
//     and only the values it stores can change: the ones it took from the
//     replaced bytes. Those are known from where it took each kept value
//     (pyHost.from) and each machine name (pyFile.names); a name or a word
//     longer than the old value covering it falls back;
//   - the two readers still agree: names whose values changed on neither
//     side are as before (they agreed: the file was checked), and the names
//     of the entries for host are compared here value by value.
//
// FuzzEdit checks that the File this path builds is the one Parse builds
// from the same bytes.

// valueSwap is an edit that replaces the value of field fi of entry ei.
type valueSwap struct {
	ei, fi int
	edit
}

// swapValuesInPlace applies edits (SetMachine's, for host) when all of them
// are plain value swaps it can vouch for, and reports whether it did. When it
// reports false f is unchanged.
func (f *File) swapValuesInPlace(host, login, password string, edits []edit) bool {
	if !f.checked || !f.pyOK || f.needsNewEntry(host) || !isPlainNonKeyword(login) || !isPlainNonKeyword(password) {
		return false
	}
	swaps, ok := f.plainSwaps(host, edits)
	if !ok {
		return false
	}
	pyNew, ok := f.pythonAfterSwaps(swaps)
	if !ok || !f.agreeAfterSwaps(host, login, password, pyNew) {
		return false
	}
	f.applySwaps(swaps, pyNew)
	return true
}

// isPlainNonKeyword reports whether w is a plain word that neither reader
// takes for a keyword.
func isPlainNonKeyword(w string) bool {
	return CheckToken(w) == nil && lowerKeyword(w) == ""
}

// plainSwaps matches every edit to the login or password value it replaces
// in an entry for host; ok is false when an edit is anything else (an
// insertion, a user value) or the old value is not a plain word.
func (f *File) plainSwaps(host string, edits []edit) (swaps []valueSwap, ok bool) {
	for ei := range f.entries {
		e := &f.entries[ei]
		if !e.isFor(host) {
			continue
		}
		for fi, fl := range e.fields {
			for _, ed := range edits {
				if ed.span != fl.value.span {
					continue
				}
				v := fl.value
				if fl.key != "login" && fl.key != "password" || v.curl != v.text || string(f.data[v.start:v.end]) != v.text || !isPlainNonKeyword(v.text) {
					return nil, false
				}
				swaps = append(swaps, valueSwap{ei, fi, ed})
			}
		}
	}
	if len(swaps) != len(edits) {
		return nil, false
	}
	sort.Slice(swaps, func(i, j int) bool { return swaps[i].start < swaps[j].start })
	return swaps, true
}

func overlaps(a, b span) bool { return a.start < b.end && b.start < a.end }

// pythonAfterSwaps is what Python reads after the swaps, for the names whose
// values change; ok is false when a machine name, or a word Python read over
// more than a replaced value, covers one.
func (f *File) pythonAfterSwaps(swaps []valueSwap) (changed map[string]pyHost, ok bool) {
	names := f.python.names
	for _, sw := range swaps {
		i := sort.Search(len(names), func(i int) bool { return names[i].end > sw.start })
		if i < len(names) && overlaps(names[i], sw.span) {
			return nil, false
		}
	}
	changed = map[string]pyHost{}
	for name, h := range f.python.hosts {
		touched := false
		for k, from := range h.from {
			for _, sw := range swaps {
				switch {
				case !overlaps(from, sw.span):
					continue
				case from != sw.span || k == 1: // 1: account
					return nil, false
				}
				touched = true
				if k == 0 {
					h.login = sw.text
				} else {
					h.password = sw.text
				}
			}
		}
		if touched {
			changed[name] = h
		}
	}
	return changed, true
}

// agreeAfterSwaps reports whether, after the swaps, Python reads for every
// name of an entry for host what curl reads (the last entry of that name,
// now holding login and password), and changes nothing else.
func (f *File) agreeAfterSwaps(host, login, password string, pyNew map[string]pyHost) bool {
	curl := map[string]pyCreds{}
	for i := range f.entries {
		if e := &f.entries[i]; e.isFor(host) {
			curl[e.pyName()] = pyCreds{login: login, account: e.machine().Account, password: password}
		}
	}
	for name := range pyNew {
		if _, ok := curl[name]; !ok {
			return false
		}
	}
	for name, want := range curl {
		h, ok := pyNew[name]
		if !ok {
			h, ok = f.python.hosts[name]
		}
		if !ok || h.pyCreds != want {
			return false
		}
	}
	return true
}

// applySwaps rewrites f as Parse would read it after the swaps: the new
// bytes, every word moved by the change of length before it, the swapped
// values, and Python's changed hosts.
func (f *File) applySwaps(swaps []valueSwap, pyNew map[string]pyHost) {
	edits := make([]edit, len(swaps))
	for i, sw := range swaps {
		edits[i] = sw.edit
	}
	f.data = applyEdits(f.data, edits)
	for _, sw := range swaps {
		v := &f.entries[sw.ei].fields[sw.fi].value
		v.text, v.curl = sw.text, sw.text
	}
	for name, h := range pyNew {
		f.python.hosts[name] = h
	}
	if !changesLength(swaps) {
		return // nothing moves: the common case, a token replaced by one as long
	}
	move := shifter(swaps)
	for i := range f.entries {
		f.entries[i].moveSpans(move)
	}
	for i := range f.python.names {
		f.python.names[i] = move(f.python.names[i])
	}
	for name, h := range f.python.hosts {
		for k := range h.from {
			h.from[k] = move(h.from[k])
		}
		f.python.hosts[name] = h
	}
}

func changesLength(swaps []valueSwap) bool {
	for _, sw := range swaps {
		if len(sw.text) != sw.end-sw.start {
			return true
		}
	}
	return false
}

// shifter moves a span of the old file to the new one: by the change of
// length of every swap that ends at or before each of its ends (a swapped
// value itself keeps its start and gets its new end).
func shifter(swaps []valueSwap) func(span) span {
	at := func(p int) int {
		q := p
		for _, sw := range swaps {
			if sw.end <= p {
				q += len(sw.text) - (sw.end - sw.start)
			}
		}
		return q
	}
	return func(s span) span { return span{at(s.start), at(s.end)} }
}

func (e *entry) moveSpans(move func(span) span) {
	e.keyword.span = move(e.keyword.span)
	e.name.span = move(e.name.span)
	for i := range e.fields {
		e.fields[i].kw.span = move(e.fields[i].kw.span)
		e.fields[i].value.span = move(e.fields[i].value.span)
	}
	for i := range e.others {
		e.others[i].span = move(e.others[i].span)
	}
}
