package menda

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// trickyMendacfgs are files on which a naive INI reader and configparser
// disagree. They are also the seeds of FuzzMendacfg.
var trickyMendacfgs = map[string]string{
	"default-inheritance": "[DEFAULT]\nhost = https://acme.cloud.menda.example\nauth_type = m2m\n\n" +
		"[default]\nclient_id = bot\nclient_secret = s3cr%%et\n\n[ci]\nClient_ID: ci-bot\nCLIENT_SECRET : ci secret  with spaces \nauth_type = u2m\n",
	"comments": "# top comment\n; another\n[default]\n  # indented comment\nhost = https://h # not a comment\n" +
		"auth_type = u2m ; not a comment either\n;client_id = commented out\n",
	"colon-and-equals":   "[p]\na: b = c\nd = e: f\ng:=h\n  i  :  j  \n",
	"multiline":          "[p]\nhost = https://h\n  /continued\n\n  after blank\n  # comment inside\n\tlast\nnext = 1\n  [not a section]\n",
	"indented-keys":      "[p]\n  a = 1\n  b = 2\n    c = 3\nd = 4\n",
	"dotted-sections":    "[prod]\nhost = https://prod\n\n[prod.eu]\nclient_id = eu\n\n[DEFAULT]\nauth_type = m2m\n",
	"section-case":       "[Default]\nhost = https://upper\n[default]\nhost = https://lower\n[DEFAULT]\nclient_id = from-defaults\n",
	"headers":            "[a]]\nx = 1\n[ spaced ]\ny = 2\n[z] trailing words\nw = 3\n",
	"interpolation":      "[DEFAULT]\nbase = https://h\n[p]\nhost = %(base)s/api\npct = 100%%\nmissing = %(nope)s\nbad = 50%\nref = %(\nloop = %(loop)s\nUP = %(BASE)s\n",
	"deep-interpolation": "[p]\na = %(b)s\nb = %(c)s\nc = %(d)s\nd = %(e)s\ne = %(f)s\nf = %(g)s\ng = %(h)s\nh = %(i)s\ni = %(j)s\nj = %(k)s\nk = end%%\n",
	"empty-values":       "[p]\nhost =\nclient_id:\nauth_type = \n",
	"crlf":               "[p]\r\nhost = https://h\r\n  more\r\nx = y\r\n",
	"cr-only":            "[p]\rhost = https://h\rx = y\r",
	"no-final-newline":   "[p]\nhost = https://h",
	"unicode":            "[profil é]\nclé = valeur\u00a0\n\u00a0 k2 = v2\nK\u0130 = dotted\n",
	"greek-sigma":        "[p]\nΑΣ = 1\nΣ = 2\nΑΣΒ = 3\nΑ.Σ = 4\nΑΣ' = 5\nΑΣ.Β = 6\n",
	"info-separators":    "[p]\nx = a\x1c\n\x1fy = b\n",
	"bom":                "\ufeff[default]\nhost = https://h\n",
	"duplicate-section":  "[p]\nx = 1\n[q]\n[p]\ny = 2\n",
	"duplicate-key":      "[p]\nhost = a\nHost = b\n",
	"duplicate-default":  "[DEFAULT]\nx = 1\n[p]\n[DEFAULT]\nX = 2\n",
	"repeated-default":   "[DEFAULT]\nx = 1\n[p]\n[DEFAULT]\ny = 2\n",
	"missing-header":     "host = https://h\n[p]\n",
	"bad-line":           "[p]\nhost = https://h\njust words\n[p2]\n",
	"bad-then-duplicate": "[p]\njust words\nx = 1\nx = 2\n",
	"empty-key":          "[p]\n= value\n",
	"empty-brackets":     "[p]\n[]\n[]=x\n",
	"empty-file":         "",
	"only-comments":      "# nothing\n; here\n",
}

