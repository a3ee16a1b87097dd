package pypirc

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/internal/initest"
)

func quoteGo(data []byte) string { return strconv.Quote(string(data)) }

// FuzzEdit: Parse never panics and gives back its input; every edit either
// fails cleanly (a bad name, or ErrUnsafeEdit where the file's indentation
// makes it so) or leaves a file that parses, where twine reads the edited
// server as meant and every other server as before, and doing the same edit
// again changes nothing. Seeds: testdata/fuzz/FuzzEdit (the golden inputs;
// go test -update rewrites them).
func FuzzEdit(f *testing.F) {
	f.Add([]byte("[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\n"), mendaName)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		file, ok := initest.Parsed(t, data, Parse)
		if !ok {
			return
		}
		for _, e := range fuzzEdits(file, name) {
			checkEdit(t, data, e)
		}
		masked := file.Masked()
		if _, err := Parse(masked); err != nil {
			t.Fatalf("Masked does not parse: %v", err)
		}
		if len(strings.Split(string(masked), "\n")) != len(strings.Split(string(data), "\n")) {
			t.Fatalf("Masked changed the line count")
		}
	})
}

// fuzzEdit is an edit, the server it is about, and what twine must read for
// that server afterwards (nil: nothing).
type fuzzEdit struct {
	edit
	server string
	want   func(before *File) map[string]string
	unsafe bool // may fail with ErrUnsafeEdit
}

// fuzzEdits are credgen's edits aimed at what the file holds: a new server
// named by the fuzzer, new credentials for and the stripping of its first
// server, the removal of its last one.
func fuzzEdits(f *File, name string) []fuzzEdit {
	first, last := mendaName, mendaName
	if servers := f.Servers(); len(servers) > 0 {
		first, last = servers[0].Name, servers[len(servers)-1].Name
	}
	edits := []fuzzEdit{
		{setServer(name, mendaUpload, mendaUser, mendaSecret), name, func(*File) map[string]string { return mendaWant }, false},
		{strip(first), first, nil, false},
		{removeServer(last), last, nil, true},
	}
	if f.section(first) != nil {
		edits = append(edits, fuzzEdit{setCreds(first, mendaUser, newSecret), first, nil, false})
	}
	return edits
}

// checkEdit applies e to data and checks the invariants.
func checkEdit(t *testing.T, data []byte, e fuzzEdit) {
	t.Helper()
	before := mustParse(t, data)
	f := mustParse(t, data)
	if err := e.apply(f); err != nil {
		if checkName(e.server) != nil || (e.unsafe && errors.Is(err, ErrUnsafeEdit)) {
			if !bytes.Equal(f.Bytes(), data) {
				t.Fatalf("%s failed (%v) but changed the file", e.name, err)
			}
			return
		}
		t.Fatalf("%s: %v\n%q", e.name, err, data)
	}
	out := f.Bytes()
	g, err := Parse(out)
	if err != nil {
		t.Fatalf("%s: output does not parse: %v\n%q", e.name, err, out)
	}
	tb, ta := twineExpect(before), twineExpect(g)
	checkServerRead(t, e, before, ta, out)
	delete(tb, e.server)
	delete(ta, e.server)
	if !tb.equal(ta) {
		t.Fatalf("%s: twine reads other servers differently:\n%v\n%v\n%q", e.name, tb, ta, out)
	}
	if err := e.apply(f); err != nil || !bytes.Equal(f.Bytes(), out) {
		t.Fatalf("%s twice: %v\n%q\n%q", e.name, err, out, f.Bytes())
	}
	if err := e.apply(g); err != nil || !bytes.Equal(g.Bytes(), out) {
		t.Fatalf("%s on the re-parsed output: %v\n%q\n%q", e.name, err, out, g.Bytes())
	}
	if bytes.Contains(g.Masked(), []byte(mendaSecret)) || bytes.Contains(g.Masked(), []byte(newSecret)) {
		t.Fatalf("%s: Masked shows the secret", e.name)
	}
}

// checkServerRead compares what twine reads for the edited server with
// what the edit wants; [server-login] and [DEFAULT] may fill in keys the
// section does not set.
func checkServerRead(t *testing.T, e fuzzEdit, before *File, after twineConfig, out []byte) {
	t.Helper()
	g := mustParse(t, out)
	switch {
	case e.want != nil:
		got := after[e.server]
		for k, want := range e.want(before) {
			if v := got[k]; v == nil || *v != want {
				t.Fatalf("%s: twine reads %s wrong\n%q", e.name, k, out)
			}
		}
	case strings.HasPrefix(e.name, "strip "):
		if g.ownOption(e.server, usernameKey) != nil || g.ownOption(e.server, passwordKey) != nil {
			t.Fatalf("%s: credentials left\n%q", e.name, out)
		}
		if b, a := before.ownOption(e.server, repositoryKey), g.ownOption(e.server, repositoryKey); (b == nil) != (a == nil) || (b != nil && b.Value != a.Value) {
			t.Fatalf("%s: repository changed\n%q", e.name, out)
		}
	case strings.HasPrefix(e.name, "creds "):
		// The section's own values: twine reads them once index-servers lists it.
		u, p := g.ownOption(e.server, usernameKey), g.ownOption(e.server, passwordKey)
		if u == nil || p == nil || u.Value != mendaUser || p.Value != newSecret {
			t.Fatalf("%s: credentials not set\n%q", e.name, out)
		}
	default: // remove
		if g.section(e.server) != nil || slices.Contains(g.fileServers(), e.server) {
			t.Fatalf("%s: the server is still there\n%q", e.name, out)
		}
	}
}

// fileServers is index-servers as the file itself spells it in [distutils]
// (nil when twine falls back to its defaults).
func (f *File) fileServers() []string {
	if o := f.ownOption(distutilsSection, indexServersKey); o != nil {
		return strings.FieldsFunc(o.Value, ini.IsSpace)
	}
	return nil
}
