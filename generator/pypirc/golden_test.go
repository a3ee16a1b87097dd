package pypirc

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/credgen/credgen/generator/internal/initest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden and the FuzzEdit seeds from the current output")

// The managed server of the tests. The secret is fake but is treated as a
// real one: it must never show in an error or a masked file.
const (
	mendaName   = "menda-plugins"
	mendaUpload = "https://acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/plugins/"
	mendaUser   = "aws"
	mendaSecret = "eyJ.fake-SECRET-codeartifact-token"
	newSecret   = "eyJ.fake-SECRET-renewed-token"
)

// edit is one editor call, named for failure messages.
type edit struct {
	name  string
	apply func(*File) error
}

func setServer(name, url, user, secret string) edit {
	return edit{"set " + name, func(f *File) error { return f.SetServer(name, url, user, secret) }}
}

func setCreds(name, user, secret string) edit {
	return edit{"creds " + name, func(f *File) error { return f.SetCredentials(name, user, secret) }}
}

func strip(name string) edit {
	return edit{"strip " + name, func(f *File) error { return f.StripCredentials(name) }}
}

func removeServer(name string) edit {
	return edit{"remove " + name, func(f *File) error { return f.RemoveServer(name) }}
}

var setMenda = setServer(mendaName, mendaUpload, mendaUser, mendaSecret)

// goldenCase is an input (a fixture file or inline text), the edits made to
// it, and what twine must read for the managed server afterwards (nil: the
// server must be gone from twine's view). The output is in
// testdata/golden/NAME.pypirc.
type goldenCase struct {
	name    string
	fixture string
	in      string
	edits   []edit
	server  string
	want    map[string]string // repository, username, password twine reads for server
}

var mendaWant = map[string]string{repositoryKey: mendaUpload, usernameKey: mendaUser, passwordKey: mendaSecret}