// pythonConfigparser reads each file as menda does and prints, per file,
// either the line of the error configparser raises or every section with
// every key's interpolated value (or the fact that interpolation failed).
const pythonConfigparser = `
import configparser, json, sys
out = []
for path in json.load(sys.stdin):
    cp = configparser.ConfigParser()
    try:
        cp.read(path, encoding="utf-8")
    except configparser.MissingSectionHeaderError as e:
        out.append({"error_line": e.lineno}); continue
    except configparser.ParsingError as e:
        out.append({"error_line": e.errors[0][0]}); continue
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        out.append({"error_line": e.lineno}); continue
    sections = {}
    for name in cp.sections():
        keys = {}
        for key in cp[name]:
            try:
                keys[key] = cp[name][key]
            except configparser.InterpolationError:
                keys[key] = {"interpolation_error": True}
        sections[name] = keys
    out.append({"sections": sections})
json.dump(out, sys.stdout)
`

// goConfigparserDump renders parseMendacfg's reading like pythonConfigparser.
func goConfigparserDump(data []byte) map[string]any {
	cfg, err := parseMendacfg(data)
	if err != nil {
		var syntax *cfgSyntaxError
		if !errors.As(err, &syntax) {
			return map[string]any{"unexpected_error": err.Error()}
		}
		return map[string]any{"error_line": float64(syntax.Line)}
	}
	sections := map[string]any{}
	for _, name := range cfg.profileNames() {
		keys := map[string]any{}
		for key := range unionKeys(cfg.profiles[name], cfg.defaults) {
			v, _, _, err := cfg.get(name, key)
			if err != nil {
				keys[key] = map[string]any{"interpolation_error": true}
			} else {
				keys[key] = v
			}
		}
		sections[name] = keys
	}
	return map[string]any{"sections": sections}
}

func unionKeys(maps ...map[string]cfgValue) map[string]bool {
	keys := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			keys[k] = true
		}
	}
	return keys
}

// runPythonConfigparser returns pythonConfigparser's verdict on each file.
func runPythonConfigparser(t *testing.T, files [][]byte) []map[string]any {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, len(files))
	for i, data := range files {
		paths[i] = filepath.Join(dir, fmt.Sprintf("mendacfg-%d", i))
		if err := os.WriteFile(paths[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	input, _ := json.Marshal(paths)
	cmd := exec.Command("python3", "-c", pythonConfigparser)
	cmd.Stdin = strings.NewReader(string(input))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 configparser (needed for this test): %v", err)
	}
	var results []map[string]any
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("python3 output: %v", err)
	}
	return results
}

// TestMendacfgMatchesPython compares parseMendacfg with Python's configparser
// on the tricky files and on a few hundred random ones built from the
// constructs where readers usually differ.
func TestMendacfgMatchesPython(t *testing.T) {
	var names []string
	var files [][]byte
	for name, content := range trickyMendacfgs {
		names = append(names, name)
		files = append(files, []byte(content))
	}
	rng := rand.New(rand.NewPCG(4, 2))
	for i := range 400 {
		names = append(names, fmt.Sprintf("random-%d", i))
		files = append(files, randomMendacfg(rng))
	}
	want := runPythonConfigparser(t, files)
	for i, data := range files {
		got := normalizeJSON(t, goConfigparserDump(data))
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s: %q\n go:     %v\n python: %v", names[i], data, got, want[i])
		}
	}
}

func normalizeJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// randomMendacfg strings together lines that exercise headers, delimiters,
// case, comments, indentation, blank lines, interpolation and line endings.
func randomMendacfg(rng *rand.Rand) []byte {
	lines := []string{
		"[default]", "[DEFAULT]", "[ci]", "[ci.eu]", "[Default]", "[ x ]", "[]", "[a]]", "[ci] # c",
		"host = https://h", "Host: https://H", "HOST=x", "client_id = %(host)s/id", "client_secret = p%%w",
		"auth_type = m2m", "AUTH_TYPE : U2M", "x = %(missing)s", "y = 5%", "z = %(z)s", "w = a:b=c",
		"  continued", "\tcontinued: 2", "    deeper = 3", "", "   ", "# comment", "; comment", "  # indented",
		"no delimiter", "= value", "k = v ; inline", "k = v # inline", "\u00a0nbsp = 1", "é = ü", "ΑΣ = σ", "KİY = 1",
	}
	endings := []string{"\n", "\n", "\n", "\r\n", "\r"}
	var b strings.Builder
	for range 1 + rng.IntN(12) {
		b.WriteString(lines[rng.IntN(len(lines))])
		b.WriteString(endings[rng.IntN(len(endings))])
	}
	return []byte(b.String())
}

