package pypirc

// Independent readers of what the editor writes: Python's configparser (the
// parser twine uses) and twine's own get_config. A file they read
// differently from what the editor meant is a bug.

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credgen/credgen/generator/ini"
	"github.com/credgen/credgen/generator/internal/initest"
)

// pythonTwineReader reads {name: base64 file} as JSON on stdin and prints,
// for each file, what RawConfigParser reads, the error and line it stops at,
// and what twine's get_config makes of it. Without twine installed it uses
// the same steps written out (twine 4 and 5 read the file this way).
const pythonTwineReader = initest.ConfigparserPy + `
import collections, os, tempfile

try:
    from twine.utils import get_config
    REAL_TWINE = True
except ImportError:
    REAL_TWINE = False
    def get_config(path):
        parser = configparser.RawConfigParser()
        with open(path) as f:
            parser.read_file(f)
        defaults = {
            "username": parser.get("server-login", "username", fallback=None),
            "password": parser.get("server-login", "password", fallback=None),
        }
        config = collections.defaultdict(lambda: defaults.copy())
        index_servers = parser.get("distutils", "index-servers", fallback="pypi testpypi").split()
        config["pypi"]["repository"] = "https://upload.pypi.org/legacy/"
        if "testpypi" in index_servers:
            config["testpypi"]["repository"] = "https://test.pypi.org/legacy/"
        for repository in index_servers:
            for key in ["username", "repository", "password", "ca_cert", "client_cert"]:
                if parser.has_option(repository, key):
                    config[repository][key] = parser.get(repository, key)
        return dict(config)

def read(data, tmp):
    result = read_view(data)
    if "error" in result:
        return result
    path = os.path.join(tmp, "pypirc")
    with open(path, "wb") as f:
        f.write(data)
    result["twine"] = get_config(path)
    result["real_twine"] = REAL_TWINE
    return result

files = json.load(sys.stdin)
with tempfile.TemporaryDirectory() as tmp:
    json.dump({name: read(base64.b64decode(data), tmp) for name, data in files.items()}, sys.stdout)
`

// twineConfig is get_config's result: server -> key -> value (nil for None).
type twineConfig map[string]map[string]*string

// pyResult is Python's reading of one file.
type pyResult struct {
	View      iniView     `json:"view"`
	Twine     twineConfig `json:"twine"`
	RealTwine bool        `json:"real_twine"`
	Error     string      `json:"error"`
	Line      int         `json:"line"`
}

// twinePython is an interpreter that can import twine when twine is
// installed (the one its script runs with), python3 otherwise.
func twinePython(t *testing.T) string {
	t.Helper()
	if script, err := exec.LookPath("twine"); err == nil {
		if data, err := os.ReadFile(script); err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if py, ok := strings.CutPrefix(first, "#!"); ok {
				if fields := strings.Fields(py); len(fields) == 1 && filepath.IsAbs(fields[0]) {
					return fields[0]
				}
			}
		}
	}
	return "python3"
}

// pythonRead has Python read every file (one process for all); results are
// keyed like files. A missing python3 fails the test: CI installs it.
func pythonRead(t *testing.T, files map[string][]byte) map[string]pyResult {
	t.Helper()
	cmd := exec.Command(twinePython(t), "-c", pythonTwineReader)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONUTF8=1")
	return initest.PythonRead[pyResult](t, "python3 twine reader", cmd, files)
}

// twineExpect is what twine's get_config should return for a file the
// editor reads as f.
func twineExpect(f *File) twineConfig {
	str := func(s string, ok bool) *string {
		if !ok {
			return nil
		}
		return &s
	}
	defaults := func() map[string]*string {
		return map[string]*string{
			usernameKey: str(f.get(serverLoginSection, usernameKey)),
			passwordKey: str(f.get(serverLoginSection, passwordKey)),
		}
	}
	config := twineConfig{}
	entry := func(name string) map[string]*string {
		if config[name] == nil {
			config[name] = defaults()
		}
		return config[name]
	}
	servers := f.IndexServers()
	entry("pypi")[repositoryKey] = str("https://upload.pypi.org/legacy/", true)
	if slices.Contains(servers, "testpypi") {
		entry("testpypi")[repositoryKey] = str("https://test.pypi.org/legacy/", true)
	}
	for _, name := range servers {
		for _, key := range []string{usernameKey, repositoryKey, passwordKey, "ca_cert", "client_cert"} {
			if v, ok := f.hasOption(name, key); ok {
				entry(name)[key] = &v
			}
		}
	}
	return config
}

// hasOption is configparser's has_option plus get: "DEFAULT" as a section
// name means the defaults themselves.
func (f *File) hasOption(sectionName, key string) (string, bool) {
	if sectionName == ini.DefaultSection {
		if o := f.ownOption(ini.DefaultSection, key); o != nil {
			return o.Value, true
		}
		return "", false
	}
	return f.get(sectionName, key)
}

func (c twineConfig) equal(d twineConfig) bool {
	return maps.EqualFunc(c, d, func(a, b map[string]*string) bool {
		return maps.EqualFunc(a, b, func(x, y *string) bool {
			return (x == nil && y == nil) || (x != nil && y != nil && *x == *y)
		})
	})
}

func (c twineConfig) String() string {
	b, _ := json.MarshalIndent(c, "", "  ")
	return string(b)
}

func (v iniView) equal(w iniView) bool {
	return maps.EqualFunc(v, w, func(a, b map[string]string) bool { return maps.Equal(a, b) })
}

func (v iniView) String() string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
