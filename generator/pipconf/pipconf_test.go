package pipconf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/urlcred"
)

// parseErrorCases are files pip refuses; configparser must stop at the same
// line. The secret-looking text checks that no message quotes a line.
var parseErrorCases = []struct {
	name, in string
	line     int
	msg      string
}{
	{"key_before_section", "index-url = https://u:hunter2@x/\n[global]\n", 1, "before the first [section]"},
	{"key_after_comments", "# c\n\n; c\nkey = v\n[global]\n", 4, "before the first [section]"},
	{"byte_order_mark", "\ufeff[global]\nindex-url = x\n", 1, "before the first [section]"},
	{"unterminated_header_first", "[global\nx = 1\n", 1, "before the first [section]"},
	{"malformed_header", "[global]\n[install\n", 2, "malformed [section] header"},
	{"empty_header", "[global]\n[]\n", 2, "malformed [section] header"},
	{"bare_word", "[global]\nindex-url = x\nhunter2secret\n", 3, "neither a comment"},
	{"no_key", "[global]\n = hunter2\n", 2, "no key before the ="},
	{"no_key_colon", "[global]\n:hunter2\n", 2, "no key before the :"},
	{"duplicate_key_case", "[global]\nindex-url = a\nINDEX-URL = https://u:hunter2@b/\n", 3, "line 2"},
	{"duplicate_section", "[global]\na = 1\n\n[global]\n", 4, "line 1"},
	{"duplicate_default_key", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", 4, "line 2"},
	{"invalid_utf8", "[global]\r\nx = 1\r\n# \xff\r\n", 3, "UTF-8"},
	{"lone_cr_splits_a_value", "[global]\nindex-url = x\rhunter2secret\n", 3, "neither a comment"},
	{"continuation_outdented_after_indented_key", "[global]\n  a = 1\n b\n", 3, "neither a comment"},
}

func TestParseErrors(t *testing.T) {
	files := map[string][]byte{}
	for _, c := range parseErrorCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("got %q, want line %d with %q", err, c.line, c.msg)
			}
			if want := fmt.Sprintf("line %d: ", c.line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", err, want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error quotes the line: %q", err)
			}
		})
		files[c.name] = []byte(c.in)
	}
	py := configparserRead(t, files)
	for _, c := range parseErrorCases {
		if r := py[c.name]; r.Error == "" || r.Line != c.line {
			t.Errorf("%s: configparser gives %q at line %d, the editor refuses line %d", c.name, r.Error, r.Line, c.line)
		}
	}
}

