package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

// The test binary doubles as fakemenda, so process-level tests need no build.
func TestMain(m *testing.M) {
	if os.Getenv("FAKEMENDA_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startFakemenda runs fakemenda with args and returns its base URL.
func startFakemenda(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAKEMENDA_RUN_MAIN=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("fakemenda printed no URL: %v", err)
	}
	return strings.TrimSpace(line), cmd
}

func postToken(t *testing.T, client *http.Client, base, id, secret string) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	resp, err := client.PostForm(base+mendacloud.OAuthTokenPath, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFakemendaModesLogAndStats(t *testing.T) {
	dir := t.TempDir()
	modes, logFile := filepath.Join(dir, "modes"), filepath.Join(dir, "issued.log")
	base, cmd := startFakemenda(t, "-client-id", "bot", "-client-secret", "s3cret", "-client", "other:pw",
		"-mode-file", modes, "-log", logFile)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("URL = %q", base)
	}
	client := http.DefaultClient
	if got := postToken(t, client, base, "bot", "s3cret"); got != 200 {
		t.Errorf("bot: %d", got)
	}
	if got := postToken(t, client, base, "other", "pw"); got != 200 {
		t.Errorf("other: %d", got)
	}
	if err := os.WriteFile(modes, []byte("oauth fail-next 1 503\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := postToken(t, client, base, "bot", "s3cret"); got != 503 {
		t.Errorf("after mode file: %d, want 503", got)
	}
	if got := postToken(t, client, base, "bot", "s3cret"); got != 200 {
		t.Errorf("after fail-next: %d, want 200", got)
	}
	if err := os.WriteFile(modes, []byte("oauth 403\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := postToken(t, client, base, "bot", "s3cret"); got != 403 {
		t.Errorf("mode 403: %d", got)
	}
	if err := os.Remove(modes); err != nil {
		t.Fatal(err)
	}
	if got := postToken(t, client, base, "bot", "s3cret"); got != 200 {
		t.Errorf("mode file removed: %d", got)
	}
	resp, err := client.Get(base + mendacloud.StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	stats, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"calls":{"oauth":6,"registry":0},"issued":4}`; strings.TrimSpace(string(stats)) != want {
		t.Errorf("stats = %s, want %s", stats, want)
	}
	data, _ := os.ReadFile(logFile)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for _, line := range lines {
		var entry struct{ Kind, Token string }
		if err := json.Unmarshal(line, &entry); err != nil || entry.Kind != "access" || entry.Token == "" {
			t.Errorf("log line %s: %v", line, err)
		}
	}
	if len(lines) != 4 {
		t.Errorf("log has %d tokens, want 4", len(lines))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("fakemenda did not stop on SIGTERM")
	}
}

func TestFakemendaServesTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := writeSelfSigned(t, dir)
	base, _ := startFakemenda(t, "-tls-cert", certFile, "-tls-key", keyFile, "-client-id", "bot", "-client-secret", "s3cret")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("URL = %q", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if got := postToken(t, client, base, "bot", "s3cret"); got != 200 {
		t.Errorf("status %d", got)
	}
}

func TestFakemendaRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-addr", "0.0.0.0:0")
	cmd.Env = append(os.Environ(), "FAKEMENDA_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "plain http only on a loopback address") {
		t.Errorf("err = %v, output %s", err, out)
	}
}

// writeSelfSigned writes a certificate for 127.0.0.1 and its key.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fakemenda"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
