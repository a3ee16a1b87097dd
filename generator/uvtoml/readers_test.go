package uvtoml

// Independent readers of what the editor writes: Python's tomllib (a
// different TOML implementation) and uv's own JSON schema.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is uv's JSON schema, vendored at the repository's top.
const schemaPath = "../../testdata/uv.schema.json"

// pythonTOMLReader prints, for each file named on its command line, what
// tomllib reads from it as JSON ({"doc": ...} or {"error": ...}). Dates and
// times become their ISO strings and non-finite floats their names, so that
// the JSON is exact.
const pythonTOMLReader = `
import datetime, json, math, sys, tomllib

def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v

out = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            out[path] = {"doc": plain(tomllib.load(f))}
    except Exception as e:
        out[path] = {"error": f"{type(e).__name__}: {e}"}
json.dump(out, sys.stdout)
`

// tomllibRead has Python's tomllib read each document; docs are keyed like
// the input. A missing python3 fails the test: CI installs it.
func tomllibRead(t *testing.T, docs map[string][]byte) map[string]map[string]any {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-c", pythonTOMLReader}
	paths := map[string]string{}
	i := 0
	for key, data := range docs {
		p := filepath.Join(dir, fmt.Sprintf("%d.toml", i))
		i++
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		paths[p] = key
		args = append(args, p)
	}
	cmd := exec.Command("python3", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 tomllib reader: %v: %s", err, stderr.String())
	}
	var results map[string]struct {
		Doc   map[string]any `json:"doc"`
		Error string         `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&results); err != nil {
		t.Fatalf("decode tomllib output: %v", err)
	}
	read := map[string]map[string]any{}
	for p, r := range results {
		if r.Error != "" {
			t.Errorf("tomllib cannot read %s: %s", paths[p], r.Error)
			continue
		}
		read[paths[p]] = r.Doc
	}
	return read
}

// uvSchema is uv's JSON schema, compiled.
func uvSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("read %s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("uv.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("uv.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return sch
}

// decodeTOML is go-toml's reading of data, in JSON's types.
func decodeTOML(data []byte) (map[string]any, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return jsonValue(doc).(map[string]any), nil
}

// jsonValue turns go-toml's decoded values into JSON's: dates and times
// become strings, integers stay exact, non-finite floats become strings (so
// that NaN equals NaN when documents are compared).
func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x)
		}
		return out
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return fmt.Sprint(v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprint(v)
		}
		return v
	}
	return v
}

// schemaErrors is "" when data is a valid uv.toml for uv's schema, else the
// validator's first lines.
func schemaErrors(sch *jsonschema.Schema, data []byte) string {
	doc, err := decodeTOML(data)
	if err != nil {
		return "not TOML: " + err.Error()
	}
	if err := sch.Validate(doc); err != nil {
		lines := strings.Split(err.Error(), "\n")
		return strings.Join(lines[:min(len(lines), 4)], " | ")
	}
	return ""
}
