package netrc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	managedHost = "libraries.cgr.dev"
	newHost     = "new.example.org"
)

// goldenOp is one edit applied to a golden input.
type goldenOp struct {
	name string
	run  func(*File) ([]byte, error)
	// host and creds the edit sets (login "" for a removal), for the readers.
	host, login, password string
}

var goldenOps = []goldenOp{
	{"set-new", func(f *File) ([]byte, error) {
		err := f.SetMachine(newHost, "_token", "NEW-SECRET-1")
		return f.Bytes(), err
	}, newHost, "_token", "NEW-SECRET-1"},
	{"set-managed", func(f *File) ([]byte, error) {
		err := f.SetMachine(managedHost, "_token", "NEW-SECRET-2")
		return f.Bytes(), err
	}, managedHost, "_token", "NEW-SECRET-2"},
	{"remove-managed", func(f *File) ([]byte, error) {
		f.RemoveMachine(managedHost)
		return f.Bytes(), nil
	}, managedHost, "", ""},
	{"masked", func(f *File) ([]byte, error) { return f.Masked(), nil }, "", "", ""},
}

// TestGolden applies each edit to every testdata/golden/*/input.netrc,
// compares with the golden result, and has Python's netrc module and curl
// read every result (Python once for all files: it starts slowly).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	type goldenCase struct {
		name string
		in   []byte
		outs map[string][]byte
	}
	var cases []goldenCase
	var contents [][]byte
	for _, dir := range dirs {
		in, err := os.ReadFile(filepath.Join(dir, "input.netrc"))
		if err != nil {
			t.Fatal(err)
		}
		c := goldenCase{name: filepath.Base(dir), in: in}
		t.Run(c.name, func(t *testing.T) {
			c.outs = runGoldenOps(t, dir, in)
			checkRoundTrips(t, in)
		})
		cases = append(cases, c)
		contents = append(contents, readerInputs(c.in, c.outs)...)
	}
	readings := pythonReadData(t, contents...)
	curl := newCurlServer(t)
	for _, c := range cases {
		n := len(readerInputs(c.in, c.outs))
		rs := readings[:n]
		readings = readings[n:]
		t.Run(c.name+"/readers", func(t *testing.T) {
			if c.outs == nil {
				t.Skip("the edits failed")
			}
			checkReaders(t, curl, rs, c.outs)
		})
	}
}

// readerOps are the edits whose results the readers check.
func readerOps() []goldenOp {
	var ops []goldenOp
	for _, op := range goldenOps {
		if op.host != "" {
			ops = append(ops, op)
		}
	}
	return ops
}

// readerInputs are the input and each result the readers check.
func readerInputs(in []byte, outs map[string][]byte) [][]byte {
	contents := [][]byte{in}
	for _, op := range readerOps() {
		contents = append(contents, outs[op.name])
	}
	return contents
}

// runGoldenOps applies every op to a fresh parse of in and compares (or,
// with -update, writes) the golden files.
func runGoldenOps(t *testing.T, dir string, in []byte) map[string][]byte {
	outs := map[string][]byte{}
	for _, op := range goldenOps {
		f, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		got, err := op.run(f)
		if err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		outs[op.name] = got
		path := filepath.Join(dir, op.name+".netrc")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", op.name, got, want)
		}
	}
	return outs
}

// checkRoundTrips: parsing keeps every byte; setting twice changes nothing
// the second time; setting then removing a new host restores the input.
func checkRoundTrips(t *testing.T, in []byte) {
	f, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Bytes(), in) {
		t.Errorf("Parse(x).Bytes() != x")
	}
	for _, host := range []string{newHost, managedHost} {
		f, _ := Parse(in)
		if err := f.SetMachine(host, "L", "P"); err != nil {
			t.Fatal(err)
		}
		once := f.Bytes()
		if err := f.SetMachine(host, "L", "P"); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Bytes(), once) {
			t.Errorf("SetMachine(%s) twice changed the file the second time", host)
		}
	}
	if len(in) == 0 || in[len(in)-1] == '\n' {
		f, _ := Parse(in)
		if err := f.SetMachine(newHost, "L", "P"); err != nil {
			t.Fatal(err)
		}
		f.RemoveMachine(newHost)
		if !bytes.Equal(f.Bytes(), in) {
			t.Errorf("SetMachine then RemoveMachine of a new host:\n got %q\nwant %q", f.Bytes(), in)
		}
	}
}

// checkReaders compares Python's reading of each result (readings[0] is the
// input's) and the Authorization curl sends with what the edit meant.
func checkReaders(t *testing.T, curl *curlServer, readings []pyReading, outs map[string][]byte) {
	before := readings[0]
	for i, op := range readerOps() {
		after := readings[i+1]
		switch {
		case !before.OK && after.OK:
			t.Errorf("%s: Python refused the input (%s) but reads the result", op.name, before.Error)
		case !before.OK:
			// Python refuses the file before and after: curl is its only reader.
		case !after.OK:
			t.Errorf("%s: Python no longer reads the file: %s", op.name, after.Error)
		default:
			if want := expectedPython(before.Hosts, op); !equalHosts(after.Hosts, want) {
				t.Errorf("%s: Python reads\n%v\nwant\n%v", op.name, after.Hosts, want)
			}
		}
		want := ""
		if op.login != "" {
			want = basic(op.login, op.password)
		} else if d, ok := defaultCreds(t, before, outs[op.name]); ok {
			want = d
		}
		if got := curl.auth(t, outs[op.name], op.host); got != want {
			t.Errorf("%s: curl sent Authorization %q for %s, want %q", op.name, got, op.host, want)
		}
	}
}

// expectedPython is Python's reading of the input with op applied: every
// entry named host (in any case) changed or gone, an exact one added.
func expectedPython(before map[string][3]string, op goldenOp) map[string][3]string {
	want := map[string][3]string{}
	for k, v := range before {
		want[k] = v
	}
	for k, v := range before {
		if k == "default" || !strings.EqualFold(k, op.host) {
			continue
		}
		if op.login == "" {
			delete(want, k)
		} else {
			want[k] = [3]string{op.login, v[1], op.password}
		}
	}
	if _, ok := want[op.host]; op.login != "" && !ok {
		want[op.host] = [3]string{op.login, "", op.password}
	}
	return want
}

// defaultCreds is the Authorization curl sends from the default entry (as
// Python reads it, or as Parse does where Python refuses the file).
func defaultCreds(t *testing.T, before pyReading, out []byte) (string, bool) {
	if before.OK {
		d, ok := before.Hosts["default"]
		return basic(d[0], d[2]), ok && d[0] != "" && d[2] != ""
	}
	f, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range f.Machines() {
		if m.Default && m.Login != "" && m.Password != "" {
			return basic(m.Login, m.Password), true
		}
	}
	return "", false
}
