package envformat

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// hardValues are values every format must carry back unchanged: each case
// is a character class a careless quoting gets wrong.
var hardValues = []Var{
	{Name: "TOKEN", Value: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_+/=", Secret: true},
	{Name: "SINGLE_QUOTE", Value: "it's 'quoted'"},
	{Name: "DOUBLE_QUOTE", Value: `say "hi"`},
	{Name: "NEWLINES", Value: "line one\nline two\n\nlast", Secret: true},
	{Name: "BACKSLASHES", Value: `a\b\\c\'d\"e\n`},
	{Name: "DOLLARS", Value: "$HOME $(id) `id` $$ %PATH%"},
	{Name: "NON_ASCII", Value: "pässwörd ✓ 日本語 🔑"},
	{Name: "TYPOGRAPHIC_QUOTES", Value: "‘left’ ‚low‛ “double”"},
	{Name: "EMPTY", Value: ""},
	{Name: "SPACES", Value: "  leading and trailing  "},
	{Name: "HASH", Value: "a #not-a-comment"},
	{Name: "URL", Value: "https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/"},
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("bash"); err == nil || !strings.Contains(err.Error(), "sh, fish, powershell, dotenv, json, github") {
		t.Errorf("ParseFormat(bash) = %v, want the list of formats", err)
	}
}

func printed(t *testing.T, f Format, vars []Var) string {
	t.Helper()
	var b bytes.Buffer
	if err := Print(&b, f, vars); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// values runs a reader program that prints each variable followed by a NUL.
func readBack(t *testing.T, prog string, args ...string) []string {
	t.Helper()
	out, err := exec.Command(prog, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s: %v\n%s", prog, err, ee.Stderr)
		}
		t.Fatalf("%s: %v", prog, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func checkSame(t *testing.T, got []string, vars []Var) {
	t.Helper()
	if len(got) != len(vars) {
		t.Fatalf("read back %d values, want %d: %q", len(got), len(vars), got)
	}
	for i, v := range vars {
		if got[i] != v.Value {
			t.Errorf("%s: read back %q, want %q", v.Name, got[i], v.Value)
		}
	}
}

func namesOf(vars []Var) []string {
	var names []string
	for _, v := range vars {
		names = append(names, v.Name)
	}
	return names
}

func TestSHRoundTripsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	vars := append(hardValues, Var{Name: "CARRIAGE_RETURN", Value: "a\rb\r\n"}, Var{Name: "NOT_UTF8", Value: "\xff\xfe"},
		Var{Name: "BRACES", Value: "${HOME} ${X:-y}"}, Var{Name: "TRAILING_BACKSLASH", Value: `x\`})
	file := writeTemp(t, "env.sh", printed(t, SH, vars))
	script := `set -eu; source "$1"; for k in ` + strings.Join(namesOf(vars), " ") + `; do printf '%s\0' "${!k}"; done`
	checkSame(t, readBack(t, bash, "-c", script, "bash", file), vars)
}

func TestJSONRoundTrips(t *testing.T) {
	out := printed(t, JSON, hardValues)
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != len(hardValues) {
		t.Errorf("%d keys, want %d", len(got), len(hardValues))
	}
	for _, v := range hardValues {
		if got[v.Name] != v.Value {
			t.Errorf("%s: read back %q, want %q", v.Name, got[v.Name], v.Value)
		}
	}
	if out := printed(t, JSON, nil); out != "{}\n" {
		t.Errorf("no variables: %q", out)
	}
}

// TestDotenvRoundTripsThroughPythonDotenv reads the file with python-dotenv
// as load_dotenv reads it by default (interpolation on).
func TestDotenvRoundTripsThroughPythonDotenv(t *testing.T) {
	if exec.Command("python3", "-c", "import dotenv").Run() != nil {
		t.Skip("python-dotenv is not installed (the golden file still checks the format)")
	}
	file := writeTemp(t, ".env", printed(t, Dotenv, hardValues))
	script := `import sys
from dotenv import dotenv_values
v = dotenv_values(sys.argv[1])
for k in sys.argv[2:]:
    sys.stdout.write(v[k] + "\0")
`
	checkSame(t, readBack(t, "python3", append([]string{"-c", script, file}, namesOf(hardValues)...)...), hardValues)
}

func TestFishRoundTrips(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("no fish (the golden file still checks the format)")
	}
	file := writeTemp(t, "env.fish", printed(t, Fish, hardValues))
	script := `source $argv[1]; for k in $argv[2..]; printf '%s\0' "$$k"; end`
	checkSame(t, readBack(t, fish, append([]string{"-c", script, file}, namesOf(hardValues)...)...), hardValues)
}

func TestPowerShellRoundTrips(t *testing.T) {
	pwsh, err := exec.LookPath("pwsh")
	if err != nil {
		t.Skip("no pwsh (the golden file still checks the format)")
	}
	file := writeTemp(t, "env.ps1", printed(t, PowerShell, hardValues))
	script := `. $args[0]; foreach ($k in $args[1..($args.Length-1)]) { [Console]::Out.Write((Get-Item "Env:$k").Value + [char]0) }`
	checkSame(t, readBack(t, pwsh, append([]string{"-NoProfile", "-Command", script, file}, namesOf(hardValues)...)...), hardValues)
}

// TestGolden pins every printed format, so the ones no interpreter here
// can read back are still checked.
func TestGolden(t *testing.T) {
	for f, file := range map[Format]string{SH: "env.sh", Fish: "env.fish", PowerShell: "env.ps1", Dotenv: "env.dotenv", JSON: "env.json"} {
		t.Run(string(f), func(t *testing.T) {
			got := printed(t, f, hardValues)
			golden := filepath.Join("testdata", file)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs (go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

func TestRefusesWhatAReaderWouldChange(t *testing.T) {
	const secretish = "s3cr3t-part"
	cases := []struct {
		format Format
		value  string
		why    string
	}{
		{SH, "a\x00" + secretish, "NUL"},
		{JSON, "a\x00" + secretish, "NUL"},
		{JSON, "\xff" + secretish, "UTF-8"},
		{PowerShell, "\xff" + secretish, "UTF-8"},
		{Fish, "\xff" + secretish, "UTF-8"},
		{Dotenv, secretish + "${HOME}", "expands"},
		{Dotenv, secretish + "\r\n", "carriage return"},
		{Dotenv, secretish + `\`, `ends in \`},
	}
	for _, c := range cases {
		t.Run(string(c.format)+"/"+c.why, func(t *testing.T) {
			var b bytes.Buffer
			err := Print(&b, c.format, []Var{{Name: "OK", Value: "fine"}, {Name: "BAD", Value: c.value}})
			var unsafe *UnsafeValueError
			if !errors.As(err, &unsafe) || unsafe.Name != "BAD" || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("err = %v, want an UnsafeValueError naming BAD and saying %q", err, c.why)
			}
			if strings.Contains(err.Error(), secretish) {
				t.Errorf("the error quotes the value: %v", err)
			}
			if b.Len() != 0 {
				t.Errorf("printed %q before refusing", b.String())
			}
		})
	}
}

func TestRefusesBadNames(t *testing.T) {
	for _, name := range []string{"", "1ABC", "A-B", "A B", "A=B", "Ä"} {
		if err := Print(&bytes.Buffer{}, SH, []Var{{Name: name, Value: "v"}}); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
}
