package main

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name    string
		samples []time.Duration
		want    summary
	}{
		{"one", ms(7), summary{N: 1, Median: 7, P25: 7, P75: 7, P95: 7, Min: 7, Max: 7}},
		{"odd, unsorted", ms(5, 1, 3), summary{N: 3, Median: 3, P25: 2, P75: 4, P95: 4.8, Min: 1, Max: 5}},
		{"even", ms(1, 2, 3, 4), summary{N: 4, Median: 2.5, P25: 1.75, P75: 3.25, P95: 3.85, Min: 1, Max: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.samples)
			if !sameSummary(got, tt.want) {
				t.Errorf("summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func sameSummary(a, b summary) bool {
	near := func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 }
	return a.N == b.N && near(a.Median, b.Median) && near(a.P25, b.P25) && near(a.P75, b.P75) &&
		near(a.P95, b.P95) && near(a.Min, b.Min) && near(a.Max, b.Max)
}
