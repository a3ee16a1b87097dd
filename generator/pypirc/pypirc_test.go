package pypirc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseErrorsAgreeWithConfigparser: the editor refuses exactly the files
// configparser refuses, at the same line, and never quotes the line.
func TestParseErrorsAgreeWithConfigparser(t *testing.T) {
	cases := map[string]string{
		"duplicate_section":   "[pypi]\nusername = a\n\n[testpypi]\n[pypi]\n",
		"duplicate_key":       "[pypi]\nusername = a\nUserName = b\n",
		"duplicate_key_crlf":  "[pypi]\r\npassword = SECRET-one\r\npassword = SECRET-two\r\n",
		"key_before_section":  "# hi\nusername = a\n[pypi]\n",
		"no_delimiter":        "[pypi]\nSECRET-in-a-bare-word\n",
		"empty_key":           "[pypi]\n = SECRET\n",
		"malformed_header":    "[pypi\nusername = a\n",
		"default_twice_dup":   "[DEFAULT]\na = 1\n[DEFAULT]\nA = 2\n",
		"not_utf8":            "[pypi]\npassword = \xff\xfe\n",
		"fine_default_twice":  "[DEFAULT]\na = 1\n[x]\n[DEFAULT]\nb = 2\n",
		"fine_indented_value": "[distutils]\nindex-servers =\n  pypi\n\n  # c\n  x\n",
		"fine_cr_only":        "[pypi]\rusername = a\r",
	}
	files := map[string][]byte{}
	for name, in := range cases {
		files[name] = []byte(in)
	}
	py := pythonRead(t, files)
	for name, in := range cases {
		_, err := Parse([]byte(in))
		r := py[name]
		var pe *ParseError
		switch {
		case err == nil && r.Error == "":
		case err == nil:
			t.Errorf("%s: configparser refuses it (%s, line %d), the editor reads it", name, r.Error, r.Line)
		case r.Error == "":
			t.Errorf("%s: the editor refuses it (%v), configparser reads it", name, err)
		case !errors.As(err, &pe) || pe.Line != r.Line:
			t.Errorf("%s: the editor says %v, configparser line %d", name, err, r.Line)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error quotes the file: %v", name, err)
		}
	}
}

func TestServers(t *testing.T) {
	f := mustParse(t, readFixture(t, "crlf_several.pypirc"))
	got := f.Servers()
	want := []Server{
		{Name: "pypi", Line: 5, Username: "__token__", HasPassword: true, Listed: true},
		{Name: "legacy", Line: 10, Repository: "https://devpi.internal.example/team/prod/", Username: "ci", HasPassword: true, Listed: true},
		{Name: "internal", Line: 15, Repository: "https://pypi.internal.example/", Username: "deploy", HasPassword: true, Listed: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Servers:\n%+v\nwant\n%+v", got, want)
	}
	if s := f.IndexServers(); !slices.Equal(s, []string{"pypi", "internal", "legacy"}) {
		t.Errorf("IndexServers = %q", s)
	}
	if s := mustParse(t, readFixture(t, "no_distutils.pypirc")).IndexServers(); !slices.Equal(s, defaultIndexServers) {
		t.Errorf("without [distutils], IndexServers = %q, want twine's default", s)
	}
}

func TestServerFor(t *testing.T) {
	f := mustParse(t, []byte("[distutils]\nindex-servers = listed\n"+
		"[unlisted]\nrepository = https://ca.example/pypi/repo/\n"+
		"[listed]\nrepository = HTTPS://CA.example:443/pypi/repo\n"+
		"[other]\nrepository = https://ca.example/pypi/other/\n"))
	cases := []struct {
		url, want string
		ok        bool
	}{
		{"https://ca.example/pypi/repo/", "listed", true},    // the listed one wins
		{"https://u:p@ca.example/pypi/other", "other", true}, // userinfo and trailing slash do not matter
		{"https://ca.example/pypi/none/", "", false},
	}
	for _, c := range cases {
		if got, ok := f.ServerFor(c.url); got != c.want || ok != c.ok {
			t.Errorf("ServerFor(%s) = %q, %v; want %q, %v", c.url, got, ok, c.want, c.ok)
		}
	}
}

// TestMasked: no password, token or URL secret survives, and every line
// keeps its number.
func TestMasked(t *testing.T) {
	in := "[distutils]\nindex-servers = a\n" +
		"[a]\nrepository = https://user:URLSECRET@host.example/\nusername = __token__\npassword = PWSECRET\n" +
		"api_token = TOKSECRET\n    TOKSECRET2\nnote = pypi-AgEIcHlwaS5vcmcTOKENSECRET\n" +
		"other = " + strings.Repeat("LONGSECRET", 12) + "\nuser-name = visible\n"
	f := mustParse(t, []byte(in))
	if err := f.SetServer("b", mendaUpload, mendaUser, mendaSecret); err != nil {
		t.Fatal(err)
	}
	out := string(f.Masked())
	for _, secret := range []string{"URLSECRET", "PWSECRET", "TOKSECRET", "TOKENSECRET", "LONGSECRET", mendaSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("Masked shows %s:\n%s", secret, out)
		}
	}
	for _, kept := range []string{"username = __token__", "user-name = visible", "https://user:****@host.example/", "password = ****", "    ****\n"} {
		if !strings.Contains(out, kept) {
			t.Errorf("Masked lost %q:\n%s", kept, out)
		}
	}
	if strings.Count(out, "\n") != strings.Count(string(f.Bytes()), "\n") {
		t.Errorf("Masked changed the line count")
	}
}

