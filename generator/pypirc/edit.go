package pypirc

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/credgen/credgen/generator/ini"
)

// ErrUnsafeEdit is returned, with the file left as it was, when an edit
// would change how twine reads anything the edit is not about. It happens
// only in files whose section headers or keys are indented so that, once a
// section goes, a later line would read as part of an earlier value.
var ErrUnsafeEdit = errors.New("the edit would change how twine reads other parts of the file")

// SetServer makes section name a repository twine uploads to: its
// repository, username and password keys get these values (an empty username
// or password leaves that key as it is), the section is created at the end
// of the file when missing, and name is added to [distutils] index-servers
// (created, with twine's default "pypi testpypi" kept, when missing). Other
// keys, comments and sections stay byte for byte.
func (f *File) SetServer(name, repositoryURL, username, password string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkValue(repositoryKey, repositoryURL); err != nil {
		return err
	}
	if strings.ContainsFunc(repositoryURL, ini.IsSpace) {
		return fmt.Errorf("server %s: the repository URL holds whitespace", name)
	}
	values := []keyValue{{repositoryKey, repositoryURL}}
	for _, kv := range []keyValue{{usernameKey, username}, {passwordKey, password}} {
		if kv.value == "" {
			continue
		}
		if err := checkValue(kv.key, kv.value); err != nil {
			return fmt.Errorf("server %s: %w", name, err)
		}
		values = append(values, kv)
	}
	return f.guard(name, keysOf(values), withServer(name), func(c *File) error {
		if err := c.setValues(name, values); err != nil {
			return err
		}
		return c.listServer(name)
	})
}

// SetCredentials sets the username and password of an existing section,
// leaving its repository and index-servers alone.
func (f *File) SetCredentials(name, username, password string) error {
	if f.section(name) == nil || !isServerSection(name) {
		return fmt.Errorf("no [%s] server section", name)
	}
	values := []keyValue{{usernameKey, username}, {passwordKey, password}}
	for _, kv := range values {
		if err := checkValue(kv.key, kv.value); err != nil {
			return fmt.Errorf("server %s: %w", name, err)
		}
	}
	return f.guard(name, keysOf(values), nil, func(c *File) error {
		return c.setValues(name, values)
	})
}

// StripCredentials removes the username and password keys (and their
// continuation lines) from section name; the section, its repository and
// every comment stay. A missing section is no error.
func (f *File) StripCredentials(name string) error {
	if f.section(name) == nil || !isServerSection(name) {
		return nil
	}
	return f.guard(name, []string{usernameKey, passwordKey}, nil, func(c *File) error {
		var e ini.Edits
		for _, key := range []string{usernameKey, passwordKey} {
			if o := c.ownOption(name, key); o != nil {
				e.Remove(o.Line)
				e.Remove(o.Conts...)
			}
		}
		return c.doc.Apply(e)
	})
}

// RemoveServer removes section name (its header, keys and the comments
// among them) and its entries in [distutils] index-servers. A missing
// section is no error.
func (f *File) RemoveServer(name string) error {
	if !isServerSection(name) {
		return fmt.Errorf("[%s] is not a server section", name)
	}
	unlisted := func(list []string) []string {
		if f.ownOption(distutilsSection, indexServersKey) == nil {
			return list // twine's default list, not the file's: nothing to take out
		}
		return slices.DeleteFunc(list, func(n string) bool { return n == name })
	}
	return f.guard(name, nil, unlisted, func(c *File) error {
		if err := c.unlistServer(name); err != nil {
			return err
		}
		s := c.section(name)
		if s == nil {
			return nil
		}
		var e ini.Edits
		for i := s.Header; i <= s.Last; i++ {
			e.Remove(i)
		}
		if c.blankBefore(s.Header) && (s.Last+1 == len(c.doc.Lines) || c.doc.IsBlank(s.Last+1)) {
			e.Remove(s.Header - 1) // the blank line that set the section apart
		}
		return c.doc.Apply(e)
	})
}

type keyValue struct{ key, value string }

