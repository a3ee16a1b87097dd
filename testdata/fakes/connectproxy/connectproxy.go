// Package connectproxy is an HTTP CONNECT proxy on loopback that sends every
// tunnel to a local address chosen by a routing function. With
// HTTPS_PROXY=http://127.0.0.1:PORT, pip, curl and Go clients then reach
// https://libraries.cgr.dev/... or a CodeArtifact domain on a loopback test
// server without touching /etc/hosts or DNS; the TLS handshake still carries
// the real hostname, so certificate checks stay real. Test-only: it lives
// under testdata and is never linked into credgen.
package connectproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Route maps the host:port a client asked to CONNECT to the address to dial.
// An error refuses the tunnel with 403.
type Route func(ctx context.Context, hostport string) (target string, err error)

// RouteAll sends every tunnel to target, e.g. the fake TLS index listener.
func RouteAll(target string) Route {
	return func(context.Context, string) (string, error) { return target, nil }
}

// Options configure a Proxy. Only Route is required.
type Options struct {
	Route       Route
	Addr        string        // listen address; default 127.0.0.1:0
	MaxTunnels  int           // concurrent connections; more get 503. Default 64
	DialTimeout time.Duration // default 5 s
	Logger      *slog.Logger  // default: discard
}

// Defaults for Options' zero values. The header timeout bounds how long a
// client that never sends its CONNECT line holds a slot.
const (
	defaultMaxTunnels  = 64
	defaultDialTimeout = 5 * time.Second
	headerTimeout      = 10 * time.Second
)

// Stats count what the proxy did, so tests can prove traffic went through it.
type Stats struct {
	Tunnels int64 // CONNECTs answered with 200
	Refused int64 // everything else: not CONNECT, route refused, dial failed, full
}

// Proxy is a running CONNECT proxy. Close stops it and cuts every tunnel.
type Proxy struct {
	opts   Options
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool

	tunnels atomic.Int64
	refused atomic.Int64
}

// Listen starts a proxy on opts.Addr and serves in the background.
func Listen(opts Options) (*Proxy, error) {
	if opts.Route == nil {
		return nil, errors.New("connectproxy: Options.Route is required")
	}
	opts = withDefaults(opts)
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("connectproxy: listen %s: %w", opts.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		opts:   opts,
		ln:     ln,
		ctx:    ctx,
		cancel: cancel,
		slots:  make(chan struct{}, opts.MaxTunnels),
		conns:  map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

func withDefaults(opts Options) Options {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.MaxTunnels <= 0 {
		opts.MaxTunnels = defaultMaxTunnels
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = defaultDialTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is the value for HTTPS_PROXY.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Stats returns the counters so far.
func (p *Proxy) Stats() Stats {
	return Stats{Tunnels: p.tunnels.Load(), Refused: p.refused.Load()}
}

// Close stops accepting, cuts every open tunnel and waits for their
// goroutines. Calling it again is a no-op.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.cancel()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				p.opts.Logger.Error("connectproxy: accept", "err", err)
			}
			return
		}
		if !p.track(c) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// track registers c so Close can cut it; false once the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.forget(client)
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	default:
		p.refuse(client, http.StatusServiceUnavailable, "too many tunnels")
		return
	}
	_ = client.SetReadDeadline(time.Now().Add(headerTimeout))
	br := bufio.NewReader(client)
	req, err := http.ReadRequest(br)
	if err != nil {
		p.refused.Add(1)
		p.opts.Logger.Debug("connectproxy: bad request", "err", err)
		return
	}
	if req.Method != http.MethodConnect {
		p.refuse(client, http.StatusMethodNotAllowed, "only CONNECT is supported")
		return
	}
	upstream, ok := p.dialRoute(client, req.Host)
	if !ok {
		return
	}
	defer p.forget(upstream)
	_ = client.SetReadDeadline(time.Time{})
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	p.tunnels.Add(1)
	p.opts.Logger.Debug("connectproxy: tunnel", "host", req.Host, "target", upstream.RemoteAddr().String())
	splice(client, br, upstream)
}

// dialRoute resolves and dials the tunnel's target, answering the client
// itself when that fails.
func (p *Proxy) dialRoute(client net.Conn, hostport string) (net.Conn, bool) {
	target, err := p.opts.Route(p.ctx, hostport)
	if err != nil {
		p.refuse(client, http.StatusForbidden, fmt.Sprintf("no route to %s: %v", hostport, err))
		return nil, false
	}
	d := net.Dialer{Timeout: p.opts.DialTimeout}
	upstream, err := d.DialContext(p.ctx, "tcp", target)
	if err != nil {
		p.refuse(client, http.StatusBadGateway, fmt.Sprintf("dial %s for %s: %v", target, hostport, err))
		return nil, false
	}
	if !p.track(upstream) {
		_ = upstream.Close()
		return nil, false
	}
	return upstream, true
}

func (p *Proxy) refuse(client net.Conn, status int, why string) {
	p.refused.Add(1)
	p.opts.Logger.Info("connectproxy: refused", "status", status, "why", why)
	body := why + "\n"
	allow := ""
	if status == http.StatusMethodNotAllowed {
		allow = "Allow: CONNECT\r\n"
	}
	_, _ = fmt.Fprintf(client, "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), allow, len(body), body)
}

// splice copies both ways until both directions end. A half-close is passed on
// so a client that shuts its write side still gets the whole answer. fromClient
// is the client's buffered reader: it may already hold bytes sent right after
// the CONNECT line.
func splice(client net.Conn, fromClient io.Reader, upstream net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(upstream, fromClient)
		closeWrite(upstream)
		close(done)
	}()
	_, _ = io.Copy(client, upstream)
	closeWrite(client)
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}
