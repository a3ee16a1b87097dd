package uvtoml

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzEdit runs every edit on arbitrary documents. What must hold:
//   - nothing panics; a document Parse rejects gets a *ParseError whose line
//     exists, and one it accepts comes back byte-for-byte from Bytes;
//   - after UpsertIndex, go-toml reads the output as exactly the input with
//     the upsert applied (meantUpsert): the index is there, every other table
//     and key decodes as before, other indexes differ only by default = false
//     when def; the same upsert again changes no byte;
//   - when no index had the url's key, RemoveIndex after the upsert gives the
//     input back byte-for-byte, plus one line ending when the input was not
//     empty, used [[index]] tables (or none) and did not end in "\n"; when def
//     this holds only if no index had default = true (those became false);
//   - MapURLs and RemoveIndex decode as meant and are idempotent; Masked
//     decodes as the masked document.
func FuzzEdit(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, name, url string, def bool) {
		file, err := Parse(data)
		if err != nil {
			checkParseError(t, data, err)
			return
		}
		if !bytes.Equal(file.Bytes(), data) {
			t.Fatal("Parse(x).Bytes() != x")
		}
		for _, e := range file.entries {
			if want := lineAt(data, e.start); e.line != want {
				t.Fatalf("index at offset %d is said to be on line %d, not %d", e.start, e.line, want)
			}
		}
		before, err := decodeTOML(data)
		if err != nil {
			t.Fatalf("Parse accepted what go-toml rejects: %v", err)
		}
		out := checkUpsert(t, data, before, name, url, def)
		checkUpsertRestores(t, data, out, url, def)
		checkMapURLs(t, data, before)
		checkRemove(t, data, before, url)
		checkMasked(t, out)
	})
}

func checkParseError(t *testing.T, data []byte, err error) {
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse error %T is not a *ParseError: %v", err, err)
	}
	if pe.Line < 1 || pe.Line > bytes.Count(data, []byte{'\n'})+1 {
		t.Fatalf("error names line %d of a %d-line document: %v", pe.Line, bytes.Count(data, []byte{'\n'})+1, err)
	}
}

func checkUpsert(t *testing.T, data []byte, before map[string]any, name, url string, def bool) []byte {
	f := mustParse(data)
	eff := f.UpsertIndex(name, url, def)
	out := f.Bytes()
	after, err := decodeTOML(out)
	if err != nil {
		t.Fatalf("go-toml cannot read the upsert's output: %v\n%s", err, out)
	}
	if want := meantUpsert(before, name, url, def); !sameJSON(after, want) {
		t.Fatalf("upsert output reads\n%s\nwant\n%s\noutput:\n%s", asJSON(after), asJSON(want), out)
	}
	if eff != "" && !hasIndexNamed(f, url, eff) {
		t.Fatalf("effective name %q is not the name of the index", eff)
	}
	f.UpsertIndex(name, url, def)
	if !bytes.Equal(f.Bytes(), out) {
		t.Fatalf("a second upsert changed the file:\n%s\nthen\n%s", out, f.Bytes())
	}
	return out
}

func hasIndexNamed(f *File, url, name string) bool {
	m := f.matching(validText(url))
	return len(m) > 0 && f.entries[m[0]].name != nil && f.entries[m[0]].name.text == name
}

func checkUpsertRestores(t *testing.T, data, out []byte, url string, def bool) {
	orig := mustParse(data)
	if len(orig.matching(validText(url))) > 0 || (def && hasDefault(orig)) {
		return
	}
	f := mustParse(out)
	if !f.RemoveIndex(url) {
		t.Fatal("RemoveIndex does not find the index just added")
	}
	want := string(data)
	if len(data) > 0 && !strings.HasSuffix(want, "\n") && orig.array == nil {
		want += orig.eol
	}
	if got := string(f.Bytes()); got != want {
		t.Fatalf("upsert then remove gives\n%q\nnot\n%q", got, want)
	}
}

func checkMapURLs(t *testing.T, data []byte, before map[string]any) {
	f := mustParse(data)
	f.MapURLs(withToken)
	out := f.Bytes()
	after, err := decodeTOML(out)
	if err != nil {
		t.Fatalf("go-toml cannot read MapURLs' output: %v", err)
	}
	if want := meantMapURLs(before, withToken); !sameJSON(after, want) {
		t.Fatalf("MapURLs output reads\n%s\nwant\n%s", asJSON(after), asJSON(want))
	}
	f.MapURLs(withToken)
	if !bytes.Equal(f.Bytes(), out) {
		t.Fatal("a second MapURLs changed the file")
	}
}

func checkRemove(t *testing.T, data []byte, before map[string]any, url string) {
	f := mustParse(data)
	inline := f.array != nil
	f.RemoveIndex(url)
	after, err := decodeTOML(f.Bytes())
	if err != nil {
		t.Fatalf("go-toml cannot read RemoveIndex's output: %v", err)
	}
	if want := meantRemove(before, validText(url), inline); !sameJSON(after, want) {
		t.Fatalf("RemoveIndex output reads\n%s\nwant\n%s", asJSON(after), asJSON(want))
	}
	if f.RemoveIndex(url) {
		t.Fatal("a second RemoveIndex removed something")
	}
}

func checkMasked(t *testing.T, data []byte) {
	f := mustParse(data)
	masked, err := decodeTOML(f.Masked())
	if err != nil {
		t.Fatalf("go-toml cannot read Masked: %v", err)
	}
	doc, _ := decodeTOML(data)
	if want := meantMasked(doc); !sameJSON(masked, want) {
		t.Fatalf("Masked reads\n%s\nwant\n%s", asJSON(masked), asJSON(want))
	}
}
