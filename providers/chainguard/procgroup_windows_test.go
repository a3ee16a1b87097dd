//go:build windows

package chainguard

import "github.com/credgen/credgen/internal/proc"

// processGone reports whether pid no longer runs.
func processGone(pid int) bool { return !proc.Alive(pid) }
