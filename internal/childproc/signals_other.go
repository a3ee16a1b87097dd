//go:build !unix

package childproc

import "os"

// forwarded holds only os.Interrupt, and nothing is passed on: on Windows
// the console sends Ctrl-C to every process attached to it, the command
// included, and os.Process.Signal cannot send one. Registering it keeps
// credgen alive to clean up after the command.
var forwarded = []os.Signal{os.Interrupt}

func deliveredByTerminal(os.Signal) bool { return true }

func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }

// ownedByMe: the folder is under the user's own temp folder on Windows.
func ownedByMe(string) bool { return true }
