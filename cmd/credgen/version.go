package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v3"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print credgen's version and the source revision it was built from",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the version as one JSON document"}},
		Action: func(_ context.Context, cmd *cli.Command) error {
			bi, _ := debug.ReadBuildInfo()
			info := newVersionInfo(version, bi)
			if cmd.Bool("json") {
				return info.writeJSON(cmd.Root().Writer)
			}
			_, err := fmt.Fprintln(cmd.Root().Writer, info.String())
			return err
		},
	}
}

// versionInfo is what a binary knows of its own origin.
type versionInfo struct {
	Version  string `json:"version"`            // a -X main.version, else the module version
	Revision string `json:"revision,omitempty"` // the VCS commit
	Time     string `json:"time,omitempty"`     // the commit's time
	Modified bool   `json:"modified"`           // built from a tree with uncommitted changes
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

// newVersionInfo reads the build info the Go toolchain embeds: the module
// version (a tag, a pseudo-version, or "(devel)") and, when built inside a
// Git checkout, the revision. A version set with -ldflags "-X
// main.version=..." wins over the module's.
func newVersionInfo(ldVersion string, bi *debug.BuildInfo) versionInfo {
	info := versionInfo{Version: ldVersion, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		return info
	}
	if info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// String is the one line `credgen version` prints, such as
// "credgen v1.2.0 (3f2c9a1e5b7d, 2026-12-07T07:49:16Z) go1.26.8 linux/amd64".
func (v versionInfo) String() string {
	var origin []string
	if v.Revision != "" {
		rev := v.Revision[:min(12, len(v.Revision))]
		if v.Modified {
			rev += "+modified"
		}
		origin = append(origin, rev)
	}
	if v.Time != "" {
		origin = append(origin, v.Time)
	}
	line := "credgen " + v.Version
	if len(origin) > 0 {
		line += " (" + strings.Join(origin, ", ") + ")"
	}
	return line + " " + v.Go + " " + v.OS + "/" + v.Arch
}

func (v versionInfo) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
