package envformat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readGitHubEnv reads a $GITHUB_ENV file as the runner does: NAME=value
// lines, or NAME<<DELIM, value lines, then a line that is exactly DELIM.
func readGitHubEnv(t *testing.T, text string) map[string]string {
	t.Helper()
	got := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			k, v, _ := strings.Cut(lines[i], "=")
			got[k] = v
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s: no closing delimiter %q", name, delim)
		}
		got[name] = strings.Join(value, "\n")
	}
	return got
}

func TestGitHubExport(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "github_env")
	// A variable a step before set; credgen appends after it.
	if err := os.WriteFile(envFile, []byte("EARLIER=kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runnerTemp := filepath.Join(dir, "runner-temp")
	if err := os.Mkdir(runnerTemp, 0o755); err != nil {
		t.Fatal(err)
	}
	netrc := []byte("machine libraries.cgr.dev login _token password eyJtoken\n")
	var stdout bytes.Buffer
	a := Actions{EnvFile: envFile, TempDir: runnerTemp}
	path, err := a.Export(&stdout, hardValues, netrc)
	if err != nil {
		t.Fatal(err)
	}

	wantMasks := "::add-mask::" + hardValues[0].Value + "\n" +
		"::add-mask::line one\n::add-mask::line two\n::add-mask::last\n"
	if stdout.String() != wantMasks {
		t.Errorf("stdout:\n%s\nwant only the masks:\n%s", stdout.String(), wantMasks)
	}

	if path != filepath.Join(runnerTemp, NetrcName) {
		t.Errorf("netrc at %s", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("netrc mode %v, want 0600", fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(path); !bytes.Equal(data, netrc) {
		t.Errorf("netrc holds %q", data)
	}

	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	got := readGitHubEnv(t, string(data))
	if got["EARLIER"] != "kept" {
		t.Errorf("the earlier variable is lost:\n%s", data)
	}
	for _, v := range hardValues {
		if got[v.Name] != v.Value {
			t.Errorf("%s: read back %q, want %q", v.Name, got[v.Name], v.Value)
		}
	}
	if got["NETRC"] != path {
		t.Errorf("NETRC = %q, want %q", got["NETRC"], path)
	}
}

func TestGitHubDelimiterAvoidsTheValue(t *testing.T) {
	// The first delimiter the random source gives occurs in the value: the
	// next one is used.
	first := "ghadelimiter_" + strings.Repeat("00", 16)
	r := bytes.NewReader(append(make([]byte, 16), bytes.Repeat([]byte{1}, 16)...))
	a := Actions{Rand: r}
	block, err := a.envBlock([]Var{{Name: "K", Value: "x\n" + first + "\ny"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "ghadelimiter_" + strings.Repeat("01", 16)
	if !strings.HasPrefix(block, "K<<"+want+"\n") {
		t.Errorf("block:\n%s\nwant delimiter %s", block, want)
	}
	if got := readGitHubEnv(t, block)["K"]; got != "x\n"+first+"\ny" {
		t.Errorf("read back %q", got)
	}
}

func TestGitHubNeedsTheRunnersVariables(t *testing.T) {
	var stdout bytes.Buffer
	_, err := Actions{EnvFile: filepath.Join(t.TempDir(), "env")}.Export(&stdout, hardValues, nil)
	if err == nil || !strings.Contains(err.Error(), "$RUNNER_TEMP") {
		t.Errorf("err = %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("printed %q", stdout.String())
	}
}

func TestMaskCommandsEscapeDataAndSayEachOnce(t *testing.T) {
	got := MaskCommands([]Var{{Name: "P", Value: "100%\r\nx", Secret: true}, {Name: "U", Value: "aws"},
		{Name: "SAME_AS_P", Value: "100%\r\nx", Secret: true}})
	if want := "::add-mask::100%25\n::add-mask::x\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestGitHubMasksComeFirst(t *testing.T) {
	// $GITHUB_ENV cannot be written: the masks were printed all the same,
	// before anything else was tried.
	var stdout bytes.Buffer
	a := Actions{EnvFile: filepath.Join(t.TempDir(), "no-such-folder", "env"), TempDir: t.TempDir()}
	if _, err := a.Export(&stdout, hardValues, nil); err == nil {
		t.Fatal("no error")
	}
	if !strings.HasPrefix(stdout.String(), "::add-mask::"+hardValues[0].Value+"\n") {
		t.Errorf("stdout %q", stdout.String())
	}
}
