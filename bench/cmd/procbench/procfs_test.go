package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStatTicks(t *testing.T) {
	// A command name with a space and a parenthesis, as /proc shows them.
	line := "4242 (cred gen) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 37 5 0 0 20 0 6 0 100 1000 200 0\n"
	path := filepath.Join(t.TempDir(), "stat")
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := statTicks(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != 42 {
		t.Errorf("ticks = %d, want 37+5", got)
	}
}

func TestSampleSelf(t *testing.T) {
	s, err := sampleProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.rssKiB <= 0 || s.hwmKiB < s.rssKiB || s.threads < 1 || s.cpuSched <= 0 {
		t.Errorf("implausible sample of this process: %+v", s)
	}
}
