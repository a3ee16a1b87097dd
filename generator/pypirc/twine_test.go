package pypirc

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// makeWheel has Python write the smallest wheel twine accepts into dir.
const makeWheel = `
import sys, zipfile
path = sys.argv[1] + "/demo_pkg-0.1-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    z.writestr("demo_pkg/__init__.py", "")
    z.writestr("demo_pkg-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 0.1\n")
    z.writestr("demo_pkg-0.1.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("demo_pkg-0.1.dist-info/RECORD", "")
print(path)
`

// TestTwineUploads: "twine upload -r NAME" works with a file the editor
// wrote into one of the fixtures: twine finds the section through
// index-servers, posts to its repository URL and sends its username and
// password. Skipped when twine is not installed (apt-get install twine).
func TestTwineUploads(t *testing.T) {
	twine, err := exec.LookPath("twine")
	if err != nil {
		t.Skip("twine is not installed")
	}
	var mu sync.Mutex
	var uploads []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != mendaUser || pass != mendaSecret {
			http.Error(w, "unauthorized", http.StatusForbidden)
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil || r.FormValue(":action") != "file_upload" {
			http.Error(w, "bad upload", http.StatusBadRequest)
			return
		}
		mu.Lock()
		uploads = append(uploads, r.URL.Path+" "+r.FormValue("name"))
		mu.Unlock()
	}))
	defer srv.Close()

	dir := t.TempDir()
	out, err := exec.Command(twinePython(t), "-c", makeWheel, dir).Output()
	if err != nil {
		t.Fatalf("make a wheel: %v", err)
	}
	wheel := strings.TrimSpace(string(out))

	f := mustParse(t, readFixture(t, "codeartifact_aws.pypirc"))
	if err := f.SetServer(mendaName, srv.URL+"/pypi/plugins/", mendaUser, mendaSecret); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "pypirc")
	if err := os.WriteFile(rc, f.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(twine, "upload", "--non-interactive", "--disable-progress-bar", "--config-file", rc, "-r", mendaName, wheel)
	cmd.Env = twineEnv(dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("twine upload: %v\n%s", err, strings.ReplaceAll(string(msg), mendaSecret, "****"))
	}
	if len(uploads) != 1 || uploads[0] != "/pypi/plugins/ demo-pkg" {
		t.Errorf("uploads = %q, want one of demo-pkg to /pypi/plugins/", uploads)
	}
}

// twineEnv is the caller's environment without anything that would give
// twine credentials or a keyring of its own.
func twineEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TWINE_") || name == "HOME" || strings.HasPrefix(name, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring", "LC_ALL=C.UTF-8")
}
