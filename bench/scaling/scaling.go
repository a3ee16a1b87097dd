// Package scaling runs a benchmark over inputs of growing size, so that a
// cost that grows linearly shows as a flat cost per unit.
package scaling

import (
	"fmt"
	"testing"
)

// Run runs op on gen(n) for every n in sizes, as sub-benchmarks named
// "<units>=<n>" ("machines=10000"), reporting bytes per second, allocations
// and ns/<unit> ("ns/machine").
func Run(b *testing.B, units, unit string, sizes []int, gen func(n int) []byte, op func(b *testing.B, data []byte)) {
	for _, n := range sizes {
		data := gen(n)
		b.Run(fmt.Sprintf("%s=%d", units, n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				op(b, data)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/"+unit)
		})
	}
}