func keysOf(kvs []keyValue) []string {
	var keys []string
	for _, kv := range kvs {
		keys = append(keys, kv.key)
	}
	return keys
}

// guard runs change on a copy of the file and takes the result only when
// twine reads everything outside section name's keys (its whole section
// when keys is nil) as before and, when servers is set, index-servers as
// servers(what it was); otherwise the file stays as it was.
func (f *File) guard(name string, keys []string, servers func([]string) []string, change func(c *File) error) error {
	c, err := Parse(f.Bytes())
	if err != nil {
		return fmt.Errorf("re-read before editing: %w", err)
	}
	if err := change(c); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("server %s: %w (the result would not parse: %v)", name, ErrUnsafeEdit, err)
		}
		return err
	}
	g, err := Parse(c.Bytes())
	if err != nil {
		return fmt.Errorf("server %s: %w (the result would not parse: %v)", name, ErrUnsafeEdit, err)
	}
	if !outsideEqual(viewOf(f), viewOf(g), name, keys, servers != nil) {
		return fmt.Errorf("server %s: %w", name, ErrUnsafeEdit)
	}
	if servers != nil && !slices.Equal(g.IndexServers(), servers(f.IndexServers())) {
		return fmt.Errorf("server %s: %w (index-servers)", name, ErrUnsafeEdit)
	}
	*f = *g
	return nil
}

// withServer is the index-servers list once name is in it.
func withServer(name string) func([]string) []string {
	return func(list []string) []string {
		if slices.Contains(list, name) {
			return list
		}
		return append(list, name)
	}
}

// iniView is what configparser reads (ini.View), compared here leaving out
// what an edit is about.
type iniView ini.View

func viewOf(f *File) iniView { return iniView(f.doc.View()) }

