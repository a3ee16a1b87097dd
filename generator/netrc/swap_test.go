package netrc

import (
	"bytes"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/credgen/credgen/bench/scaling"
)

// TestSetMachineInPlace shows which edits SetMachine makes without parsing
// its result again, and that what it builds then is what Parse reads from
// the result's bytes.
func TestSetMachineInPlace(t *testing.T) {
	tests := []struct {
		name, in, host, login, password string
		inPlace                         bool
	}{
		{"same length", "machine a login u password p1\nmachine b login u password p\n", "a", "u", "p2", true},
		{"longer, words after move", "machine a login u password p\nmachine b login v password q\n", "a", "u", "longer-secret", true},
		{"shorter and login too", "machine a login user1 password secret\nmachine b login v password q\n", "a", "x", "y", true},
		{"every entry for host", "machine a login u password p\nmachine b login v password q\nmachine A login w password r\n", "a", "L", "NEW", true},
		{"same name twice", "machine a login u password p\nmachine a login v password q account c\n", "a", "L", "NEW", true},
		{"CRLF", "machine a login u password p\r\nmachine b login v password q\r\n", "a", "L", "NEW", true},
		{"comment and macdef around", "# hosts\nmacdef m\ncd /\n\nmachine a login u password p # note\n", "a", "L", "NEW", true},
		{"default after", "machine a login u password p\ndefault login d password dp\n", "a", "L", "NEW", true},
		{"new entry", "machine b login u password p\n", "a", "L", "NEW", false},
		{"missing password", "machine a login u\n", "a", "L", "NEW", false},
		{"quoted old value", "machine a login u password \"p q\"\n", "a", "L", "NEW", false},
		{"escaped old value", "machine a login u password p\\q\n", "a", "L", "NEW", false},
		{"old value a keyword", "machine a login u password login\n", "a", "L", "NEW", false},
		{"new value a keyword", "machine a login u password p\n", "a", "L", "password", false},
		{"user value", "machine a user u password p\n", "a", "L", "NEW", false},
		{"Python refuses the file", "machine a login u password p port 21\n", "a", "L", "NEW", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			edits := f.credentialEdits(tt.host, tt.login, tt.password)
			if f.needsNewEntry(tt.host) {
				edits = append(edits, f.newEntry(tt.host, tt.login, tt.password))
			}
			if got := f.swapValuesInPlace(tt.host, tt.login, tt.password, edits); got != tt.inPlace {
				t.Fatalf("in place = %v, want %v", got, tt.inPlace)
			}
			if !tt.inPlace {
				if !bytes.Equal(f.Bytes(), []byte(tt.in)) {
					t.Fatalf("declining changed the file to %q", f.Bytes())
				}
				return
			}
			want := mustParse(t, string(f.Bytes()))
			if !reflect.DeepEqual(*f, *want) {
				t.Fatalf("in-place result differs from Parse of %q", f.Bytes())
			}
			if m, ok := f.Lookup(tt.host); !ok || m.Login != tt.login || m.Password != tt.password {
				t.Fatalf("Lookup = %+v, %v", m, ok)
			}
			if strings.Count(string(f.Bytes()), tt.password) == 0 {
				t.Fatalf("the new password is not in %q", f.Bytes())
			}
		})
	}
}

// TestSetMachineLargeFileInPlace keeps the large-file rewrite on the fast path:
// the benchmark's edit of a 10,000-machine file must not parse it again.
func TestSetMachineLargeFileInPlace(t *testing.T) {
	f := mustParse(t, string(benchNetrc(10000)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := f.SetMachine(scaling.ManagedHost, "_token", scaling.NewToken)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// A parse of the file takes about 40 allocations, the fast path a few.
	if allocs := after.Mallocs - before.Mallocs; allocs > 20 {
		t.Fatalf("SetMachine made %d allocations: it parsed the file again", allocs)
	}
	if m, _ := f.Lookup(scaling.ManagedHost); m.Password != scaling.NewToken {
		t.Fatal("the token was not replaced")
	}
}
