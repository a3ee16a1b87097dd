// Package proc answers questions about other processes that each system
// answers its own way.
package proc
