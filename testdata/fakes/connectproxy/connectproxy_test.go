package connectproxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// hostEcho answers every request with the Host header it received, so a test
// can see that the hostname survived the tunnel.
func hostEcho() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Host)
	}))
}

func listen(t *testing.T, opts Options) *Proxy {
	t.Helper()
	p, err := Listen(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestTunnelReachesRoutedTargetForAnyHost(t *testing.T) {
	backend := hostEcho()
	defer backend.Close()
	p := listen(t, Options{Route: RouteAll(backend.Listener.Addr().String())})

	for _, host := range []string{"libraries.cgr.dev:443", "acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com:443"} {
		conn := connect(t, p.Addr(), host)
		// Plain HTTP inside the tunnel keeps the test free of TLS; the
		// e2e tests in pyindex run TLS through it.
		name := strings.TrimSuffix(host, ":443")
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+name+"\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = conn.Close()
		if string(body) != name {
			t.Fatalf("backend saw Host %q, want %q", body, name)
		}
	}
	if got := p.Stats(); got.Tunnels != 2 || got.Refused != 0 {
		t.Fatalf("Stats = %+v", got)
	}
}

func TestGoClientThroughProxy(t *testing.T) {
	backend := hostEcho()
	defer backend.Close()
	p := listen(t, Options{Route: RouteAll(backend.Listener.Addr().String())})
	proxyURL, _ := url.Parse(p.URL())
	// Go only uses CONNECT for https; for http it would send an absolute-form
	// GET, which the proxy must refuse.
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	resp, err := client.Get("http://libraries.cgr.dev/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "CONNECT" {
		t.Fatalf("plain proxy GET: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestRefusals(t *testing.T) {
	backend := hostEcho()
	defer backend.Close()
	closedAddr := closedPort(t)
	route := func(_ context.Context, hostport string) (string, error) {
		switch hostport {
		case "forbidden.example:443":
			return "", errors.New("not allowed")
		case "down.example:443":
			return closedAddr, nil
		}
		return backend.Listener.Addr().String(), nil
	}
	p := listen(t, Options{Route: route, DialTimeout: time.Second})
	tests := []struct {
		name, request string
		status        int
	}{
		{"GET", "GET http://libraries.cgr.dev/ HTTP/1.1\r\nHost: libraries.cgr.dev\r\n\r\n", http.StatusMethodNotAllowed},
		{"route refused", "CONNECT forbidden.example:443 HTTP/1.1\r\nHost: forbidden.example:443\r\n\r\n", http.StatusForbidden},
		{"dial fails", "CONNECT down.example:443 HTTP/1.1\r\nHost: down.example:443\r\n\r\n", http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundTrip(t, p.Addr(), tt.request); got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
		})
	}
	if got := p.Stats(); got.Refused != int64(len(tests)) || got.Tunnels != 0 {
		t.Fatalf("Stats = %+v", got)
	}
}

func TestFullProxyAnswers503(t *testing.T) {
	backend := hostEcho()
	defer backend.Close()
	p := listen(t, Options{Route: RouteAll(backend.Listener.Addr().String()), MaxTunnels: 1})
	held := connect(t, p.Addr(), "libraries.cgr.dev:443")
	defer held.Close()
	if got := roundTrip(t, p.Addr(), "CONNECT libraries.cgr.dev:443 HTTP/1.1\r\n\r\n"); got != http.StatusServiceUnavailable {
		t.Fatalf("second tunnel: status %d, want 503", got)
	}
}

func TestCloseCutsOpenTunnels(t *testing.T) {
	backend := hostEcho()
	defer backend.Close()
	p, err := Listen(Options{Route: RouteAll(backend.Listener.Addr().String())})
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, p.Addr(), "libraries.cgr.dev:443")
	defer conn.Close()
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung on an open tunnel")
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("tunnel still open after Close")
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Fatal("proxy still accepting after Close")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestListenNeedsRoute(t *testing.T) {
	if _, err := Listen(Options{}); err == nil {
		t.Fatal("Listen without Route succeeded")
	}
}

// connect opens a tunnel to hostport and returns the connection after the 200.
func connect(t *testing.T, proxyAddr, hostport string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "CONNECT "+hostport+" HTTP/1.1\r\nHost: "+hostport+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Read the status line and blank line byte by byte so no tunnel bytes
	// are swallowed by a buffer.
	var head []byte
	buf := make([]byte, 1)
	for !strings.HasSuffix(string(head), "\r\n\r\n") {
		if _, err := conn.Read(buf); err != nil {
			t.Fatalf("CONNECT %s: %v (read %q)", hostport, err, head)
		}
		head = append(head, buf[0])
	}
	if !strings.HasPrefix(string(head), "HTTP/1.1 200 ") {
		t.Fatalf("CONNECT %s: %q", hostport, head)
	}
	return conn
}

func roundTrip(t *testing.T, proxyAddr, request string) int {
	t.Helper()
	conn, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
