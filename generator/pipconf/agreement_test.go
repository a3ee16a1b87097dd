package pipconf

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// agreementLines are the pieces random files are made of: every kind of
// line configparser tells apart, with the whitespace and delimiters that
// trip line-based readers.
var agreementLines = []string{
	"[global]", " [install]", "[DEFAULT]", "[download] ; x", "[[source]]", "[wheel]",
	"index-url = https://a.example/simple", "Index_URL:https://libraries.cgr.dev/python/simple/#x",
	"extra-index-url =", "extra_index_url=https://u:p@libraries.cgr.dev/python/simple/ https://b/",
	"  index-url = https://c/", "\tindex-url\t=\thttps://d/", "--extra-index-url = https://e/",
	"    https://libraries.cgr.dev/python/simple/", "\thttps://f/;g", "\t\t https://h/ https://i/",
	"  \u3000https://j/", "\x1chttps://k/", "timeout = 60", "trusted-host: pypi.org", "  more",
	"# comment", "  ; indented comment", "#https://commented/", "", " ", "\t",
	"key = a = b", "\u00fcml\u00e4ut = 1",
}

// agreementBadLines are lines configparser refuses outside a value.
var agreementBadLines = []string{"[x", "[]", "bad line", "= v", ": v", "\ufeff[global]"}

// TestConfigparserAgreement builds random files from agreementLines and
// has configparser read them and what every edit makes of them: it must
// accept exactly the files the editor accepts (stopping at the same line),
// read every key as the editor does, and see no unmanaged key change.
func TestConfigparserAgreement(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	files := map[string][]byte{}
	parsed := map[string]*File{}
	var edited []string
	for i := range 1000 {
		name := fmt.Sprintf("%03d", i)
		in := randomFile(rng)
		files[name] = in
		f, err := Parse(in)
		if err != nil {
			continue
		}
		parsed[name] = f
		for j, e := range fuzzEdits(f, cgrWithKey) {
			g := mustParse(t, in)
			e.apply(g)
			out := fmt.Sprintf("%s.%d", name, j)
			files[out], parsed[out] = g.Bytes(), g
			edited = append(edited, out)
		}
	}
	py := configparserRead(t, files)
	for name, in := range files {
		checkAgreement(t, name, in, parsed[name], py[name])
	}
	for _, out := range edited {
		in, _, _ := strings.Cut(out, ".")
		if !unmanagedEqual(py[in].View, py[out].View) {
			t.Errorf("%s: configparser sees unmanaged keys change:\n%q\n%q", out, files[in], files[out])
		}
	}
	t.Logf("%d random files, %d accepted, %d edited outputs", len(files)-len(edited), len(parsed)-len(edited), len(edited))
}

func checkAgreement(t *testing.T, name string, data []byte, f *File, py pyResult) {
	t.Helper()
	if f == nil {
		_, err := Parse(data)
		line := err.(*ParseError).Line
		// configparser raises duplicates at once but collects other errors
		// to the end, so it may name a later line than the first bad one.
		if py.Error == "" || (py.Line != line && !(strings.HasPrefix(py.Error, "Duplicate") && py.Line > line)) {
			t.Errorf("%s: the editor refuses line %d (%v), configparser %q line %d:\n%q", name, line, err, py.Error, py.Line, data)
		}
		return
	}
	if py.Error != "" {
		t.Errorf("%s: configparser refuses line %d (%s), the editor accepts:\n%q", name, py.Line, py.Error, data)
		return
	}
	if !py.View.equal(viewOf(f)) {
		t.Errorf("%s: configparser reads\n%v\nthe editor\n%v\nfrom %q", name, py.View, viewOf(f), data)
	}
}

func randomFile(rng *rand.Rand) []byte {
	eols := []string{"\n", "\n", "\n", "\r\n", "\r"}
	var b strings.Builder
	if rng.IntN(4) > 0 {
		b.WriteString("[global]\n")
	}
	for n := rng.IntN(12); n > 0; n-- {
		if rng.IntN(20) == 0 {
			b.WriteString(agreementBadLines[rng.IntN(len(agreementBadLines))])
		} else {
			b.WriteString(agreementLines[rng.IntN(len(agreementLines))])
		}
		b.WriteString(eols[rng.IntN(len(eols))])
	}
	s := b.String()
	if rng.IntN(3) == 0 {
		s = strings.TrimRight(s, "\r\n")
	}
	return []byte(s)
}
