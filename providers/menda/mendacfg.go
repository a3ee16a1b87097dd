package menda

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The menda CLI and menda-keyring read ~/.menda/mendacfg with Python's
// configparser.ConfigParser() and its defaults (strict, "=" and ":" as
// delimiters, "#" and ";" full-line comments, no inline comments, indented
// continuation lines, lower-cased keys, case-sensitive section names, a
// [DEFAULT] section inherited by every other one, %-interpolation). This file
// reproduces that reading line for line (Lib/configparser.py, RawConfigParser._read
// and BasicInterpolation), so credgen and menda never disagree about a profile;
// TestMendacfgMatchesPython checks it against python3 itself.
//
// gopkg.in/ini.v1 was the first candidate but is not used: it reports no line
// numbers, silently merges duplicate sections and keys (configparser refuses
// them), gives meaning to `"""`, backquotes, quoted keys and "-" keys, and its
// multi-line mode differs from configparser's indentation rule.

// defaultSection is configparser's default_section: its keys are inherited by
// every other section and it is not itself a profile.
const defaultSection = "DEFAULT"

// maxInterpolationDepth is configparser's MAX_INTERPOLATION_DEPTH.
const maxInterpolationDepth = 10

// maxInterpolatedBytes bounds a value after interpolation: ten levels of
// references can otherwise expand a small file exponentially (where Python
// would run out of memory, credgen fails).
const maxInterpolatedBytes = 64 << 10

// mendacfg is a parsed mendacfg file.
type mendacfg struct {
	defaults map[string]cfgValue
	profiles map[string]map[string]cfgValue
	names    []string // profile names in file order, for messages
}

// cfgValue is one key's raw (not yet interpolated) value and where it was set.
type cfgValue struct {
	raw  string
	line int
}

// cfgSyntaxError is a line of mendacfg that configparser would refuse. The
// caller adds the file name.
type cfgSyntaxError struct {
	Line    int
	Problem string
}

func (e *cfgSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Problem) }

// cfgParser holds configparser's reading state between lines.
type cfgParser struct {
	cfg       *mendacfg
	section   string              // current section name; "" before the first header
	current   map[string][]string // value lines of the current section's keys
	values    map[string]map[string][]string
	lines     map[string]map[string]int
	seen      map[string]bool // sections and section\x00key pairs already read (strict mode)
	key       string          // key whose value continuation lines extend; "" for none
	indent    int             // indentation of the last header or key line
	firstFail *cfgSyntaxError // first line that is neither header, key nor comment
}

// parseMendacfg reads data as configparser.ConfigParser().read() would.
func parseMendacfg(data []byte) (*mendacfg, error) {
	if !utf8.Valid(data) {
		return nil, &cfgSyntaxError{Line: invalidUTF8Line(data), Problem: "not valid UTF-8"}
	}
	p := &cfgParser{
		cfg:    &mendacfg{profiles: map[string]map[string]cfgValue{}},
		values: map[string]map[string][]string{},
		lines:  map[string]map[string]int{},
		seen:   map[string]bool{},
	}
	for i, line := range splitUniversalNewlines(string(data)) {
		if err := p.readLine(i+1, line); err != nil {
			return nil, err
		}
	}
	if p.firstFail != nil {
		return nil, p.firstFail
	}
	p.joinValues()
	return p.cfg, nil
}

// splitUniversalNewlines splits lines as Python's text files do: "\r\n", "\r"
// and "\n" all end a line.
func splitUniversalNewlines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// readLine is one iteration of RawConfigParser._read's loop.
func (p *cfgParser) readLine(lineno int, line string) error {
	value := pyStrip(line)
	isComment := strings.HasPrefix(value, "#") || strings.HasPrefix(value, ";")
	if isComment || value == "" {
		// A blank line (not a comment) inside a value is kept in it: a
		// following indented line continues the same value.
		if !isComment && p.key != "" {
			p.current[p.key] = append(p.current[p.key], "")
		}
		return nil
	}
	indent := indentation(line)
	if p.current != nil && p.key != "" && indent > p.indent {
		p.current[p.key] = append(p.current[p.key], value)
		return nil
	}
	p.indent = indent
	if name, ok := sectionHeader(value); ok {
		return p.startSection(lineno, name)
	}
	if p.current == nil {
		return &cfgSyntaxError{Line: lineno, Problem: missingHeaderProblem(lineno, line)}
	}
	return p.readOption(lineno, value)
}

