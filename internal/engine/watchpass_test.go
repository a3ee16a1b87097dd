package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/watch"
)

func TestPassReportsEveryHostToWatch(t *testing.T) {
	w := newWorld(t)
	e := w.engine(config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}})
	w.menda.fail = errors.New("menda-cloud is down")
	var reports int
	e.OnPass = func(*Report) { reports++ }
	res := e.Pass(context.Background(), watch.PassRequest{})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if reports != 1 {
		t.Errorf("%d reports, want 1", reports)
	}
	byHost := map[string]watch.HostResult{}
	for _, h := range res.Hosts {
		byHost[h.Host] = h
	}
	if h := byHost[cgrHost]; h.MintErr != nil || h.Expiry.IsZero() {
		t.Errorf("chainguard host: %+v", h)
	}
	if h := byHost[caHost]; h.MintErr == nil || !h.Expiry.IsZero() {
		t.Errorf("menda host: %+v", h)
	}
	if got := string(res.Outputs[w.netrc()]); got != w.read(w.netrc()) {
		t.Errorf("Outputs[netrc] = %q, the file holds %q", got, w.read(w.netrc()))
	}
	// A re-mint asked by provider (a login) mints that provider's hosts only.
	w.menda.fail = nil
	res = e.Pass(context.Background(), watch.PassRequest{MintProviders: []string{"menda"}})
	if res.Err != nil || w.chainguard.mintCount() != 1 || w.menda.mintCount() != 1 {
		t.Errorf("after a menda login: err %v, mints chainguard %d menda %d", res.Err, w.chainguard.mintCount(), w.menda.mintCount())
	}
}