// TestDialect pins down pip's reading of the odd corners: what is a comment,
// a continuation, a header, a key, and what the URLs are.
func TestDialect(t *testing.T) {
	files := map[string][]byte{}
	parsed := map[string]*File{}
	for _, c := range []struct {
		name, in string
		want     []string // "section.key line url"
	}{
		{"delimiters", "[global]\nindex-url: https://a/\nextra-index-url=https://b/ https://c/\n",
			[]string{"global.index-url 2 https://a/", "global.extra-index-url 3 https://b/", "global.extra-index-url 3 https://c/"}},
		{"first_delimiter_wins", "[global]\nindex-url = https://a/?x=1\n",
			[]string{"global.index-url 2 https://a/?x=1"}},
		{"hash_and_semicolon_inside_values", "[global]\nextra-index-url = https://a/#x ;y\n  https://b/;z\n",
			[]string{"global.extra-index-url 2 https://a/#x", "global.extra-index-url 2 ;y", "global.extra-index-url 3 https://b/;z"}},
		{"indented_comment_inside_value", "[global]\nextra-index-url =\n  https://a/\n  # https://commented/\n  ; https://also/\n  https://b/\n",
			[]string{"global.extra-index-url 3 https://a/", "global.extra-index-url 6 https://b/"}},
		{"blank_line_keeps_the_value_open", "[global]\nextra-index-url = https://a/\n\n\n  https://b/\n",
			[]string{"global.extra-index-url 2 https://a/", "global.extra-index-url 5 https://b/"}},
		{"continuation_must_be_deeper_than_its_key", "[global]\n  extra-index-url = https://a/\n   https://b/\n  index-url = https://c/\n",
			[]string{"global.extra-index-url 2 https://a/", "global.extra-index-url 3 https://b/", "global.index-url 4 https://c/"}},
		{"tab_counts_as_one_column", "[global]\n    extra-index-url = https://a/\n\t\t\t\t\thttps://b/\n",
			[]string{"global.extra-index-url 2 https://a/", "global.extra-index-url 3 https://b/"}},
		{"python_whitespace", "[global]\nextra-index-url =\u3000https://a/\u00a0https://b/\x1chttps://c/\n",
			[]string{"global.extra-index-url 2 https://a/", "global.extra-index-url 2 https://b/", "global.extra-index-url 2 https://c/"}},
		{"key_spellings", "[install]\nINDEX_URL = https://a/\n--Extra_Index-URL = https://b/\nindex = https://not-pip/\n",
			[]string{"install.index-url 2 https://a/", "install.extra-index-url 3 https://b/"}},
		{"dotless_capital_i_is_not_index_url", "[global]\n\u0130ndex-url = https://a/\n", nil},
		{"header_runs_to_the_last_bracket", "[global] ; x]\nindex-url = https://a/\n[[source]]\nindex-url = https://b/\n",
			[]string{"global] ; x.index-url 2 https://a/", "[source].index-url 4 https://b/"}},
		{"default_section", "[DEFAULT]\nextra-index-url = https://a/\n[DEFAULT]\nindex-url = https://b/\n",
			[]string{"DEFAULT.extra-index-url 2 https://a/", "DEFAULT.index-url 4 https://b/"}},
		{"crlf_and_lone_cr", "[global]\r\nindex-url = https://a/\r\r\nextra-index-url = https://b/\r",
			[]string{"global.index-url 2 https://a/", "global.extra-index-url 4 https://b/"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, []byte(c.in))
			var got []string
			for _, u := range f.IndexURLs() {
				got = append(got, fmt.Sprintf("%s.%s %d %s", u.Section, u.Key, u.Line, u.URL))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("IndexURLs:\n got %q\nwant %q", got, c.want)
			}
			if !bytes.Equal(f.Bytes(), []byte(c.in)) {
				t.Errorf("Bytes() = %q", f.Bytes())
			}
			files[c.name], parsed[c.name] = []byte(c.in), f
		})
	}
	for name, r := range configparserRead(t, files) {
		if !r.View.equal(viewOf(parsed[name])) {
			t.Errorf("%s: configparser reads\n%v\nthe editor\n%v", name, r.View, viewOf(parsed[name]))
		}
	}
}

