package uvtoml

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/urlcred"
)

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"unterminated string", "a = 1\n\nb = \"https://u:SECRET@h/\n", 3, "new lines"},
		{"unterminated at end", "a = 1\nb = 'x", 2, "unterminated"},
		{"missing value", "a = 1\nb =\n", 2, ""},
		{"duplicate key", "[[index]]\nurl = 'a'\nurl = 'b'\n", 3, "already defined"},
		{"duplicate table", "[pip]\n\n[pip]\n", 3, "already exists"},
		{"bare carriage return", "a = 1\rb = 2\n", 1, ""},
		{"index as a table", "x = 1\n[index]\nurl = 'a'\n", 2, "array of tables"},
		{"index as a string", "\nindex = 'https://a'\n", 2, "array of tables"},
		{"index of strings", "index = ['https://a']\n", 1, "array of tables"},
		{"index dotted", "index.url = 'https://a'\n", 1, "array of tables"},
		{"inline then array table", "index = [{url = 'a'}]\n[[index]]\nurl = 'b'\n", 2, ""},
		{"url not a string", "[[index]]\nname = 'a'\nurl = 3\n", 3, "url must be a string"},
		{"url a table", "[[index]]\nurl.x = 'a'\n", 2, "url must be a string"},
		{"name not a string", "index = [{ url = 'a', name = 1 }]\n", 1, "name must be a string"},
		{"default not a bool", "[[index]]\nurl = 'a'\ndefault = 'yes'\n", 3, "default must be a bool"},
		{"index sub-table apart", "[[index]]\nurl = 'a'\n[pip]\n[index.cache-control]\napi = 'x'\n", 4, "directly follow"},
		{"index sub-table first", "[index.cache-control]\napi = 'x'\n", 1, "directly follow"},
		{"index name as a sub-table", "[[index]]\nurl = 'a'\n[index.name]\nx = 1\n", 3, "name must not be a table"},
		{"byte order mark", "\ufeffa = 1\n", 1, ""},
		{"crlf line count", "a = 1\r\nb = 2\r\nc = \r\n", 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %q, want line %d with %q", err, tc.line, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("error %q does not start with its line", err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q carries a secret", err)
			}
		})
	}
}

