package netrc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The independent readers: Python's netrc module (what pip uses) and curl.
// They must be installed; a missing one fails the test (CI installs them).

// pyReading is what Python's netrc module made of one file: the hosts as
// name -> [login, account, password], or the error it raised.
type pyReading struct {
	OK    bool                 `json:"ok"`
	Error string               `json:"error"`
	Hosts map[string][3]string `json:"hosts"`
}

const pythonReader = `
import json, netrc, sys
out = {}
for path in sys.argv[1:]:
    try:
        n = netrc.netrc(path)
        out[path] = {"ok": True, "hosts": {k: list(v) for k, v in n.hosts.items()}}
    except Exception as e:
        out[path] = {"ok": False, "error": type(e).__name__ + ": " + str(e)}
print(json.dumps(out))
`

// pythonRead reads every file in one python3 process.
func pythonReadFiles(t testing.TB, paths ...string) map[string]pyReading {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed as an independent netrc reader: %v", err)
	}
	out, err := exec.Command(py, append([]string{"-c", pythonReader}, paths...)...).Output()
	if err != nil {
		t.Fatalf("python3 netrc reader: %v", err)
	}
	res := map[string]pyReading{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python3 netrc reader output: %v", err)
	}
	return res
}

// pythonReadData reads each content through Python's netrc module.
func pythonReadData(t testing.TB, contents ...[]byte) []pyReading {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, len(contents))
	for i, c := range contents {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%d.netrc", i))
		if err := os.WriteFile(paths[i], c, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	byPath := pythonReadFiles(t, paths...)
	out := make([]pyReading, len(paths))
	for i, p := range paths {
		out[i] = byPath[p]
	}
	return out
}

// curlServer is a loopback HTTP server that answers each request with the
// Authorization header it received ("" when none).
type curlServer struct {
	curl string
	port string
}

func newCurlServer(t testing.TB) *curlServer {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is needed as an independent netrc reader: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "auth="+r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return &curlServer{curl: curl, port: port}
}

// auth is the Authorization header curl sends to host with netrc content
// data.
func (c *curlServer) auth(t testing.TB, data []byte, host string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	url := "http://" + net.JoinHostPort(host, c.port) + "/"
	cmd := exec.Command(c.curl, "-q", "-sS", "--noproxy", "*", "--max-time", "20",
		"--netrc-file", path, "--resolve", net.JoinHostPort(host, c.port)+":127.0.0.1", url)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.curlrc, no ~/.netrc
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl %s: %v: %s", url, err, out)
	}
	got, ok := strings.CutPrefix(string(out), "auth=")
	if !ok {
		t.Fatalf("curl %s: unexpected answer %q", url, out)
	}
	return got
}

func basic(login, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password))
}

// TestReadersDisagreeOnEntryWordsAsValues is why Parse refuses a login or
// password value that is machine, default or macdef: looking up b, curl
// skips a's words and takes the value for a keyword, so it never sees b's
// entry, while Python (what pip uses) reads b's entry.
func TestReadersDisagreeOnEntryWordsAsValues(t *testing.T) {
	curl := newCurlServer(t)
	for word, a := range map[string]string{
		"machine": "password machine",                    // b's "machine" becomes a machine name
		"default": "password default login x password y", // curl sends x:y to b
		"macdef":  "password macdef",                     // b's line becomes a macro body
	} {
		data := []byte("machine a.example login u " + a + "\nmachine b.example login v password w\n")
		if got, want := curl.auth(t, data, "b.example"), basic("v", "w"); got == want {
			t.Errorf("%s: curl sends b's credentials; the refusal is not needed", word)
		}
		if py := pythonReadData(t, data)[0]; !py.OK || py.Hosts["b.example"][2] != "w" {
			t.Errorf("%s: Python reads %+v, want b's entry", word, py)
		}
		if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), "starts an entry for curl") {
			t.Errorf("%s: Parse = %v, want the refusal", word, err)
		}
	}
}

// readerCases are files after credgen's edit, with the clients that will not
// use credgen's entry for b.example (login "_token").
var readerCases = []struct {
	name    string
	in      string
	missing []string
}{
	{"plain", "machine a.example login u password p\nmachine b.example login _token password T1\n", nil},
	{"crlf comment after an entry line", "machine a.example login u password p\r\n# old token\r\nmachine b.example login _token password T1\r\n", []string{ClientUV}},
	{"crlf macdef", "macdef init\r\ncd /\r\n\r\nmachine b.example login _token password T1\r\n", []string{ClientUV}},
	{"byte-order mark", "\ufeffmachine a.example login u password p\nmachine b.example login _token password T1\n", []string{ClientsPython, ClientUV}},
	{"unknown keyword", "machine a.example login u password p port 22\nmachine b.example login _token password T1\n", []string{ClientsPython, ClientUV}},
	{"#word1 word2 on the first line", "#word1 word2\nmachine b.example login _token password T1\n", []string{ClientsPython, ClientUVBefore}},
	{"upper-case name", "machine B.example login _token password T1\n", []string{ClientsPython, ClientUV}},
	{"duplicate: curl takes the first", "machine b.example login _token password T1\nmachine b.example login old password p\n", []string{ClientsPython, ClientUV}},
	{"duplicate: Python and uv take the last", "machine b.example login old password p\nmachine b.example login _token password T1\n", []string{ClientCurl}},
	{"default before the entry", "default login d password q\nmachine b.example login _token password T1\n", []string{ClientCurl}},
}

// TestReadersVerdicts checks ClientsMissing on files the readers disagree
// on, and checks the curl and Python verdicts against curl and Python
// themselves (uv's against the measured cases in uv_test.go).
func TestReadersVerdicts(t *testing.T) {
	const host, login = "b.example", "_token"
	var contents [][]byte
	for _, tc := range readerCases {
		contents = append(contents, []byte(tc.in))
	}
	readings := pythonReadData(t, contents...)
	curl := newCurlServer(t)
	for i, tc := range readerCases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := f.ClientsMissing(host, login); !slices.Equal(got, tc.missing) {
				t.Errorf("ClientsMissing = %q, want %q", got, tc.missing)
			}
			for _, v := range f.Readers(host, login) {
				switch v.Client {
				case ClientsPython:
					py := readings[i]
					sees := py.OK && py.Hosts[host][0] == login
					if v.Parses != py.OK || v.Sees != sees {
						t.Errorf("Python verdict %+v, Python reads ok=%v sees=%v", v, py.OK, sees)
					}
				case ClientCurl:
					sees := curl.auth(t, []byte(tc.in), host) == basic(login, "T1")
					if v.Sees != sees {
						t.Errorf("curl verdict %+v, curl sends the entry: %v", v, sees)
					}
				}
			}
		})
	}
}
