package watch

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/credgen/credgen/internal/renewal"
)

// Retry bounds for failed mints and failed passes: from 5 s up to 5 min, retried forever.
const (
	// minMintInterval is the least time between two renewals of a host
	// after a successful mint, whatever the credential's lifetime.
	minMintInterval = 10 * time.Second
	backoffBase     = 5 * time.Second
	backoffCap      = 5 * time.Minute
)

var (
	errNoCredential = errors.New("the pass reported no credential for this host")
	errStillDue     = errors.New("the provider returned a credential that is already due for renewal")
)

// hostState is the schedule of one managed host.
type hostState struct {
	provider   string
	obtainedAt time.Time
	expiry     time.Time
	rule       renewal.Rule
	renewAt    time.Time // drawn once per credential, so repeated passes do not move it
	failures   int       // consecutive failed mints; > 0 means retryAt is the deadline
	retryAt    time.Time
}

func (h *hostState) deadline() time.Time {
	if h.failures > 0 {
		return h.retryAt
	}
	return h.renewAt
}

// schedule holds every host's next deadline (renewal or retry) and the retry of a failed pass.
// Each host has its own deadline, so one failing host never delays the others.
type schedule struct {
	rand         Rand
	log          *slog.Logger
	hosts        map[string]*hostState
	passFailures int
	passRetryAt  time.Time
}

func newSchedule(r Rand, log *slog.Logger) *schedule {
	return &schedule{rand: r, log: log, hosts: map[string]*hostState{}}
}

// due returns the hosts whose deadline has come, and whether a pass is needed at all (hosts due, or a
// failed pass to retry).
func (s *schedule) due(now time.Time) (PassRequest, bool) {
	var req PassRequest
	for host, h := range s.hosts {
		if !h.deadline().After(now) {
			req.Mint = append(req.Mint, host)
		}
	}
	slices.Sort(req.Mint)
	retryPass := s.passFailures > 0 && !s.passRetryAt.After(now)
	return req, len(req.Mint) > 0 || retryPass
}

// wait is how long the loop may sleep: until the next deadline, but never longer than most (a suspended
// machine stops monotonic timers, so the loop re-checks the wall clock at least that often).
func (s *schedule) wait(now time.Time, most time.Duration) time.Duration {
	next, ok := s.next()
	if !ok {
		return most
	}
	return min(max(next.Sub(now), 0), most)
}

// next is the earliest deadline, if any.
func (s *schedule) next() (time.Time, bool) {
	var next time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	for _, h := range s.hosts {
		consider(h.deadline())
	}
	if s.passFailures > 0 {
		consider(s.passRetryAt)
	}
	return next, found
}

// deadlines is each host's next renewal or retry, for the state file.
func (s *schedule) deadlines() map[string]time.Time {
	next := make(map[string]time.Time, len(s.hosts))
	for host, h := range s.hosts {
		next[host] = h.deadline()
	}
	return next
}

// record updates the schedule from a pass's result.
func (s *schedule) record(req PassRequest, res PassResult, now time.Time) {
	now = now.Round(0)
	reported := make(map[string]bool, len(res.Hosts))
	for _, r := range res.Hosts {
		reported[r.Host] = true
		s.recordHost(r, wasRequested(req, r), now)
	}
	s.recordPass(res.Err, now)
	if res.Err == nil {
		// A successful pass reports every managed host: the others are no longer managed.
		maps.DeleteFunc(s.hosts, func(host string, _ *hostState) bool { return !reported[host] })
		return
	}
	// A failed pass may not report hosts it was asked to mint; back them off too, or they stay due and
	// the loop would spin.
	for _, host := range req.Mint {
		if h := s.hosts[host]; h != nil && !reported[host] {
			s.fail(host, h, fmt.Errorf("write pass failed: %w", res.Err), now)
		}
	}
}

func wasRequested(req PassRequest, r HostResult) bool {
	return slices.Contains(req.Mint, r.Host) || slices.Contains(req.MintProviders, r.Provider)
}

