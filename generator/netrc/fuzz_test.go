package netrc

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

const fuzzNewHost = "credgen-new.invalid"

// FuzzEdit checks the editor's invariants on arbitrary input: it never
// panics; Parse keeps every byte; after SetMachine the file re-parses, the
// host reads the new values and every other entry is unchanged; setting
// twice changes nothing; setting then removing a new host restores the
// input. Seeds: testdata/fuzz/FuzzEdit.
func FuzzEdit(f *testing.F) {
	f.Add([]byte("machine a login u password p\ndefault login d password dp\n"), "a", "SECRET-1")
	f.Fuzz(func(t *testing.T, data []byte, host, password string) {
		checkUVReads(t, data)
		parsed, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("Parse error %v is not a *ParseError with a line", err)
			}
			return
		}
		if !bytes.Equal(parsed.Bytes(), data) {
			t.Fatalf("Parse(x).Bytes() != x")
		}
		hosts := []string{fuzzNewHost, host}
		for _, m := range parsed.Machines() {
			if !m.Default {
				hosts = append(hosts, m.Name)
				break
			}
		}
		for _, h := range hosts {
			checkSetInvariants(t, data, h, "fuzz-login", password)
			checkRemoveInvariants(t, data, h)
		}
		checkSetRemoveRestores(t, data)
		checkMasked(t, parsed)
	})
}

// checkMasked: Masked parses to the same entries, names and logins intact,
// every password and account ****.
func checkMasked(t *testing.T, f *File) {
	m, err := parse(f.Masked(), false)
	if err != nil {
		t.Fatalf("Masked() does not parse: %v", err)
	}
	want := f.Machines()
	for i := range want {
		for _, v := range []*string{&want[i].Password, &want[i].Account} {
			if *v != "" {
				*v = masked
			}
		}
	}
	if got := m.Machines(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Masked() reads\n%+v\nwant\n%+v", got, want)
	}
}

func checkSetInvariants(t *testing.T, data []byte, host, login, password string) {
	f, _ := Parse(data)
	before := othersThan(f, host)
	err := f.SetMachine(host, login, password)
	if CheckToken(host) != nil || CheckToken(password) != nil {
		if err == nil {
			t.Fatalf("SetMachine(%q) accepted a value CheckToken refuses", host)
		}
		// (Short passwords may be words of the message itself.)
		if len(password) >= 12 && strings.Contains(err.Error(), password) {
			t.Fatalf("error %q quotes the password", err)
		}
		if !bytes.Equal(f.Bytes(), data) {
			t.Fatalf("a refused SetMachine changed the file")
		}
		return
	}
	if err != nil {
		// Only where Python refused the input may an edit make Python read
		// it, and read it differently (a quoted value made plain).
		if _, ok := pythonRead(data); ok {
			t.Fatalf("SetMachine(%q): %v", host, err)
		}
		if !bytes.Equal(f.Bytes(), data) {
			t.Fatalf("a failed SetMachine changed the file")
		}
		return
	}
	out := f.Bytes()
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("after SetMachine(%q) the file does not parse: %v\n%q", host, err, out)
	}
	// SetMachine may derive its result from the input's parse instead of
	// parsing its output (swap.go): it must be what Parse reads.
	if !reflect.DeepEqual(*f, *again) {
		t.Fatalf("after SetMachine(%q) the File differs from Parse of its bytes\n%q", host, out)
	}
	if m, ok := again.Lookup(host); !ok || m.Login != login || m.Password != password {
		t.Fatalf("after SetMachine(%q) Lookup = %+v, %v", host, m, ok)
	}
	if after := othersThan(again, host); !reflect.DeepEqual(before, after) {
		t.Fatalf("SetMachine(%q) changed other entries:\nbefore %+v\nafter  %+v", host, before, after)
	}
	if err := again.SetMachine(host, login, password); err != nil || !bytes.Equal(again.Bytes(), out) {
		t.Fatalf("second SetMachine(%q) changed the file (err %v)", host, err)
	}
}

func checkRemoveInvariants(t *testing.T, data []byte, host string) {
	f, _ := Parse(data)
	before := othersThan(f, host)
	_, had := f.Lookup(host)
	if removed := f.RemoveMachine(host); removed != had {
		t.Fatalf("RemoveMachine(%q) = %v, but Lookup found %v", host, removed, had)
	}
	again, err := parse(f.Bytes(), false)
	if err != nil {
		t.Fatalf("after RemoveMachine(%q) the file does not parse: %v", host, err)
	}
	if _, ok := again.Lookup(host); ok {
		t.Fatalf("RemoveMachine(%q) left an entry", host)
	}
	if after := othersThan(again, host); !reflect.DeepEqual(before, after) {
		t.Fatalf("RemoveMachine(%q) changed other entries:\nbefore %+v\nafter  %+v", host, before, after)
	}
}

// checkSetRemoveRestores: adding a new host and removing it gives back the
// input, when the input ends with a newline and its default (where the new
// line goes) starts its line.
func checkSetRemoveRestores(t *testing.T, data []byte) {
	f, _ := Parse(data)
	if len(data) > 0 && data[len(data)-1] != '\n' || defaultSharesLine(f) {
		return
	}
	if err := f.SetMachine(fuzzNewHost, "L", "P"); err != nil {
		if _, ok := pythonRead(data); ok {
			t.Fatalf("SetMachine: %v", err)
		}
		return
	}
	f.RemoveMachine(fuzzNewHost)
	if !bytes.Equal(f.Bytes(), data) {
		t.Fatalf("set then remove of a new host:\n got %q\nwant %q", f.Bytes(), data)
	}
}

func defaultSharesLine(f *File) bool {
	for _, e := range f.entries {
		if e.isDefault {
			at := e.keyword.start
			return len(bytes.Trim(f.data[lineStart(f.data, at):at], " \t")) > 0
		}
	}
	return false
}

// othersThan lists the entries not for host, without their lines (which
// move when lines are added or removed).
func othersThan(f *File, host string) []Machine {
	var out []Machine
	for _, m := range f.Machines() {
		if m.Default || !strings.EqualFold(m.Name, host) {
			m.Line = 0
			out = append(out, m)
		}
	}
	return out
}

// checkUVReads: uv's reader takes any bytes; an LF file without a macro it
// reads as Python's port does (it is a translation of Python's module), but
// for a backslash ending the file (uv reads a blank after it, Python
// nothing).
func checkUVReads(t *testing.T, data []byte) {
	uv := ReadUV(data, UVBefore01116)
	ReadUV(data, UVCurrent)
	if bytes.ContainsAny(data, "\r") || bytes.Contains(data, []byte("macdef")) || !utf8.Valid(data) || bytes.HasSuffix(data, []byte(`\`)) {
		return
	}
	py, pyOK := pythonRead(data)
	if pyOK != uv.OK {
		t.Fatalf("%q: Python's port reads it: %v, uv's: %v (line %d: %s)", data, pyOK, uv.OK, uv.Line, uv.Reason)
	}
	for name, h := range py.hosts {
		m := uv.hosts[name]
		if pyOK && h.pyCreds != (pyCreds{login: m.Login, account: m.Account, password: m.Password}) {
			t.Fatalf("host %q differs between Python's port and uv's", name)
		}
	}
}
