//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/credgen/credgen/testdata/fakes/pyindex"
)

// The script commands of the exec and env scripts.
func execEnvCommands() map[string]func(*testscript.TestScript, bool, []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"exec-pip":         cmdExecPip,
		"exec-twine":       cmdExecTwine,
		"exits":            cmdExits,
		"to-file":          cmdToFile,
		"env-parse":        cmdEnvParse,
		"dead-exec-folder": cmdDeadExecFolder,
		"exec-folders":     cmdExecFolders,
		"on-tty":           cmdOnTTY,
	}
}

// exec-pip CREDGEN-FLAGS... -- PIP-ARGS...: `credgen exec FLAGS -- python -m
// pip download ... PIP-ARGS probe`: real pip, with only the environment
// credgen exec gives it (the script's, plus credgen's variables).
func cmdExecPip(ts *testscript.TestScript, neg bool, args []string) {
	flags, pipArgs, ok := cutArgs(args)
	if !ok {
		ts.Fatalf("usage: exec-pip CREDGEN-FLAGS... -- PIP-ARGS...")
	}
	dest := ts.MkAbs("exec-pip-download")
	ts.Check(os.RemoveAll(dest))
	argv := append([]string{"exec"}, flags...)
	argv = append(argv, "--", worldOf(ts).kit.python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
		"--no-input", "--cert", ts.Getenv("FAKE_CA"), "-d", dest)
	argv = append(append(argv, pipArgs...), pyindex.ProjectName)
	err := ts.Exec("credgen", argv...)
	entries, _ := os.ReadDir(dest)
	got := err == nil && len(entries) == 1 && entries[0].Name() == pyindex.WheelFilename
	if got == neg {
		ts.Fatalf("pip download through credgen exec: downloaded = %v (%v)", got, err)
	}
}

// exec-twine CREDGEN-FLAGS...: `credgen exec FLAGS -- twine upload` of the
// probe wheel, with no ~/.pypirc: the fake index must count one more upload.
func cmdExecTwine(ts *testscript.TestScript, neg bool, args []string) {
	twine, wheel := twineAndWheel(ts)
	w := worldOf(ts)
	argv := append(append([]string{"exec"}, args...), "--", twine, "upload", "--non-interactive", "--disable-progress-bar",
		"--cert", ts.Getenv("FAKE_CA"), wheel)
	before := w.stack.Index.Stats().Uploads
	err := ts.Exec("credgen", argv...)
	uploaded := err == nil && w.stack.Index.Stats().Uploads == before+1
	if uploaded == neg {
		ts.Fatalf("twine upload through credgen exec: uploaded = %v (%v)", uploaded, err)
	}
}

func cutArgs(args []string) (before, after []string, ok bool) {
	i := slices.Index(args, "--")
	if i < 0 {
		return nil, nil, false
	}
	return args[:i], args[i+1:], true
}

// exits N PROG ARGS...: PROG exits with code N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: exits N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// to-file FILE PROG ARGS...: PROG's stdout goes to FILE only, never to the
// test's log (env prints secrets).
func cmdToFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: to-file FILE PROG ARGS...")
	}
	err := ts.Exec("sh", append([]string{"-c", `out=$1; shift; exec "$@" > "$out"`, "sh", ts.MkAbs(args[0])}, args[1:]...)...)
	if (err != nil) != neg {
		ts.Fatalf("%s: %v", args[1], err)
	}
}

// env-parse sh|dotenv|json FILE | env-parse github MASKFILE: reads FILE
// back as its readers do (bash; python-dotenv, or a reader of its rules
// when it is not installed; encoding/json) or $GITHUB_ENV, and prints one
// NAME=VALUE per variable, sorted, each *_PASSWORD as "token" when it is a
// secret the fakes issued (else "unknown"). For github it also checks that
// MASKFILE (env's stdout) is only ::add-mask:: lines, one per secret.
func cmdEnvParse(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: env-parse sh|dotenv|json|github FILE")
	}
	file := ts.MkAbs(args[1])
	var vars map[string]string
	switch args[0] {
	case "sh":
		vars = parseSH(ts, file)
	case "dotenv":
		vars = parseDotenv(ts, file)
	case "json":
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &vars))
	case "github":
		data, err := os.ReadFile(ts.Getenv("GITHUB_ENV"))
		ts.Check(err)
		vars = parseGitHubEnv(ts, string(data))
		fmt.Fprintf(ts.Stdout(), "(%d masks)\n", checkMasks(ts, ts.ReadFile(args[1]), vars))
	default:
		ts.Fatalf("unknown format %s", args[0])
	}
	issued := worldOf(ts).issuedSecrets()
	var lines []string
	for k, v := range vars {
		if strings.HasSuffix(k, "_PASSWORD") {
			v = map[bool]string{true: "token", false: "unknown"}[v != "" && slices.Contains(issued, v)]
		}
		lines = append(lines, k+"="+v)
	}
	slices.Sort(lines)
	fmt.Fprintln(ts.Stdout(), strings.Join(lines, "\n"))
}

var shNames = regexp.MustCompile(`(?m)^export ([A-Za-z_][A-Za-z0-9_]*)=`)

