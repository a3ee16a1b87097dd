//go:build !unix

package chainguard

import "os/exec"

// killProcessGroupOnCancel keeps exec's default (kill chainctl itself) where
// process groups do not exist; WaitDelay still bounds the wait for its pipes.
func killProcessGroupOnCancel(*exec.Cmd) {}
