package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionInfo(t *testing.T) {
	platform := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "3f2c9a1e5b7d4c6a8b9e0f1a2b3c4d5e6f7a8b9c"},
		{Key: "vcs.time", Value: "2026-12-07T07:49:16Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append(vcs[:3:3], debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	for _, tc := range []struct {
		name      string
		ldVersion string
		bi        *debug.BuildInfo
		want      string
	}{
		{"no build info", "dev", nil, "credgen dev" + platform},
		{"go install of a tag", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "credgen v1.2.0" + platform},
		{"checkout build", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"credgen dev (3f2c9a1e5b7d, 2026-12-07T07:49:16Z)" + platform},
		{"uncommitted changes", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.1-0.20261207074916-3f2c9a1e5b7d+dirty"}, Settings: dirty},
			"credgen v1.2.1-0.20261207074916-3f2c9a1e5b7d+dirty (3f2c9a1e5b7d+modified, 2026-12-07T07:49:16Z)" + platform},
		{"-X main.version wins", "v9.9.9", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: vcs},
			"credgen v9.9.9 (3f2c9a1e5b7d, 2026-12-07T07:49:16Z)" + platform},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newVersionInfo(tc.ldVersion, tc.bi).String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestVersionJSON(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "3f2c9a1e5b7d4c6a8b9e0f1a2b3c4d5e6f7a8b9c"},
		{Key: "vcs.modified", Value: "true"},
	}}
	var buf bytes.Buffer
	if err := newVersionInfo("dev", bi).writeJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, buf.String())
	}
	if got["version"] != "v1.2.0" || got["revision"] != "3f2c9a1e5b7d4c6a8b9e0f1a2b3c4d5e6f7a8b9c" || got["modified"] != true ||
		got["os"] != runtime.GOOS || got["arch"] != runtime.GOARCH || !strings.HasPrefix(got["go"].(string), "go") {
		t.Errorf("JSON %s", buf.String())
	}
}

// The binary itself reports its build info: built by go test, it has a Go
// version and its own platform, and `version --json` parses.
func TestVersionCommandJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	app := newApp(&out, &errOut)
	if err := app.Run(t.Context(), []string{"credgen", "version", "--json"}); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var got versionInfo
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if got.Version == "" || got.OS != runtime.GOOS || got.Go != runtime.Version() {
		t.Errorf("version %+v", got)
	}
}