var goldenCases = []goldenCase{
	{name: "empty_file", in: "", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{name: "pypi_token_add", fixture: "pypi_token.pypirc", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{
		name: "pypi_token_renew", fixture: "pypi_token.pypirc",
		edits:  []edit{setMenda, setCreds(mendaName, mendaUser, newSecret)},
		server: mendaName, want: map[string]string{repositoryKey: mendaUpload, usernameKey: mendaUser, passwordKey: newSecret},
	},
	{name: "codeartifact_aws_add", fixture: "codeartifact_aws.pypirc", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{
		name: "codeartifact_aws_update_in_place", fixture: "codeartifact_aws.pypirc",
		edits:  []edit{setServer("codeartifact", mendaUpload, mendaUser, mendaSecret)},
		server: "codeartifact", want: mendaWant,
	},
	{
		name: "codeartifact_aws_strip", fixture: "codeartifact_aws.pypirc",
		edits:  []edit{strip("codeartifact")},
		server: "codeartifact", want: map[string]string{repositoryKey: "https://acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/"},
	},
	{name: "crlf_several_add", fixture: "crlf_several.pypirc", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{name: "crlf_several_remove", fixture: "crlf_several.pypirc", edits: []edit{removeServer("internal")}, server: "internal"},
	{name: "no_distutils_add", fixture: "no_distutils.pypirc", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{name: "server_login_add", fixture: "server_login.pypirc", edits: []edit{setMenda}, server: mendaName, want: mendaWant},
	{name: "server_login_remove", fixture: "server_login.pypirc", edits: []edit{removeServer("staging")}, server: "staging"},
	{
		name: "server_login_strip_keeps_defaults", fixture: "server_login.pypirc",
		edits:  []edit{strip("staging")},
		server: "staging",
		// [server-login] now fills in what the section no longer sets.
		want: map[string]string{repositoryKey: "https://staging.corp.example/legacy/", usernameKey: "olduser", passwordKey: "legacy-password"},
	},
	{
		name:  "distutils_without_index_servers",
		in:    "[distutils]\n# nothing listed: twine reads pypi and testpypi\n\n[pypi]\nusername = __token__\npassword = pypi-fake\n",
		edits: []edit{setMenda}, server: mendaName, want: mendaWant,
	},
	{
		name:  "default_section_lists_servers",
		in:    "[DEFAULT]\nindex-servers = pypi other\n\n[distutils]\n\n[other]\nrepository = https://other.example/\n",
		edits: []edit{setMenda}, server: mendaName, want: mendaWant,
	},
	{
		name:  "single_line_list_no_final_newline",
		in:    "[distutils]\nindex-servers=pypi\n[pypi]\nusername=__token__",
		edits: []edit{setMenda}, server: mendaName, want: mendaWant,
	},
	{
		name:  "empty_list_value",
		in:    "[distutils]\nindex-servers =\n\n[menda-plugins]\n# kept\nrepository = https://old.example/\npassword = stale\n",
		edits: []edit{setMenda}, server: mendaName, want: mendaWant,
	},
	{
		name:  "section_present_not_listed",
		in:    "[distutils]\nindex-servers =\n    pypi\n\n[menda-plugins]\n  repository: https://old.example/\n  username: someone\n  extra: kept\n",
		edits: []edit{setMenda}, server: mendaName, want: mendaWant,
	},
	{
		name:  "remove_last_listed_keeps_empty_key",
		in:    "[distutils]\nindex-servers = menda-plugins\n\n[menda-plugins]\nrepository = https://x.example/\n",
		edits: []edit{removeServer(mendaName)}, server: mendaName,
	},
	{
		name:  "remove_from_mixed_lines",
		in:    "[distutils]\nindex-servers = pypi menda-plugins\n    menda-plugins other\n    menda-plugins\n[pypi]\n[menda-plugins]\nrepository = https://x.example/\n[other]\nrepository = https://o.example/\n",
		edits: []edit{removeServer(mendaName)}, server: mendaName,
	},
}

func (c goldenCase) input(t *testing.T) []byte {
	t.Helper()
	if c.fixture == "" {
		return []byte(c.in)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", c.fixture))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGolden applies each case's edits, compares the result with its golden
// file, and has configparser and twine read input and output: they must
// read the output as the editor does, give the managed server what the case
// wants, and read every other server as in the input.
func TestGolden(t *testing.T) {
	files := map[string][]byte{}
	results := map[string]*File{}
	for _, c := range goldenCases {
		in := c.input(t)
		f := mustParse(t, in)
		for _, e := range c.edits {
			if err := e.apply(f); err != nil {
				t.Fatalf("%s: %s: %v", c.name, e.name, err)
			}
		}
		out := f.Bytes()
		initest.CompareGolden(t, filepath.Join("testdata", "golden", c.name+".pypirc"), out, *update)
		writeSeed(t, c.name, in)
		files[c.name+".in"], files[c.name+".out"] = in, out
		results[c.name] = f
	}
	py := pythonRead(t, files)
	for _, c := range goldenCases {
		in, out := py[c.name+".in"], py[c.name+".out"]
		if in.Error != "" || out.Error != "" {
			t.Errorf("%s: Python refuses the input (%s) or the output (%s line %d)", c.name, in.Error, out.Error, out.Line)
			continue
		}
		f := results[c.name]
		if !out.View.equal(viewOf(f)) {
			t.Errorf("%s: configparser reads\n%v\nthe editor\n%v", c.name, out.View, viewOf(f))
		}
		if !out.Twine.equal(twineExpect(f)) {
			t.Errorf("%s: twine reads\n%v\nthe editor expects\n%v", c.name, out.Twine, twineExpect(f))
		}
		checkServer(t, c, out.Twine)
		delete(in.Twine, c.server)
		delete(out.Twine, c.server)
		if !in.Twine.equal(out.Twine) {
			t.Errorf("%s: twine reads other servers differently:\n%v\n%v", c.name, in.Twine, out.Twine)
		}
	}
	if r := py["empty_file.out"]; !r.RealTwine {
		t.Log("twine is not installed: its get_config steps were run from the test's own copy")
	}
}

func checkServer(t *testing.T, c goldenCase, twine twineConfig) {
	t.Helper()
	got, ok := twine[c.server]
	if c.want == nil {
		if ok {
			t.Errorf("%s: twine still knows %s", c.name, c.server)
		}
		return
	}
	for key, want := range c.want {
		if v := got[key]; v == nil || *v != want {
			t.Errorf("%s: twine reads %s %s wrong", c.name, c.server, key) // no values: one may be a secret
		}
	}
}

func mustParse(t testing.TB, data []byte) *File {
	t.Helper()
	return initest.MustParse(t, data, Parse)
}

// writeSeed stores a golden input as a FuzzEdit seed when -update is set.
func writeSeed(t *testing.T, name string, data []byte) {
	t.Helper()
	if !*update {
		return
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzEdit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seed := "go test fuzz v1\n[]byte(" + quoteGo(data) + ")\nstring(\"" + mendaName + "\")\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(seed), 0o644); err != nil {
		t.Fatal(err)
	}
}