func parseSH(ts *testscript.TestScript, file string) map[string]string {
	var names []string
	for _, m := range shNames.FindAllStringSubmatch(ts.ReadFile(file), -1) {
		names = append(names, m[1])
	}
	script := `set -eu; source "$1"; shift; for k in "$@"; do printf '%s\0' "${!k}"; done`
	out, err := exec.Command("bash", append([]string{"-c", script, "bash", file}, names...)...).Output()
	ts.Check(err)
	return zip(ts, names, strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"))
}

func parseDotenv(ts *testscript.TestScript, file string) map[string]string {
	python := worldOf(ts).kit.python
	if exec.Command(python, "-c", "import dotenv").Run() != nil {
		return readDotenvSingleQuoted(ts, ts.ReadFile(file))
	}
	out, err := exec.Command(python, "-c", "import sys, json\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))", file).Output()
	ts.Check(err)
	vars := map[string]string{}
	ts.Check(json.Unmarshal(out, &vars))
	return vars
}

// dotenvLine is a NAME='value' binding as python-dotenv reads it: inside
// the quotes \\ and \' are escapes, anything else (newlines too) is taken.
var dotenvLine = regexp.MustCompile(`(?s)^([A-Za-z_][A-Za-z0-9_]*)='((?:\\'|[^'])*)'\n`)

func readDotenvSingleQuoted(ts *testscript.TestScript, text string) map[string]string {
	vars := map[string]string{}
	for text != "" {
		m := dotenvLine.FindStringSubmatch(text)
		if m == nil {
			ts.Fatalf("not a dotenv binding: %.40q", text)
		}
		vars[m[1]] = strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(m[2])
		text = text[len(m[0]):]
	}
	return vars
}

// parseGitHubEnv reads $GITHUB_ENV as the runner does.
func parseGitHubEnv(ts *testscript.TestScript, text string) map[string]string {
	vars := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			k, v, _ := strings.Cut(lines[i], "=")
			vars[k] = v
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		if i == len(lines) {
			ts.Fatalf("$GITHUB_ENV: %s has no closing delimiter", name)
		}
		vars[name] = strings.Join(value, "\n")
	}
	return vars
}

// checkMasks: stdout held only ::add-mask:: lines, none twice, one for
// every password; the NETRC file is under $RUNNER_TEMP, 0600. It returns
// how many masks there were.
func checkMasks(ts *testscript.TestScript, stdout string, vars map[string]string) int {
	masks := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		v, ok := strings.CutPrefix(line, "::add-mask::")
		if !ok {
			ts.Fatalf("stdout holds a line that is not a mask command")
		}
		if masks[v] {
			ts.Fatalf("a secret is masked twice")
		}
		masks[v] = true
	}
	for k, v := range vars {
		if strings.HasSuffix(k, "_PASSWORD") && !masks[v] {
			ts.Fatalf("%s is not masked", k)
		}
	}
	netrc := vars["NETRC"]
	if filepath.Dir(netrc) != ts.Getenv("RUNNER_TEMP") {
		ts.Fatalf("NETRC %s is not under $RUNNER_TEMP", netrc)
	}
	fi, err := os.Stat(netrc)
	ts.Check(err)
	if fi.Mode().Perm() != 0o600 {
		ts.Fatalf("%s: mode %v", netrc, fi.Mode().Perm())
	}
	return len(masks)
}

func zip(ts *testscript.TestScript, names, values []string) map[string]string {
	if len(names) != len(values) {
		ts.Fatalf("%d names, %d values", len(names), len(values))
	}
	vars := map[string]string{}
	for i, n := range names {
		vars[n] = values[i]
	}
	return vars
}

// dead-exec-folder DIR: DIR/credgen-exec-PID-stale/netrc, as a credgen exec
// killed with SIGKILL leaves it (PID a process that has ended).
func cmdDeadExecFolder(ts *testscript.TestScript, neg bool, args []string) {
	dead := exec.Command("true")
	ts.Check(dead.Run())
	dir := filepath.Join(ts.MkAbs(args[0]), fmt.Sprintf("credgen-exec-%d-stale", dead.Process.Pid))
	ts.Check(os.MkdirAll(dir, 0o700))
	ts.Check(os.WriteFile(filepath.Join(dir, "netrc"), []byte("machine x login y password z\n"), 0o600))
}

// exec-folders DIR N: DIR holds N credgen-exec-* folders.
func cmdExecFolders(ts *testscript.TestScript, neg bool, args []string) {
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	matches, _ := filepath.Glob(filepath.Join(ts.MkAbs(args[0]), "credgen-exec-*"))
	if len(matches) != want {
		ts.Fatalf("%d credgen-exec folders in %s, want %d: %v", len(matches), args[0], want, matches)
	}
}

// on-tty N PROG ARGS...: PROG runs with a pseudo-terminal as its stdin,
// stdout and stderr (Python's pty.spawn) and exits N; what it printed is the
// script's stdout.
func cmdOnTTY(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: on-tty N PROG ARGS...")
	}
	script := "import os, pty, sys\nsys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))"
	cmdExits(ts, false, append([]string{args[0], worldOf(ts).kit.python, "-c", script}, args[1:]...))
}
