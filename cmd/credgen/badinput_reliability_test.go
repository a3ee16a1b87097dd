//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testBadInput puts each malformed or hostile file of testdata/bad (and the
// generated cases below: huge lines, a directory, a FIFO, a symlink loop, an
// unreadable file where a file should be) in place of one file of a HOME
// that credgen already manages, runs `credgen write --force`, and checks:
// the exit code of testdata/bad/README.md (2, or 1 for the provider's own
// inputs, mendacfg and the token cache), a message naming the file and its
// line, and not one byte changed anywhere under HOME (for exit 1 the state
// file may record the error), no temp file left, no password quoted.
//
// The managed index is a CodeArtifact one only, so that exit-1 cases cannot
// legitimately rewrite another provider's credential.
func testBadInput(t *testing.T, kit *testKit) {
	w := newRelWorld(t, kit, relWorldOptions{})
	template := filepath.Join(w.dir, "template")
	badInputBaseline(t, w)
	relCopyTree(t, w.home, template)

	cases := append(badCorpusCases(t, kit), badGeneratedCases(t)...)
	tried := map[string]int{}
	for _, c := range cases {
		if err := os.RemoveAll(w.home); err != nil {
			t.Fatal(err)
		}
		relCopyTree(t, template, w.home)
		t.Run(c.name, func(t *testing.T) {
			w.t = t
			badInputCase(t, w, c)
		})
		tried[c.kind]++
	}
	w.t = t
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(tried)) {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, tried[k]))
	}
	t.Logf("bad inputs: %d tried (%s)", len(cases), strings.Join(kinds, ", "))
}

// badCase is one bad input: what to put where, and what credgen must do.
type badCase struct {
	name  string
	kind  string // netrc, pip, uv, mendacfg, tokencache, config, state
	exit  int
	line  int                                   // the line the message must name; 0: none
	place func(t *testing.T, dest string) error // puts the bad thing at dest
	// asOther runs credgen as another user (uid 65534): as root, file modes
	// do not stop reads.
	asOther bool
	// hangs: credgen might block (a FIFO); wait only a few seconds.
	hangs bool
}

func (c badCase) limit() time.Duration {
	if c.hangs {
		return 2 * time.Second
	}
	return 20 * time.Second
}

// badInputBaseline is a HOME with the user's files, a valid config naming a
// CodeArtifact index, an m2m profile in mendacfg, the shared token cache,
// after one successful write.
func badInputBaseline(t *testing.T, w *relWorld) {
	relWriteFile(t, w.netrc(), []byte("# mine\nmachine github.com login octocat password ghp_"+leakProbe+"\n\ndefault login anonymous password "+leakProbe+"-guest\n"), 0o600)
	relWriteFile(t, w.pipConf(), []byte("[global]\ntimeout = 60\nextra-index-url =\n    https://alice:"+leakProbe+"@pypi.internal.example/simple/\n"), 0o600)
	relWriteFile(t, w.uvToml(), []byte("native-tls = true\n\n[[index]]\nname = \"internal\"\nurl = \"https://bob:"+leakProbe+"@uv.internal.example/simple/\"\n"), 0o600)
	relWriteFile(t, w.config(), []byte("refresh_before = \"30m\"\n\n[[index]]\nurl = \""+indexCA+"\"\nprofile = \"default\"\n"), 0o600)
	relWriteFile(t, w.mendacfg(), []byte("[DEFAULT]\nhost = https://"+mendaHost+"\n\n[default]\nauth_type = m2m\nclient_id = "+mendaClientID+"\nclient_secret = "+mendaSecret+"\n"), 0o600)
	relWriteFile(t, w.cache(), []byte(`{"other-client": {"access_token": "`+leakProbe+`-other", "token_type": "Bearer", "expires_at": 4102444800}}`+"\n"), 0o600)
	w.want(w.run("write"), 0)
	if t.Failed() {
		t.FailNow()
	}
}

// dest is where a case's file goes.
func (w *relWorld) dest(kind string) string {
	switch kind {
	case "netrc":
		return w.netrc()
	case "pip":
		return w.pipConf()
	case "uv":
		return w.uvToml()
	case "mendacfg":
		return w.mendacfg()
	case "tokencache":
		return w.cache()
	case "config":
		return w.config()
	case "state":
		return w.state()
	}
	panic("unknown kind " + kind)
}

func badInputCase(t *testing.T, w *relWorld, c badCase) {
	dest := w.dest(c.kind)
	if err := os.RemoveAll(dest); err != nil {
		t.Fatal(err)
	}
	if err := c.place(t, dest); err != nil {
		t.Fatal(err)
	}
	env := w.env()
	before := relTree(t, w.home)
	args := []string{"write", "--force"}
	var r relRun
	if c.asOther {
		r = w.runAsOther(env, nil, args...)
	} else {
		r = w.runBounded(c.limit(), env, args...)
	}
	if r.code != c.exit {
		t.Errorf("want exit %d; %s", c.exit, r)
	}
	if !strings.Contains(r.stderr, dest) {
		t.Errorf("the message does not name %s; %s", dest, r)
	}
	if c.line > 0 && !regexp.MustCompile(fmt.Sprintf(`(line %d\b|:%d:)`, c.line, c.line)).MatchString(r.stderr) {
		t.Errorf("the message does not name line %d; %s", c.line, r)
	}
	if strings.Contains(r.stderr, leakProbe) || strings.Contains(r.stdout, leakProbe) {
		t.Errorf("LEAK: the message quotes a password from the file; %s", r)
	}
	after := relTree(t, w.home)
	skip := func(p string) bool {
		// A failed mint is recorded in the state file as the host's
		// last error (status shows it).
		return c.exit == 1 && p == filepath.Join(".local", "state", "credgen", "state.json")
	}
	for _, d := range relTreeDiff(before, after, skip) {
		t.Errorf("HOME changed: %s", d)
	}
}