// outsideEqual reports whether before and after agree on every section and
// key except keys of section name (the whole section when keys is nil) and,
// when listing is set, [distutils] index-servers (a [distutils] section may
// appear for it).
func outsideEqual(before, after iniView, name string, keys []string, listing bool) bool {
	b, a := before.without(name, keys, listing), after.without(name, keys, listing)
	// A section the edit created (or removed) may be left in one view, empty.
	for _, s := range []string{name, distutilsSection} {
		_, inB := b[s]
		_, inA := a[s]
		if inB != inA && len(b[s]) == 0 && len(a[s]) == 0 && (s == name || listing) {
			delete(a, s)
			delete(b, s)
		}
	}
	return maps.EqualFunc(a, b, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

func (v iniView) without(name string, keys []string, listing bool) iniView {
	out := iniView{}
	for s, kv := range v {
		if s == name && keys == nil {
			continue
		}
		out[s] = map[string]string{}
		for k, val := range kv {
			if (s == name && slices.Contains(keys, k)) || (listing && s == distutilsSection && k == indexServersKey) {
				continue
			}
			out[s][k] = val
		}
	}
	return out
}

// checkName accepts the names uv gives indexes (letters, digits, "-", "_",
// "."): they stand as a [section] header and as one word of index-servers.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty server name")
	}
	for _, r := range name {
		ok := r < utf8.RuneSelf && (r == '-' || r == '_' || r == '.' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		if !ok {
			return fmt.Errorf("server name %q: only letters, digits, '-', '_' and '.' are allowed", name)
		}
	}
	if !isServerSection(name) {
		return fmt.Errorf("server name %q is reserved", name)
	}
	return nil
}

// checkValue accepts what configparser gives back unchanged from a key
// line: one line of UTF-8 with no whitespace at either end. The value is
// never quoted, as it may be a secret.
func checkValue(key, value string) error {
	switch {
	case value == "":
		return fmt.Errorf("empty %s", key)
	case !utf8.ValidString(value):
		return fmt.Errorf("%s is not valid UTF-8", key)
	case strings.ContainsAny(value, "\r\n"):
		return fmt.Errorf("%s holds a line break", key)
	}
	first, _ := utf8.DecodeRuneInString(value)
	last, _ := utf8.DecodeLastRuneInString(value)
	if ini.IsSpace(first) || ini.IsSpace(last) {
		return fmt.Errorf("%s starts or ends with whitespace", key)
	}
	return nil
}

// setValues gives section name these values, creating it at the end of the
// file when missing.
func (f *File) setValues(name string, values []keyValue) error {
	if f.section(name) == nil {
		lines := []string{"[" + name + "]"}
		for _, kv := range values {
			lines = append(lines, kv.key+" = "+kv.value)
		}
		return f.doc.AppendLines(lines...)
	}
	for _, kv := range values {
		if err := f.setValue(name, kv.key, kv.value); err != nil {
			return err
		}
	}
	return nil
}

// setValue makes key's own value in section name exactly value: an existing
// key line keeps its key and delimiter and loses its continuation lines; a
// missing key is added after the section's last value line, spelled like its
// neighbours.
func (f *File) setValue(name, key, value string) error {
	if o := f.ownOption(name, key); o != nil {
		if o.Value == value {
			return nil
		}
		var e ini.Edits
		f.doc.SetKeyLineValue(&e, o, value)
		e.Remove(o.Conts...)
		return f.doc.Apply(e)
	}
	return f.doc.AddKey(f.section(name), key, value)
}

// listServer adds name to [distutils] index-servers unless twine already
// reads it there.
func (f *File) listServer(name string) error {
	current := f.IndexServers()
	if slices.Contains(current, name) {
		return nil
	}
	if o := f.ownOption(distutilsSection, indexServersKey); o != nil {
		return f.appendWord(o, name)
	}
	// No own key: twine reads [DEFAULT]'s or its built-in "pypi testpypi";
	// the new key spells those out so they stay servers.
	block := []string{indexServersKey + " ="}
	for _, n := range append(current, name) {
		block = append(block, "    "+n)
	}
	if ds := f.section(distutilsSection); ds != nil {
		return f.addLines(ds, block)
	}
	block = append([]string{"[" + distutilsSection + "]"}, block...)
	if h := f.firstHeader(); h >= 0 && ini.LeadingSpace(f.doc.Lines[h].Text) == "" {
		return f.doc.InsertBefore(h, append(block, "")...)
	}
	return f.doc.AppendLines(block...)
}

// appendWord adds word to o's value: as one more continuation line, indented
// like the last, when the value has them; on the key line otherwise.
func (f *File) appendWord(o *ini.Option, word string) error {
	if len(o.Conts) > 0 {
		return f.doc.InsertAfter(o.Last, ini.LeadingSpace(f.doc.Lines[o.Conts[len(o.Conts)-1]].Text)+word)
	}
	var e ini.Edits
	if n := len(o.Tokens); n > 0 {
		end := o.Tokens[n-1].End
		e.Splice(o.Line, end, end, " "+word)
	} else {
		f.doc.SetKeyLineValue(&e, o, word)
	}
	return f.doc.Apply(e)
}

// addLines puts a key line and its continuation lines (block, continuation
// lines indented by four spaces) after the last value line of s, indented as
// ini.File.AddKey would indent a key.
func (f *File) addLines(s *ini.Section, block []string) error {
	indent := f.doc.NextContentIndent(s.Last)
	if last := f.doc.LastOption(s.Name); last != nil {
		indent = ini.LeadingSpace(f.doc.Lines[last.Line].Text)
	}
	lines := make([]string, len(block))
	for i, l := range block {
		lines[i] = indent + l
	}
	return f.doc.InsertAfter(s.Last, lines...)
}

// unlistServer removes every name word from [distutils]'s own
// index-servers; a continuation line left without words goes. A key left
// without words stays, empty: removing it would bring back twine's default
// "pypi testpypi".
func (f *File) unlistServer(name string) error {
	o := f.ownOption(distutilsSection, indexServersKey)
	if o == nil {
		return nil
	}
	isName := func(t ini.Token) bool { return f.doc.TokenText(t) == name }
	var e ini.Edits
	for _, line := range append([]int{o.Line}, o.Conts...) {
		f.doc.RemoveLineTokens(&e, o, line, isName)
	}
	return f.doc.Apply(e)
}
