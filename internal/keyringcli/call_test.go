package keyringcli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	cgIndex = "https://libraries.cgr.dev/python/simple/"
	caIndex = "https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/plugins/simple/"
	// broken is an index whose provider fails to mint.
	broken  = "https://broken.cgr.dev/python/simple/"
	cgToken = "eyJhbGciOi.cg-token"
	caToken = "ca-token-0123"
)

// errNotServed is the fake source's way of saying it does not serve a
// SERVICE, as the engine's own sentinel is for credgen.
var errNotServed = errors.New("not served")

// fakeKeyringSource serves two indexes and fails for a third. It ignores
// the username it is given, so that the tests show credgen keyring's own
// check that a named user is the provider's.
type fakeKeyringSource struct{ lookups []string }

func (f *fakeKeyringSource) Serves(service string) bool {
	return service == cgIndex || service == caIndex || service == broken
}

func (f *fakeKeyringSource) Lookup(_ context.Context, service, username string) (string, string, error) {
	f.lookups = append(f.lookups, service+" "+username)
	switch service {
	case cgIndex:
		return "_token", cgToken, nil
	case caIndex:
		return "aws", caToken, nil
	case broken:
		return "", "", errors.New("chainguard: chainctl auth token: exit status 1: not logged in (run chainctl auth login --audience=libraries.cgr.dev)")
	}
	return "", "", fmt.Errorf("%s: %w", service, errNotServed)
}

// keyringResult is what one keyring call printed and returned.
type keyringResult struct {
	stdout, stderr string
	code           int
}

func runKeyringCall(t *testing.T, call Call, args ...string) keyringResult {
	t.Helper()
	var out, errOut strings.Builder
	call.Stdio = Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}
	if call.Source == nil {
		call.Source = func() (Source, error) { return &fakeKeyringSource{}, nil }
	}
	if call.NotServed == nil {
		call.NotServed = errNotServed
	}
	code := call.Run(context.Background(), args)
	return keyringResult{out.String(), errOut.String(), code}
}

