// Package watch keeps credgen's credentials fresh while `credgen watch` runs: it schedules each
// credential's renewal (refresh-before ahead of expiry, minus a jitter of up to 10% of its lifetime),
// retries failed mints with capped exponential backoff, and reacts within a second to changes of the
// files credgen depends on. The write engine plugs in through Engine; the clock and the random source
// are injectable so the schedule is testable without waiting.
package watch

import (
	"context"
	"time"

	"github.com/credgen/credgen/internal/renewal"
)

// Engine is what watch drives; credgen's write engine implements it.
type Engine interface {
	// Pass runs one write pass under credgen's lock: re-mint the hosts in req.Mint (and every host of the
	// providers in req.MintProviders), mint any host whose credential is due or missing, repair outputs, and
	// report every managed host.
	Pass(ctx context.Context, req PassRequest) PassResult
	// Reload re-reads credgen's config; on error the last good config stays in force.
	Reload() error
	// Watched lists the files and folders to watch, each with what a change to it means.
	Watched() []Watched
	// Scheduled records, for status, the watch's pid and each host's next renewal (state file).
	Scheduled(next map[string]time.Time)
}

// PassRequest says what a pass must mint even though the credential may still be fresh.
type PassRequest struct {
	Mint          []string // hosts to re-mint
	MintProviders []string // providers whose every host is re-minted
	// AfterMint, set by watch, must be called on the pass's goroutine right
	// after each call to a provider's mint returns (failed or not): watch then
	// notes that provider's files, so that what its own calls wrote is not
	// taken for a login, and a login later in the pass is.
	AfterMint func(provider string)
}

// PassResult is what one pass did.
type PassResult struct {
	Hosts []HostResult // every managed host, whether minted this pass or not
	// Err is a failure of the pass as a whole (config, an output that does not parse, the lock timed out).
	// A single host's failed mint goes in HostResult.MintErr, not here. Watch retries a failed pass with
	// backoff.
	Err error
	// Outputs is, by the path listed in Watched, the content each output holds after the pass as the
	// engine left it (nil: the file does not exist). An output that differs from it once the pass is
	// over was changed by someone else meanwhile, and gets a repair pass.
	Outputs map[string][]byte
}

// HostResult is the state of one managed host after a pass.
type HostResult struct {
	Host, Provider     string
	ObtainedAt, Expiry time.Time    // zero when no credential
	Renewal            renewal.Rule // when this credential is renewed
	MintErr            error        // non-nil: the mint failed this pass (old credential left in place)
}

// Watched is one file or folder whose change watch reacts to. A folder matches any file below it.
type Watched struct {
	Path     string
	Kind     Kind
	Provider string // for ProviderInput: the provider to re-mint
}

// Kind says what a change to a watched path means.
type Kind int

const (
	// ProviderInput is a provider's own file (mendacfg, the menda token cache, chainctl's cache folder):
	// a change re-mints every host of Watched.Provider.
	ProviderInput Kind = iota + 1
	// Config is credgen's config file: a change reloads it, then runs a pass.
	Config
	// Output is a file credgen writes (netrc, pip.conf, uv.toml): a change runs a pass that repairs it;
	// nothing is minted unless due.
	Output
)

func (k Kind) String() string {
	switch k {
	case ProviderInput:
		return "provider-input"
	case Config:
		return "config"
	case Output:
		return "output"
	}
	return "unknown"
}
