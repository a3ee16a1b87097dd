// Package bench holds credgen's benchmarks beyond the editors': the write
// pass in-process here (go test -bench . ./bench), whole processes, keyring
// and watch in bench/cmd/procbench. See BENCHMARKS.md.
package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/credgen/credgen/bench/inproc"
	"github.com/credgen/credgen/bench/inputs"
	"github.com/credgen/credgen/internal/engine"
)

// BenchmarkWrite is one `credgen write` pass without the process around it:
// noop when everything is fresh, force when every output is rewritten.
// force-allow-tracked skips the two `git ls-files` runs that guard pip.conf
// and uv.toml against committing secrets, to show what they cost.
func BenchmarkWrite(b *testing.B) {
	sizes := []struct {
		name string
		size inputs.Size
	}{{"small", inputs.Small}, {"large", inputs.Large}}
	cases := []struct {
		name         string
		opts         engine.WriteOptions
		allowTracked bool
	}{
		{"noop", engine.WriteOptions{}, false},
		{"force", engine.WriteOptions{Force: true}, false},
		{"force-allow-tracked", engine.WriteOptions{Force: true}, true},
	}
	for _, sz := range sizes {
		for _, c := range cases {
			b.Run(fmt.Sprintf("%s/%s", sz.name, c.name), func(b *testing.B) {
				ctx := context.Background()
				e, err := inproc.NewEngine(ctx, b.TempDir(), sz.size, c.allowTracked)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Write(ctx, c.opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