func TestParseKeepsEveryByte(t *testing.T) {
	cases := goldenInputs(t)
	for i, s := range []string{
		"   ", "\n\n\n", "a=1", "\t[[index]]\t# x\n\turl='u'", "a = \"\"\"\nx\r\n\"\"\"\r\n",
		"index = [\n{ url = 'a' }, # c\n\n]\n", "[[ index ]]\n'url' = \"u\"",
	} {
		cases[string(rune('a'+i))] = []byte(s)
	}
	for name, in := range cases {
		f, err := Parse(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(f.Bytes(), in) {
			t.Errorf("%s: Parse(x).Bytes() != x", name)
		}
	}
}

func TestIndexes(t *testing.T) {
	in := "a = 1\n[[index]]\nname = 'x'\nurl = \"https:\\u002F/x\"\ndefault = true\n\n[[ index ]]\nurl = 'https://y'\nother.key = 1\n"
	got := mustParse([]byte(in)).Indexes()
	want := []Index{{Name: "x", URL: "https://x", Default: true, Line: 2}, {URL: "https://y", Line: 7}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Indexes = %+v, want %+v", got, want)
	}
	inl := mustParse([]byte("index = [\n  {url = 'https://a'},\n  {name = 'b', url = 'https://b', default = false},\n]\n")).Indexes()
	if len(inl) != 2 || inl[0] != (Index{URL: "https://a", Line: 2}) || inl[1] != (Index{Name: "b", URL: "https://b", Line: 3}) {
		t.Errorf("inline Indexes = %+v", inl)
	}
}

// TestUpsert pins the exact bytes of edits the golden files do not show.
func TestUpsert(t *testing.T) {
	const u = "https://libraries.cgr.dev/python/simple/"
	for _, tc := range []struct {
		name, in  string
		url       string
		def       bool
		want      string
		wantName  string
		wantIndex Index
	}{
		{
			name: "literal stays literal", in: "[[index]]\nname = 'n'\nurl = 'https://a:b@libraries.cgr.dev/python/simple'\n",
			url: "https://c:d@libraries.cgr.dev/python/simple/", wantName: "n",
			want: "[[index]]\nname = 'n'\nurl = 'https://c:d@libraries.cgr.dev/python/simple/'\n",
		},
		{
			name: "literal that cannot stay literal", in: "[[index]]\nurl = 'https://libraries.cgr.dev/python/simple'\n",
			url: "https://it's:\"%@libraries.cgr.dev/python/simple", wantName: "cg",
			want: "[[index]]\nname = \"cg\"\nurl = \"https://it's:\\\"%@libraries.cgr.dev/python/simple\"\n",
		},
		{
			name: "control characters are escaped", in: "", url: "https://libraries.cgr.dev/\t\x01\x7f\\é", wantName: "cg",
			want: "[[index]]\nname = \"cg\"\nurl = \"https://libraries.cgr.dev/\\t\\u0001\\u007F\\\\é\"\n",
		},
		{
			name: "no final newline is fixed before appending", in: "# x", url: u, def: true, wantName: "cg",
			want: "# x\n\n[[index]]\nname = \"cg\"\nurl = \"" + u + "\"\ndefault = true\n",
		},
		{
			name: "crlf file gets crlf", in: "a = 1\r\n", url: u, wantName: "cg",
			want: "a = 1\r\n\r\n[[index]]\r\nname = \"cg\"\r\nurl = \"" + u + "\"\r\n",
		},
		{
			name: "default flips true to false elsewhere and false to true here",
			in:   "[[index]]\nurl = 'https://o'\ndefault    =    true   # keep\n[[index]]\nurl = '" + u + "'\ndefault = false # c\n",
			url:  u, def: true, wantName: "cg",
			want: "[[index]]\nurl = 'https://o'\ndefault    =    false   # keep\n[[index]]\nname = \"cg\"\nurl = '" + u + "'\ndefault = true # c\n",
		},
		{
			name: "not default leaves default alone", in: "[[index]]\nname = 'x'\nurl = '" + u + "'\ndefault = true\n",
			url: u, wantName: "x", want: "[[index]]\nname = 'x'\nurl = '" + u + "'\ndefault = true\n",
		},
		{
			name: "indented table, url last and no newline", in: "[[index]]\n  url = '" + u + "'  # here",
			url: u, def: true, wantName: "cg",
			want: "[[index]]\n  name = \"cg\"\n  url = '" + u + "'  # here\n  default = true",
		},
		{
			name: "inline table gains keys around url", in: "index = [ { explicit = true, url = '" + u + "' } ]\n",
			url: u, def: true, wantName: "cg",
			want: "index = [ { explicit = true, name = \"cg\", url = '" + u + "', default = true } ]\n",
		},
		{
			name: "inline array gets a new element", in: "index = [\n  { url = 'https://a' },  # a\n]\n",
			url: u, wantName: "cg",
			want: "index = [\n  { url = 'https://a' }, { name = \"cg\", url = \"" + u + "\" },  # a\n]\n",
		},
		{
			name: "empty inline array", in: "index = []", url: u, wantName: "cg",
			want: "index = [{ name = \"cg\", url = \"" + u + "\" }]",
		},
		{
			name: "after another table's last key", in: "[pip]\nindex-url = 'https://p'", url: u, wantName: "cg",
			want: "[pip]\nindex-url = 'https://p'\n\n[[index]]\nname = \"cg\"\nurl = \"" + u + "\"\n",
		},
		{
			name: "multi-line basic stays multi-line", in: "[[index]]\nurl = \"\"\"\n" + u + "\"\"\"\n",
			url: "https://x:\"\"\"@libraries.cgr.dev/python/simple/", wantName: "cg",
			want: "[[index]]\nname = \"cg\"\nurl = \"\"\"https://x:\\\"\\\"\\\"@libraries.cgr.dev/python/simple/\"\"\"\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse([]byte(tc.in))
			name := f.UpsertIndex("cg", tc.url, tc.def)
			if got := string(f.Bytes()); got != tc.want || name != tc.wantName {
				t.Errorf("got name %q and\n%s\nwant name %q and\n%s", name, got, tc.wantName, tc.want)
			}
			again := mustParse(f.Bytes())
			again.UpsertIndex("cg", tc.url, tc.def)
			if !bytes.Equal(again.Bytes(), f.Bytes()) {
				t.Errorf("second upsert changed the file:\n%s", again.Bytes())
			}
		})
	}
}