func TestMendacfgLookups(t *testing.T) {
	cfg, err := parseMendacfg([]byte(trickyMendacfgs["default-inheritance"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		profile, key, want string
		line               int
		found              bool
	}{
		{"default", "host", "https://acme.cloud.menda.example", 2, true},
		{"default", "HOST", "https://acme.cloud.menda.example", 2, true},
		{"default", "client_secret", "s3cr%et", 7, true},
		{"ci", "client_id", "ci-bot", 10, true},
		{"ci", "client_secret", "ci secret  with spaces", 11, true},
		{"ci", "auth_type", "u2m", 12, true},
		{"default", "auth_type", "m2m", 3, true},
		{"ci", "nothing", "", 0, false},
	} {
		got, line, found, err := cfg.get(tc.profile, tc.key)
		if err != nil || got != tc.want || line != tc.line || found != tc.found {
			t.Errorf("get(%q, %q) = %q, line %d, %v, %v; want %q, line %d, %v",
				tc.profile, tc.key, got, line, found, err, tc.want, tc.line, tc.found)
		}
	}
	if cfg.hasProfile(defaultSection) {
		t.Error("[DEFAULT] must not be a profile")
	}
	if got := cfg.profileNames(); !reflect.DeepEqual(got, []string{"default", "ci"}) {
		t.Errorf("profileNames = %v", got)
	}
}

func TestMendacfgErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"duplicate-section", "line 4: section [p] appears a second time"},
		{"duplicate-key", `line 3: key "host" appears a second time in [p]`},
		{"duplicate-default", `line 5: key "x" appears a second time in [DEFAULT]`},
		{"missing-header", "line 1: a key before the first [section] header"},
		{"bad-line", "line 3: neither a [section] header, a key = value line nor a comment"},
		{"bad-then-duplicate", `line 4: key "x" appears a second time in [p]`},
		{"empty-key", "line 2: neither a [section] header, a key = value line nor a comment"},
		{"bom", "line 1: the file starts with a byte-order mark, which configparser does not accept; save it as UTF-8 without BOM"},
	} {
		_, err := parseMendacfg([]byte(trickyMendacfgs[tc.name]))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := parseMendacfg([]byte("[p]\nx = \xff\n")); err == nil || err.Error() != "line 2: not valid UTF-8" {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestInterpolationExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("[p]\n")
	for i := range 10 {
		fmt.Fprintf(&b, "k%d = %s\n", i, strings.Repeat(fmt.Sprintf("%%(k%d)s", i+1), 10))
	}
	b.WriteString("k10 = xxxxxxxxxx\n")
	cfg, err := parseMendacfg([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, _, err := cfg.get("p", "k0"); err == nil || !strings.Contains(err.Error(), "longer than 65536 bytes") {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestInterpolationErrorsDoNotQuoteValues(t *testing.T) {
	cfg, err := parseMendacfg([]byte("[p]\nclient_secret = hunter2%oops\nother = %(client_secret)s\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"client_secret", "other"} {
		_, _, _, err := cfg.get("p", key)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("get(%s) = %v: want an error without the value", key, err)
		}
	}
}

// FuzzMendacfg: no input makes the reader or the lookups panic or loop.
// Seeds: testdata/fuzz/FuzzMendacfg (trickyMendacfgs).
func FuzzMendacfg(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseMendacfg(data)
		if err != nil {
			var syntax *cfgSyntaxError
			if !errors.As(err, &syntax) || syntax.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, name := range append(cfg.profileNames(), "default", defaultSection) {
			for key := range unionKeys(cfg.profiles[name], cfg.defaults) {
				_, _, _, _ = cfg.get(name, key)
			}
		}
	})
}
