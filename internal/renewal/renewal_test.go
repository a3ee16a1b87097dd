package renewal

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// randLowest always draws 0; randHighest always draws n−1.
func randLowest(int64) int64 { return 0 }

func randHighest(n int64) int64 { return n - 1 }

func TestLeadAndDue(t *testing.T) {
	t.Parallel()
	expiry := t0.Add(time.Hour)
	tests := []struct {
		name string
		rule Rule
		now  time.Time
		lead time.Duration
		due  bool
	}{
		{"default: a quarter of the lifetime, not yet", Rule{}, t0.Add(44 * time.Minute), 15 * time.Minute, false},
		{"default: due at exactly the lead", Rule{}, t0.Add(45 * time.Minute), 15 * time.Minute, true},
		{"configured lead wins", Rule{Before: 30 * time.Minute}, t0.Add(31 * time.Minute), 30 * time.Minute, true},
		{"expired is due", Rule{}, t0.Add(2 * time.Hour), 15 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Lead(t0, expiry); got != tt.lead {
				t.Errorf("Lead = %v, want %v", got, tt.lead)
			}
			if got := tt.rule.Due(tt.now, t0, expiry); got != tt.due {
				t.Errorf("Due = %v, want %v", got, tt.due)
			}
		})
	}
}

func TestAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		obtained      time.Time
		lifetime      time.Duration
		refreshBefore time.Duration
		rand          func(int64) int64
		want          time.Time
	}{
		{"no jitter drawn", t0, time.Hour, 15 * time.Minute, randLowest, t0.Add(45 * time.Minute)},
		{"largest jitter is just under 10% of the lifetime", t0, time.Hour, 15 * time.Minute, randHighest,
			t0.Add(45*time.Minute - 6*time.Minute + 1)},
		{"90-second token, a quarter ahead", t0, 90 * time.Second, 22500 * time.Millisecond, randLowest,
			t0.Add(67500 * time.Millisecond)},
		{"refresh-before longer than the lifetime renews after a tenth of it", t0, time.Hour, 2 * time.Hour,
			randLowest, t0.Add(6 * time.Minute)},
		{"unknown obtained time: no jitter, no floor", time.Time{}, 0, 15 * time.Minute, randHighest,
			t0.Add(time.Hour - 15*time.Minute)},
		{"expiry before obtained: no jitter", t0.Add(2 * time.Hour), -time.Hour, 15 * time.Minute, randHighest,
			t0.Add(45 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expiry := tt.obtained.Add(tt.lifetime)
			if tt.obtained.IsZero() {
				expiry = t0.Add(time.Hour)
			}
			got := Rule{Before: tt.refreshBefore}.At(tt.obtained, expiry, tt.rand)
			if !got.Equal(tt.want) {
				t.Errorf("At = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRenewalJitterStaysWithinTenPercent(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const lifetime = time.Hour
	expiry := t0.Add(lifetime)
	latest := expiry.Add(-15 * time.Minute)
	earliest := latest.Add(-lifetime / 10)
	var lowest, highest time.Time
	for i := range 10000 {
		at := Rule{Before: 15 * time.Minute}.At(t0, expiry, r.Int64N)
		if at.After(latest) || !at.After(earliest) {
			t.Fatalf("draw %d: renewal %v outside (%v, %v]", i, at, earliest, latest)
		}
		if lowest.IsZero() || at.Before(lowest) {
			lowest = at
		}
		if at.After(highest) {
			highest = at
		}
	}
	// Uniform, not stuck at one end: the draws cover almost the whole window.
	if lowest.Sub(earliest) > lifetime/100 || latest.Sub(highest) > lifetime/100 {
		t.Errorf("draws span [%v, %v], want nearly (%v, %v]", lowest, highest, earliest, latest)
	}
}