// badCorpusCases reads testdata/bad/README.md's table: every file of the
// corpus must be in it, and every row must name a file.
func badCorpusCases(t *testing.T, kit *testKit) []badCase {
	t.Helper()
	dir := filepath.Join(kit.root, "testdata", "bad")
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]badCase{}
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 6 {
			continue
		}
		file := strings.Trim(strings.TrimSpace(cells[1]), "`")
		kind, _, ok := strings.Cut(file, "/")
		if !ok || strings.HasPrefix(file, "(") {
			continue // header, separator, generated cases
		}
		exit, err1 := strconv.Atoi(strings.TrimSpace(cells[3]))
		line, err2 := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(cells[4], "-", "0")))
		if err1 != nil || err2 != nil {
			t.Fatalf("README.md row %q: exit and line must be numbers (line may be -)", sc.Text())
		}
		path := filepath.Join(dir, file)
		rows[file] = badCase{name: file, kind: kind, exit: exit, line: line, place: func(t *testing.T, dest string) error {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			relWriteFile(t, dest, data, 0o600)
			return nil
		}}
	}
	var cases []badCase
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		c, ok := rows[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("testdata/bad/%s is not in README.md's table", rel)
			return nil
		}
		delete(rows, filepath.ToSlash(rel))
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for file := range rows {
		t.Errorf("README.md names testdata/bad/%s, which does not exist", file)
	}
	return cases
}

// exitOf is the exit code a broken file of kind gives: 1 for the menda
// provider's own inputs, 2 for everything credgen owns or writes.
func exitOf(kind string) int {
	if kind == "mendacfg" || kind == "tokencache" {
		return 1
	}
	return 2
}

// badGeneratedCases are the cases that cannot, or should not, be files in
// the repository (see README.md).
func badGeneratedCases(t *testing.T) []badCase {
	kinds := []string{"netrc", "pip", "uv", "mendacfg", "tokencache", "config", "state"}
	var cases []badCase
	for _, k := range kinds {
		cases = append(cases,
			badCase{name: "(generated) " + k + " is a directory", kind: k, exit: exitOf(k), place: func(_ *testing.T, dest string) error {
				return os.MkdirAll(filepath.Join(dest, "inside"), 0o700)
			}},
			badCase{name: "(generated) " + k + " is a FIFO", kind: k, exit: exitOf(k), hangs: true, place: func(_ *testing.T, dest string) error {
				return syscall.Mkfifo(dest, 0o600)
			}},
			badCase{name: "(generated) " + k + " is a symlink loop", kind: k, exit: exitOf(k), place: func(_ *testing.T, dest string) error {
				return os.Symlink(filepath.Base(dest), dest)
			}},
			badCase{name: "(generated) " + k + " is unreadable", kind: k, exit: exitOf(k), asOther: true, place: func(t *testing.T, dest string) error {
				relWriteFile(t, dest, []byte("unreadable\n"), 0o000)
				return nil
			}},
		)
	}
	huge := bytes.Repeat([]byte("x"), 1<<20)
	cases = append(cases,
		badCase{name: "(generated) netrc huge unterminated quote", kind: "netrc", exit: 2, line: 2, place: writeBad("machine a.example login me password " + leakProbe + "\nmachine b.example login you password \"" + string(huge) + "\n")},
		badCase{name: "(generated) pip huge line", kind: "pip", exit: 2, line: 3, place: writeBad("[global]\ntimeout = 60\n" + string(huge) + "\n")},
		badCase{name: "(generated) uv huge bare key", kind: "uv", exit: 2, line: 2, place: writeBad("native-tls = true\n" + string(huge) + "\n")},
		badCase{name: "(generated) config huge unterminated string", kind: "config", exit: 2, line: 2, place: writeBad("refresh_before = \"30m\"\ncolour = \"" + string(huge) + "\n")},
		badCase{name: "(generated) mendacfg huge line", kind: "mendacfg", exit: 1, line: 2, place: writeBad("[default]\n" + string(huge[:512<<10]) + "\n")},
		badCase{name: "(generated) mendacfg over 1 MiB", kind: "mendacfg", exit: 1, place: writeBad("[default]\n# " + string(huge) + "\n")},
		badCase{name: "(generated) token cache over 16 MiB", kind: "tokencache", exit: 1, place: writeBad("{\"pad\": \"" + strings.Repeat("x", 17<<20) + "\"}\n")},
	)
	return cases
}

func writeBad(content string) func(*testing.T, string) error {
	return func(t *testing.T, dest string) error {
		relWriteFile(t, dest, []byte(content), 0o600)
		return nil
	}
}
