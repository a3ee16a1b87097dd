package watch

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// eventually is how long a test waits for something that must happen; quietly is how long it watches
// for something that must not. Neither asserts speed: correctness deadlines (1 s) are far inside them.
const (
	eventually = 5 * time.Second
	quietly    = 700 * time.Millisecond
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock has a wall clock and a monotonic clock: Advance moves both and fires timers; Sleep moves
// only the wall clock, as a suspended laptop does (Go's timers stop during suspend).
type fakeClock struct {
	mu     sync.Mutex
	wall   time.Time
	mono   time.Duration
	timers map[*fakeTimer]bool // armed, not fired, not stopped
}

type fakeTimer struct {
	clock *fakeClock
	at    time.Duration // monotonic deadline
	c     chan time.Time
}

func newFakeClock(start time.Time) *fakeClock {
	return &fakeClock{wall: start, timers: map[*fakeTimer]bool{}}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.mono + d, c: make(chan time.Time, 1)}
	c.timers[t] = true
	c.fireLocked()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	armed := t.clock.timers[t]
	delete(t.clock.timers, t)
	return armed
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
	c.mono += d
	c.fireLocked()
}

func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
}

func (c *fakeClock) fireLocked() {
	for t := range c.timers {
		if t.at <= c.mono {
			t.c <- c.wall
			delete(c.timers, t)
		}
	}
}

// armed waits until exactly one timer is armed (the loop is idle) and returns how long until it fires.
func (c *fakeClock) armed(t *testing.T) time.Duration {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		if len(c.timers) == 1 {
			for tm := range c.timers {
				left := tm.at - c.mono
				c.mu.Unlock()
				return left
			}
		}
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the loop never went idle (no timer armed)")
	return 0
}

// randFunc adapts a function to Rand.
type randFunc func(n int64) int64

func (f randFunc) Int64N(n int64) int64 { return f(n) }

// randLowest always draws 0; randHighest always draws n−1.
var (
	randLowest  = randFunc(func(int64) int64 { return 0 })
	randHighest = randFunc(func(n int64) int64 { return n - 1 })
)

// fakeEngine records calls and answers passes through respond.
type fakeEngine struct {
	mu        sync.Mutex
	respond   func(PassRequest) PassResult
	reloadErr error
	watched   []Watched
	reloads   int
	scheduled []map[string]time.Time
	passes    chan PassRequest
}

func newFakeEngine(respond func(PassRequest) PassResult) *fakeEngine {
	return &fakeEngine{respond: respond, passes: make(chan PassRequest, 100)}
}

func (e *fakeEngine) Pass(_ context.Context, req PassRequest) PassResult {
	e.mu.Lock()
	respond := e.respond
	e.mu.Unlock()
	res := respond(req)
	e.passes <- req
	return res
}

func (e *fakeEngine) Reload() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reloads++
	return e.reloadErr
}

func (e *fakeEngine) Watched() []Watched {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Watched(nil), e.watched...)
}

func (e *fakeEngine) Scheduled(next map[string]time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scheduled = append(e.scheduled, next)
}

func (e *fakeEngine) reloadCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reloads
}

func (e *fakeEngine) lastScheduled() map[string]time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.scheduled) == 0 {
		return nil
	}
	return e.scheduled[len(e.scheduled)-1]
}

// nextPass waits for the engine's next pass.
func (e *fakeEngine) nextPass(t *testing.T) PassRequest {
	t.Helper()
	select {
	case req := <-e.passes:
		return req
	case <-time.After(eventually):
		t.Fatal("no pass happened")
		return PassRequest{}
	}
}

// noPass asserts that no pass happens for a while.
func (e *fakeEngine) noPass(t *testing.T) {
	t.Helper()
	select {
	case req := <-e.passes:
		t.Fatalf("unexpected pass %+v", req)
	case <-time.After(quietly):
	}
}

// syncBuffer is a log sink safe to read while the loop writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(t *testing.T) (*slog.Logger, *syncBuffer) {
	t.Helper()
	var buf syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}
