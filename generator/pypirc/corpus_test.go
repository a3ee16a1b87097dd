package pypirc

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var corpusDir = flag.String("corpus", "", "folder of real-world files whose pypirc/ holds .pypirc samples, for TestCorpus")

// TestFixtures puts every testdata/fixtures file through each of credgen's
// edits, aimed at each of its servers, and has configparser and twine read
// the results.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "fixtures", "*.pypirc"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("want the fixtures in testdata/fixtures: %v", err)
	}
	checkFiles(t, paths)
}

// TestCorpus does the same over DIR/pypirc/*. Run with -args -corpus DIR;
// skipped without it.
func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -corpus DIR")
	}
	paths, err := filepath.Glob(filepath.Join(*corpusDir, "pypirc", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skipf("no pypirc folder in %s", *corpusDir)
	}
	checkFiles(t, paths)
}

// editRun is one edit of one file and its result.
type editRun struct {
	name   string
	server string
	in     []byte
	f      *File
	want   map[string]string // what twine must read for server; nil: server gone or not checked
}

func checkFiles(t *testing.T, paths []string) {
	files := map[string][]byte{}
	var runs []editRun
	for _, p := range paths {
		in := readFile(t, p)
		if _, err := Parse(in); err != nil {
			t.Logf("%s: refused: %v", p, err)
			files[p] = in
			continue
		}
		for _, r := range editsOf(t, filepath.Base(p), in) {
			runs = append(runs, r)
			files[r.name] = r.f.Bytes()
		}
		files[p] = in
	}
	py := pythonRead(t, files)
	for _, p := range paths {
		if _, err := Parse(files[p]); err != nil && py[p].Error == "" {
			t.Errorf("%s: the editor refuses it (%v), configparser reads it", p, err)
		}
	}
	for _, r := range runs {
		out := py[r.name]
		if out.Error != "" {
			t.Errorf("%s: configparser refuses the result (%s, line %d)", r.name, out.Error, out.Line)
			continue
		}
		if !out.View.equal(viewOf(r.f)) {
			t.Errorf("%s: configparser reads\n%v\nthe editor\n%v", r.name, out.View, viewOf(r.f))
		}
		if !out.Twine.equal(twineExpect(r.f)) {
			t.Errorf("%s: twine reads\n%v\nthe editor expects\n%v", r.name, out.Twine, twineExpect(r.f))
		}
		before := twineExpect(mustParse(t, r.in))
		got := out.Twine
		for k, want := range r.want {
			if v := got[r.server][k]; v == nil || *v != want {
				t.Errorf("%s: twine reads %s of %s wrong", r.name, k, r.server)
			}
		}
		delete(before, r.server)
		delete(got, r.server)
		if !before.equal(got) {
			t.Errorf("%s: twine reads other servers differently:\n%v\n%v", r.name, before, got)
		}
	}
}

// editsOf makes credgen's edits to one file: a new server; for each of its
// servers new credentials (then SetServer over it), stripping, removal.
func editsOf(t *testing.T, base string, in []byte) []editRun {
	t.Helper()
	f := mustParse(t, in)
	type plan struct {
		e      edit
		server string
		want   map[string]string
	}
	plans := []plan{{setMenda, mendaName, mendaWant}}
	for _, s := range f.Servers() {
		var creds map[string]string // twine reads a section's values only when it is listed
		if s.Listed {
			creds = map[string]string{usernameKey: mendaUser, passwordKey: newSecret}
		}
		plans = append(plans,
			plan{setServer(s.Name, mendaUpload, mendaUser, mendaSecret), s.Name, mendaWant},
			plan{setCreds(s.Name, mendaUser, newSecret), s.Name, creds},
			plan{strip(s.Name), s.Name, nil},
			plan{removeServer(s.Name), s.Name, nil},
		)
	}
	var runs []editRun
	for i, p := range plans {
		g := mustParse(t, in)
		if err := p.e.apply(g); err != nil {
			t.Errorf("%s: %s: %v", base, p.e.name, err)
			continue
		}
		runs = append(runs, editRun{name: fmt.Sprintf("%s#%d %s", base, i, p.e.name), server: p.server, in: in, f: g, want: p.want})
	}
	return runs
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
