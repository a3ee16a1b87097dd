package main

import (
	"math"
	"slices"
	"time"
)

// summary describes one row's samples.
type summary struct {
	N      int     `json:"n"`
	Median float64 `json:"median_ms"`
	P25    float64 `json:"p25_ms"`
	P75    float64 `json:"p75_ms"`
	P95    float64 `json:"p95_ms"`
	Min    float64 `json:"min_ms"`
	Max    float64 `json:"max_ms"`
}

// summarize returns the order statistics of samples, in milliseconds.
func summarize(samples []time.Duration) summary {
	if len(samples) == 0 {
		return summary{}
	}
	ms := make([]float64, len(samples))
	for i, d := range samples {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	slices.Sort(ms)
	return summary{
		N:      len(ms),
		Median: quantile(ms, 0.5),
		P25:    quantile(ms, 0.25),
		P75:    quantile(ms, 0.75),
		P95:    quantile(ms, 0.95),
		Min:    ms[0],
		Max:    ms[len(ms)-1],
	}
}

// quantile of sorted values, interpolating linearly between the two nearest
// ranks (the method numpy and R use by default).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}