func TestRemoveIndex(t *testing.T) {
	const u = "https://libraries.cgr.dev/python/simple"
	for _, tc := range []struct{ name, in, want string }{
		{"blank line before goes", "a = 1\n\n[[index]]\nurl = '" + u + "'\n\n[pip]\n", "a = 1\n\n[pip]\n"},
		{"blank line after goes when none before", "[[index]]\nurl = '" + u + "/'\n\n[pip]\n", "[pip]\n"},
		{"comments above and below stay", "# above\n[[index]]\n# in\nurl = '" + u + "'\nx = 1\n# below\n", "# above\n# below\n"},
		{"sub-tables go with it", "[[index]]\nurl = '" + u + "'\n[index.cache-control]\napi = 'x'\n\n[[index]]\nurl = 'https://o'\n", "[[index]]\nurl = 'https://o'\n"},
		{"every duplicate", "[[index]]\nurl = '" + u + "'\n\n[[index]]\nurl = 'https://T:S@LIBRARIES.cgr.dev/python/simple/'\n", ""},
		{"crlf, no final newline", "a = 1\r\n\r\n[[index]]\r\nurl = '" + u + "'", "a = 1\r\n"},
		{"inline middle", "index = [{url = 'https://a'}, {url = '" + u + "'}, {url = 'https://b'}]\n", "index = [{url = 'https://a'}, {url = 'https://b'}]\n"},
		{"inline first", "index = [{url = '" + u + "'},  {url = 'https://b'}]\n", "index = [{url = 'https://b'}]\n"},
		{"inline only, trailing comma", "index = [{url = '" + u + "'},]\n", "index = []\n"},
		{"inline on its own line", "index = [\n  {url = 'https://a'},\n  {url = '" + u + "'},  # it\n  # next\n]\n", "index = [\n  {url = 'https://a'},\n  # next\n]\n"},
		{"inline comma on the next line", "index = [\n  {url = '" + u + "'}\n  , {url = 'https://b'}]\n", "index = [\n  {url = 'https://b'}]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse([]byte(tc.in))
			if !f.RemoveIndex(u) {
				t.Fatal("RemoveIndex found nothing")
			}
			if got := string(f.Bytes()); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if f.RemoveIndex(u) {
				t.Error("a second RemoveIndex found something")
			}
		})
	}
}

