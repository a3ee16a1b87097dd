package netrc

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var corpusDir = flag.String("corpus", "", "directory of real-world samples (reads DIR/netrc/*.netrc and DIR/netrc/invalid/*)")

// corpusEdit is one edit tried on a corpus file and its result.
type corpusEdit struct {
	name string
	op   goldenOp
	out  []byte
	err  error
}

// TestCorpus runs the edits on real-world netrc files (only with -corpus):
// set a new host, set and remove the first existing host. Our invariants
// hold for every file Parse accepts; where Python reads the file, it must
// read every other entry unchanged, and curl must send the new credentials.
// Each file gets a one-line summary in the log.
func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -corpus DIR given")
	}
	root := filepath.Join(*corpusDir, "netrc")
	paths, _ := filepath.Glob(filepath.Join(root, "*.netrc"))
	invalid, _ := filepath.Glob(filepath.Join(root, "invalid", "*"))
	paths = append(paths, invalid...)
	if len(paths) == 0 {
		t.Fatalf("no netrc samples under %s", root)
	}
	files := make([]corpusFile, len(paths))
	var contents [][]byte
	for i, path := range paths {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[i].name, _ = filepath.Rel(root, path)
		t.Run(files[i].name, func(t *testing.T) { files[i].edit(t, in) })
		contents = append(contents, files[i].contents...)
	}
	readings := pythonReadData(t, contents...) // one python3 for all: it starts slowly
	curl := newCurlServer(t)
	for _, cf := range files {
		n := len(cf.contents)
		rs := readings[:n]
		readings = readings[n:]
		t.Run(cf.name+"/readers", func(t *testing.T) {
			t.Logf("%s: %s", cf.name, cf.summary(t, curl, rs))
		})
	}
}

// corpusFile is one sample, the edits tried on it and their results.
type corpusFile struct {
	name     string
	parseErr error
	entries  int
	edits    []corpusEdit
	contents [][]byte // the input, then each edit's result
}

// edit parses in, checks the invariants and applies the edits.
func (cf *corpusFile) edit(t *testing.T, in []byte) {
	f, err := Parse(in)
	if err != nil {
		cf.parseErr = err
		return
	}
	if !bytes.Equal(f.Bytes(), in) {
		t.Errorf("Parse(x).Bytes() != x")
	}
	cf.entries = len(f.Machines())
	cf.edits = []corpusEdit{{name: "set new", op: goldenOp{host: newHost, login: "_token", password: "NEW-SECRET-1"}}}
	for _, m := range f.Machines() {
		if !m.Default {
			cf.edits = append(cf.edits,
				corpusEdit{name: "set " + m.Name, op: goldenOp{host: m.Name, login: "credgen", password: "NEW-SECRET-2"}},
				corpusEdit{name: "remove " + m.Name, op: goldenOp{host: m.Name}})
			break
		}
	}
	cf.contents = [][]byte{in}
	for i := range cf.edits {
		e := &cf.edits[i]
		checkSetInvariants(t, in, e.op.host, "fuzz-login", "SECRET-X")
		checkRemoveInvariants(t, in, e.op.host)
		g, _ := Parse(in)
		if e.op.login != "" {
			e.err = g.SetMachine(e.op.host, e.op.login, e.op.password)
		} else {
			g.RemoveMachine(e.op.host)
		}
		e.out = g.Bytes()
		cf.contents = append(cf.contents, e.out)
	}
	checkSetRemoveRestores(t, in)
}

// summary checks the readers' view of every edit and describes the file.
func (cf *corpusFile) summary(t *testing.T, curl *curlServer, readings []pyReading) string {
	if cf.parseErr != nil {
		return "refused by Parse: " + cf.parseErr.Error()
	}
	uvBefore := ReadUV(cf.contents[0], UVCurrent)
	s := fmt.Sprintf("%d entries; Python %s; uv %s", cf.entries, verdict(readings[0]), uvVerdict(cf.contents[0]))
	for i, e := range cf.edits {
		s += "; " + e.name + ": " + corpusCheck(t, curl, e, readings[0], readings[i+1])
		s += uvCheck(t, e, uvBefore)
	}
	return s
}

// uvVerdict says whether uv reads the file, current and older versions.
func uvVerdict(data []byte) string {
	r := ReadUV(data, UVCurrent)
	if !r.OK {
		return fmt.Sprintf("ignores it (line %d: %s)", r.Line, r.Reason)
	}
	s := fmt.Sprintf("reads %d hosts", len(r.hosts))
	if old := ReadUV(data, UVBefore01116); !old.OK {
		s += fmt.Sprintf(", uv before 0.11.16 ignores it (line %d: %s)", old.Line, old.Reason)
	}
	return s
}

// uvCheck checks that uv, where it read the file before the edit, still
// reads it and uses the credentials the edit set.
func uvCheck(t *testing.T, e corpusEdit, before UVReading) string {
	if e.err != nil || !before.OK {
		return ""
	}
	after := ReadUV(e.out, UVCurrent)
	if !after.OK {
		t.Errorf("%s: uv no longer reads the file (line %d: %s)", e.name, after.Line, after.Reason)
		return ""
	}
	if e.op.login == "" {
		return ", uv reads it"
	}
	if m, ok := after.Lookup(e.op.host, e.op.login); !ok || m.Default || m.Password != e.op.password {
		t.Errorf("%s: uv does not use the new entry", e.name)
	}
	return ", uv agrees"
}

var tempPath = regexp.MustCompile(`\(/[^,]*, `)

func verdict(r pyReading) string {
	if r.OK {
		return fmt.Sprintf("reads %d hosts", len(r.Hosts))
	}
	return "refuses it (" + tempPath.ReplaceAllString(r.Error, "(") + ")"
}

// corpusCheck compares the readers' view of one edit's result with what
// the edit meant.
func corpusCheck(t *testing.T, curl *curlServer, e corpusEdit, before, after pyReading) string {
	if e.err != nil {
		if before.OK {
			t.Errorf("%s: %v", e.name, e.err)
		}
		return "refused: " + e.err.Error()
	}
	result := "ok"
	switch {
	case before.OK && !after.OK:
		t.Errorf("%s: Python no longer reads the file: %s", e.name, after.Error)
	case before.OK:
		if want := expectedPython(before.Hosts, e.op); !equalHosts(after.Hosts, want) {
			t.Errorf("%s: Python reads\n%v\nwant\n%v", e.name, after.Hosts, want)
		}
		result += ", Python agrees"
	}
	if e.op.login != "" {
		if got := curl.auth(t, e.out, e.op.host); got != basic(e.op.login, e.op.password) {
			t.Errorf("%s: curl sent %q", e.name, got)
		}
		result += ", curl agrees"
	}
	return result
}
