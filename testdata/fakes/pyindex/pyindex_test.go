package pyindex

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	cgrHost = "libraries.cgr.dev"
	caHost  = "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com"
)

func TestServeHTTP(t *testing.T) {
	now := time.Now()
	live := faketoken.Issue("_token", cgrHost, time.Hour, now)
	expired := faketoken.Issue("_token", cgrHost, time.Minute, now.Add(-time.Hour))
	ix := newIndex(t, Options{Accept: ProviderUsers, Now: func() time.Time { return now }})
	wheel := ix.Wheel()

	tests := []struct {
		name, method, host, path string
		user, password           string
		noAuth                   bool
		status                   int
		bodyHas, location        string
	}{
		{name: "no credentials", host: cgrHost, path: "/python/simple/", noAuth: true, status: 401, bodyHas: "no Basic credentials"},
		{name: "no credentials hides 404", host: cgrHost, path: "/nothing", noAuth: true, status: 401},
		{name: "forged token", host: cgrHost, path: "/python/simple/", user: "_token", password: live[:len(live)-3] + "xyz", status: 401, bodyHas: "bad signature"},
		{name: "not a token", host: cgrHost, path: "/python/simple/", user: "_token", password: "hunter2", status: 401},
		{name: "expired token", host: cgrHost, path: "/python/simple/", user: "_token", password: expired, status: 401, bodyHas: "token expired"},
		{name: "empty user on chainguard", host: cgrHost, path: "/python/simple/", password: live, status: 401, bodyHas: "username"},
		{name: "wrong user on codeartifact", host: caHost, path: "/pypi/plugins/simple/", user: "_token", password: live, status: 401},
		{name: "aws on codeartifact", host: caHost + ":443", path: "/pypi/plugins/simple/", user: "aws", password: live, status: 200, bodyHas: `href="credgen-probe/"`},
		{name: "pull-token identity", host: cgrHost, path: "/python/simple/", user: "45a0c61ea6fd977f050c5fb9ac06a69eed764595/b2b1e3a3c4f2e5d6", password: live, status: 200},
		{name: "project page", host: cgrHost, path: "/python/simple/credgen-probe/", user: "_token", password: live, status: 200,
			bodyHas: "../../files/" + WheelFilename + "#sha256=" + wheel.SHA256},
		{name: "project without slash", host: cgrHost, path: "/python/simple/credgen-probe", user: "_token", password: live, status: 301, location: "/python/simple/credgen-probe/"},
		{name: "project not normalised", host: cgrHost, path: "/python/simple/Credgen_Probe/", user: "_token", password: live, status: 301, location: "/python/simple/credgen-probe/"},
		{name: "simple without slash", host: cgrHost, path: "/python/simple", user: "_token", password: live, status: 301, location: "/python/simple/"},
		{name: "unknown project", host: cgrHost, path: "/python/simple/requests/", user: "_token", password: live, status: 404},
		{name: "wheel", host: cgrHost, path: "/python/files/" + WheelFilename, user: "_token", password: live, status: 200},
		{name: "HEAD wheel", method: "HEAD", host: cgrHost, path: "/python/files/" + WheelFilename, user: "_token", password: live, status: 200},
		{name: "unknown file", host: cgrHost, path: "/python/files/other.whl", user: "_token", password: live, status: 404},
		{name: "POST", method: "POST", host: cgrHost, path: "/python/simple/", user: "_token", password: live, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "https://"+tt.host+tt.path, nil)
			if !tt.noAuth {
				req.SetBasicAuth(tt.user, tt.password)
			}
			rec := httptest.NewRecorder()
			ix.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tt.status, body)
			}
			if !strings.Contains(body, tt.bodyHas) {
				t.Errorf("body %q lacks %q", body, tt.bodyHas)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") != `Basic realm="credgen fake index"` {
				t.Errorf("401 without Basic challenge: %q", rec.Header().Get("WWW-Authenticate"))
			}
			if tt.password != "" && strings.Contains(body, tt.password) {
				t.Error("response body holds the password")
			}
		})
	}
}

