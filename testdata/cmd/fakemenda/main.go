// Command fakemenda runs the fake menda-cloud (testdata/fakes/mendacloud) on
// its own, for `make demo` and process-level tests. It prints its base URL on
// stdout once it listens, then serves until SIGINT or SIGTERM.
//
//	fakemenda -addr 127.0.0.1:0 -client-id ci-bot -client-secret s3cret \
//	    [-tls-cert cert.pem -tls-key key.pem] [-mode-file modes] [-log issued.log]
//
// Without -tls-cert it serves plain http, which it allows only on a loopback
// address (credgen accepts http only there). -mode-file is re-read whenever it
// changes, so a test can switch failure modes while credgen runs (format:
// mendacloud.ParseModes). -log receives one JSON line per issued token, for
// leak checks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/credgen/credgen/testdata/fakes/mendacloud"
)

type config struct {
	addr             string
	tlsCert, tlsKey  string
	clientID, secret string
	clients          clientList
	modeFile         string
	logFile          string
	accessTTL        time.Duration
	registryTTL      time.Duration
	style            string
}

// clientList is the repeatable -client ID:SECRET flag.
type clientList map[string]string

func (c clientList) String() string { return fmt.Sprint(len(c), " clients") }

func (c clientList) Set(v string) error {
	id, secret, ok := strings.Cut(v, ":")
	if !ok || id == "" || secret == "" {
		return errors.New("want ID:SECRET")
	}
	c[id] = secret
	return nil
}

func main() {
	cfg := config{clients: clientList{}}
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:0", "listen address")
	flag.StringVar(&cfg.tlsCert, "tls-cert", "", "serve https with this certificate (PEM)")
	flag.StringVar(&cfg.tlsKey, "tls-key", "", "key of -tls-cert (PEM)")
	flag.StringVar(&cfg.clientID, "client-id", "", "client id the OAuth endpoint accepts")
	flag.StringVar(&cfg.secret, "client-secret", "", "secret of -client-id")
	flag.Var(cfg.clients, "client", "another accepted client, ID:SECRET (repeatable)")
	flag.StringVar(&cfg.modeFile, "mode-file", "", "file of failure modes, re-read when it changes")
	flag.StringVar(&cfg.logFile, "log", "", "append every issued token to this file (JSON lines)")
	flag.DurationVar(&cfg.accessTTL, "access-ttl", time.Hour, "life of access tokens")
	flag.DurationVar(&cfg.registryTTL, "registry-ttl", 12*time.Hour, "life of registry tokens")
	flag.StringVar(&cfg.style, "style", "menda", "registry response style: menda (token, RFC 3339) or codeartifact (authorizationToken, epoch)")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fakemenda:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	opts, closeLog, err := serverOptions(cfg)
	if err != nil {
		return err
	}
	defer closeLog()
	fake := mendacloud.New(opts)
	ln, err := listen(cfg)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	srv := &http.Server{Handler: &modeReloader{fake: fake, path: cfg.modeFile}, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("%s://%s\n", scheme, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if cfg.tlsCert != "" {
		err = srv.ServeTLS(ln, cfg.tlsCert, cfg.tlsKey)
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// listen refuses plain http on anything but loopback.
func listen(cfg config) (net.Listener, error) {
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	host, _, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("-addr: %w", err)
	}
	if ip := net.ParseIP(host); cfg.tlsCert == "" && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("plain http only on a loopback address, not %q (give -tls-cert and -tls-key)", host)
	}
	return net.Listen("tcp", cfg.addr)
}

func serverOptions(cfg config) (mendacloud.Options, func(), error) {
	clients := map[string]string{}
	for id, secret := range cfg.clients {
		clients[id] = secret
	}
	if cfg.clientID != "" {
		clients[cfg.clientID] = cfg.secret
	}
	opts := mendacloud.Options{Clients: clients, AccessTTL: cfg.accessTTL, RegistryTTL: cfg.registryTTL}
	switch cfg.style {
	case "menda":
	case "codeartifact":
		opts.Style = mendacloud.StyleCodeArtifact
	default:
		return opts, nil, fmt.Errorf("-style %q is neither menda nor codeartifact", cfg.style)
	}
	if cfg.logFile == "" {
		return opts, func() {}, nil
	}
	f, err := os.OpenFile(cfg.logFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return opts, nil, err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(f)
	opts.OnIssue = func(kind, token string) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(map[string]string{"kind": kind, "token": token, "time": time.Now().UTC().Format(time.RFC3339Nano)})
		_ = f.Sync()
	}
	return opts, func() { f.Close() }, nil
}

// modeReloader applies the mode file's faults whenever the file changes
// (checked on each request), then serves through the fake.
type modeReloader struct {
	fake *mendacloud.Server
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	present bool
}

func (m *modeReloader) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.path != "" {
		m.reload()
	}
	m.fake.ServeHTTP(w, r)
}

func (m *modeReloader) reload() {
	m.mu.Lock()
	defer m.mu.Unlock()
	info, err := os.Stat(m.path)
	present := err == nil
	if present == m.present && (!present || (info.ModTime().Equal(m.modTime) && info.Size() == m.size)) {
		return
	}
	m.present = present
	m.fake.ClearFaults()
	if !present {
		return
	}
	m.modTime, m.size = info.ModTime(), info.Size()
	data, err := os.ReadFile(m.path)
	if err != nil {
		slog.Error("fakemenda: read mode file", "file", m.path, "error", err)
		return
	}
	modes, err := mendacloud.ParseModes(string(data))
	if err != nil {
		slog.Error("fakemenda: mode file", "file", m.path, "error", err)
		return
	}
	for ep, f := range modes {
		m.fake.SetFault(ep, f)
	}
	slog.Info("fakemenda: modes applied", "file", m.path, "modes", strings.TrimSpace(string(data)))
}
