// Package initest holds what the tests of credgen's configparser-dialect
// editors (pipconf, pypirc) share: Python's configparser as the independent
// reader of their files, the golden-file comparison and the checks every
// fuzz input goes through. Only tests import it.
package initest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/credgen/credgen/generator/ini"
)

// ConfigparserPy is Python source that defines read_view(data): what
// configparser.RawConfigParser() (the class pip and twine use, with its
// default options, UTF-8 and universal newlines like their open()) reads
// from the bytes data, as {"view": {section: {key: value}}} with each
// section's own keys and DEFAULT as a section of its own, or the error and
// the line it stops at as {"error": name, "line": n}. A reader script
// appends what it does with it.
const ConfigparserPy = `
import base64, configparser, io, json, re, sys

def read_view(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return {"error": "UnicodeDecodeError", "line": len(re.split(rb"\r\n|\r|\n", data[:e.start]))}
    p = configparser.RawConfigParser()
    try:
        p.read_file(io.StringIO(text, newline=None))
    except configparser.Error as e:
        line = getattr(e, "lineno", None) or e.errors[0][0]
        return {"error": type(e).__name__, "line": line}
    view = {"DEFAULT": dict(p.defaults())}
    for s in p.sections():
        view[s] = dict(p._sections[s])  # the section's own keys, without DEFAULT's
    return {"view": view}
`

// PythonRead runs cmd (a Python reader script) with files as a JSON object
// on its standard input ({name: data}, data as base64) and decodes the JSON
// object it prints: one result per file, keyed like files. what names the
// reader in failures. A missing python3 fails the test: CI installs it.
func PythonRead[T any](t testing.TB, what string, cmd *exec.Cmd, files map[string][]byte) map[string]T {
	t.Helper()
	in, err := json.Marshal(files) // []byte values travel as base64
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", what, err, stderr.String())
	}
	var results map[string]T
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("%s output: %v", what, err)
	}
	if len(results) != len(files) {
		t.Fatalf("%s answered for %d of %d files", what, len(results), len(files))
	}
	return results
}

// CompareGolden compares got with the golden file at path, or with update
// set writes got there.
func CompareGolden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got %q\nwant %q", path, got, want)
	}
}

// Parsed is what a fuzz target checks of any input first: parse either
// refuses it with an *ini.ParseError that names a line, or gives back a
// file whose Bytes are the input. ok is false when it refused.
func Parsed[F interface{ Bytes() []byte }](t testing.TB, data []byte, parse func([]byte) (F, error)) (f F, ok bool) {
	t.Helper()
	f, err := parse(data)
	if err != nil {
		var pe *ini.ParseError
		if !errors.As(err, &pe) || pe.Line < 1 {
			t.Fatalf("Parse error %v is not a *ParseError with a line", err)
		}
		return f, false
	}
	if !bytes.Equal(f.Bytes(), data) {
		t.Fatalf("Parse(x).Bytes() != x: %q", f.Bytes())
	}
	return f, true
}

// MustParse parses data or fails the test.
func MustParse[F any](t testing.TB, data []byte, parse func([]byte) (F, error)) F {
	t.Helper()
	f, err := parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}
