package main

import (
	"context"
	"slices"

	"github.com/urfave/cli/v3"

	"github.com/credgen/credgen/internal/childproc"
	"github.com/credgen/credgen/internal/engine"
	"github.com/credgen/credgen/internal/envformat"
)

// environmentFlags are the flags exec and env share: write's, but for the
// ones about writing output files, and --publish.
func environmentFlags() []cli.Flag {
	writeOnly := []string{"targets", "no-embed", "dry-run", "json", "allow-tracked"}
	flags := slices.DeleteFunc(outputFlags(), func(f cli.Flag) bool {
		return slices.ContainsFunc(f.Names(), func(n string) bool { return slices.Contains(writeOnly, n) })
	})
	return append(flags,
		&cli.StringFlag{Name: "publish", OnlyOnce: true, Usage: "also give twine and uv publish the upload `URL` of this CodeArtifact index (TWINE_*, UV_PUBLISH_*)"},
	)
}

// credentialEnvironment builds the engine, sweeps the private folders a
// killed exec left behind, and gets the variables and private netrc.
func credentialEnvironment(ctx context.Context, cmd *cli.Command, getenv func(string) string) (*engine.Environment, error) {
	e, err := newEngine(cmd, cmd.Root().ErrWriter)
	if err != nil {
		return nil, err
	}
	for _, dir := range childproc.Sweep(childproc.Base(getenv)) {
		e.Log.Info("removed the private netrc folder of a credgen exec that was killed", "folder", dir)
	}
	return e.Environment(ctx, cmd.String("publish"))
}

// formatVars are the engine's variables as envformat takes them.
func formatVars(vars []engine.Var) []envformat.Var {
	out := make([]envformat.Var, len(vars))
	for i, v := range vars {
		out[i] = envformat.Var{Name: v.Name, Value: v.Value, Secret: v.Secret}
	}
	return out
}
