package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/doctor"
	"github.com/credgen/credgen/internal/engine"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "say, per index and per client, whether that client would send credgen's fresh credential, and why not",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "index", Usage: "check only this managed index `URL` (repeatable)"},
			&cli.StringFlag{Name: "client", OnlyOnce: true, Usage: "check only these clients, a comma-separated `LIST` of pip,uv,poetry,pdm,pipenv,twine,curl (default all)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document"},
		},
		Action: runDoctor,
	}
}

func runDoctor(ctx context.Context, cmd *cli.Command) error {
	clients, err := doctor.ParseClients(cmd.String("client"))
	if err != nil {
		return &usageError{msg: "--client: " + err.Error()}
	}
	e, env, err := doctorEngine(cmd)
	if err != nil {
		return err
	}
	facts, err := e.DoctorFacts(ctx)
	if err != nil {
		return err
	}
	if facts.Indexes, err = onlyIndexes(facts.Indexes, cmd.StringSlice("index")); err != nil {
		return err
	}
	rep := doctor.Run(facts, env, clients)
	if cmd.Bool("json") {
		enc := json.NewEncoder(cmd.Root().Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printDoctor(cmd.Root().Writer, rep)
	}
	if !rep.OK {
		return &exitOnly{code: engine.ExitMint}
	}
	return nil
}

// doctorEngine is an engine with no provider (doctor mints nothing) over
// the settings of the config and the environment, and the world the
// clients would run in.
func doctorEngine(cmd *cli.Command) (*engine.Engine, *doctor.Env, error) {
	log, err := newLogger(cmd, cmd.Root().ErrWriter)
	if err != nil {
		return nil, nil, err
	}
	cenv, err := config.OSEnv()
	if err != nil {
		return nil, nil, err
	}
	s, err := config.Resolve(config.Flags{Config: cmd.String("config")}, cenv)
	if err != nil {
		return nil, nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("current folder: %w", err)
	}
	self, _ := os.Executable()
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	env := &doctor.Env{
		Getenv: os.Getenv, Cwd: cwd, Home: cenv.Home, GOOS: runtime.GOOS,
		ReadFile: os.ReadFile, LookPath: exec.LookPath, RealPath: filepath.EvalSymlinks,
		IsDir: func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() },
		Self:  self, Now: time.Now(),
	}
	return &engine.Engine{Settings: s, Log: log}, env, nil
}

// onlyIndexes keeps the indexes --index names; one that is not managed is
// a usage error.
func onlyIndexes(all []doctor.Index, want []string) ([]doctor.Index, error) {
	if len(want) == 0 {
		return all, nil
	}
	var out []doctor.Index
	for _, w := range want {
		i := slices.IndexFunc(all, func(ix doctor.Index) bool { return urlcred.Key(ix.URL) == urlcred.Key(w) })
		if i < 0 {
			return nil, &usageError{msg: fmt.Sprintf("--index %s: credgen does not manage it", urlcred.Mask(w))}
		}
		out = append(out, all[i])
	}
	return out, nil
}

// printDoctor prints one line per index and client: ok, or the problem,
// then its fix.
func printDoctor(w io.Writer, rep *doctor.Report) {
	for _, ix := range rep.Indexes {
		fmt.Fprintf(w, "%s  (%s, user %s)\n", ix.URL, ix.Provider, orDash(ix.Username))
		printVerdict(w, "credential", ix.Credential)
		for _, v := range ix.Clients {
			printVerdict(w, v.Client, v)
		}
	}
	if len(rep.Providers) > 0 {
		fmt.Fprintln(w, "providers")
		for _, v := range rep.Providers {
			printVerdict(w, v.Client, v)
		}
	}
}

func printVerdict(w io.Writer, name string, v doctor.Verdict) {
	var parts []string
	for _, p := range []string{v.Sends, fromSource(v.Source), v.Why} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	detail := strings.Join(parts, "; ")
	switch v.Status {
	case doctor.OK:
		fmt.Fprintf(w, "  %-10s ok%s\n", name, prefixed(" (", detail, ")"))
	case doctor.Problem:
		fmt.Fprintf(w, "  %-10s PROBLEM: %s\n", name, detail)
	default:
		fmt.Fprintf(w, "  %-10s skipped%s\n", name, prefixed(": ", detail, ""))
	}
	if v.Fix != "" && v.Status != doctor.OK {
		fmt.Fprintf(w, "  %-10s fix: %s\n", "", v.Fix)
	}
}

func fromSource(s string) string {
	if s == "" {
		return ""
	}
	return "from " + s
}

func prefixed(pre, s, post string) string {
	if s == "" {
		return ""
	}
	return pre + s + post
}
