//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/keyringcli"
)

// keyringResult is what one run of credgen as keyring printed and returned.
type keyringResult struct {
	stdout, stderr string
	code           int
}

// pythonKeyringDir makes a folder holding a fake Python keyring that prints
// its arguments and the skip list it was handed, and exits 3.
func pythonKeyringDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"python keyring: $*\"\necho \"skip: $" + keyringcli.SkipEnv + "\" >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "keyring"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunUnderTheNameKeyring runs credgen's main path with argv[0] "keyring".
func TestRunUnderTheNameKeyring(t *testing.T) {
	t.Setenv("PATH", pythonKeyringDir(t)) // the fake Python keyring only
	tests := []struct {
		name string
		args []string
		want keyringResult
	}{
		{"a link hands --disable on", []string{"/home/u/.local/bin/keyring", "--disable"}, keyringResult{"python keyring: --disable\n", "", 3}},
		{"credgen keyring does not", []string{"credgen", "keyring", "--disable"}, keyringResult{"", "credgen: keyring: --disable and diagnose belong to Python's keyring; credgen has nothing to disable or diagnose\n", 1}},
		{"keyring's options reach credgen keyring", []string{"credgen", "keyring", "--help"}, keyringResult{keyringcli.Help, "", 0}},
		{"credgen's global flags still come first", []string{"credgen", "--log-level", "debug", "keyring", "-h"}, keyringResult{keyringcli.Help, "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := run(context.Background(), tt.args, &out, &errOut)
			got := keyringResult{out.String(), errOut.String(), code}
			if tt.want.code == 3 {
				got.stderr = "" // the fake keyring's skip line names the test binary
			}
			if got != tt.want {
				t.Errorf("%q\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestKeyringLogsOnlyAtDebug(t *testing.T) {
	for _, level := range []string{"info", "warn", "error", "debug"} {
		t.Run(level, func(t *testing.T) {
			var logged strings.Builder
			cmd := &cli.Command{
				Name:  "credgen",
				Flags: globalFlags(),
				Action: func(_ context.Context, cmd *cli.Command) error {
					log, err := keyringLogger(cmd, &logged)
					if err != nil {
						return err
					}
					log.Debug("looked up")
					log.Error("failed")
					return nil
				},
			}
			if err := cmd.Run(context.Background(), []string{"credgen", "--log-level", level}); err != nil {
				t.Fatal(err)
			}
			if quiet := logged.Len() == 0; quiet != (level != "debug") {
				t.Errorf("--log-level %s logged %q", level, logged.String())
			}
		})
	}
}
