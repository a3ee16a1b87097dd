package netrc

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/credgen/credgen/bench/scaling"
)

// The benchmarks run the editor on netrc files of growing size, ten times
// larger each step. ns/machine staying flat from step to step is what shows
// that the cost grows linearly with the file (make bench; BENCHMARKS.md).

// benchSizes are the machine counts benchmarked; 10,000 is the large home of
// bench/inputs (inputs.Large).
var benchSizes = []int{10, 100, 1000, 10000}

// benchNetrc is a netrc of n machines as people accumulate them: one entry per
// line, a comment every 50 entries, and credgen's own entry last (where its
// first write put it), holding the token the next write replaces.
func benchNetrc(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	for i := range n - 1 {
		if i%50 == 0 {
			fmt.Fprintf(&b, "# build hosts %d-%d\n", i, i+49)
		}
		fmt.Fprintf(&b, "machine host%05d.internal.example.com login ci-user-%05d password s3cr3t-%08x\n", i, i, i*2654435761)
	}
	fmt.Fprintf(&b, "machine %s login _token password %s\n", scaling.ManagedHost, scaling.OldToken)
	return b.Bytes()
}

// BenchmarkParse is reading a netrc: what every credgen run pays.
func BenchmarkParse(b *testing.B) {
	scaling.Run(b, "machines", "machine", benchSizes, benchNetrc, func(b *testing.B, data []byte) {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRewrite is one credgen pass over the file: parse, replace the
// managed machine's password, render the new content.
func BenchmarkRewrite(b *testing.B) {
	scaling.Run(b, "machines", "machine", benchSizes, benchNetrc, func(b *testing.B, data []byte) {
		benchRewrite(b, data, scaling.ManagedHost)
	})
}

// BenchmarkInsert is credgen's first write into an existing file: a new
// machine goes in.
func BenchmarkInsert(b *testing.B) {
	scaling.Run(b, "machines", "machine", benchSizes, benchNetrc, func(b *testing.B, data []byte) {
		benchRewrite(b, data, "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com")
	})
}

func benchRewrite(b *testing.B, data []byte, host string) []byte {
	f, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.SetMachine(host, "_token", scaling.NewToken); err != nil {
		b.Fatal(err)
	}
	return f.Bytes()
}

// TestBenchInput keeps the benchmark honest: the generated file parses, has
// the stated number of machines, and the rewrite changes only the token.
func TestBenchInput(t *testing.T) {
	data := benchNetrc(1000)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Machines()); got != 1000 {
		t.Fatalf("machines = %d, want 1000", got)
	}
	if err := f.SetMachine(scaling.ManagedHost, "_token", scaling.NewToken); err != nil {
		t.Fatal(err)
	}
	want := bytes.Replace(data, []byte(scaling.OldToken), []byte(scaling.NewToken), 1)
	if !bytes.Equal(f.Bytes(), want) {
		t.Fatal("rewrite changed more than the managed password")
	}
}

// BenchmarkReaders is the check after an edit, which clients see the
// entry (curl, Python and both uv versions read the file), with the parse it
// needs: compare with BenchmarkParse.
func BenchmarkReaders(b *testing.B) {
	scaling.Run(b, "machines", "machine", benchSizes, benchNetrc, func(b *testing.B, data []byte) {
		f, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if missing := f.ClientsMissing(scaling.ManagedHost, "_token"); len(missing) != 0 {
			b.Fatalf("missing %v", missing)
		}
	})
}