func TestSetIndexURL(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"same_value_untouched", "[global]\nindex-url = https://a/   \n", "[global]\nindex-url = https://a/   \n"},
		{"only_the_url_bytes_change", "[global]\nindex-url\t:  https://old/   \n", "[global]\nindex-url\t:  https://a/   \n"},
		{"two_urls_become_one", "[global]\nindex-url = https://x/ https://y/\n", "[global]\nindex-url = https://a/\n"},
		{"every_spelling_in_global", "[global]\nindex_url = https://x/\nindex-url = https://y/\n[install]\nindex-url = https://z/\n",
			"[global]\nindex_url = https://a/\nindex-url = https://a/\n[install]\nindex-url = https://z/\n"},
		{"new_key_after_last_value_line", "[global]\ntimeout = 5\n  more\n\n# about install\n[install]\n",
			"[global]\ntimeout = 5\n  more\nindex-url = https://a/\n\n# about install\n[install]\n"},
		{"empty_section", "[global]\n[install]\n", "[global]\nindex-url = https://a/\n[install]\n"},
		// Found by TestConfigparserAgreement: a key at column 0 would swallow
		// the indented header that follows as its continuation.
		{"empty_section_before_indented_header", "[global]\n\n# c\n  [install]\n", "[global]\n  index-url = https://a/\n\n# c\n  [install]\n"},
		{"only_header_no_newline", "[global]", "[global]\nindex-url = https://a/"},
		{"comment_only_file", "# nothing yet", "# nothing yet\n\n[global]\nindex-url = https://a/\n"},
		{"ends_with_blank_line", "[install]\nx = 1\n\n", "[install]\nx = 1\n\n[global]\nindex-url = https://a/\n"},
		{"not_global_lookalikes", "[ global ]\nindex-url = https://x/\n[Global]\n",
			"[ global ]\nindex-url = https://x/\n[Global]\n\n[global]\nindex-url = https://a/\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, []byte(c.in))
			f.SetIndexURL("https://a/")
			if got := string(f.Bytes()); got != c.want {
				t.Errorf("\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestAddExtraIndexURL(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"known_in_another_section", "[install]\nindex-url = https://u:p@A.example:443/simple\n", "[install]\nindex-url = https://u:p@A.example:443/simple\n"},
		{"single_line_gets_a_continuation", "[global]\nextra-index-url = https://x/\n", "[global]\nextra-index-url = https://x/\n    https://a.example/simple/\n"},
		{"indented_key_continuation_deeper", "[global]\n\t  extra-index-url = https://x/\n",
			"[global]\n\t  extra-index-url = https://x/\n\t      https://a.example/simple/\n"},
		{"continuation_indent_copied", "[global]\nextra-index-url =\n\t https://x/\n\n# c\n", "[global]\nextra-index-url =\n\t https://x/\n\t https://a.example/simple/\n\n# c\n"},
		{"last_spelling_wins", "[global]\nextra_index_url = https://x/\nextra-index-url = https://y/\n",
			"[global]\nextra_index_url = https://x/\nextra-index-url = https://y/\n    https://a.example/simple/\n"},
		{"empty_value_filled", "[global]\nextra-index-url :\n", "[global]\nextra-index-url : https://a.example/simple/\n"},
		{"style_of_neighbour", "[global]\ntimeout: 5\n", "[global]\ntimeout: 5\nextra-index-url: https://a.example/simple/\n"},
		{"crlf", "[global]\r\ntimeout = 5", "[global]\r\ntimeout = 5\r\nextra-index-url = https://a.example/simple/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, []byte(c.in))
			f.AddExtraIndexURL("https://a.example/simple/")
			if got := string(f.Bytes()); got != c.want {
				t.Errorf("\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestRemoveURLs(t *testing.T) {
	drop := func(raw string) bool { return urlcred.Host(raw) == "x" }
	for _, c := range []struct{ name, in, want string }{
		{"nothing_to_drop", "[global]\nextra-index-url =\n", "[global]\nextra-index-url =\n"},
		{"first_of_line", "[global]\nextra-index-url = https://x/  https://y/\n", "[global]\nextra-index-url = https://y/\n"},
		{"last_of_line", "[global]\nextra-index-url = https://y/  https://x/ \n", "[global]\nextra-index-url = https://y/ \n"},
		{"key_line_emptied", "[global]\nextra-index-url = https://x/\n  https://y/\n", "[global]\nextra-index-url =\n  https://y/\n"},
		{"whole_key_goes_comments_stay", "[global]\na = 1\nindex-url =\n  https://x/\n\n  # note\n  https://u:p@x/\nb = 2\n",
			"[global]\na = 1\n\n  # note\nb = 2\n"},
		{"last_line_without_newline", "[global]\na = 1\nindex-url = https://x/", "[global]\na = 1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, []byte(c.in))
			f.RemoveURLs(drop)
			if got := string(f.Bytes()); got != c.want {
				t.Errorf("\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestNoLineInjection: a value that is not a single word is refused, so a
// URL can never smuggle in a line, a section or a comment.
func TestNoLineInjection(t *testing.T) {
	in := "[global]\nindex-url = https://a/\nextra-index-url = https://b/\n"
	for _, bad := range []string{"", "https://x/\n[install]", "https://x/ y", "#https://x/", ";x", "https://x/\rz", "\xff", "a\u2028b"} {
		f := mustParse(t, []byte(in))
		f.SetIndexURL(bad)
		f.AddExtraIndexURL(bad)
		f.MapURLs(func(string) string { return bad })
		if got := string(f.Bytes()); got != in {
			t.Errorf("%q changed the file:\n%s", bad, got)
		}
	}
}

func TestMasked(t *testing.T) {
	f := mustParse(t, []byte(goldenCases[1].in))
	creds(cgrHost).apply(f)
	f.SetIndexURL(cgrWithKey)
	plain := string(f.Bytes())
	masked := string(f.Masked())
	if !strings.Contains(plain, cgrSecret) {
		t.Fatalf("the file should hold the secret:\n%s", plain)
	}
	if strings.Contains(masked, cgrSecret) {
		t.Errorf("Masked shows the secret:\n%s", masked)
	}
	want := strings.ReplaceAll(plain, cgrWithKey, urlcred.Mask(cgrWithKey))
	if masked != want {
		t.Errorf("Masked:\n got %q\nwant %q", masked, want)
	}
	if string(f.Bytes()) != plain {
		t.Error("Masked changed the file")
	}
	g := mustParse(t, []byte("[install]\nproxy = http://me:pw@proxy:3128\n"))
	if got := string(g.Masked()); got != "[install]\nproxy = http://me:****@proxy:3128\n" {
		t.Errorf("Masked of other keys = %q", got)
	}
}

// TestMaskedHidesWhatItDoesNotKnow: a dry run shows no value that could be
// a secret credgen did not write.
func TestMaskedHidesWhatItDoesNotKnow(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"URL password in any key", "[global]\nindex-url = https://u:Pw-1@h.example/simple/\n", "[global]\nindex-url = https://u:****@h.example/simple/\n"},
		{"token as URL username", "[global]\nextra-index-url =\n    https://Tok3n@h.example/simple/\n", "[global]\nextra-index-url =\n    https://****@h.example/simple/\n"},
		{"proxy without scheme", "[global]\nproxy = alice:Pr0xyPassw0rd@proxy.corp:3128\n", "[global]\nproxy = alice:****@proxy.corp:3128\n"},
		{"secret-named keys", "[global]\npassword = hunter2\nmy_token = a b\n  c\nAPI-KEY: k\ntimeout = 60\n", "[global]\npassword = ****\nmy_token = **** ****\n  ****\nAPI-KEY: ****\ntimeout = 60\n"},
		{"commented-out credentials", "# index-url = https://u:Old-Pw@h.example/simple/\n;token: Tok3n\n[global]\n  # password hunter2\n", "# index-url = https://u:****@h.example/simple/\n;token: ****\n[global]\n  # password ****\n"},
		{"section names", "[https://u:Pw@h]\n[https://u:Other@h]\n[DEFAULT]\n[DEFAULT]\n", "[https://u:****@h]\n[https://u:****@h-2]\n[DEFAULT]\n[DEFAULT]\n"},
		{"harmless values stay", "[global]\nindex-url = https://h.example/simple/\ntrusted-host = h.example\n# a plain comment\n", "[global]\nindex-url = https://h.example/simple/\ntrusted-host = h.example\n# a plain comment\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, []byte(tc.in))
			got := string(f.Masked())
			if got != tc.want {
				t.Errorf("Masked:\n got %q\nwant %q", got, tc.want)
			}
			if string(f.Bytes()) != tc.in {
				t.Error("Masked changed the file")
			}
			if _, err := Parse([]byte(got)); err != nil {
				t.Errorf("Masked does not parse: %v", err)
			}
		})
	}
}
