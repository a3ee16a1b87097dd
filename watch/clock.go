package watch

import (
	"math/rand/v2"
	"time"
)

// Clock is the time source of the watch loop. Now is wall-clock time: deadlines are compared with it, so
// a laptop that slept past a deadline renews at its next wake-up. Timers may be monotonic (Go's are, and
// they stop while the machine sleeps); the loop never sleeps longer than Options.MinWake for that reason.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer made by a Clock.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// Rand draws jitter. *math/rand/v2.Rand satisfies it. It is used from the loop's goroutine only.
type Rand interface {
	// Int64N returns a uniform value in [0, n); n > 0.
	Int64N(n int64) int64
}

// systemClock is the real clock.
type systemClock struct{}

// Now strips the monotonic reading: Go's monotonic clock stops during suspend on Linux, and deadlines
// must be compared by wall clock.
func (systemClock) Now() time.Time { return time.Now().Round(0) }

func (systemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (s systemTimer) C() <-chan time.Time { return s.t.C }
func (s systemTimer) Stop() bool          { return s.t.Stop() }

// newSystemRand returns a source seeded differently on every start, so a fleet does not jitter in step.
func newSystemRand() Rand {
	return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}
