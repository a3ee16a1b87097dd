package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers/known"
)

// ErrNotServed marks a service credgen does not serve on demand: a host no
// provider recognises, plain http, or a username that is not the provider's.
var ErrNotServed = errors.New("not served by credgen")

// Serves says, without minting or reading anything, whether credgen answers
// on demand for service: an https URL (an index or any URL under one) or a
// bare host, whose host a provider recognises.
func (e *Engine) Serves(service string) bool {
	_, err := e.serviceIndex(service)
	return err == nil
}

// Lookup is a fresh credential for service (see Serves) for a caller that
// names username, or none (""): the keyring protocol uv and pip speak.
func (e *Engine) Lookup(ctx context.Context, service, username string) (user, secret string, err error) {
	spec, err := e.serviceIndex(service)
	if err != nil {
		return "", "", err
	}
	e.startRun()
	if prov := e.Providers[spec.Provider]; prov != nil && username != "" {
		if want := prov.Username(spec.Index); want != "" && want != username {
			return "", "", fmt.Errorf("%s serves user %s, not the one asked for: %w", spec.Host, want, ErrNotServed)
		}
	}
	c, err := e.Credential(ctx, spec)
	if err != nil {
		return "", "", err
	}
	if username != "" && c.Username != username {
		return "", "", fmt.Errorf("%s: the credential is for another user: %w", spec.Host, ErrNotServed)
	}
	return c.Username, c.Secret, nil
}

// serviceIndex is the index service falls under: a configured or flagged
// index when service is that index or a URL below it (or, for a bare host, an
// index on that host), so that its mode, profile and parent apply; else the
// index service names itself, with the defaults.
func (e *Engine) serviceIndex(service string) (config.IndexSpec, error) {
	raw := service
	if !strings.Contains(raw, "://") {
		raw = "https://" + strings.TrimSuffix(raw, "/") + "/"
	}
	if err := urlcred.CheckIndexURL(raw); err != nil {
		return config.IndexSpec{}, fmt.Errorf("%v: %w", err, ErrNotServed)
	}
	host := urlcred.Host(raw)
	if known.ForHost(host) == "" {
		return config.IndexSpec{}, fmt.Errorf("%s: %w", host, ErrNotServed)
	}
	s := e.settings()
	bareHost := !strings.Contains(service, "://")
	var best *config.IndexSpec
	for i := range s.Indexes {
		ix := &s.Indexes[i]
		switch {
		case ix.Host != host:
		case bareHost && (best == nil || ix.Default):
			best = ix
		case !bareHost && under(raw, ix.URL) && (best == nil || len(ix.URL) > len(best.URL)):
			best = ix
		}
	}
	if best != nil {
		return *best, nil
	}
	spec, err := config.NewIndexSpec(indexOf(raw), "", config.FromFlag)
	if err != nil {
		return config.IndexSpec{}, fmt.Errorf("%v: %w", err, ErrNotServed)
	}
	spec.Mode = s.ChainguardMode
	return spec, nil
}

// under says whether url is the index or a URL below it.
func under(url, index string) bool {
	u, ix := urlcred.Key(url), strings.TrimSuffix(urlcred.Key(index), "/")
	return u == ix || strings.HasPrefix(u, ix+"/")
}

// indexOf is the index a URL below one belongs to: the URL up to its
// /simple/ segment when it has one, else the URL itself.
func indexOf(raw string) string {
	raw = urlcred.Strip(raw)
	if i := strings.Index(raw, "/simple/"); i >= 0 {
		return raw[:i+len("/simple/")]
	}
	return raw
}
