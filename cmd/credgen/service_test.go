package main

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The Windows task is golden: Task Scheduler is picky about its XML, and
// the file shows reviewers exactly what users import.
func TestServicePrintWindowsGolden(t *testing.T) {
	var out bytes.Buffer
	bin := `C:\Program Files\credgen\credgen.exe`
	args := []string{"--config", `C:\Users\Alice Smith\credgen "work".toml`}
	if err := printService(&out, "windows", bin, args); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "service", "windows.xml")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("differs from %s (go test -run %s -update):\n%s", golden, t.Name(), out.String())
	}
	var task struct {
		Interval  string `xml:"Triggers>TimeTrigger>Repetition>Interval"`
		Command   string `xml:"Actions>Exec>Command"`
		Arguments string `xml:"Actions>Exec>Arguments"`
	}
	if err := xml.Unmarshal(out.Bytes(), &task); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	wantArgs := `--config "C:\Users\Alice Smith\credgen \"work\".toml" --log-level warn write`
	if task.Interval != "PT10M" || task.Command != bin || task.Arguments != wantArgs {
		t.Errorf("task %+v", task)
	}
}

// windowsArg must quote so that CommandLineToArgvW gives the argument back.
func TestWindowsArg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"write", "write"},
		{"", `""`},
		{`C:\Users\a\cfg.toml`, `C:\Users\a\cfg.toml`},
		{`C:\Users\Alice Smith\cfg.toml`, `"C:\Users\Alice Smith\cfg.toml"`},
		{`C:\dir with space\`, `"C:\dir with space\\"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\"b`, `"a\\\"b"`},
	} {
		if got := windowsArg(tc.in); got != tc.want {
			t.Errorf("windowsArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := splitWindowsArgs(windowsArg(tc.in)); len(got) != 1 || got[0] != tc.in {
			t.Errorf("round trip of %q: %q", tc.in, got)
		}
	}
}

// splitWindowsArgs splits a command line by the rules of
// CommandLineToArgvW for arguments after the program name.
func splitWindowsArgs(line string) []string {
	var args []string
	var cur []rune
	inQuote, started := false, false
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(runes) && runes[i] == '\\' {
				n++
				i++
			}
			if i < len(runes) && runes[i] == '"' {
				cur = append(cur, []rune(string(bytes.Repeat([]byte{'\\'}, n/2)))...)
				if n%2 == 1 {
					cur = append(cur, '"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur = append(cur, []rune(string(bytes.Repeat([]byte{'\\'}, n)))...)
				i--
			}
			started = true
		case c == '"':
			inQuote, started = !inQuote, true
		case (c == ' ' || c == '\t') && !inQuote:
			if started {
				args = append(args, string(cur))
				cur, started = nil, false
			}
		default:
			cur, started = append(cur, c), true
		}
	}
	if started {
		args = append(args, string(cur))
	}
	return args
}
