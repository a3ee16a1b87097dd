package uvtoml

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/urlcred"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const managedURL = "https://libraries.cgr.dev/python/simple/"

// goldenOp is one edit run on every golden input: edit makes it, meant says
// what it means for a reader of the input.
type goldenOp struct {
	name  string
	edit  func(f *File)
	meant func(doc map[string]any, inlineForm bool) map[string]any
}

var withToken = func(raw string) string { return urlcred.With(raw, "_token", "NEW-SECRET/+=") }

func goldenOps() []goldenOp {
	minted := withToken(managedURL)
	return []goldenOp{
		{
			name:  "upsert",
			edit:  func(f *File) { f.UpsertIndex("chainguard", minted, false) },
			meant: func(d map[string]any, _ bool) map[string]any { return meantUpsert(d, "chainguard", minted, false) },
		},
		{
			name:  "upsert-default",
			edit:  func(f *File) { f.UpsertIndex("chainguard", minted, true) },
			meant: func(d map[string]any, _ bool) map[string]any { return meantUpsert(d, "chainguard", minted, true) },
		},
		{
			name:  "map-urls",
			edit:  func(f *File) { f.MapURLs(withToken) },
			meant: func(d map[string]any, _ bool) map[string]any { return meantMapURLs(d, withToken) },
		},
		{
			name:  "remove",
			edit:  func(f *File) { f.RemoveIndex(managedURL) },
			meant: func(d map[string]any, inline bool) map[string]any { return meantRemove(d, managedURL, inline) },
		},
		{
			name:  "masked",
			edit:  func(f *File) { *f = *mustParse(f.Masked()) },
			meant: func(d map[string]any, _ bool) map[string]any { return meantMasked(d) },
		},
	}
}

func mustParse(data []byte) *File {
	f, err := Parse(data)
	if err != nil {
		panic(err)
	}
	return f
}

func goldenInputs(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/golden/*.toml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	inputs := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = data
	}
	return inputs
}

// TestGolden runs every edit on every input, compares with the golden file,
// and has Python's tomllib and uv's schema read each output: what tomllib
// reads must be exactly what the edit meant for what it read from the input.
func TestGolden(t *testing.T) {
	sch := uvSchema(t)
	inputs := goldenInputs(t)
	docs := map[string][]byte{}
	inline := map[string]bool{}
	for in, data := range inputs {
		f, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if msg := schemaErrors(sch, data); msg != "" {
			t.Fatalf("golden input %s is not a valid uv.toml: %s", in, msg)
		}
		docs[in], inline[in] = data, f.array != nil
		for _, op := range goldenOps() {
			golden := strings.TrimSuffix(in, ".toml") + "." + op.name + ".golden"
			docs[golden] = runGolden(t, sch, data, op, golden)
		}
	}
	read := tomllibRead(t, docs)
	for in := range inputs {
		for _, op := range goldenOps() {
			golden := strings.TrimSuffix(in, ".toml") + "." + op.name + ".golden"
			want := op.meant(read[in], inline[in])
			if !sameJSON(read[golden], want) {
				t.Errorf("%s: tomllib reads\n%s\nbut the edit meant\n%s", golden, asJSON(read[golden]), asJSON(want))
			}
		}
	}
}

// runGolden makes one edit, checks it against its golden file, that doing it
// again changes nothing, and that the result is a valid uv.toml.
func runGolden(t *testing.T, sch interface{ Validate(any) error }, input []byte, op goldenOp, golden string) []byte {
	t.Helper()
	f := mustParse(input)
	op.edit(f)
	out := f.Bytes()
	op.edit(f)
	if again := f.Bytes(); !bytes.Equal(again, out) {
		t.Errorf("%s: a second %s changed the file again:\n%s", golden, op.name, again)
	}
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, out, want)
	}
	doc, err := decodeTOML(out)
	if err != nil {
		t.Errorf("%s: go-toml cannot read the output: %v", golden, err)
	} else if err := sch.Validate(doc); err != nil {
		t.Errorf("%s: not a valid uv.toml: %v", golden, err)
	}
	return out
}

// sameJSON compares decoded documents by their canonical JSON (json.Marshal
// sorts keys), so int64 and json.Number holding the same integer agree.
func sameJSON(a, b any) bool { return asJSON(a) == asJSON(b) }

func asJSON(v any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return "unmarshallable: " + err.Error()
	}
	return string(b)
}
