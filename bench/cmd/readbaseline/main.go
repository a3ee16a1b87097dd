// Command readbaseline is the floor credgen's no-op write is measured
// against: a Go binary that only stats and reads the three files credgen
// checks (netrc, pip.conf, uv.toml, found as credgen finds them by default)
// and exits. Everything credgen does beyond this (flags, config, state,
// parsing, the lock) is its own cost.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "readbaseline:", err)
		os.Exit(1)
	}
}

func run() error {
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	total := 0
	for _, path := range []string{filepath.Join(home, ".netrc"), filepath.Join(config, "pip", "pip.conf"), filepath.Join(config, "uv", "uv.toml")} {
		if _, err := os.Stat(path); err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		total += len(data)
	}
	if total == 0 {
		return fmt.Errorf("the three files are empty")
	}
	return nil
}
