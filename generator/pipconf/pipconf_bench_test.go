package pipconf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/credgen/credgen/bench/scaling"
	"github.com/credgen/credgen/generator/urlcred"
)

// The benchmarks run the editor on pip.conf files of growing size, ten times
// larger each step. ns/index staying flat from step to step is what shows that
// the cost grows linearly with the file (make bench; BENCHMARKS.md).

// benchSizes are the index counts benchmarked; 200 is the large home of
// bench/inputs (inputs.Large).
var benchSizes = []int{2, 20, 200, 2000}

// benchPipConf is a pip.conf naming n indexes: the managed default index-url
// and n-1 extra-index-url continuation lines, every tenth of them another
// managed repository (credentials embedded by an earlier write), the rest
// mirrors on other hosts; plus comments and a second section as users have.
func benchPipConf(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 80)
	b.WriteString("# pip configuration\n[global]\ntimeout = 60\n")
	fmt.Fprintf(&b, "index-url = %s\n", urlcred.With(scaling.DefaultIndex, "_token", scaling.OldToken))
	if n > 1 {
		b.WriteString("extra-index-url =\n")
	}
	for i := 1; i < n; i++ {
		if i%50 == 0 {
			fmt.Fprintf(&b, "    # mirrors %d-%d\n", i, i+49)
		}
		fmt.Fprintf(&b, "    %s\n", benchExtraURL(i))
	}
	b.WriteString("\n[install]\nno-compile = true\n")
	return b.Bytes()
}

func benchExtraURL(i int) string {
	if i%10 == 0 {
		return scaling.TeamIndex(i)
	}
	return fmt.Sprintf("https://mirror%04d.pypi.example.com/simple/", i)
}

// BenchmarkParse is reading a pip.conf: what every credgen run pays.
func BenchmarkParse(b *testing.B) {
	scaling.Run(b, "indexes", "index", benchSizes, benchPipConf, func(b *testing.B, data []byte) {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRewrite is one credgen pass over the file: parse, put the new
// credential into every managed URL, keep the default index, render.
func BenchmarkRewrite(b *testing.B) {
	scaling.Run(b, "indexes", "index", benchSizes, benchPipConf, func(b *testing.B, data []byte) {
		benchRewrite(b, data)
	})
}

func benchRewrite(b testing.TB, data []byte) []byte {
	f, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	f.MapURLs(scaling.Refresh)
	f.SetIndexURL(scaling.Refresh(urlcred.With(scaling.DefaultIndex, "_token", scaling.OldToken)))
	return f.Bytes()
}

// TestBenchInput keeps the benchmark honest: the generated file parses, names
// the stated number of indexes, and the rewrite changes only the tokens.
func TestBenchInput(t *testing.T) {
	data := benchPipConf(200)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.IndexURLs()); got != 200 {
		t.Fatalf("index URLs = %d, want 200", got)
	}
	want := strings.ReplaceAll(string(data), scaling.OldToken, scaling.NewToken)
	if got := string(benchRewrite(t, data)); got != want {
		t.Fatal("rewrite changed more than the managed credentials")
	}
}
