package pipconf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/urlcred"
)

var corpusDir = flag.String("corpus", "", "folder of real-world files (its pip/ holds pip.conf samples) for TestCorpus")

// corpusRun is one real-world file and what credgen's edits made of it.
type corpusRun struct {
	name    string
	in, out []byte
	f       *File
	err     error
	summary string
}

// TestCorpus puts every DIR/pip/* file through credgen's edits (credentials
// for the host of its first URL, [global] index-url, an extra index, a purge)
// and has configparser check that nothing else changed. Run with
// -args -corpus DIR; skipped without it.
func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -corpus DIR")
	}
	paths, err := filepath.Glob(filepath.Join(*corpusDir, "pip", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no files in %s/pip: %v", *corpusDir, err)
	}
	var runs []*corpusRun
	files := map[string][]byte{}
	for _, p := range paths {
		r := editCorpusFile(t, p)
		runs = append(runs, r)
		files[r.name+".in"] = r.in
		if r.err == nil {
			files[r.name+".out"] = r.out
		}
	}
	py := configparserRead(t, files)
	for _, r := range runs {
		in, out := py[r.name+".in"], py[r.name+".out"]
		switch {
		case r.err != nil && in.Error == "":
			t.Errorf("%s: the editor refuses it (%v), configparser reads it", r.name, r.err)
		case r.err != nil:
			t.Logf("%s: refused, %v (configparser: %s, line %d)", r.name, r.err, in.Error, in.Line)
		case in.Error != "" || out.Error != "":
			t.Errorf("%s: configparser refuses the input (%s) or the output (%s)", r.name, in.Error, out.Error)
		case !out.View.equal(viewOf(r.f)):
			t.Errorf("%s: configparser reads the output as\n%v\nthe editor as\n%v", r.name, out.View, viewOf(r.f))
		case !unmanagedEqual(in.View, out.View):
			t.Errorf("%s: configparser sees unmanaged keys change:\n%v\n%v", r.name, in.View.unmanaged(), out.View.unmanaged())
		default:
			t.Logf("%s: %s; %s unchanged", r.name, r.summary, countKeys(in.View.unmanaged()))
		}
	}
}

// editCorpusFile applies credgen's edits to one file and checks what the
// editor alone can: round trip and idempotence.
func editCorpusFile(t *testing.T, path string) *corpusRun {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &corpusRun{name: filepath.Base(path), in: data}
	f, err := Parse(data)
	if err != nil {
		r.err = err
		return r
	}
	if !bytes.Equal(f.Bytes(), data) {
		t.Errorf("%s: Parse(x).Bytes() != x", r.name)
	}
	edits, desc := corpusEdits(f)
	linesIn, urlsIn := len(f.doc.Lines), len(f.IndexURLs())
	for _, e := range edits {
		e.apply(f)
	}
	r.out, r.f = f.Bytes(), f
	again := mustParse(t, r.out)
	for _, e := range edits {
		e.apply(again)
	}
	if !bytes.Equal(again.Bytes(), r.out) {
		t.Errorf("%s: the edits are not idempotent", r.name)
	}
	r.summary = fmt.Sprintf("%s; lines %d→%d, index URLs %d→%d",
		desc, linesIn, len(f.doc.Lines), urlsIn, len(f.IndexURLs()))
	return r
}

// corpusEdits: credentials for the first URL's host, cgr as the index, menda
// as an extra index, then purge the last URL's host (menda's when that is
// the credentialed one).
func corpusEdits(f *File) ([]edit, string) {
	urls := f.IndexURLs()
	credHost, purgeHost := cgrHost, urlcred.Host(mendaURL)
	if len(urls) > 0 {
		credHost = urlcred.Host(urls[0].URL)
		if last := urlcred.Host(urls[len(urls)-1].URL); last != credHost {
			purgeHost = last
		}
	}
	edits := []edit{creds(credHost), setIndex(cgrWithKey), addExtra(mendaURL), purge(purgeHost)}
	return edits, fmt.Sprintf("creds %s, set, add, purge %s", credHost, purgeHost)
}

func countKeys(v iniView) string {
	sections, keys := 0, 0
	for name, kv := range v {
		if name != ini.DefaultSection || len(kv) > 0 {
			sections++
		}
		keys += len(kv)
	}
	return fmt.Sprintf("%d sections / %d other keys", sections, keys)
}
