//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/credgen/credgen/internal/envformat"
)

func TestEnvRefusesATerminalUnlessRevealed(t *testing.T) {
	terminal := func(io.Writer) bool { return true }
	notTerminal := func(io.Writer) bool { return false }
	cases := []struct {
		name       string
		isTerminal func(io.Writer) bool
		format     envformat.Format
		reveal     bool
		refused    bool
	}{
		{"terminal", terminal, envformat.SH, false, true},
		{"terminal, json", terminal, envformat.JSON, false, true},
		{"terminal with --reveal", terminal, envformat.SH, true, false},
		{"a pipe or file", notTerminal, envformat.Dotenv, false, false},
		{"github prints only masks", terminal, envformat.GitHub, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := refuseTerminal(envStdout{w: &bytes.Buffer{}, isTerminal: c.isTerminal}, c.format, c.reveal)
			var ue *usageError
			if refused := errors.As(err, &ue); refused != c.refused {
				t.Fatalf("err = %v, want refused = %v", err, c.refused)
			}
			if c.refused && exitCode(err) != 2 {
				t.Errorf("exit %d, want 2", exitCode(err))
			}
		})
	}
}

func TestWriterIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if writerIsTerminal(w) || writerIsTerminal(&bytes.Buffer{}) {
		t.Error("a pipe or a buffer taken for a terminal")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !writerIsTerminal(tty) {
			t.Error("/dev/tty not taken for a terminal")
		}
	}
}