func missingHeaderProblem(lineno int, line string) string {
	if lineno == 1 && strings.HasPrefix(line, "\ufeff") {
		return "the file starts with a byte-order mark, which configparser does not accept; save it as UTF-8 without BOM"
	}
	return "a key before the first [section] header"
}

// sectionHeader matches configparser's SECTCRE, `\[(?P<header>.+)\]`: the name
// runs to the last "]" and anything after it is ignored.
func sectionHeader(value string) (string, bool) {
	if !strings.HasPrefix(value, "[") {
		return "", false
	}
	end := strings.LastIndexByte(value, ']')
	if end < 2 {
		return "", false
	}
	return value[1:end], true
}

func (p *cfgParser) startSection(lineno int, name string) error {
	p.key = ""
	if name == defaultSection {
		p.section = name
		p.current = p.sectionValues(name)
		return nil
	}
	if p.seen[name] {
		return &cfgSyntaxError{Line: lineno, Problem: fmt.Sprintf("section [%s] appears a second time", name)}
	}
	p.seen[name] = true
	p.cfg.names = append(p.cfg.names, name)
	p.section = name
	p.current = p.sectionValues(name)
	return nil
}

func (p *cfgParser) sectionValues(name string) map[string][]string {
	if p.values[name] == nil {
		p.values[name] = map[string][]string{}
		p.lines[name] = map[string]int{}
	}
	return p.values[name]
}

// readOption matches configparser's OPTCRE: the key ends at the first "=" or
// ":", both sides are stripped, the key is lower-cased.
func (p *cfgParser) readOption(lineno int, value string) error {
	i := strings.IndexAny(value, "=:")
	if i < 0 || pyStrip(value[:i]) == "" {
		p.fail(lineno, "neither a [section] header, a key = value line nor a comment")
		if i < 0 {
			return nil
		}
	}
	key := pyLower(pyStrip(value[:i]))
	seenKey := p.section + "\x00" + key
	if p.seen[seenKey] {
		return &cfgSyntaxError{Line: lineno, Problem: fmt.Sprintf("key %q appears a second time in [%s]", key, p.section)}
	}
	p.seen[seenKey] = true
	p.current[key] = []string{pyStrip(value[i+1:])}
	p.lines[p.section][key] = lineno
	p.key = key
	return nil
}

// fail records a bad line; like configparser, reading goes on and the first
// one is reported at the end, unless a fatal error comes first.
func (p *cfgParser) fail(lineno int, problem string) {
	if p.firstFail == nil {
		p.firstFail = &cfgSyntaxError{Line: lineno, Problem: problem}
	}
}

// joinValues is configparser's _join_multiline_values.
func (p *cfgParser) joinValues() {
	for section, keys := range p.values {
		joined := make(map[string]cfgValue, len(keys))
		for key, lines := range keys {
			raw := strings.TrimRightFunc(strings.Join(lines, "\n"), pyIsSpace)
			joined[key] = cfgValue{raw: raw, line: p.lines[section][key]}
		}
		if section == defaultSection {
			p.cfg.defaults = joined
		} else {
			p.cfg.profiles[section] = joined
		}
	}
}

// pyIsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the ASCII information separators U+001C..U+001F.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyLower is Python's str.lower (configparser's optionxform): Go's simple
// case mapping plus the two rules Python adds, İ → i̇ and the final sigma.
func pyLower(s string) string {
	if !strings.ContainsAny(s, "\u0130\u03a3") {
		return strings.ToLower(s)
	}
	runes := []rune(s)
	var b strings.Builder
	for i, r := range runes {
		switch r {
		case '\u0130':
			b.WriteString("i\u0307")
		case '\u03a3':
			if isFinalSigma(runes, i) {
				b.WriteRune('\u03c2')
			} else {
				b.WriteRune('\u03c3')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isFinalSigma is Unicode's Final_Sigma condition, as CPython tests it: a
// cased letter before (skipping case-ignorables) and none after.
func isFinalSigma(runes []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(runes[j]) {
		j--
	}
	if j < 0 || !isCased(runes[j]) {
		return false
	}
	j = i + 1
	for j < len(runes) && isCaseIgnorable(runes[j]) {
		j++
	}
	return j == len(runes) || !isCased(runes[j])
}

func isCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is Unicode's Case_Ignorable: marks, format characters,
// modifiers, and the Word_Break MidLetter, MidNumLet and Single_Quote characters.
func isCaseIgnorable(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) ||
		strings.ContainsRune("'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a", r)
}

// indentation counts the characters before the first non-space one, as
// configparser's NONSPACECRE does.
func indentation(line string) int {
	n := 0
	for _, r := range line {
		if !pyIsSpace(r) {
			return n
		}
		n++
	}
	return n
}

// hasProfile reports whether name is a section of the file ([DEFAULT] is not).
func (c *mendacfg) hasProfile(name string) bool {
	_, ok := c.profiles[name]
	return ok
}

// profileNames lists the profiles in file order.
func (c *mendacfg) profileNames() []string { return slices.Clone(c.names) }

// lookup finds key in profile, falling back to [DEFAULT].
func (c *mendacfg) lookup(profile, key string) (cfgValue, bool) {
	if v, ok := c.profiles[profile][key]; ok {
		return v, true
	}
	v, ok := c.defaults[key]
	return v, ok
}

// get returns key's value in profile after %-interpolation, the line that set
// it, and whether it is set at all. Errors never quote the value: it may be a
// client secret.
func (c *mendacfg) get(profile, key string) (string, int, bool, error) {
	v, ok := c.lookup(profile, pyLower(key))
	if !ok {
		return "", 0, false, nil
	}
	var out strings.Builder
	if err := c.interpolate(profile, &out, v.raw, 1); err != nil {
		return "", v.line, true, err
	}
	return out.String(), v.line, true, nil
}

// interpolate is BasicInterpolation._interpolate_some: "%%" is "%",
// "%(name)s" is the value of name in the same profile or [DEFAULT].
func (c *mendacfg) interpolate(profile string, out *strings.Builder, rest string, depth int) error {
	if depth > maxInterpolationDepth {
		return fmt.Errorf("%%(...)s references nest more than %d deep (a loop?)", maxInterpolationDepth)
	}
	for rest != "" {
		if out.Len() > maxInterpolatedBytes {
			return fmt.Errorf("value longer than %d bytes after %%(...)s interpolation", maxInterpolatedBytes)
		}
		p := strings.IndexByte(rest, '%')
		if p < 0 {
			out.WriteString(rest)
			return nil
		}
		out.WriteString(rest[:p])
		rest = rest[p:]
		switch {
		case strings.HasPrefix(rest, "%%"):
			out.WriteByte('%')
			rest = rest[2:]
		case strings.HasPrefix(rest, "%("):
			name, after, ok := interpolationReference(rest)
			if !ok {
				return errors.New("bad %(name)s reference; write %% for a literal %")
			}
			rest = after
			v, found := c.lookup(profile, pyLower(name))
			if !found {
				return fmt.Errorf("%%(%s)s refers to a key that is not set", name)
			}
			if !strings.Contains(v.raw, "%") {
				out.WriteString(v.raw)
				continue
			}
			if err := c.interpolate(profile, out, v.raw, depth+1); err != nil {
				return err
			}
		default:
			return errors.New("'%' must be followed by '%' or '('; write %% for a literal %")
		}
	}
	return nil
}

// interpolationReference matches configparser's _KEYCRE, `%\(([^)]+)\)s`, at
// the start of s.
func interpolationReference(s string) (name, rest string, ok bool) {
	end := strings.IndexByte(s, ')')
	if end < 3 || !strings.HasPrefix(s[end:], ")s") {
		return "", "", false
	}
	return s[2:end], s[end+2:], true
}
