package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credgen/credgen/testdata/fakes/faketoken"
)

func TestRunServesUntilCancelled(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required for this test: %v", err)
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", filepath.Join(dir, "ca"), "-env", envFile, "-hosts", "pypi.internal.example, ,other.example", "-v"}, stdoutW, &stderr)
		_ = stdoutW.Close()
	}()
	waitReady(t, stdoutR, done)
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()

	env := readEnvFile(t, envFile)
	if env["FAKE_CA"] != filepath.Join(dir, "ca", "ca.pem") || env["FAKE_INDEX_ADDR"] == "" || !strings.HasPrefix(env["HTTPS_PROXY"], "http://127.0.0.1:") {
		t.Fatalf("env file: %v", env)
	}
	token := faketoken.Issue("_token", "libraries.cgr.dev", time.Hour, time.Now())
	for _, url := range []string{
		"https://libraries.cgr.dev/python/simple/credgen-probe/",
		"https://pypi.internal.example/simple/", // a -hosts name
	} {
		cmd := exec.Command(curl, "-sS", "-o", os.DevNull, "-w", "%{http_code}", "--cacert", env["FAKE_CA"], "-u", "_token:"+token, url)
		cmd.Env = []string{"HTTPS_PROXY=" + env["HTTPS_PROXY"], "HOME=" + dir}
		if out, err := cmd.Output(); err != nil || string(out) != "200" {
			t.Fatalf("curl %s: %q, %v\nfakeserve log:\n%s", url, out, err, stderr.String())
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
	if strings.Contains(stderr.String(), token) {
		t.Fatal("fakeserve logged a token")
	}
	if !strings.Contains(stderr.String(), "Downloads") {
		t.Errorf("no stats on stop:\n%s", stderr.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

func TestTemporaryDirIsRemoved(t *testing.T) {
	dir, cleanup, err := caDir("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", dir, err)
	}
}

func waitReady(t *testing.T, stdout io.Reader, done <-chan error) {
	t.Helper()
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		if line != "ready\n" {
			t.Fatalf("stdout %q, want ready", line)
		}
	case err := <-done:
		t.Fatalf("run ended before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no ready within 10 s")
	}
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("env file line %q", line)
		}
		env[k] = v
	}
	return env
}

// lockedBuffer is stderr for run, read by the test while run still writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
