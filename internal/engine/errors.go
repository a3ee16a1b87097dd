package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/credgen/credgen/generator/lock"
	"github.com/credgen/credgen/internal/config"
)

// Exit codes of credgen.
const (
	ExitOK    = 0
	ExitMint  = 1 // a provider could not mint, or the lock timed out; the rest was written
	ExitUsage = 2 // bad usage or config, an output that does not parse, nothing to manage: nothing written
)

// Error carries the exit code a failure maps to.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usage(format string, args ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// ExitCode maps any error of a run to its exit code.
func ExitCode(err error) int {
	var e *Error
	var ce *config.Error
	var ue *config.UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &ce), errors.As(err, &ue), errors.Is(err, lock.ErrNotRegular):
		return ExitUsage
	}
	return ExitMint // a mint, a write, the lock (lock.ErrTimeout)
}

// MintErrors are the hosts whose credential could not be refreshed in one
// pass; the other hosts were still written. Its exit code is ExitMint.
type MintErrors []*HostOutcome

func (m MintErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the managed hosts could not be refreshed:", len(m))
	for _, h := range m {
		fmt.Fprintf(&b, "\n  %s: %v", h.Host, h.Err)
	}
	return b.String()
}
