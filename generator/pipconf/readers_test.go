package pipconf

// Independent readers of what the editor writes: Python's configparser (the
// parser pip itself uses) and real pip ("pip config list"). A file they read
// differently from what the editor meant is a bug.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/internal/initest"
)

// iniView is what configparser reads: section -> lower-cased key -> value,
// with DEFAULT as a section of its own.
type iniView map[string]map[string]string

// viewOf is the editor's own reading of f in configparser's terms.
func viewOf(f *File) iniView { return iniView(f.doc.View()) }

// unmanaged is v without the keys pip reads as index-url or extra-index-url.
func (v iniView) unmanaged() iniView {
	out := iniView{}
	for s, kv := range v {
		out[s] = map[string]string{}
		for k, val := range kv {
			if n := pipName(k); n != indexURLKey && n != extraIndexURLKey {
				out[s][k] = val
			}
		}
	}
	return out
}

// unmanagedEqual reports whether the keys credgen does not manage read the
// same before and after an edit; a [global] section the edit created may be
// new.
func unmanagedEqual(before, after iniView) bool {
	b, a := before.unmanaged(), after.unmanaged()
	if _, had := b[globalSection]; !had && len(a[globalSection]) == 0 {
		delete(a, globalSection)
	}
	return a.equal(b)
}

func (v iniView) equal(w iniView) bool {
	return maps.EqualFunc(v, w, func(a, b map[string]string) bool { return maps.Equal(a, b) })
}

func (v iniView) String() string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// pythonINIReader reads {name: base64 file} as JSON on stdin and prints,
// for each file, what RawConfigParser reads (as pip does: same class, same
// options, UTF-8 and universal newlines like pip's open()) or the error and
// line it stops at.
const pythonINIReader = initest.ConfigparserPy + `
files = json.load(sys.stdin)
json.dump({name: read_view(base64.b64decode(data)) for name, data in files.items()}, sys.stdout)
`

// pyResult is configparser's reading of one file.
type pyResult struct {
	View  iniView `json:"view"`
	Error string  `json:"error"`
	Line  int     `json:"line"`
}

// configparserRead has Python's configparser read every file (one python3
// process for all); results are keyed like files. A missing python3 fails
// the test: CI installs it.
func configparserRead(t *testing.T, files map[string][]byte) map[string]pyResult {
	t.Helper()
	cmd := exec.Command("python3", "-c", pythonINIReader)
	return initest.PythonRead[pyResult](t, "python3 configparser reader", cmd, files)
}

// pipRunner runs "python3 -m pip config list" with only one config file in
// play and nothing from the caller's environment.
type pipRunner struct {
	python   string            // the interpreter itself, not a pyenv shim: pip is slow enough
	baseline map[string]string // what pip lists with an empty PIP_CONFIG_FILE (/etc/pip.conf and such)
}

func newPipRunner(t *testing.T) *pipRunner {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("python3 (CI installs it): %v", err)
	}
	r := &pipRunner{python: strings.TrimSpace(string(out))}
	r.baseline = r.list(t, nil)
	return r
}

// list writes data to a file and returns what pip lists from it, as
// "section.key" -> value; pip's own environment-variable entries are left out.
func (r *pipRunner) list(t *testing.T, data []byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "pip.conf")
	if err := os.WriteFile(conf, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(r.python, "-m", "pip", "config", "list")
	cmd.Env = pipEnv(dir, conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pip config list: %v: %s", err, stderr.String())
	}
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		key, repr, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(key, ":env:") {
			continue
		}
		val, err := pyUnrepr(repr)
		if err != nil {
			t.Fatalf("pip config list line %q: %v", line, err)
		}
		listed[key] = val
	}
	return listed
}

// pipEnv is the caller's environment without anything that configures pip
// (PIP_* variables, HOME, XDG config), plus a home of its own and the file.
func pipEnv(home, conf string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PIP_") || name == "HOME" || strings.HasPrefix(name, "XDG_") || name == "LC_ALL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "LC_ALL=C.UTF-8", "PIP_CONFIG_FILE="+conf, "PIP_DISABLE_PIP_VERSION_CHECK=1")
}

// pipExpect is what pip should list for a file the editor reads as f, given
// what it lists without the file: for each section configparser's items()
// (DEFAULT's keys, then the section's own over them), named
// section.normalised-key, a later spelling winning (pip's _normalized_keys).
func (r *pipRunner) pipExpect(f *File) map[string]string {
	want := maps.Clone(r.baseline)
	defKeys, defVals := ownKeys(f, ini.DefaultSection)
	for _, s := range f.doc.Sections {
		if s.Name == ini.DefaultSection {
			continue
		}
		keys, vals := slices.Clone(defKeys), maps.Clone(defVals)
		ownK, ownV := ownKeys(f, s.Name)
		for _, k := range ownK {
			if _, ok := vals[k]; !ok {
				keys = append(keys, k)
			}
			vals[k] = ownV[k]
		}
		for _, k := range keys {
			want[s.Name+"."+pipName(k)] = vals[k]
		}
	}
	return want
}

// ownKeys lists a section's own lower-cased keys in file order, with values.
func ownKeys(f *File, sectionName string) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	for _, o := range f.doc.Options {
		if o.Section == sectionName {
			k := ini.PyLower(o.Key)
			keys = append(keys, k)
			vals[k] = o.Value
		}
	}
	return keys, vals
}

// pyUnrepr decodes a Python str repr: '...' or "..." with backslash escapes.
func pyUnrepr(s string) (string, error) {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", fmt.Errorf("not a Python string literal")
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("dangling backslash")
		}
		i++
		switch c := s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\', '\'', '"':
			b.WriteByte(c)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			if i+1+n > len(s) {
				return "", fmt.Errorf("short \\%c escape", c)
			}
			code, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", err
			}
			b.WriteString(string(utf8.AppendRune(nil, rune(code))))
			i += n
		default:
			return "", fmt.Errorf("unknown escape \\%c", c)
		}
	}
	return b.String(), nil
}
