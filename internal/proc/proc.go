// Package proc answers questions about other processes.
package proc