func TestMapURLsKeepsUntouchedBytes(t *testing.T) {
	in := "[[index]]\nurl = 'https://a'  # a\n[[index]]\nurl = \"https:\\u002F/b\"\n"
	f := mustParse([]byte(in))
	f.MapURLs(func(raw string) string {
		if raw == "https://a" {
			return "https://it's@a"
		}
		return raw
	})
	want := "[[index]]\nurl = \"https://it's@a\"  # a\n[[index]]\nurl = \"https:\\u002F/b\"\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestUpsertThenRemoveRestores: on every golden input, adding a new index and
// removing it gives the input back, with a final line ending added when the
// input (not empty) had none.
func TestUpsertThenRemoveRestores(t *testing.T) {
	const fresh = "https://_token:S@fresh.example/simple/"
	for name, in := range goldenInputs(t) {
		for _, def := range []bool{false, true} {
			f := mustParse(in)
			if def && hasDefault(f) {
				continue // the other defaults were turned off, by design
			}
			f.UpsertIndex("fresh", fresh, def)
			if !f.RemoveIndex("https://fresh.example/simple") {
				t.Fatalf("%s: the new index is not there", name)
			}
			want := string(in)
			if len(in) > 0 && !strings.HasSuffix(want, "\n") && f.array == nil {
				want += lineEnding(in)
			}
			if got := string(f.Bytes()); got != want {
				t.Errorf("%s (default %v): got\n%q\nwant\n%q", name, def, got, want)
			}
		}
	}
}

func hasDefault(f *File) bool {
	for _, ix := range f.Indexes() {
		if ix.Default {
			return true
		}
	}
	return false
}

func TestMaskedHidesEveryPassword(t *testing.T) {
	for name, in := range goldenInputs(t) {
		f := mustParse(in)
		f.UpsertIndex("cg", "https://_token:TOPSECRET@libraries.cgr.dev/python/simple/", false)
		before := f.Bytes()
		masked := string(f.Masked())
		for _, secret := range []string{"TOPSECRET", "OLDSECRET", "pip-secret", "cred@", "p%40ss"} {
			if strings.Contains(masked, secret) {
				t.Errorf("%s: Masked shows %q:\n%s", name, secret, masked)
			}
		}
		if !bytes.Equal(f.Bytes(), before) {
			t.Errorf("%s: Masked changed the file", name)
		}
		if !strings.Contains(masked, urlcred.Mask("https://_token:TOPSECRET@libraries.cgr.dev/python/simple/")) {
			t.Errorf("%s: the masked URL is missing:\n%s", name, masked)
		}
	}
}

func TestQuoteLike(t *testing.T) {
	for _, tc := range []struct{ raw, s, want string }{
		{`'x'`, "a b", `'a b'`},
		{`'x'`, "it's", `"it's"`},
		{`'x'`, "tab\there", "'tab\there'"},
		{`'x'`, "nl\n", `"nl\n"`},
		{`'''x'''`, "a", `'''a'''`},
		{`'''x'''`, "a'", `"a'"`},
		{`"""x"""`, "q\"\"\"", `"""q\"\"\""""`},
		{`"x"`, "", `""`},
		{`"x"`, "bad\xffutf8", "\"bad\uFFFDutf8\""},
		{`"x"`, "\x1b\x08\x0c\r", `"\u001B\b\f\r"`},
	} {
		if got := quoteLike([]byte(tc.raw), tc.s); got != tc.want {
			t.Errorf("quoteLike(%s, %q) = %s, want %s", tc.raw, tc.s, got, tc.want)
		}
	}
}

// TestMaskedHidesWhatItDoesNotKnow: a dry run shows no value that could be
// a secret credgen did not write, and the result is still TOML.
func TestMaskedHidesWhatItDoesNotKnow(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"URL password in any string",
			"[[index]]\nname = \"a\"\nurl = \"https://u:Pw-1@h.example/simple/\"\n[pip]\nextra-index-url = ['https://Tok3n@x.example/simple/']\n",
			"[[index]]\nname = \"a\"\nurl = \"https://u:****@h.example/simple/\"\n[pip]\nextra-index-url = ['https://****@x.example/simple/']\n"},
		{"secret-named keys",
			"password = \"hunter2\"\napi_token = 12345\n[publish]\nsecret = { value = 'S3cret', enabled = true }\n[my-credentials]\nuser = \"bob\"\n",
			"password = \"****\"\napi_token = \"****\"\n[publish]\nsecret = { value = '****', enabled = true }\n[my-credentials]\nuser = \"****\"\n"},
		{"commented-out credentials",
			"# url = \"https://u:Old-Pw@h.example/simple/\"\nname = \"a\" # token: Tok3n\n",
			"# url = \"https://u:****@h.example/simple/\"\nname = \"a\" # token: ****\n"},
		{"a # inside a string is no comment", "name = \"a # token: x\"\n", "name = \"a # token: x\"\n"},
		{"harmless values stay",
			"[[index]]\nname = \"a\"\nurl = \"https://h.example/simple/\"\nauthenticate = \"always\"\ndefault = true\n",
			"[[index]]\nname = \"a\"\nurl = \"https://h.example/simple/\"\nauthenticate = \"always\"\ndefault = true\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse([]byte(tc.in))
			got := string(f.Masked())
			if got != tc.want {
				t.Errorf("Masked:\n got %q\nwant %q", got, tc.want)
			}
			if string(f.Bytes()) != tc.in {
				t.Error("Masked changed the file")
			}
			if _, err := decodeTOML([]byte(got)); err != nil {
				t.Errorf("Masked is not TOML: %v", err)
			}
		})
	}
}
