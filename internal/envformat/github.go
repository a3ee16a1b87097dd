package envformat

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/credgen/credgen/generator/atomicfile"
)

// Actions exports variables to the later steps of a GitHub Actions job
// through its file commands, without a secret reaching the job log.
type Actions struct {
	EnvFile string    // $GITHUB_ENV: the variables are appended to it
	TempDir string    // $RUNNER_TEMP: the private netrc goes there
	Rand    io.Reader // makes the heredoc delimiters; crypto/rand when nil
}

// NetrcName is the private netrc's name under $RUNNER_TEMP. The runner
// empties that folder when the job ends.
const NetrcName = "credgen.netrc"

// Export first prints ::add-mask:: on stdout for every line of every secret
// (so the runner hides them from the log before anything could show them),
// then writes netrc 0600 under TempDir and appends vars and NETRC to
// EnvFile in the delimiter form. It returns the netrc's path.
func (a Actions) Export(stdout io.Writer, vars []Var, netrc []byte) (string, error) {
	if a.EnvFile == "" || a.TempDir == "" {
		return "", errors.New("--format github needs $GITHUB_ENV and $RUNNER_TEMP, which GitHub Actions sets")
	}
	for _, v := range vars {
		if err := checkName(v.Name); err != nil {
			return "", err
		}
		if err := checkValue(v, GitHub); err != nil {
			return "", err
		}
	}
	if _, err := io.WriteString(stdout, MaskCommands(vars)); err != nil {
		return "", err
	}
	netrcPath := filepath.Join(a.TempDir, NetrcName)
	if _, err := atomicfile.Write(netrcPath, netrc, atomicfile.Options{}); err != nil {
		return "", fmt.Errorf("write the netrc: %w", err)
	}
	block, err := a.envBlock(append(vars[:len(vars):len(vars)], Var{Name: "NETRC", Value: netrcPath}))
	if err != nil {
		return "", err
	}
	if err := appendFile(a.EnvFile, block); err != nil {
		return "", err
	}
	return netrcPath, nil
}

// MaskCommands is one ::add-mask:: workflow command per distinct non-empty
// line of the secrets: the runner masks what it is told line by line, as the
// log shows a multi-line value.
func MaskCommands(vars []Var) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, v := range vars {
		if !v.Secret {
			continue
		}
		for line := range strings.SplitSeq(v.Value, "\n") {
			if line = strings.TrimSuffix(line, "\r"); line != "" && !seen[line] {
				seen[line] = true
				b.WriteString("::add-mask::" + escapeCommandData(line) + "\n")
			}
		}
	}
	return b.String()
}

// escapeCommandData escapes what a workflow command's data cannot hold
// verbatim, as @actions/core does; the runner undoes it.
func escapeCommandData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// envBlock is vars in the runner's delimiter form, NAME<<DELIM, the value,
// DELIM, with a random delimiter per variable that occurs in no value line.
func (a Actions) envBlock(vars []Var) (string, error) {
	var b strings.Builder
	for _, v := range vars {
		delim, err := a.delimiter(v.Value)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", v.Name, delim, v.Value, delim)
	}
	return b.String(), nil
}

func (a Actions) delimiter(value string) (string, error) {
	r := a.Rand
	if r == nil {
		r = rand.Reader
	}
	for range 100 {
		buf := make([]byte, 16)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("make a delimiter: %w", err)
		}
		if d := "ghadelimiter_" + hex.EncodeToString(buf); !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", errors.New("make a delimiter: every one tried occurs in the value")
}

// appendFile appends text to path in one write (the runner reads the file
// only after the step, but other tools of the same step may append too).
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open $GITHUB_ENV: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	return nil
}
