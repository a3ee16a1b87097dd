package uvtoml

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var corpusDir = flag.String("corpus", "", "run TestCorpus on DIR/uv/* (real-world uv.toml files)")

// TestCorpus puts real uv.toml files through a whole credgen life cycle:
// add a new index, make it the default, put credentials in every index url,
// remove it. After each step go-toml and Python's tomllib must read the
// document as meant, and a file that was a valid uv.toml must still be one.
// Adding a new index and removing it must give the file back.
func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -corpus DIR given")
	}
	paths, err := filepath.Glob(filepath.Join(*corpusDir, "uv", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no files under %s/uv: %v", *corpusDir, err)
	}
	sch := uvSchema(t)
	docs := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs, summary := corpusFile(t, sch, data)
		t.Logf("%s: %s", filepath.Base(p), summary)
		docs[p] = data
		for i, out := range outputs {
			docs[fmt.Sprintf("%s#%d", p, i)] = out
		}
	}
	checkCorpusWithTomllib(t, paths, docs)
}

const corpusURL = "https://_token:SECRET@libraries.cgr.dev/python/simple/"

// corpusSteps is the life cycle; meant gets whether the file uses the
// inline `index = [...]` form.
var corpusSteps = []struct {
	name  string
	edit  func(*File)
	meant func(doc map[string]any, inline bool) map[string]any
}{
	{"upsert-new", func(f *File) { f.UpsertIndex("credgen", corpusURL, false) },
		func(d map[string]any, _ bool) map[string]any { return meantUpsert(d, "credgen", corpusURL, false) }},
	{"upsert-default", func(f *File) { f.UpsertIndex("ignored", corpusURL, true) },
		func(d map[string]any, _ bool) map[string]any { return meantUpsert(d, "ignored", corpusURL, true) }},
	{"map-urls", func(f *File) { f.MapURLs(withToken) },
		func(d map[string]any, _ bool) map[string]any { return meantMapURLs(d, withToken) }},
	{"remove", func(f *File) { f.RemoveIndex(corpusURL) },
		func(d map[string]any, inline bool) map[string]any { return meantRemove(d, corpusURL, inline) }},
}

// corpusFile runs the life cycle on one file, checking it with go-toml and
// the schema; it returns each step's output and a one-line summary.
func corpusFile(t *testing.T, sch interface{ Validate(any) error }, data []byte) ([][]byte, string) {
	f, err := Parse(data)
	if err != nil {
		t.Errorf("Parse: %v", err)
		return nil, "NOT PARSED: " + err.Error()
	}
	if !bytes.Equal(f.Bytes(), data) {
		t.Error("Parse(x).Bytes() != x")
	}
	doc, _ := decodeTOML(data)
	invalid := schemaText(sch, doc)
	inline := f.array != nil
	var outputs [][]byte
	for _, s := range corpusSteps {
		s.edit(f)
		out := f.Bytes()
		outputs = append(outputs, out)
		after, err := decodeTOML(out)
		if err != nil {
			t.Errorf("%s: go-toml cannot read the result: %v", s.name, err)
			return outputs, "FAILED at " + s.name
		}
		if want := s.meant(doc, inline); !sameJSON(after, want) {
			t.Errorf("%s: reads\n%s\nwant\n%s", s.name, asJSON(after), asJSON(want))
		}
		if msg := schemaText(sch, after); invalid == "" && msg != "" {
			t.Errorf("%s: the result is no longer a valid uv.toml: %s", s.name, msg)
		}
		if s.edit(f); !bytes.Equal(f.Bytes(), out) {
			t.Errorf("%s is not idempotent", s.name)
		}
		doc = after
	}
	restored := mustParse(data)
	restored.UpsertIndex("credgen", corpusURL, false)
	restored.RemoveIndex(corpusURL)
	want := string(data)
	if len(data) > 0 && !strings.HasSuffix(want, "\n") && !inline {
		want += lineEnding(data)
	}
	if string(restored.Bytes()) != want {
		t.Errorf("upsert then remove does not give the file back:\n%q", restored.Bytes())
	}
	summary := fmt.Sprintf("ok (%d index(es)): every step read as meant, idempotent; upsert-new then remove gives it back", len(mustParse(data).Indexes()))
	if invalid != "" {
		summary += "; input already invalid for uv's schema: " + invalid
	}
	return outputs, summary
}

// checkCorpusWithTomllib has tomllib read every input and step output and
// replays the life cycle on its readings.
func checkCorpusWithTomllib(t *testing.T, paths []string, docs map[string][]byte) {
	read := tomllibRead(t, docs)
	for _, p := range paths {
		doc, ok := read[p]
		if !ok {
			continue
		}
		inline := mustParse(docs[p]).array != nil
		for i, s := range corpusSteps {
			got := read[fmt.Sprintf("%s#%d", p, i)]
			want := s.meant(doc, inline)
			if !sameJSON(got, want) {
				t.Errorf("%s, %s: tomllib reads\n%s\nwant\n%s", filepath.Base(p), s.name, asJSON(got), asJSON(want))
			}
			doc = got
		}
	}
}

func schemaText(sch interface{ Validate(any) error }, doc map[string]any) string {
	if err := sch.Validate(doc); err != nil {
		lines := strings.Split(err.Error(), "\n")
		return strings.TrimSpace(strings.Join(lines[1:min(len(lines), 3)], " |"))
	}
	return ""
}
