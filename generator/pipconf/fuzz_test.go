package pipconf

import (
	"bytes"
	"testing"

	"github.com/credgen/credgen/generator/internal/initest"
	"github.com/credgen/credgen/generator/urlcred"
)

// FuzzEdit: Parse never panics and gives back its input; every edit leaves a
// file that parses, with the keys credgen does not manage reading the same,
// and doing the same edit again changes nothing. Seeds: testdata/fuzz/FuzzEdit
// (the golden inputs; go test -update rewrites them).
func FuzzEdit(f *testing.F) {
	f.Add([]byte("[global]\nindex-url = https://a/\n"), "https://u:p@b.example/simple/")
	f.Fuzz(func(t *testing.T, data []byte, raw string) {
		file, ok := initest.Parsed(t, data, Parse)
		if !ok {
			return
		}
		for _, e := range fuzzEdits(file, raw) {
			checkEdit(t, data, e)
		}
		all := mustParse(t, data)
		for _, e := range fuzzEdits(file, raw) {
			e.apply(all)
		}
		if g, err := Parse(all.Bytes()); err != nil || !unmanagedEqual(viewOf(file), viewOf(g)) {
			t.Fatalf("all edits in a row: %v\n%q", err, all.Bytes())
		}
		if _, err := Parse(all.Masked()); err != nil {
			t.Fatalf("Masked does not parse: %v", err)
		}
	})
}

// fuzzEdit is an edit with what it must have achieved.
type fuzzEdit struct {
	edit
	check func(t *testing.T, f *File)
}

// fuzzEdits are credgen's edits aimed at what the file holds: credentials
// for the host of its first URL, raw as the index, a new extra index, and
// the purge of its last URL's host.
func fuzzEdits(f *File, raw string) []fuzzEdit {
	first, last := cgrHost, cgrHost
	if urls := f.IndexURLs(); len(urls) > 0 {
		first, last = urlcred.Host(urls[0].URL), urlcred.Host(urls[len(urls)-1].URL)
	}
	return []fuzzEdit{
		{creds(first), func(t *testing.T, f *File) {
			for _, u := range f.IndexURLs() {
				if want := urlcred.With(u.URL, cgrUser, cgrSecret); urlcred.Host(u.URL) == first && validToken(want) && u.URL != want {
					t.Errorf("line %d: %q did not get credentials", u.Line, u.URL)
				}
			}
		}},
		{setIndex(raw), func(t *testing.T, f *File) {
			opts := f.globalOptions(indexURLKey)
			if validToken(raw) && len(opts) == 0 {
				t.Error("no [global] index-url")
			}
			for _, o := range opts {
				if validToken(raw) && o.Value != raw {
					t.Errorf("[global] %s = %q, want %q", o.Key, o.Value, raw)
				}
			}
		}},
		{addExtra(mendaURL), func(t *testing.T, f *File) {
			if !f.hasIndex(mendaURL) {
				t.Error("extra index not added")
			}
		}},
		{purge(last), func(t *testing.T, f *File) {
			for _, u := range f.IndexURLs() {
				if urlcred.Host(u.URL) == last {
					t.Errorf("line %d: %q not purged", u.Line, u.URL)
				}
			}
		}},
	}
}

// checkEdit applies e to data and checks the invariants.
func checkEdit(t *testing.T, data []byte, e fuzzEdit) {
	t.Helper()
	before := mustParse(t, data)
	f := mustParse(t, data)
	e.apply(f)
	out := f.Bytes()
	g, err := Parse(out)
	if err != nil {
		t.Fatalf("%s: output does not parse: %v\n%q", e.name, err, out)
	}
	if !unmanagedEqual(viewOf(before), viewOf(g)) {
		t.Fatalf("%s: unmanaged keys changed:\n%v\n%v\n%q", e.name, viewOf(before).unmanaged(), viewOf(g).unmanaged(), out)
	}
	e.check(t, g)
	e.apply(f)
	if again := f.Bytes(); !bytes.Equal(again, out) {
		t.Fatalf("%s twice:\n%q\n%q", e.name, out, again)
	}
	e.apply(g)
	if again := g.Bytes(); !bytes.Equal(again, out) {
		t.Fatalf("%s on the re-parsed output:\n%q\n%q", e.name, out, again)
	}
}
