package watch

import (
	"bufio"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBackoffGrowsToTheCap(t *testing.T) {
	t.Parallel()
	wantCeilings := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second,
		80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i, want := range wantCeilings {
		attempt := i + 1
		delay, ceiling := backoff(attempt, randHighest)
		if ceiling != want || delay != want {
			t.Errorf("attempt %d: delay %v ceiling %v, want %v and %v", attempt, delay, ceiling, want, want)
		}
	}
	if _, ceiling := backoff(1<<20, randHighest); ceiling != backoffCap {
		t.Errorf("attempt 2^20: ceiling %v, want the cap %v (no overflow)", ceiling, backoffCap)
	}
	if delay, _ := backoff(3, randLowest); delay != 10*time.Second {
		t.Errorf("lowest draw of attempt 3: delay %v, want half the ceiling, 10s", delay)
	}
	if delay, _ := backoff(1, randLowest); delay != backoffBase {
		t.Errorf("lowest draw of attempt 1: delay %v, want %v", delay, backoffBase)
	}
}

// Capped exponential backoff with jitter, 5 s to 5 min: every delay
// lies in [5 s, 5 min], in the upper half of its ceiling, spread over it.
func TestBackoffIsEqualJitterWithinBounds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for attempt := 1; attempt <= 10; attempt++ {
		lowest, highest := time.Duration(1<<62), time.Duration(0)
		for range 1000 {
			delay, ceiling := backoff(attempt, r)
			if delay < max(ceiling/2, backoffBase) || delay > ceiling || delay < 5*time.Second || delay > 5*time.Minute {
				t.Fatalf("attempt %d: delay %v outside [max(%v/2, 5s), %v] or [5s, 5m]", attempt, delay, ceiling, ceiling)
			}
			lowest, highest = min(lowest, delay), max(highest, delay)
		}
		if _, ceiling := backoff(attempt, r); attempt > 1 && (highest < ceiling*19/20 || lowest > ceiling*11/20) {
			t.Errorf("attempt %d: 1000 draws span [%v, %v], want about [%v, %v]", attempt, lowest, highest, ceiling/2, ceiling)
		}
	}
}

// fresh is a successful host result: obtained at, valid for lifetime, renewed a quarter ahead.
func fresh(host, provider string, at time.Time, lifetime time.Duration) HostResult {
	return HostResult{Host: host, Provider: provider, ObtainedAt: at, Expiry: at.Add(lifetime)}
}

func failed(h HostResult, err error) HostResult {
	h.MintErr = err
	return h
}

func TestScheduleFailingHostDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randLowest, log)
	good := fresh("good.cgr.dev", "chainguard", t0, time.Hour)
	bad := failed(fresh("bad.example", "menda", t0, time.Hour), errors.New("HTTP 500"))
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{good, bad}}, t0)

	retry := s.deadlines()["bad.example"]
	if want := t0.Add(backoffBase); !retry.Equal(want) {
		t.Fatalf("bad host retry at %v, want %v", retry, want)
	}
	req, due := s.due(retry)
	if !due || !slices.Equal(req.Mint, []string{"bad.example"}) {
		t.Fatalf("due at retry = %+v %v, want only the failing host", req, due)
	}
	// Keep failing for a while: the good host's renewal does not move.
	now := retry
	for range 20 {
		s.record(req, PassResult{Hosts: []HostResult{good, bad}}, now)
		now = s.deadlines()["bad.example"]
	}
	if got, want := s.deadlines()["good.cgr.dev"], t0.Add(45*time.Minute); !got.Equal(want) {
		t.Errorf("good host renews at %v, want %v", got, want)
	}
	if req, _ := s.due(t0.Add(45 * time.Minute)); !slices.Contains(req.Mint, "good.cgr.dev") {
		t.Errorf("good host not due at its renewal: %+v", req)
	}
}

// logRecord is one JSON log line.
type logRecord map[string]any

func logRecords(t *testing.T, text string) []logRecord {
	t.Helper()
	var records []logRecord
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var r logRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		records = append(records, r)
	}
	return records
}