func TestWheelDownloadMatchesLinkHash(t *testing.T) {
	ix := newIndex(t, Options{})
	rec := get(t, ix, "/python/files/"+WheelFilename, faketoken.Issue("u", cgrHost, time.Hour, time.Now()))
	sum := sha256.Sum256(rec.Body.Bytes())
	if rec.Code != 200 || hex.EncodeToString(sum[:]) != ix.Wheel().SHA256 {
		t.Fatalf("status %d, sha256 %x, want %s", rec.Code, sum, ix.Wheel().SHA256)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestStatsAndLogsWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	ix := newIndex(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	now := time.Now()
	live := faketoken.Issue("_token", cgrHost, time.Hour, now)
	expired := faketoken.Issue("_token", cgrHost, time.Minute, now.Add(-time.Hour))

	get(t, ix, "/python/simple/", "")
	get(t, ix, "/python/simple/", expired)
	get(t, ix, "/python/simple/", live)
	get(t, ix, "/python/files/"+WheelFilename, live)

	want := Stats{Requests: 4, AuthFailures: 2, Downloads: 1}
	if got := ix.Stats(); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
	for _, secret := range []string{live, expired, base64.StdEncoding.EncodeToString([]byte("_token:" + live))} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("log holds a secret:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "token expired") || !strings.Contains(logs.String(), "no Basic credentials") {
		t.Fatalf("log does not say why requests failed:\n%s", logs.String())
	}
}

func TestParseRoute(t *testing.T) {
	tests := []struct {
		path string
		want route
	}{
		{"/python/simple/", route{kind: routeRoot}},
		{"/simple/", route{kind: routeRoot}},
		{"/pypi/plugins/simple/", route{kind: routeRoot}},
		{"/pypi/plugins/simple/credgen-probe/", route{kind: routeProject, name: "credgen-probe"}},
		{"/pypi/plugins/simple/credgen.probe/", route{kind: routeRedirect, location: "/pypi/plugins/simple/credgen-probe/"}},
		{"/python/simple/a/b/", route{kind: routeNotFound}},
		{"/python/files/x.whl", route{kind: routeFile, name: "x.whl"}},
		{"/python/files/", route{kind: routeNotFound}},
		{"/python/files/a/x.whl", route{kind: routeNotFound}},
		{"/", route{kind: routeNotFound}},
	}
	for _, tt := range tests {
		if got := parseRoute(tt.path); got != tt.want {
			t.Errorf("parseRoute(%q) = %+v, want %+v", tt.path, got, tt.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"credgen_probe": "credgen-probe", "Credgen.-_Probe": "credgen-probe", "abc": "abc"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProbeWheelIsReproducibleWithCorrectRecord(t *testing.T) {
	a, err := BuildProbeWheel()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BuildProbeWheel()
	if !bytes.Equal(a.Data, b.Data) || a.SHA256 != b.SHA256 {
		t.Fatal("two builds differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Data), int64(len(a.Data)))
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string]string{}
	for _, f := range zr.File {
		contents[f.Name] = readZipFile(t, f)
	}
	record := contents["credgen_probe-0.1.0.dist-info/RECORD"]
	lines := strings.Split(strings.TrimSuffix(record, "\n"), "\n")
	if len(lines) != len(contents) {
		t.Fatalf("RECORD lists %d files, wheel has %d:\n%s", len(lines), len(contents), record)
	}
	for _, line := range lines {
		fields := strings.Split(line, ",")
		content, ok := contents[fields[0]]
		if !ok {
			t.Fatalf("RECORD names missing file %q", fields[0])
		}
		if strings.HasSuffix(fields[0], "/RECORD") {
			continue
		}
		sum := sha256.Sum256([]byte(content))
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); fields[1] != want {
			t.Errorf("%s: RECORD hash %s, want %s", fields[0], fields[1], want)
		}
	}
}

func TestPagesGolden(t *testing.T) {
	ix := newIndex(t, Options{})
	token := faketoken.Issue("u", cgrHost, time.Hour, time.Now())
	for file, path := range map[string]string{"root.html": "/python/simple/", "project.html": "/python/simple/credgen-probe/"} {
		body := get(t, ix, path, token).Body.Bytes()
		golden := filepath.Join("testdata", file)
		if *update {
			if err := os.WriteFile(golden, body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("%s differs from %s (run with -update if intended):\n%s", path, golden, body)
		}
	}
}

func newIndex(t *testing.T, opts Options) *Index {
	t.Helper()
	ix, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// get sends an authenticated GET to libraries.cgr.dev; token "" sends none.
func get(t *testing.T, ix *Index, path, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://"+cgrHost+path, nil)
	if token != "" {
		req.SetBasicAuth("_token", token)
	}
	rec := httptest.NewRecorder()
	ix.ServeHTTP(rec, req)
	return rec
}

func readZipFile(t *testing.T, f *zip.File) string {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
