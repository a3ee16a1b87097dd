//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// twine-upload ARGS...: Debian's real twine uploads the probe wheel through
// the proxy with the script's HOME (so ~/.pypirc) and its TWINE_* variables;
// afterwards the fake index must have counted one more upload (negated: the
// upload fails and the count stays).
func cmdTwineUpload(ts *testscript.TestScript, neg bool, args []string) {
	twine, wheel := twineAndWheel(ts)
	w := worldOf(ts)
	argv := append([]string{"upload", "--non-interactive", "--disable-progress-bar", "--cert", ts.Getenv("FAKE_CA")}, args...)
	cmd := exec.Command(twine, append(argv, wheel)...)
	cmd.Env = []string{"HOME=" + ts.Getenv("HOME"), "PATH=" + ts.Getenv("PATH"), "HTTPS_PROXY=" + ts.Getenv("HTTPS_PROXY")}
	for _, k := range []string{"TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD"} {
		if v := ts.Getenv(k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	before := w.stack.Index.Stats().Uploads
	out, err := cmd.CombinedOutput()
	uploaded := err == nil && w.stack.Index.Stats().Uploads == before+1
	switch {
	case uploaded && neg:
		ts.Fatalf("twine upload succeeded; want failure")
	case !uploaded && !neg:
		ts.Logf("%s", tail(string(out), 30))
		ts.Fatalf("twine upload failed: %v (uploads %s)", err, strconv.FormatInt(w.stack.Index.Stats().Uploads-before, 10))
	}
}

// twineAndWheel finds Debian's twine and puts the probe wheel into the
// script's dist/ folder, for an upload.
func twineAndWheel(ts *testscript.TestScript) (twine, wheel string) {
	twine, err := exec.LookPath("twine")
	if err != nil {
		ts.Fatalf("twine is needed (apt-get install twine)")
	}
	dist := ts.MkAbs("dist")
	ts.Check(os.MkdirAll(dist, 0o755))
	whl := worldOf(ts).stack.Index.Wheel()
	wheel = filepath.Join(dist, whl.Filename)
	ts.Check(os.WriteFile(wheel, whl.Data, 0o644))
	return twine, wheel
}
