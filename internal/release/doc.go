// Package release holds the checks on what `make dist` produces: one
// stripped, static binary per release target and a SHA256SUMS file that
// `sha256sum -c` accepts. The checks live in its tests.
package release
