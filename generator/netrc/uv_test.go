package netrc

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// uvCases are the files measured with uv's own netrc parser: what makes uv
// ignore the whole file, each beside a spelling uv reads (so that the case
// shows what the difference is).
var uvCases = []struct {
	name       string
	in         string
	ok, before bool // uv reads it (current, before 0.11.16)
}{
	{"lf comment after an entry line", "machine a login u password p\n# old token\nmachine b login v password w\n", true, true},
	{"crlf comment after an entry line", "machine a login u password p\r\n# old token\r\nmachine b login v password w\r\n", false, false},
	{"crlf one-word comment after an entry line", "machine a login u password p\r\n#old\r\nmachine b login v password w\r\n", true, true},
	{"lf macdef", "machine a login u password p\nmacdef init\ncd /\n\nmachine b login v password w\n", true, true},
	{"crlf macdef", "machine a login u password p\r\nmacdef init\r\ncd /\r\n\r\nmachine b login v password w\r\n", false, false},
	{"macdef to the end of the file", "machine b login v password w\nmacdef init\ncd /\n", true, true},
	{"macdef ended by a line of blanks", "macdef init\ncd /\n  \nmachine b login v password w\n", true, true},
	{"comment of two words after a blank line", "machine a login u password p\n\n# two words\nmachine b login v password w\n", false, false},
	{"comment of two words after blanks ending the line", "machine a login u password p \n# two words\nmachine b login v password w\n", false, false},
	{"comment at the end of an entry line", "machine b login v password w # two words\n", true, true},
	{"upper-case machine", "MACHINE b login v password w\n", false, false},
	{"upper-case login", "machine b LOGIN v password w\n", false, false},
	{"byte-order mark", "\ufeffmachine b login v password w\n", false, false},
	{"unknown keyword", "machine b login v password w port 22\n", false, false},
	{"unknown word before the first entry", "hello\nmachine b login v password w\n", false, false},
	{"#word1 word2 on the first line", "#word1 word2\nmachine b login v password w\n", true, false},
	{"# word on the first line", "# word1 word2\nmachine b login v password w\n", true, true},
	{"machine without a name", "machine", false, false},
	{"empty quoted word stops reading", "machine b login v password w\n\"\" junk junk\n", true, true},
	{"not UTF-8", "machine b login v password w\xff\n", true, true},
	{"empty", "", true, true},
	// From uv's source rather than measured: a backslash ending the file
	// escapes a blank, so the last word is one uv does not know.
	{"backslash ending the file", "machine b login v password w\n\\", false, false},
}

func TestReadUVMeasuredCases(t *testing.T) {
	for _, tc := range uvCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []struct {
				version UVVersion
				want    bool
			}{{UVCurrent, tc.ok}, {UVBefore01116, tc.before}} {
				r := ReadUV([]byte(tc.in), v.version)
				if r.OK != v.want {
					t.Errorf("version %d: OK = %v (line %d: %s), want %v", v.version, r.OK, r.Line, r.Reason, v.want)
				}
				if !r.OK && (r.Reason == "" || strings.Contains(r.Reason, "22") || strings.Contains(r.Reason, "words")) {
					t.Errorf("version %d: reason %q is empty or quotes the file", v.version, r.Reason)
				}
			}
		})
	}
}

func TestReadUVFailureLine(t *testing.T) {
	r := ReadUV([]byte("machine a login u password p\r\n# old token\r\nmachine b login v password w\r\n"), UVCurrent)
	if r.OK || r.Line != 2 {
		t.Errorf("ReadUV = OK %v line %d, want a failure on line 2", r.OK, r.Line)
	}
}

func TestUVLookup(t *testing.T) {
	const (
		dup      = "machine a login u1 password p1\nmachine a login u2 password p2\n"
		upper    = "machine A.example login u password p\n"
		withDflt = "machine a login u password p\ndefault login d password q\n"
	)
	for _, tc := range []struct {
		name, in, host, username string
		want                     string // login of the entry uv uses, "" for none
		isDefault                bool
	}{
		{"the last of duplicate entries", dup, "a", "", "u2", false},
		{"username of the last duplicate", dup, "a", "u2", "u2", false},
		{"username of an earlier duplicate is skipped", dup, "a", "u1", "", false},
		{"host compared exactly", upper, "a.example", "", "", false},
		{"URL host is lower case", upper, "A.example", "", "", false},
		{"host spelled as in the file", "machine a.example login u password p\n", "a.example", "", "u", false},
		{"username equals login", withDflt, "a", "u", "u", false},
		{"username differs: skipped, no fallback to default", withDflt, "a", "other", "", false},
		{"unknown host falls back to default", withDflt, "b", "", "d", true},
		{"default with a different username", withDflt, "b", "other", "", false},
		{"unreadable file gives nothing", "\ufeff" + withDflt, "a", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := ReadUV([]byte(tc.in), UVCurrent).Lookup(tc.host, tc.username)
			if got := map[bool]string{true: m.Login}[ok]; got != tc.want || (ok && m.Default != tc.isDefault) {
				t.Errorf("Lookup(%q, %q) = %q (default %v, found %v), want %q (default %v)", tc.host, tc.username, m.Login, m.Default, ok, tc.want, tc.isDefault)
			}
		})
	}
}

// TestUVPortMatchesPythonPortOnLF: on LF files without macros, uv before
// 0.11.16 is a faithful translation of Python's module, so the two ports
// must read the same; this keeps the uv port honest where no uv binary is at
// hand.
func TestUVPortMatchesPythonPortOnLF(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	compared := 0
	for range 3000 {
		in := randomNetrc(r)
		if strings.ContainsAny(string(in), "\r") || strings.Contains(string(in), "macdef") {
			continue
		}
		compared++
		py, pyOK := pythonRead(in)
		uv := ReadUV(in, UVBefore01116)
		if pyOK != uv.OK {
			t.Fatalf("%q: Python reads it %v, uv %v (line %d: %s)", in, pyOK, uv.OK, uv.Line, uv.Reason)
		}
		if !pyOK {
			continue
		}
		if len(py.hosts) != len(uv.hosts) {
			t.Fatalf("%q: Python keeps %d hosts, uv %d", in, len(py.hosts), len(uv.hosts))
		}
		for name, h := range py.hosts {
			m := uv.hosts[name]
			if h.pyCreds != (pyCreds{login: m.Login, account: m.Account, password: m.Password}) {
				t.Fatalf("%q: host %q differs between Python and uv", in, name)
			}
		}
	}
	if compared < 500 {
		t.Fatalf("only %d generated files compared", compared)
	}
}