// TestEditErrors: bad input is refused with the file unchanged and the
// error naming no secret.
func TestEditErrors(t *testing.T) {
	const in = "[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\n"
	cases := []struct {
		name string
		edit func(f *File) error
	}{
		{"space in name", func(f *File) error { return f.SetServer("a b", mendaUpload, "u", "SECRET") }},
		{"bracket in name", func(f *File) error { return f.SetServer("a]", mendaUpload, "u", "SECRET") }},
		{"comment-like name", func(f *File) error { return f.SetServer("#a", mendaUpload, "u", "SECRET") }},
		{"reserved name", func(f *File) error { return f.SetServer("distutils", mendaUpload, "u", "SECRET") }},
		{"DEFAULT", func(f *File) error { return f.SetServer("DEFAULT", mendaUpload, "u", "SECRET") }},
		{"empty URL", func(f *File) error { return f.SetServer("a", "", "u", "SECRET") }},
		{"URL with space", func(f *File) error { return f.SetServer("a", "https://x/ y", "u", "SECRET") }},
		{"password with newline", func(f *File) error { return f.SetServer("a", mendaUpload, "u", "SECRET\n[evil]") }},
		{"password with CR", func(f *File) error { return f.SetServer("a", mendaUpload, "u", "SECRET\rx = y") }},
		{"password with edge space", func(f *File) error { return f.SetServer("a", mendaUpload, "u", " SECRET") }},
		{"credentials for a missing section", func(f *File) error { return f.SetCredentials("nope", "u", "SECRET") }},
		{"empty password", func(f *File) error { return f.SetCredentials("pypi", "u", "") }},
		{"remove distutils", func(f *File) error { return f.RemoveServer("distutils") }},
	}
	for _, c := range cases {
		f := mustParse(t, []byte(in))
		err := c.edit(f)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error shows the secret: %v", c.name, err)
		}
		if string(f.Bytes()) != in {
			t.Errorf("%s: the file changed", c.name)
		}
	}
}

// TestUnsafeRemoveIsRefused: once [b] goes, the indented "  [c]" would
// read as a continuation of a's key; the edit is refused and nothing moves.
func TestUnsafeRemoveIsRefused(t *testing.T) {
	in := "[distutils]\nindex-servers = a b c\n[a]\nx = 1\n[b]\n    repository = https://b.example/\n  [c]\nrepository = https://c.example/\n"
	f := mustParse(t, []byte(in))
	if err := f.RemoveServer("b"); !errors.Is(err, ErrUnsafeEdit) {
		t.Fatalf("RemoveServer = %v, want ErrUnsafeEdit", err)
	}
	if string(f.Bytes()) != in {
		t.Errorf("the file changed:\n%s", f.Bytes())
	}
}

// TestAddThenRemoveRestores: removing a server credgen added gives back the
// file it found, byte for byte, when that file ended in a newline.
func TestAddThenRemoveRestores(t *testing.T) {
	for _, name := range []string{"pypi_token.pypirc", "codeartifact_aws.pypirc", "server_login.pypirc"} {
		in := readFixture(t, name)
		f := mustParse(t, in)
		if err := f.SetServer(mendaName, mendaUpload, mendaUser, mendaSecret); err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveServer(mendaName); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Bytes(), in) {
			t.Errorf("%s: add then remove:\n%s", name, f.Bytes())
		}
	}
}

// TestSetServerKeepsOtherKeys: an existing section keeps its own other
// keys, comments and spelling; only repository, username and password
// change, and empty credentials leave those keys alone.
func TestSetServerKeepsOtherKeys(t *testing.T) {
	in := "[distutils]\nindex-servers = x\n\n[x]\n; mine\nRepository: https://old.example/\nca_cert: /ca.pem\nusername: keep-me\n"
	f := mustParse(t, []byte(in))
	if err := f.SetServer("x", mendaUpload, "", ""); err != nil {
		t.Fatal(err)
	}
	want := "[distutils]\nindex-servers = x\n\n[x]\n; mine\nRepository: " + mendaUpload + "\nca_cert: /ca.pem\nusername: keep-me\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
