package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/config"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", OnlyOnce: true, Usage: "credgen's config `FILE` (env CREDGEN_CONFIG; default $XDG_CONFIG_HOME/credgen/config.toml)"},
		&cli.StringFlag{Name: "log-level", OnlyOnce: true, Value: "info", Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: "log-format", OnlyOnce: true, Value: "text", Usage: "text or json"},
	}
}

// outputFlags are the flags of write, watch and remove.
func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "index", Usage: "manage this index `URL` (repeatable)"},
		&cli.StringFlag{Name: "default-index", OnlyOnce: true, Usage: "manage this index `URL` and make it the default (pip index-url, uv default = true)"},
		&cli.StringFlag{Name: "netrc", OnlyOnce: true, Usage: "netrc `FILE` (env NETRC; default ~/.netrc)"},
		&cli.StringFlag{Name: "pip-conf", OnlyOnce: true, Usage: "pip.conf `FILE` (env PIP_CONFIG_FILE; default the user file pip reads)"},
		&cli.StringFlag{Name: "uv-config", OnlyOnce: true, Usage: "uv.toml `FILE` (env UV_CONFIG_FILE; default $XDG_CONFIG_HOME/uv/uv.toml)"},
		&cli.StringFlag{Name: "pypirc", OnlyOnce: true, Usage: "twine's pypirc `FILE` (default ~/.pypirc; written with --targets ...,pypirc)"},
		&cli.StringFlag{Name: "targets", OnlyOnce: true, Usage: "outputs to write, any of `netrc,pip,uv,pypirc` (default netrc,pip,uv)"},
		&cli.BoolFlag{Name: "no-embed", Usage: "keep pip.conf and uv.toml URLs bare; only netrc holds the secret"},
		&cli.DurationFlag{Name: "refresh-before", OnlyOnce: true, Usage: "renew a credential once less than `DURATION` is left (default a quarter of its lifetime)"},
		&cli.StringFlag{Name: "chainguard-mode", OnlyOnce: true, Usage: "`session` or pull-token"},
		&cli.BoolFlag{Name: "dry-run", Usage: "show per file what would change (secrets as ****); mint nothing, write nothing"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document summarising the run"},
		&cli.BoolFlag{Name: "allow-tracked", Usage: "allow writing secrets into a pip.conf/uv.toml that git tracks"},
	}
}

// settingsFlags collects the flags config.Resolve merges with env and config.
func settingsFlags(cmd *cli.Command) config.Flags {
	fl := config.Flags{
		Config:         cmd.String("config"),
		Indexes:        cmd.StringSlice("index"),
		DefaultIndex:   cmd.String("default-index"),
		Netrc:          cmd.String("netrc"),
		PipConf:        cmd.String("pip-conf"),
		UVConfig:       cmd.String("uv-config"),
		Pypirc:         cmd.String("pypirc"),
		Targets:        cmd.String("targets"),
		ChainguardMode: cmd.String("chainguard-mode"),
	}
	if cmd.IsSet("no-embed") {
		v := cmd.Bool("no-embed")
		fl.NoEmbed = &v
	}
	if cmd.IsSet("refresh-before") {
		v := cmd.Duration("refresh-before")
		fl.RefreshBefore = &v
	}
	if cmd.IsSet("allow-tracked") {
		v := cmd.Bool("allow-tracked")
		fl.AllowTracked = &v
	}
	return fl
}

// newLogger builds the slog logger of --log-level and --log-format, on stderr.
func newLogger(cmd *cli.Command, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmd.String("log-level"))); err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--log-level %q: debug, info, warn or error", cmd.String("log-level"))}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(cmd.String("log-format")) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, &usageError{msg: fmt.Sprintf("--log-format %q: text or json", cmd.String("log-format"))}
}
