package netrc

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// randomNetrc builds a netrc-like file from entries, comments, macdefs and
// noise chosen to hit the places where curl and Python part ways: comments
// after blank lines or trailing blanks, quotes, escapes, CRLF, keywords as
// values.
func randomNetrc(r *rand.Rand) []byte {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	sep := func() string { return pick(" ", " ", " ", "\t", "\n", "\n", "\r\n", "  \n", "\n\n", " \n") }
	value := func() string {
		return pick("a.example", "b.example", "u", "p", "ü", `""`, `"q w"`, `"x\"y"`, `a\b`, "#v", "machine", "login", `"#h"`, `"\n"`)
	}
	var b strings.Builder
	for n := r.IntN(6); n >= 0; n-- {
		switch r.IntN(10) {
		case 0:
			b.WriteString(pick("", "\n", "  \n") + pick("#", "# c d", "#c d", "# machine old login x password y", "# login x") + "\n")
		case 1:
			b.WriteString(pick("macdef m\n", "macdef m \n", "macdef m\r\n", "macdef \"m\"\n"))
			for k := r.IntN(3); k > 0; k-- {
				b.WriteString(pick("cd /", "machine x login y", "  ", "quit") + "\n")
			}
			b.WriteString(pick("\n", "\n", "\n", ""))
		case 2:
			b.WriteString(pick("port", `""`, "MACHINE", `\#x`, "user") + sep())
		default:
			kw := pick("machine", "machine", "machine", "default")
			b.WriteString(kw + sep())
			if kw == "machine" {
				b.WriteString(value() + sep())
			}
			for k := r.IntN(4); k > 0; k-- {
				b.WriteString(pick("login", "password", "account", "user", "#", "# c") + sep() + value() + sep())
			}
		}
	}
	return []byte(b.String())
}

// TestPythonPortMatchesPython checks the Go rendering of Python's netrc
// parser (used to refuse files Python reads differently) against the real
// module, on generated files and on every table input.
func TestPythonPortMatchesPython(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs [][]byte
	for range 800 {
		inputs = append(inputs, randomNetrc(r))
	}
	for _, s := range []string{
		"machine a login u password p\n\n# machine old login x password y\n",
		"machine a \"\" login u\n", "macdef \"m\"\nmachine x login y password z\n\n",
		"#c d\nmachine a\n", "machine a login u\n#c d\n", "machine a\\ b login u\n",
		"machine a login u password \"x", "machine a login u password x\\", "\xff\xfe",
		"machine a login u\rpassword p\n", "macdef m \nmachine a login u\n\n",
	} {
		inputs = append(inputs, []byte(s))
	}
	real := pythonReadData(t, inputs...)
	accepted, parsed := 0, 0
	for i, in := range inputs {
		port, ok := pythonRead(in)
		want := real[i]
		if ok != want.OK {
			t.Errorf("%q: port ok=%v, Python ok=%v (%s)", in, ok, want.OK, want.Error)
			continue
		}
		if !ok {
			continue
		}
		accepted++
		got := map[string][3]string{}
		for k, c := range port.hosts {
			got[k] = [3]string{c.login, c.account, c.password}
		}
		if !equalHosts(got, want.Hosts) {
			t.Errorf("%q:\nport   %v\nPython %v", in, got, want.Hosts)
		}
		if f, err := Parse(in); err == nil {
			parsed++
			if ours := pythonShape(f); !equalHosts(ours, want.Hosts) {
				t.Errorf("Parse accepted %q but Python reads it differently:\nParse  %v\nPython %v", in, ours, want.Hosts)
			}
		}
	}
	if accepted < len(inputs)/5 {
		t.Errorf("Python accepted only %d of %d inputs: the generator misses the interesting cases", accepted, len(inputs))
	}
	t.Logf("Python accepted %d of %d inputs; Parse accepted %d of those", accepted, len(inputs), parsed)
}

func equalHosts(a, b map[string][3]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// pythonShape is what Python should read from f: entries by name, the last
// one winning, default under "default".
func pythonShape(f *File) map[string][3]string {
	out := map[string][3]string{}
	for _, m := range f.Machines() {
		name := m.Name
		if m.Default {
			name = "default"
		}
		out[name] = [3]string{m.Login, m.Account, m.Password}
	}
	return out
}

// TestGeneratedFilesReadersAgree edits generated files (the tricky
// fragments above) and has Python read every result: where it read the
// input, it must read the edit as meant; wherever it reads a result at all,
// it must read what Parse reads. curl checks a sample of the results.
func TestGeneratedFilesReadersAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type edited struct {
		ops  []goldenOp
		outs [][]byte
	}
	var cases []edited
	var contents [][]byte
	for len(cases) < 300 {
		in := randomNetrc(r)
		f, err := Parse(in)
		if err != nil {
			continue
		}
		ops := []goldenOp{{host: newHost, login: "L", password: "NEW-1"}}
		for _, m := range f.Machines() {
			if !m.Default && CheckToken(m.Name) == nil {
				ops = append(ops, goldenOp{host: m.Name, login: "L2", password: "NEW-2"}, goldenOp{host: m.Name})
				break
			}
		}
		c := edited{ops: ops}
		contents = append(contents, in)
		for _, op := range ops {
			g, _ := Parse(in)
			if op.login == "" {
				g.RemoveMachine(op.host)
			} else if err := g.SetMachine(op.host, op.login, op.password); err != nil {
				t.Fatalf("SetMachine(%q) on %q: %v", op.host, in, err)
			}
			c.outs = append(c.outs, g.Bytes())
			contents = append(contents, g.Bytes())
		}
		cases = append(cases, c)
	}
	readings := pythonReadData(t, contents...)
	curl := newCurlServer(t)
	pythonRead := 0
	for i, c := range cases {
		before := readings[0]
		if before.OK {
			pythonRead++
		}
		for j, op := range c.ops {
			after := readings[1+j]
			f, err := Parse(c.outs[j])
			if err != nil && !before.OK {
				// A removal may take away what made Python refuse the input
				// and let it read (differently) the rest: Parse then names
				// the line, and curl's reading must still hold.
				if _, err := parse(c.outs[j], false); err != nil || op.login != "" {
					t.Errorf("result of %+v does not parse: %v\n%q", op, err, c.outs[j])
				}
				continue
			}
			if err != nil {
				t.Errorf("result of %+v does not parse: %v\n%q\ninput %q", op, err, c.outs[j], contents[0])
				continue
			}
			if before.OK && !after.OK {
				t.Errorf("Python read the input but not the result (%s):\n%q", after.Error, c.outs[j])
			}
			if before.OK && !equalHosts(after.Hosts, expectedPython(before.Hosts, op)) {
				t.Errorf("Python reads %v after %+v on %q", after.Hosts, op, contents[0])
			}
			if after.OK && !equalHosts(after.Hosts, pythonShape(f)) {
				t.Errorf("Python reads %v, Parse %v:\n%q", after.Hosts, pythonShape(f), c.outs[j])
			}
			if i < 25 && op.login != "" {
				if got := curl.auth(t, c.outs[j], op.host); got != basic(op.login, op.password) {
					t.Errorf("curl sent %q for %s:\n%q", got, op.host, c.outs[j])
				}
			}
		}
		readings = readings[1+len(c.ops):]
		contents = contents[1+len(c.ops):]
	}
	t.Logf("%d generated files, %d of them read by Python", len(cases), pythonRead)
}