func TestScheduleLogsEachFailureWithTheNextTry(t *testing.T) {
	t.Parallel()
	log, buf := testLogger(t)
	s := newSchedule(randHighest, log)
	cred := fresh("acme.d.codeartifact.eu-west-1.amazonaws.com", "menda", t0, time.Minute)
	req := PassRequest{Mint: []string{cred.Host}}
	now := t0
	for range 4 {
		s.record(req, PassResult{Hosts: []HostResult{failed(cred, errors.New("HTTP 500"))}}, now)
		now = s.deadlines()[cred.Host]
	}

	var ceilings []float64
	var expired int
	for _, r := range logRecords(t, buf.String()) {
		switch r["msg"] {
		case "mint failed; will retry":
			if r["level"] != "WARN" || r["next_try"] == nil || r["err"] != "HTTP 500" || r["host"] != cred.Host {
				t.Errorf("failure record %v lacks level/next_try/err/host", r)
			}
			ceilings = append(ceilings, r["backoff_max"].(float64))
		case "credential expired; old credential left in place":
			if r["level"] != "ERROR" {
				t.Errorf("expiry logged at %v, want ERROR", r["level"])
			}
			expired++
		}
	}
	want := []float64{float64(5 * time.Second), float64(10 * time.Second), float64(20 * time.Second),
		float64(40 * time.Second)}
	if !slices.Equal(ceilings, want) {
		t.Errorf("backoff ceilings %v, want %v", ceilings, want)
	}
	// The four failures (t0, +5 s, +15 s, +35 s) all precede the one-minute expiry; one after it must say so.
	if expired != 0 {
		t.Errorf("%d expiry errors before the credential expired", expired)
	}
	s.record(req, PassResult{Hosts: []HostResult{failed(cred, errors.New("HTTP 500"))}}, t0.Add(2*time.Minute))
	if !strings.Contains(buf.String(), `"level":"ERROR","msg":"credential expired; old credential left in place"`) {
		t.Errorf("no expiry error after the credential expired")
	}
}

func TestScheduleRecoveryResetsBackoff(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randHighest, log)
	cred := fresh("libraries.cgr.dev", "chainguard", t0, time.Hour)
	req := PassRequest{Mint: []string{cred.Host}}
	for range 5 {
		s.record(req, PassResult{Hosts: []HostResult{failed(cred, errors.New("chainctl: exit 1"))}}, t0)
	}
	renewed := fresh(cred.Host, cred.Provider, t0.Add(time.Minute), time.Hour)
	s.record(req, PassResult{Hosts: []HostResult{renewed}}, t0.Add(time.Minute))
	h := s.hosts[cred.Host]
	if h.failures != 0 || !h.deadline().Equal(h.renewAt) {
		t.Fatalf("after recovery: failures %d, deadline %v, renewAt %v", h.failures, h.deadline(), h.renewAt)
	}
	s.record(req, PassResult{Hosts: []HostResult{failed(renewed, errors.New("chainctl: exit 1"))}}, t0.Add(time.Hour))
	if _, ceiling := backoff(h.failures, randHighest); ceiling != backoffBase {
		t.Errorf("first failure after recovery has ceiling %v, want %v", ceiling, backoffBase)
	}
}

func TestScheduleDueButNotRequested(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randHighest, log)
	// Obtained long ago: by watch's jittered schedule it is due, by the engine's threshold not yet.
	cred := fresh("libraries.cgr.dev", "chainguard", t0.Add(-44*time.Minute), time.Hour)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{cred}}, t0)
	if req, due := s.due(t0); !due || !slices.Equal(req.Mint, []string{cred.Host}) {
		t.Fatalf("a due host not requested must be asked for at once; due = %+v %v", req, due)
	}
	// Asked for, and the provider hands back the same credential: back off, do not spin.
	s.record(PassRequest{Mint: []string{cred.Host}}, PassResult{Hosts: []HostResult{cred}}, t0)
	if _, due := s.due(t0); due {
		t.Fatalf("a host still due after its requested mint must back off")
	}
	if h := s.hosts[cred.Host]; h.failures != 1 {
		t.Errorf("failures = %d, want 1", h.failures)
	}
}

func TestScheduleKeepsRenewalAcrossPasses(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	draws := 0
	s := newSchedule(randFunc(func(n int64) int64 { draws++; return n / 2 }), log)
	cred := fresh("libraries.cgr.dev", "chainguard", t0, time.Hour)
	for i := range 5 {
		s.record(PassRequest{}, PassResult{Hosts: []HostResult{cred}}, t0.Add(time.Duration(i)*time.Minute))
	}
	if draws != 1 {
		t.Errorf("jitter drawn %d times for one credential, want once", draws)
	}
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{fresh(cred.Host, cred.Provider, t0.Add(time.Hour), time.Hour)}}, t0.Add(time.Hour))
	if draws != 2 {
		t.Errorf("jitter drawn %d times for two credentials, want twice", draws)
	}
}