func TestKeyringAnswersAsKeyringDoes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want keyringResult
	}{
		{"pip before 26.2", []string{"get", cgIndex, "_token"}, keyringResult{cgToken + "\n", "", 0}},
		{"uv with a username", []string{"get", caIndex, "aws"}, keyringResult{caToken + "\n", "", 0}},
		{"uv without a username", []string{"get", cgIndex, "--mode", "creds"}, keyringResult{"_token\n" + cgToken + "\n", "", 0}},
		{"pip 26.2 without a username", []string{"--mode=creds", "--output=json", "get", cgIndex},
			keyringResult{`{"username": "_token", "password": "` + cgToken + `"}` + "\n", "", 0}},
		{"pip 26.2 with a username", []string{"--mode=creds", "--output=json", "get", caIndex, "aws"},
			keyringResult{`{"username": "aws", "password": "` + caToken + `"}` + "\n", "", 0}},
		{"password as json", []string{"get", caIndex, "aws", "--output", "json"}, keyringResult{`{"password": "` + caToken + `"}` + "\n", "", 0}},
		{"an index credgen does not serve", []string{"get", "https://pypi.example.org/simple/", "me"}, keyringResult{"", "", 1}},
		{"plain http", []string{"--mode=creds", "--output=json", "get", "http://libraries.cgr.dev/python/simple/"}, keyringResult{"", "", 1}},
		{"a username that is not the provider's", []string{"get", cgIndex, "alice"}, keyringResult{"", "", 1}},
		{"a wrong username in creds mode", []string{"--mode=creds", "--output=json", "get", caIndex, "admin"}, keyringResult{"", "", 1}},
		{"list backends", []string{"--list-backends"}, keyringResult{"credgen (read-only)\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runKeyringCall(t, Call{}, tt.args...)
			if got != tt.want {
				t.Errorf("keyring %q\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestKeyringFailsWithAMessageAndNothingOnStdout(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string
	}{
		{"a provider that cannot mint", []string{"get", broken, "--mode", "creds"}, 1, "chainctl auth login --audience=libraries.cgr.dev"},
		{"set", []string{"set", cgIndex, "_token"}, 1, "read-only"},
		{"del", []string{"del", caIndex, "aws"}, 1, "read-only"},
		{"set for another service", []string{"set", "https://pypi.example.org/simple/", "me"}, 1, "read-only"},
		{"disable", []string{"--disable"}, 1, "Python's keyring"},
		{"diagnose", []string{"diagnose"}, 1, "Python's keyring"},
		{"no username in password mode", []string{"get", cgIndex}, 2, "usage: keyring [-h]"},
		{"an unknown option", []string{"get", cgIndex, "_token", "--verbose"}, 2, "keyring: error: unrecognized arguments: --verbose\n"},
		{"a source that cannot be built", nil, 1, "config.toml:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := Call{}
			args := tt.args
			if args == nil {
				call.Source = func() (Source, error) { return nil, errors.New("config.toml:3: unknown key") }
				args = []string{"get", cgIndex, "_token"}
			}
			got := runKeyringCall(t, call, args...)
			if got.code != tt.code || got.stdout != "" || !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("keyring %q: exit %d, stdout %q, stderr %q; want exit %d, no stdout, stderr with %q",
					args, got.code, got.stdout, got.stderr, tt.code, tt.wantStderr)
			}
		})
	}
}

func TestKeyringHelpIsKeyrings(t *testing.T) {
	got := runKeyringCall(t, Call{}, "get", "-h")
	if got.code != 0 || !strings.HasPrefix(got.stdout, Usage) || got.stderr != "" {
		t.Errorf("keyring get -h: %+v", got)
	}
}

// TestKeyringWithoutNotServedFailsOnEveryLookupError shows that a call given
// no NotServed error treats every error of its source as a failure, and a
// credential as a credential.
func TestKeyringWithoutNotServedFailsOnEveryLookupError(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want keyringResult
	}{
		{"a served index", []string{"get", cgIndex, "_token"}, keyringResult{cgToken + "\n", "", 0}},
		{"an index the source does not serve", []string{"get", "https://pypi.example.org/simple/", "me"},
			keyringResult{"", "credgen: https://pypi.example.org/simple/: not served\n", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			call := Call{
				Stdio:  Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut},
				Source: func() (Source, error) { return &fakeKeyringSource{}, nil },
			}
			code := call.Run(context.Background(), tt.args)
			if got := (keyringResult{out.String(), errOut.String(), code}); got != tt.want {
				t.Errorf("keyring %q\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

// keyringPath lays out a PATH for a credgen linked as keyring: two links to
// it first (installed twice), then a fake Python keyring that prints its
// arguments and the skip list it was handed, and exits 3.
func keyringPath(t *testing.T) (self, pathList string) {
	t.Helper()
	root := t.TempDir()
	self = filepath.Join(root, "go", "bin", "credgen")
	writeExecutable(t, self, "#!/bin/sh\nexit 99\n")
	var dirs []string
	for _, name := range []string{"local-bin", "bin"} {
		dir := filepath.Join(root, name)
		symlink(t, self, filepath.Join(dir, "keyring"))
		dirs = append(dirs, dir)
	}
	python := filepath.Join(root, "usr-bin", "keyring")
	writeExecutable(t, python, "#!/bin/sh\necho \"python keyring: $*\"\necho \"skip: $"+SkipEnv+"\" >&2\nexit 3\n")
	return self, strings.Join(append(dirs, filepath.Dir(python)), string(filepath.ListSeparator))
}

func TestKeyringLinkHandsWhatItDoesNotServeToTheNextKeyring(t *testing.T) {
	self, pathList := keyringPath(t)
	delegated := func(args string) keyringResult {
		return keyringResult{"python keyring: " + args + "\n", "skip: " + self + "\n", 3}
	}
	tests := []struct {
		name string
		args []string
		want keyringResult
	}{
		{"a served index", []string{"get", cgIndex, "_token"}, keyringResult{cgToken + "\n", "", 0}},
		{"another index", []string{"get", "https://pypi.example.org/simple/", "me"}, delegated("get https://pypi.example.org/simple/ me")},
		{"another index, pip 26.2", []string{"--mode=creds", "--output=json", "get", "https://gitlab.example/simple/"},
			delegated("--mode=creds --output=json get https://gitlab.example/simple/")},
		{"a username that is not the provider's", []string{"get", cgIndex, "alice"}, delegated("get " + cgIndex + " alice")},
		{"a failing provider stays credgen's", []string{"get", broken, "_token"}, keyringResult{"", "credgen: chainguard: chainctl auth token: exit status 1: not logged in (run chainctl auth login --audience=libraries.cgr.dev)\n", 1}},
		{"set for another service", []string{"set", "https://pypi.example.org/simple/", "me"}, delegated("set https://pypi.example.org/simple/ me")},
		{"a named Python backend", []string{"-b", "keyrings.alt.file.PlaintextKeyring", "get", cgIndex, "_token"}, delegated("-b keyrings.alt.file.PlaintextKeyring get " + cgIndex + " _token")},
		{"disable", []string{"--disable"}, delegated("--disable")},
		{"a line only a newer keyring reads", []string{"--format=toml", "get", "x", "y"}, delegated("--format=toml get x y")},
		{"list backends: credgen's, then the next one's", []string{"--list-backends"}, keyringResult{"credgen (read-only)\npython keyring: --list-backends\n", "skip: " + self + "\n", 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := Call{Link: true, Self: self, Environ: []string{"PATH=" + pathList}}
			got := runKeyringCall(t, call, tt.args...)
			if got != tt.want {
				t.Errorf("keyring %q\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestKeyringWithoutANextKeyringExitsQuietly(t *testing.T) {
	self, pathList := keyringPath(t)
	onlyLinks := strings.Join(filepath.SplitList(pathList)[:2], string(filepath.ListSeparator))
	tests := []struct {
		name    string
		link    bool
		path    string
		args    []string
		want    keyringResult
		stderrs string
	}{
		{"linked, nothing after it on PATH", true, onlyLinks, []string{"get", "https://pypi.example.org/simple/", "me"}, keyringResult{"", "", 1}, ""},
		{"run as credgen keyring, a keyring on PATH", false, pathList, []string{"get", "https://pypi.example.org/simple/", "me"}, keyringResult{"", "", 1}, ""},
		{"run as credgen keyring, set", false, pathList, []string{"set", "https://pypi.example.org/simple/", "me"}, keyringResult{"", "", 1}, "read-only"},
		{"linked, bad usage, nothing after it", true, onlyLinks, []string{"get"}, keyringResult{"", "", 2}, "keyring: error: get requires service and username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := Call{Link: tt.link, Self: self, Environ: []string{"PATH=" + tt.path}}
			got := runKeyringCall(t, call, tt.args...)
			if got.code != tt.want.code || got.stdout != "" || !strings.Contains(got.stderr, tt.stderrs) || (tt.stderrs == "" && got.stderr != "") {
				t.Errorf("keyring %q: %+v, want exit %d, no stdout, stderr with %q", tt.args, got, tt.want.code, tt.stderrs)
			}
		})
	}
}

func TestKeyringLinkSkipsCredgensThatHandedTheCallOver(t *testing.T) {
	self, pathList := keyringPath(t)
	// An older credgen linked as keyring, first on PATH, handed this call on.
	older := filepath.Join(t.TempDir(), "credgen")
	writeExecutable(t, older, "#!/bin/sh\necho older credgen\n")
	olderDir := t.TempDir()
	symlink(t, older, filepath.Join(olderDir, "keyring"))
	environ := []string{"PATH=" + olderDir + string(filepath.ListSeparator) + pathList, SkipEnv + "=" + older}
	call := Call{Link: true, Self: self, Environ: environ}
	got := runKeyringCall(t, call, "get", "https://pypi.example.org/simple/", "me")
	want := keyringResult{"python keyring: get https://pypi.example.org/simple/ me\n", "skip: " + older + ":" + self + "\n", 3}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestKeyringLinkDoesNotHandACallOnTwice(t *testing.T) {
	self, pathList := keyringPath(t)
	// A keyring wrapper ran `keyring` again, which brought the call back here.
	environ := []string{"PATH=" + pathList, SkipEnv + "=" + self}
	call := Call{Link: true, Self: self, Environ: environ}
	got := runKeyringCall(t, call, "get", "https://pypi.example.org/simple/", "me")
	if want := (keyringResult{"", "", 1}); got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestKeyringInstall(t *testing.T) {
	self, _ := keyringPath(t)
	home := t.TempDir()
	pythonDir := filepath.Join(t.TempDir(), "venv-bin")
	writeExecutable(t, filepath.Join(pythonDir, "keyring"), "#!/bin/sh\n")
	link := filepath.Join(home, ".local", "bin", "keyring")
	tests := []struct {
		name    string
		path    string
		args    []string
		code    int
		stdout  string
		stderr  string
		linkDir string
	}{
		{"default folder, not on PATH", pythonDir, nil, 0,
			"linked " + link + " -> " + self + "\nnote: uv and pip run " + filepath.Join(pythonDir, "keyring") + " first; put " + filepath.Dir(link) + " before " + pythonDir + " on PATH\n", "", filepath.Dir(link)},
		{"again, first on PATH", filepath.Dir(link) + ":" + pythonDir, nil, 0, link + " already links to " + self + "\n", "", filepath.Dir(link)},
		{"a folder with nothing on PATH", "/nonexistent", []string{filepath.Join(home, "bin")}, 0,
			"linked " + filepath.Join(home, "bin", "keyring") + " -> " + self + "\nnote: " + filepath.Join(home, "bin") + " is not on PATH; add it so that uv and pip find keyring\n", "", filepath.Join(home, "bin")},
		{"over Python's keyring", "", []string{pythonDir}, 2, "", "credgen replaces only its own link", ""},
		{"two folders", "", []string{"a", "b"}, 2, "", "at most one folder", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := Call{Self: self, Environ: []string{"HOME=" + home, "PATH=" + tt.path}}
			got := runKeyringCall(t, call, append([]string{"install"}, tt.args...)...)
			if got.code != tt.code || got.stdout != tt.stdout || !strings.Contains(got.stderr, tt.stderr) {
				t.Errorf("install %q: %+v\nwant exit %d, stdout %q, stderr with %q", tt.args, got, tt.code, tt.stdout, tt.stderr)
			}
			if tt.linkDir == "" {
				return
			}
			if dest, err := os.Readlink(filepath.Join(tt.linkDir, "keyring")); err != nil || dest != self {
				t.Errorf("link -> %q (%v), want %q", dest, err, self)
			}
		})
	}
}