func (s *schedule) recordHost(r HostResult, requested bool, now time.Time) {
	h := s.hosts[r.Host]
	if h == nil {
		h = &hostState{}
		s.hosts[r.Host] = h
	}
	h.provider = r.Provider
	s.adopt(r.Host, h, r)
	switch {
	case r.MintErr != nil:
		s.fail(r.Host, h, r.MintErr, now)
	case h.expiry.IsZero():
		s.fail(r.Host, h, errNoCredential, now)
	case h.renewAt.After(now):
		s.recover(r.Host, h)
	case requested:
		// Minted on request yet still due (a provider handing back its cached token): back off rather
		// than ask again at once.
		s.fail(r.Host, h, errStillDue, now)
	}
	// Otherwise the credential is due but was not asked for (the engine's threshold has no jitter):
	// its past renewAt makes the loop ask for it next.
}

// adopt takes the host's current credential, drawing a new renewal moment only when the credential
// (or its refresh-before) changed.
func (s *schedule) adopt(host string, h *hostState, r HostResult) {
	obtained, expiry := r.ObtainedAt.Round(0), r.Expiry.Round(0)
	if obtained.Equal(h.obtainedAt) && expiry.Equal(h.expiry) && r.Renewal == h.rule {
		return
	}
	h.obtainedAt, h.expiry, h.rule = obtained, expiry, r.Renewal
	h.renewAt = time.Time{}
	if expiry.IsZero() {
		return
	}
	h.renewAt = h.rule.At(obtained, expiry, s.rand.Int64N)
	if floor := obtained.Add(minMintInterval); !obtained.IsZero() && h.renewAt.Before(floor) {
		// A provider issuing tokens that live seconds would otherwise be
		// asked again every few seconds, for ever.
		s.log.Warn("credential lives too short to renew on time; renewing at most every "+minMintInterval.String(),
			"host", host, "provider", h.provider, "lifetime", expiry.Sub(obtained))
		h.renewAt = floor
	}
	s.log.Info("renewal scheduled", "host", host, "provider", h.provider, "expires", expiry, "renew_at", h.renewAt)
}

func (s *schedule) recover(host string, h *hostState) {
	if h.failures > 0 {
		s.log.Info("mint recovered", "host", host, "provider", h.provider, "after_attempts", h.failures)
	}
	h.failures, h.retryAt = 0, time.Time{}
}

// fail backs a host off and logs the failure with the next try; an expired credential is an error.
func (s *schedule) fail(host string, h *hostState, err error, now time.Time) {
	h.failures++
	delay, ceiling := backoff(h.failures, s.rand)
	h.retryAt = now.Add(delay)
	s.log.Warn("mint failed; will retry", "host", host, "provider", h.provider, "attempt", h.failures,
		"retry_in", delay.Round(time.Millisecond), "backoff_max", ceiling, "next_try", h.retryAt, "err", err)
	if !h.expiry.IsZero() && !now.Before(h.expiry) {
		s.log.Error("credential expired; old credential left in place", "host", host, "provider", h.provider,
			"expired_at", h.expiry)
	}
}

// recordPass backs off a failed pass, or clears the backoff after a good one.
func (s *schedule) recordPass(err error, now time.Time) {
	if err == nil {
		if s.passFailures > 0 {
			s.log.Info("write pass recovered", "after_attempts", s.passFailures)
		}
		s.passFailures, s.passRetryAt = 0, time.Time{}
		return
	}
	s.passFailures++
	delay, ceiling := backoff(s.passFailures, s.rand)
	s.passRetryAt = now.Add(delay)
	s.log.Error("write pass failed; will retry", "attempt", s.passFailures,
		"retry_in", delay.Round(time.Millisecond), "backoff_max", ceiling, "next_try", s.passRetryAt, "err", err)
}

// backoff is the delay before retry number attempt (1-based), between
// 5 s and 5 min: the ceiling doubles from backoffBase up to backoffCap, and
// the delay is drawn from its upper half ("equal jitter"), never below
// backoffBase. The first retry comes after exactly 5 s.
func backoff(attempt int, r Rand) (delay, ceiling time.Duration) {
	ceiling = backoffCap
	// 5 s << 6 already exceeds the cap; bounding the shift also keeps it from overflowing.
	if shift := max(attempt-1, 0); shift < 6 {
		ceiling = min(backoffBase<<shift, backoffCap)
	}
	delay = max(ceiling/2, backoffBase)
	if spread := ceiling - delay; spread > 0 {
		delay += time.Duration(r.Int64N(int64(spread) + 1))
	}
	return delay, ceiling
}
