// Package renewal is credgen's one rule for when a credential is renewed. A
// write renews what is due; watch renews a little earlier than that, by a
// random share of the lifetime, so that a fleet started together does not
// renew in step.
package renewal

import "time"

// jitterDivisor: watch's jitter is up to lifetime/jitterDivisor (10%); it is
// also the earliest share of the lifetime at which watch renews a fresh
// credential, whatever the lead says.
const jitterDivisor = 10

// Rule says how long before its expiry a credential is renewed.
type Rule struct {
	// Before is the configured lead (refresh_before, --refresh-before); 0
	// means a quarter of each credential's lifetime.
	Before time.Duration
}

// Lead is how long before expiry the credential obtained at obtained and
// expiring at expiry is renewed.
func (r Rule) Lead(obtained, expiry time.Time) time.Duration {
	if r.Before > 0 {
		return r.Before
	}
	return expiry.Sub(obtained) / 4
}

// Due says whether that credential must be renewed at now.
func (r Rule) Due(now, obtained, expiry time.Time) bool {
	return expiry.Sub(now) <= r.Lead(obtained, expiry)
}

// At is when watch renews it: expiry − lead − jitter, jitter drawn by
// int64n uniformly in [0, lifetime/10). It is never earlier than a tenth of
// the lifetime after the credential was obtained, so a lead longer than the
// lifetime renews often but never in a busy loop.
func (r Rule) At(obtained, expiry time.Time, int64n func(n int64) int64) time.Time {
	at := expiry.Add(-r.Lead(obtained, expiry))
	lifetime := expiry.Sub(obtained)
	if obtained.IsZero() || lifetime <= 0 {
		return at
	}
	if n := int64(lifetime / jitterDivisor); n > 0 {
		at = at.Add(-time.Duration(int64n(n)))
	}
	if floor := obtained.Add(lifetime / jitterDivisor); at.Before(floor) {
		return floor
	}
	return at
}
