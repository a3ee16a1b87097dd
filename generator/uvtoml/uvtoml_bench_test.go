package uvtoml

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/credgen/credgen/bench/scaling"
	"github.com/credgen/credgen/generator/urlcred"
)

// The benchmarks run the editor on uv.toml files of growing size, ten times
// larger each step. ns/index staying flat from step to step is what shows that
// the cost grows linearly with the file (make bench; BENCHMARKS.md).

// benchSizes are the index counts benchmarked; 200 is the large home of
// bench/inputs (inputs.Large).
var benchSizes = []int{2, 20, 200, 2000}

// benchUVToml is a uv.toml with n [[index]] tables: the managed default first,
// then n-1 more, every tenth of them another managed repository (credentials
// embedded by an earlier write), the rest mirrors on other hosts; with the
// comments and other settings users keep.
func benchUVToml(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 110)
	b.WriteString("# uv configuration\nnative-tls = false\n\n[pip]\ncompile-bytecode = false\n\n")
	fmt.Fprintf(&b, "[[index]]\nname = \"chainguard-python\"\nurl = %q\ndefault = true\n", urlcred.With(scaling.DefaultIndex, "_token", scaling.OldToken))
	for i := 1; i < n; i++ {
		if i%50 == 0 {
			fmt.Fprintf(&b, "\n# mirrors %d-%d", i, i+49)
		}
		name, url := fmt.Sprintf("mirror%04d", i), fmt.Sprintf("https://mirror%04d.pypi.example.com/simple/", i)
		if i%10 == 0 {
			name, url = fmt.Sprintf("chainguard-python-team%04d", i), scaling.TeamIndex(i)
		}
		fmt.Fprintf(&b, "\n[[index]]\nname = %q\nurl = %q\n", name, url)
	}
	return b.Bytes()
}

// BenchmarkParse is reading a uv.toml: what every credgen run pays.
func BenchmarkParse(b *testing.B) {
	scaling.Run(b, "indexes", "index", benchSizes, benchUVToml, func(b *testing.B, data []byte) {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRewrite is one credgen pass over the file: parse, put the new
// credential into every managed URL, keep the default index, render.
func BenchmarkRewrite(b *testing.B) {
	scaling.Run(b, "indexes", "index", benchSizes, benchUVToml, func(b *testing.B, data []byte) {
		benchRewrite(b, data)
	})
}

func benchRewrite(b testing.TB, data []byte) []byte {
	f, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	f.MapURLs(scaling.Refresh)
	f.UpsertIndex("chainguard-python", scaling.Refresh(urlcred.With(scaling.DefaultIndex, "_token", scaling.OldToken)), true)
	return f.Bytes()
}

// TestBenchInput keeps the benchmark honest: the generated file parses, has
// the stated number of indexes, and the rewrite changes only the tokens.
func TestBenchInput(t *testing.T) {
	data := benchUVToml(200)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Indexes()); got != 200 {
		t.Fatalf("indexes = %d, want 200", got)
	}
	want := strings.ReplaceAll(string(data), scaling.OldToken, scaling.NewToken)
	if got := string(benchRewrite(t, data)); got != want {
		t.Fatal("rewrite changed more than the managed credentials")
	}
}
