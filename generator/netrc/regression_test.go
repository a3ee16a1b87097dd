package netrc

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestGoNetrcRegressions shows the editor gets right what jdx/go-netrc (the
// usual Go netrc editor) gets wrong. Each result is read back by Python and
// curl.
func TestGoNetrcRegressions(t *testing.T) {
	tests := []struct {
		name, in, host, want string
	}{
		{
			// go-netrc appends new machines at the end, after default, where
			// curl never looks (it stops at default).
			name: "new entry goes before default",
			in:   "machine a.example login u password p\ndefault login anonymous password guest\n",
			host: "libraries.cgr.dev",
			want: "machine a.example login u password p\nmachine libraries.cgr.dev login L password SECRET-1\ndefault login anonymous password guest\n",
		},
		{
			// go-netrc glues the new entry onto a last line without newline,
			// turning "password p" into "password pmachine".
			name: "no gluing onto a last line without newline",
			in:   "machine a.example login u password p",
			host: "libraries.cgr.dev",
			want: "machine a.example login u password p\nmachine libraries.cgr.dev login L password SECRET-1\n",
		},
		{
			// go-netrc reads macdef bodies as tokens, finds "machine" there and
			// edits inside the macro.
			name: "macdef body is not tokens",
			in:   "machine ftp.example login anonymous password me macdef init\nmachine libraries.cgr.dev login evil password evil\nquit\n\n",
			host: "libraries.cgr.dev",
			want: "machine ftp.example login anonymous password me macdef init\nmachine libraries.cgr.dev login evil password evil\nquit\n\nmachine libraries.cgr.dev login L password SECRET-1\n",
		},
		{
			// go-netrc splits quoted values on their spaces.
			name: "quoted value is one token",
			in:   "machine a.example login u password \"x machine libraries.cgr.dev login evil\"\n",
			host: "libraries.cgr.dev",
			want: "machine a.example login u password \"x machine libraries.cgr.dev login evil\"\nmachine libraries.cgr.dev login L password SECRET-1\n",
		},
	}
	curl := newCurlServer(t)
	var outs [][]byte
	for _, tt := range tests {
		f := mustParse(t, tt.in)
		if err := f.SetMachine(tt.host, "L", "SECRET-1"); err != nil {
			t.Fatalf("%s: SetMachine: %v", tt.name, err)
		}
		if got := string(f.Bytes()); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		outs = append(outs, f.Bytes())
	}
	var contents [][]byte
	for i, tt := range tests {
		contents = append(contents, []byte(tt.in), outs[i])
	}
	readings := pythonReadData(t, contents...)
	for i, tt := range tests {
		before, after := readings[2*i], readings[2*i+1]
		want := expectedPython(before.Hosts, goldenOp{host: tt.host, login: "L", password: "SECRET-1"})
		if !before.OK || !after.OK || !equalHosts(after.Hosts, want) {
			t.Errorf("%s: Python reads %+v, want %v", tt.name, after, want)
		}
		if got := curl.auth(t, outs[i], tt.host); got != basic("L", "SECRET-1") {
			t.Errorf("%s: curl sent %q", tt.name, got)
		}
	}

	// go-netrc panics on a trailing "machine" without a name.
	for _, in := range []string{"machine", "machine a login u password p\nmachine", "machine a login u password p\nmachine\n\n", "default login"} {
		_, err := Parse([]byte(in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a ParseError", in, err)
		}
	}
}

// bigNetrc has n machines in mixed layouts, comments and a default.
func bigNetrc(n int) []byte {
	var b strings.Builder
	b.WriteString("# generated: many machines\n")
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "machine host%d.example.com login user%d password pw%d\n", i, i, i)
		case 1:
			fmt.Fprintf(&b, "machine host%d.example.com\n\tlogin user%d\n\tpassword pw%d\n", i, i, i)
		case 2:
			fmt.Fprintf(&b, "# entry %d\nmachine host%d.example.com login \"user%d\" account acct%d password \"pw%d\"\n", i, i, i, i, i)
		default:
			fmt.Fprintf(&b, "machine host%d.example.com login user%d password pw%d # trailing comment\n\n", i, i, i)
		}
	}
	b.WriteString("default login anonymous password guest\n")
	return []byte(b.String())
}

func TestTenThousandMachines(t *testing.T) {
	const n = 10000
	in := bigNetrc(n)
	start := time.Now()
	f, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Machines()); got != n+1 {
		t.Fatalf("%d entries, want %d", got, n+1)
	}
	if err := f.SetMachine("host5001.example.com", "L", "SECRET-5001"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetMachine(newHost, "L", "SECRET-NEW"); err != nil {
		t.Fatal(err)
	}
	if !f.RemoveMachine("host7002.example.com") {
		t.Fatal("host7002 not removed")
	}
	elapsed := time.Since(start)
	t.Logf("parse + 2 sets + 1 removal of a %d-byte file: %v", len(in), elapsed)
	if elapsed > 10*time.Second {
		t.Errorf("too slow: %v", elapsed)
	}

	r := pythonReadData(t, f.Bytes())[0]
	if !r.OK {
		t.Fatalf("Python: %s", r.Error)
	}
	for i := range n {
		host := fmt.Sprintf("host%d.example.com", i)
		want := [3]string{fmt.Sprintf("user%d", i), "", fmt.Sprintf("pw%d", i)}
		if i%4 == 2 {
			want[1] = fmt.Sprintf("acct%d", i)
		}
		switch i {
		case 5001:
			want = [3]string{"L", "", "SECRET-5001"}
		case 7002:
			if _, ok := r.Hosts[host]; ok {
				t.Errorf("Python still reads %s", host)
			}
			continue
		}
		if got := r.Hosts[host]; got != want {
			t.Errorf("Python reads %s as %v, want %v", host, got, want)
		}
	}
	curl := newCurlServer(t)
	if got := curl.auth(t, f.Bytes(), "host5001.example.com"); got != basic("L", "SECRET-5001") {
		t.Errorf("curl sent %q for host5001", got)
	}
	if got := curl.auth(t, f.Bytes(), newHost); got != basic("L", "SECRET-NEW") {
		t.Errorf("curl sent %q for the new host", got)
	}
}