func TestScheduleManagedHostsFollowSuccessfulPasses(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randLowest, log)
	a := fresh("a.cgr.dev", "chainguard", t0, time.Hour)
	b := fresh("b.cgr.dev", "chainguard", t0, time.Hour)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{a, b}}, t0)

	// A failed pass that reports nothing keeps both, and is retried with backoff.
	s.record(PassRequest{}, PassResult{Err: errors.New("lock held by another credgen")}, t0)
	if len(s.hosts) != 2 {
		t.Fatalf("failed pass dropped hosts: %v", s.deadlines())
	}
	if _, due := s.due(t0.Add(backoffBase)); !due {
		t.Errorf("failed pass not retried after backoff")
	}
	// A successful pass without b: b is no longer managed.
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{a}}, t0.Add(time.Second))
	if _, ok := s.deadlines()["b.cgr.dev"]; ok || s.passFailures != 0 {
		t.Errorf("after a good pass without b: deadlines %v, pass failures %d", s.deadlines(), s.passFailures)
	}
}

func TestScheduleFailedPassBacksOffRequestedHosts(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randLowest, log)
	a := fresh("a.cgr.dev", "chainguard", t0, time.Hour)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{a}}, t0)
	renew := t0.Add(45 * time.Minute)
	s.record(PassRequest{Mint: []string{a.Host}}, PassResult{Err: errors.New("lock timed out")}, renew)
	if req, _ := s.due(renew); len(req.Mint) != 0 {
		t.Errorf("host asked for in a failed pass is still due at once: %+v", req)
	}
}

func TestScheduleWait(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randLowest, log)
	if got := s.wait(t0, time.Minute); got != time.Minute {
		t.Errorf("empty schedule waits %v, want the minimum wake %v", got, time.Minute)
	}
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{fresh("a.cgr.dev", "chainguard", t0, 100*time.Second)}}, t0)
	// renewal at t0 + 75 s
	tests := []struct {
		now  time.Time
		want time.Duration
	}{
		{t0, time.Minute},
		{t0.Add(30 * time.Second), 45 * time.Second},
		{t0.Add(75 * time.Second), 0},
		{t0.Add(3 * time.Hour), 0}, // woke from sleep long past the deadline
	}
	for _, tt := range tests {
		if got := s.wait(tt.now, time.Minute); got != tt.want {
			t.Errorf("wait at %v = %v, want %v", tt.now.Sub(t0), got, tt.want)
		}
	}
}

func TestScheduleIgnoresMonotonicReadings(t *testing.T) {
	t.Parallel()
	log, _ := testLogger(t)
	s := newSchedule(randLowest, log)
	now := time.Now() // carries a monotonic reading
	cred := fresh("a.cgr.dev", "chainguard", now, time.Hour)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{cred}}, now)
	if h := s.hosts[cred.Host]; h.renewAt != h.renewAt.Round(0) {
		t.Errorf("renewAt keeps a monotonic reading; deadlines must be wall-clock")
	}
}

// A provider issuing 3-second tokens is not asked again every 2 s: after a
// successful mint the next renewal waits at least minMintInterval, and the
// log says why.
func TestScheduleFloorsRenewalsOfShortLivedCredentials(t *testing.T) {
	t.Parallel()
	log, buf := testLogger(t)
	s := newSchedule(randLowest, log)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{fresh("libraries.cgr.dev", "chainguard", t0, 3*time.Second)}}, t0)
	next, ok := s.next()
	if !ok || !next.Equal(t0.Add(minMintInterval)) {
		t.Errorf("next renewal %v, want %v", next, t0.Add(minMintInterval))
	}
	if !strings.Contains(buf.String(), "lives too short") {
		t.Errorf("no warning logged:\n%s", buf.String())
	}
	// An hour-long credential is renewed as the rule says, untouched.
	s = newSchedule(randLowest, log)
	s.record(PassRequest{}, PassResult{Hosts: []HostResult{fresh("libraries.cgr.dev", "chainguard", t0, time.Hour)}}, t0)
	if next, _ := s.next(); !next.Equal(t0.Add(45 * time.Minute)) {
		t.Errorf("next renewal %v, want 45 min after", next)
	}
}
