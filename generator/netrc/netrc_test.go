package netrc

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t testing.TB, data string) *File {
	t.Helper()
	f, err := Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse(%q): %v", data, err)
	}
	return f
}

func TestParseMachines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Machine
	}{
		{"empty", "", []Machine{}},
		{"one line", "machine a.example login u password p\n",
			[]Machine{{Name: "a.example", Login: "u", Password: "p", Line: 1}}},
		{"multi line with account", "machine m\n\tlogin u\n\taccount acc\n\tpassword p\n",
			[]Machine{{Name: "m", Login: "u", Password: "p", Account: "acc", Line: 1}}},
		{"value on the next line", "machine\nm login\nu password\np\n",
			[]Machine{{Name: "m", Login: "u", Password: "p", Line: 1}}},
		{"quoted values", `machine q login "a b" password "x\"y\\z"` + "\n",
			[]Machine{{Name: "q", Login: "a b", Password: `x"y\z`, Line: 1}}},
		{"hash inside a value", "machine hash login joe password foo#bar$baz\n",
			[]Machine{{Name: "hash", Login: "joe", Password: "foo#bar$baz", Line: 1}}},
		{"comments", "# top\nmachine a login u # note\n  password p\n# between\nmachine b login v password q\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 2}, {Name: "b", Login: "v", Password: "q", Line: 5}}},
		{"default and macdef", "machine a login u password p macdef init\nmachine evil login x password y\n\ndefault login anonymous password me@\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 1}, {Default: true, Login: "anonymous", Password: "me@", Line: 4}}},
		{"CRLF", "machine a\r\nlogin u\r\npassword p\r\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 1}}},
		{"no final newline", "machine a login u password p",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 1}}},
		{"keywords in any case (curl)", "MACHINE a LOGIN u PassWord p\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 1}}},
		{"user is login (Python)", "machine a user u password p\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 1}}},
		{"unknown words are ignored (curl)", "port 21\nmachine a login u protocol ftp password p\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 2}}},
		{"keyword as a value", "machine a login password password login\n",
			[]Machine{{Name: "a", Login: "password", Password: "login", Line: 1}}},
		{"unicode", "# Zugang für Jürgen — 鍵\nmachine ü.example login jürgen password pässwörd\n",
			[]Machine{{Name: "ü.example", Login: "jürgen", Password: "pässwörd", Line: 2}}},
		{"duplicates", "machine d login a password 1\nmachine d login b password 2\n",
			[]Machine{{Name: "d", Login: "a", Password: "1", Line: 1}, {Name: "d", Login: "b", Password: "2", Line: 2}}},
		{"crlf macdef", "macdef init\r\ncd /pub\r\n\r\nmachine a login u password p\r\n",
			[]Machine{{Name: "a", Login: "u", Password: "p", Line: 4}}},
		{"empty quoted password", `machine a login u password ""` + "\n",
			[]Machine{{Name: "a", Login: "u", Line: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			if got := f.Machines(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Machines() =\n%+v\nwant\n%+v", got, tt.want)
			}
			if got := string(f.Bytes()); got != tt.in {
				t.Errorf("Bytes() = %q, want the input", got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"unterminated quote", "machine a\nlogin \"SECRETVALUE\npassword p\n", 2, "unterminated quote"},
		{"quote across lines", "machine a login u password \"SECRET\nVALUE\"\n", 1, "unterminated quote"},
		{"escape at end of quote", "machine a login u password \"SECRETVALUE\\", 1, "unterminated quote"},
		{"machine without name at EOF", "machine a login u password p\nmachine", 2, "machine without a name"},
		{"machine without name, spaces", "machine   \n\n", 1, "machine without a name"},
		{"machine empty name", "machine \"\" login u\n", 1, "machine with an empty name"},
		{"macdef to EOF", "machine a login u password p\nmacdef init\ncd /\nquit\n", 2, "macdef runs to the end of the file"},
		{"macdef to EOF on its line", "macdef init", 1, "macdef runs to the end of the file"},
		{"macdef without name", "macdef\ninit\ncd\n\n", 1, "macdef without a name"},
		{"login without value", "machine a password p login", 1, "login without a value"},
		{"password without value", "machine a login u\npassword\n", 2, "password without a value"},
		{"account without value", "machine a account   ", 1, "account without a value"},
		{"hash value", "machine a login u password #SECRETVALUE\nmachine b\n", 1, "password value starts with '#'"},
		{"hash name", "machine #a login u\n", 1, "machine name starts with '#'"},
		{"lone CR", "machine a login u\rpassword p\n", 1, "carriage return without a line feed"},
		{"control character", "machine a login u password p\fq\n", 1, "control character 0x0c"},
		{"NUL", "machine a login u password p\x00\n", 1, "control character 0x00"},
		{"text after closing quote", "machine a login u password \"SECRET\"VALUE\n", 1, "text right after a closing quote"},
		{"comment word ends in a backslash", "#\\\nmachine a login u password p\n", 1, "comment's first word ends in a backslash"},
		{"backslash at the end of the file", "machine a login u password p\\", 1, "backslash before whitespace or the end of the file"},
		{"backslash before space", "machine a login u password SECRET\\ VALUE\n", 1, "backslash before whitespace"},
		{"escaped name", "machine a\\.b login u\n", 1, "machine name with a backslash escape"},
		{"escaped keyword", "machine a lo\\gin u\n", 1, "different keywords"},
		{"account value is a curl keyword", "machine a account password login u password p\n", 1, "account value is a keyword to curl"},
		// curl, looking up b, skips a's words and takes these for keywords.
		{"password value machine", "machine a login u password machine\nmachine b login v password w\n", 1, "password value is a word that starts an entry for curl"},
		{"login value Default", "machine a login Default password p\n", 1, "login value is a word that starts an entry for curl"},
		{"quoted password value macdef", "machine a login u password \"macdef\"\n", 1, "password value is a word that starts an entry for curl"},
		{"value after blank line", "machine a login u password\n\nSECRETVALUE\n", 1, "password value is not right after its keyword"},
		{"value after trailing blank", "machine a login u password \nSECRETVALUE\n", 1, "password value is not right after its keyword"},
		{"value on next CRLF line", "machine a\r\nlogin\r\nu\r\n", 2, "login value is not right after its keyword"},
		{"name on next CRLF line", "machine\r\na login u\r\n", 1, "machine name is not right after its keyword"},
		{"CRLF macdef with machine in body", "macdef init\r\nmachine evil login x\r\n\r\n", 2, `finds the keyword "machine"`},
		{"macdef blank after name", "macdef init \ndefault login x\n\n", 2, `finds the keyword "default"`},
		{"macdef blank-looking body line", "macdef init\ncd\n  \nmachine evil\n\n", 4, `finds the keyword "machine"`},
		{"python reads a comment", "machine a login u password p\n\n# machine old login x password y\n", 3, "Python's netrc module reads the words of this comment"},
		{"python reads a comment after trailing blanks", "machine a login u password p  \n# login x\n", 2, "Python's netrc module reads the words of this comment"},
		{"python stops at an empty quoted word", "machine a \"\" login u password p\n", 1, "Python stops reading the file there"},
		{"python stops at an empty quoted word at the top", "\"\"\n", 1, "Python stops reading the file there"},
		{"python quoted macdef name", "macdef \"m\"\nmachine x login y password z\n\n", 2, "Python's netrc module reads this entry differently"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: error %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("Parse: %v, want line %d: ...%s...", err, tt.line, tt.msg)
			}
			if want := "line "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want it to start with %q", err, want)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "VALUE") {
				t.Errorf("error %q quotes a value from the file", err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	f := mustParse(t, "default login d password dp\nmachine Host.Example login first password 1\nmachine host.example login second password 2\n")
	m, ok := f.Lookup("HOST.example")
	if !ok || m.Login != "first" || m.Line != 2 {
		t.Errorf("Lookup = %+v, %v; want the first entry, any case", m, ok)
	}
	if _, ok := f.Lookup("other"); ok {
		t.Error("Lookup(other) found an entry; default is not an entry for a host")
	}
}

func TestCheckToken(t *testing.T) {
	good := []string{"_token", "ORG/1234", "eyJhbGciOi.eyJzdWIi.sig-_", "p#ss", "ü", strings.Repeat("x", 4095), "login", "machines"}
	for _, s := range good {
		if err := CheckToken(s); err != nil {
			t.Errorf("CheckToken(%q) = %v, want nil", s, err)
		}
	}
	bad := map[string]string{
		"":                            "empty",
		"SECRET VALUE":                "whitespace",
		"SECRET\tVALUE":               "whitespace",
		"SECRET\u00a0VALUE":           "whitespace",
		"SECRET\"VALUE":               "double quote",
		"SECRET\\VALUE":               "backslash",
		"#SECRETVALUE":                "'#'",
		"SECRET\x00VALUE":             "control",
		"SECRET\x7fVALUE":             "control",
		"SECRET\xffVALUE":             "UTF-8",
		strings.Repeat("SECRET", 700): "4095",
		"machine":                     "starts an entry for curl",
		"DEFAULT":                     "starts an entry for curl",
		"Macdef":                      "starts an entry for curl",
	}
	for s, want := range bad {
		err := CheckToken(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckToken(%.20q) = %v, want an error about %s", s, err, want)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("CheckToken error %q quotes the value", err)
		}
	}
}

func TestSetMachine(t *testing.T) {
	tests := []struct {
		name, in, host, want string
	}{
		{"append", "machine a login u password p\n", "new.example",
			"machine a login u password p\nmachine new.example login L password P\n"},
		{"append to empty", "", "new.example", "machine new.example login L password P\n"},
		{"no final newline", "machine a login u password p", "new.example",
			"machine a login u password p\nmachine new.example login L password P\n"},
		{"CRLF", "machine a login u password p\r\n", "new.example",
			"machine a login u password p\r\nmachine new.example login L password P\r\n"},
		{"CRLF, no final newline", "# c\r\nmachine a login u password p", "new.example",
			"# c\r\nmachine a login u password p\r\nmachine new.example login L password P\r\n"},
		{"before default", "machine a login u password p\n  default login d password dp\nmacdef init\ncd\n\n", "new.example",
			"machine a login u password p\nmachine new.example login L password P\n  default login d password dp\nmacdef init\ncd\n\n"},
		{"default shares a line", "machine a login u password p default login d password dp", "new.example",
			"machine a login u password p \nmachine new.example login L password P\ndefault login d password dp"},
		{"replace in place", "machine a\n\tlogin old\n\tpassword older # keep\n", "a",
			"machine a\n\tlogin L\n\tpassword P # keep\n"},
		{"quoted value becomes plain", `machine a login "o l d" password "p\"w"` + "\n", "a",
			"machine a login L password P\n"},
		{"missing password", "machine a login u\nmachine b login v password q\n", "a",
			"machine a password P login L\nmachine b login v password q\n"},
		{"missing both", "machine a\n", "a", "machine a login L password P\n"},
		{"user synonym", "machine a user old password p\n", "a", "machine a login L user L password P\n"},
		{"every duplicate", "machine a login 1 password 1\nmachine a login 2 password 2\n", "a",
			"machine a login L password P\nmachine a login L password P\n"},
		{"other case gets an exact entry too", "machine A.example login 1 password 1\n", "a.example",
			"machine A.example login L password P\nmachine a.example login L password P\n"},
		{"entry after default gets one before it", "default login d password dp\nmachine a login 1 password 1\n", "a",
			"machine a login L password P\ndefault login d password dp\nmachine a login L password P\n"},
		{"an exact entry after default is enough when another comes first",
			"machine A login 1 password 1\ndefault login d password dp\nmachine a login 2 password 2\n", "a",
			"machine A login L password P\ndefault login d password dp\nmachine a login L password P\n"},
		{"macdef at the end", "machine a login u password p\nmacdef init\ncd /\n\n", "new.example",
			"machine a login u password p\nmacdef init\ncd /\n\nmachine new.example login L password P\n"},
		{"unchanged", "machine a login L password P\n", "a", "machine a login L password P\n"},
		{"account stays", "machine a login u account acc password p\n", "a", "machine a login L account acc password P\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			if err := f.SetMachine(tt.host, "L", "P"); err != nil {
				t.Fatalf("SetMachine: %v", err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Fatalf("SetMachine:\n got %q\nwant %q", got, tt.want)
			}
			if err := f.SetMachine(tt.host, "L", "P"); err != nil {
				t.Fatalf("second SetMachine: %v", err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("second SetMachine changed the file:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSetMachineRefusesValues(t *testing.T) {
	in := "machine a login u password p\n"
	f := mustParse(t, in)
	for _, c := range []struct{ host, login, password string }{
		{"a", "L", "SECRET VALUE"},
		{"a", "L", "#SECRETVALUE"},
		{"a", "L", ""},
		{"a", "SECRET\"VALUE", "P"},
		{"bad host", "L", "P"},
	} {
		err := f.SetMachine(c.host, c.login, c.password)
		if err == nil {
			t.Errorf("SetMachine(%q, %q, %q) = nil, want an error", c.host, c.login, c.password)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("error %q quotes the secret", err)
		}
	}
	if got := string(f.Bytes()); got != in {
		t.Errorf("a refused SetMachine changed the file: %q", got)
	}
}

func TestRemoveMachine(t *testing.T) {
	tests := []struct {
		name, in, host, want string
		removed              bool
	}{
		{"whole lines", "# keep\nmachine a\n  login u\n  password p\n\nmachine b login v password q\n", "a",
			"# keep\n\nmachine b login v password q\n", true},
		{"every entry, any case", "machine A login 1 password 1\nmachine b login v password q\nmachine a login 2 password 2\n", "a",
			"machine b login v password q\n", true},
		{"shared line keeps the others", "machine b login v password q machine a login u password p default login d\n", "a",
			"machine b login v password q default login d\n", true},
		{"entry at the end of a shared line", "machine b login v password q   machine a login u password p\n", "a",
			"machine b login v password q\n", true},
		{"comment stays", "  machine a login u password p # note\nmachine b login v password q\n", "a",
			"  # note\nmachine b login v password q\n", true},
		{"macdef stays", "machine a login u password p macdef init\ncd\n\n", "a",
			"macdef init\ncd\n\n", true},
		{"last line without newline", "machine b login v password q\nmachine a login u password p", "a",
			"machine b login v password q\n", true},
		{"CRLF", "machine a login u password p\r\nmachine b login v password q\r\n", "a",
			"machine b login v password q\r\n", true},
		{"absent", "machine b login v password q\n", "a", "machine b login v password q\n", false},
		{"default is not a host", "default login d password dp\n", "default", "default login d password dp\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			if got := f.RemoveMachine(tt.host); got != tt.removed {
				t.Errorf("RemoveMachine = %v, want %v", got, tt.removed)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("RemoveMachine:\n got %q\nwant %q", got, tt.want)
			}
			if _, err := Parse(f.Bytes()); err != nil {
				t.Errorf("result does not parse: %v", err)
			}
		})
	}
}

// TestMasked: a dry run shows keywords, machine names and logins, and
// nothing else that could be a secret.
func TestMasked(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"passwords and accounts",
			"machine a login u account SECRETA password SECRETP\nmachine b login v password \"SECRET Q\"\ndefault login d password SECRETD\n",
			"machine a login u account **** password ****\nmachine b login v password ****\ndefault login d password ****\n"},
		{"first entry after a byte-order mark",
			"\ufeffmachine git.corp.example login alice password Al1ceGitPAT-9f8e7d\nmachine b login v password w\n",
			"\ufeffmachine git.corp.example login alice password ****\nmachine b login v password ****\n"},
		{"macdef body",
			"machine a login u password p\nmacdef init\nmachine x login evil password Hunter2\n  put secret.txt\r\n \t\n\n",
			"machine a login u password ****\nmacdef init\n****\n  ****\r\n \t\n\n"},
		{"words after a macdef name", "macdef init Tok3n-abc\ncd /\n\n", "macdef init ****\n****\n\n"},
		{"tokens before any entry", "Tok3n-abc hunter2\nmachine a login u password p\n", "**** ****\nmachine a login u password ****\n"},
		{"tokens after a macdef, outside any entry",
			"macdef m\nx\n\nlogin bob password S3cret account Acc0unt extra\n",
			"macdef m\n****\n\nlogin bob password **** account **** ****\n"},
		{"a keyword as a stray password", "login bob password login alice\n", "login bob password **** ****\n"},
		{"unknown keyword inside an entry", "machine a login u password p port 2222 token Tok3n\n", "machine a login u password **** **** **** **** ****\n"},
		{"comments", "# my token: Tok3n-abc\n#machine old.example login x password Old-S3cret\nmachine a login u password p # was Hunter2\n",
			"# **** **** ****\n#machine old.example login x password ****\nmachine a login u password **** # **** ****\n"},
		{"upper-case keywords stay", "MACHINE a LOGIN u PASSWORD p\n", "MACHINE a LOGIN u PASSWORD ****\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.in)
			got := f.Masked()
			if string(got) != tc.want {
				t.Errorf("Masked:\n got %q\nwant %q", got, tc.want)
			}
			if !bytes.Equal(f.Bytes(), []byte(tc.in)) {
				t.Error("Masked changed the file")
			}
			if _, err := parse(got, false); err != nil {
				t.Errorf("Masked does not parse: %v", err)
			}
		})
	}
}
