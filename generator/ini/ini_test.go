package ini

import (
	"errors"
	"reflect"
	"testing"
)

func mustParse(t *testing.T, in string) *File {
	t.Helper()
	f, err := Parse([]byte(in), "pip")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := string(f.Bytes()); got != in {
		t.Fatalf("Parse(x).Bytes() = %q, want %q", got, in)
	}
	return f
}

// TestParseErrorsNameTheReader: strictness errors say which program refuses
// the file, and no error quotes the line.
func TestParseErrorsNameTheReader(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"duplicate section", "[a]\n[SECRET]\n[SECRET]\n", 3, "section header repeats the one on line 2 (twine refuses the file)"},
		{"duplicate key", "[a]\nKey = 1\nkey = SECRET\n", 3, "key repeats the one on line 2 in the same section (twine refuses the file)"},
		{"text before a section", "SECRET = 1\n", 1, "text before the first [section] header"},
		{"no delimiter", "[a]\nSECRET\n", 2, "neither a comment, a [section] header, a key = value line nor an indented continuation line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in), "twine")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != c.line || pe.Msg != c.msg {
				t.Fatalf("Parse = %v, want line %d: %s", err, c.line, c.msg)
			}
		})
	}
}

// TestView: configparser's reading, with continuation lines, blank lines
// inside values, lower-cased keys and DEFAULT on its own.
func TestView(t *testing.T) {
	f := mustParse(t, "[DEFAULT]\nA = 1\n[s]\nKey: x\n  y\n\n  z\n; c\n[DEFAULT]\nb=2\n")
	want := View{DefaultSection: {"a": "1", "b": "2"}, "s": {"key": "x\ny\n\nz"}}
	if got := f.View(); !reflect.DeepEqual(got, want) {
		t.Fatalf("View = %q, want %q", got, want)
	}
}

// TestEdits: each editing primitive changes only the bytes it is about and
// keeps the file's line endings.
func TestEdits(t *testing.T) {
	cases := []struct {
		name, in, want string
		edit           func(f *File) error
	}{
		{"insert after a last line without newline", "[a]\r\nk = v", "[a]\r\nk = v\r\nx = 1",
			func(f *File) error { return f.InsertAfter(1, "x = 1") }},
		{"insert before", "[a]\nk = v\n", "[b]\n\n[a]\nk = v\n",
			func(f *File) error { return f.InsertBefore(0, "[b]", "") }},
		{"append after a blank line", "[a]\rk = v", "[a]\rk = v\r\r[b]\rx = 1\r",
			func(f *File) error { return f.AppendLines("[b]", "x = 1") }},
		{"add key like its neighbours", "[a]\n  k:v\n[b]\n", "[a]\n  k:v\n  n:w\n[b]\n",
			func(f *File) error { return f.AddKey(f.Section("a"), "n", "w") }},
		{"add key after a bare header, as deep as what follows", "[a]\n  [b]\n", "[a]\n  n = w\n  [b]\n",
			func(f *File) error { return f.AddKey(f.Section("a"), "n", "w") }},
		{"set the key line's value", "[a]\nk =  old\n  more\n", "[a]\nk =  new\n",
			func(f *File) error {
				var e Edits
				o := f.OwnOption("a", "k")
				f.SetKeyLineValue(&e, o, "new")
				e.Remove(o.Conts...)
				return f.Apply(e)
			}},
		{"remove words", "[a]\nk = x  y z\n  x\n  y\n", "[a]\nk = y z\n  y\n",
			func(f *File) error {
				var e Edits
				o := f.OwnOption("a", "k")
				for _, line := range append([]int{o.Line}, o.Conts...) {
					f.RemoveLineTokens(&e, o, line, func(t Token) bool { return f.TokenText(t) == "x" })
				}
				return f.Apply(e)
			}},
		{"remove every word of the key line", "[a]\nk = x x\n", "[a]\nk =\n",
			func(f *File) error {
				var e Edits
				o := f.OwnOption("a", "k")
				f.RemoveLineTokens(&e, o, o.Line, func(Token) bool { return true })
				return f.Apply(e)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.in)
			if err := c.edit(f); err != nil {
				t.Fatal(err)
			}
			if got := string(f.Bytes()); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			if g := mustParse(t, c.want); !reflect.DeepEqual(f.View(), g.View()) {
				t.Fatalf("the model was not rebuilt: %q, want %q", f.View(), g.View())
			}
		})
	}
}

// TestApplyRefusesWhatDoesNotParse: an edit that breaks the file reports
// the line, so an editor can drop its copy.
func TestApplyRefusesWhatDoesNotParse(t *testing.T) {
	f := mustParse(t, "[a]\nk = v\n")
	err := f.InsertAfter(1, "[a]")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 {
		t.Fatalf("InsertAfter of a repeated header = %v, want a *ParseError on line 3", err)
	}
}
