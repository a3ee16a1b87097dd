package inputs

import (
	"testing"

	"github.com/credgen/credgen/generator/netrc"
	"github.com/credgen/credgen/generator/pipconf"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/generator/uvtoml"
	"github.com/credgen/credgen/providers/known"
)

// TestLarge checks that the large home is what BENCHMARKS.md says it is.
func TestLarge(t *testing.T) {
	home := t.TempDir()
	p, err := Write(home, Large)
	if err != nil {
		t.Fatal(err)
	}
	n, err := netrc.Parse(Netrc(Large.Machines))
	if err != nil {
		t.Fatalf("%s: %v", p.Netrc, err)
	}
	if got := len(n.Machines()); got != 9999 {
		t.Errorf("netrc machines = %d, want 9999 (credgen's makes 10,000)", got)
	}
	pc, err := pipconf.Parse(PipConf(Large.Indexes))
	if err != nil {
		t.Fatalf("%s: %v", p.PipConf, err)
	}
	var urls []string
	for _, r := range pc.IndexURLs() {
		urls = append(urls, r.URL)
	}
	checkIndexes(t, "pip.conf", urls)
	uv, err := uvtoml.Parse(UVToml(Large.Indexes))
	if err != nil {
		t.Fatalf("%s: %v", p.UVToml, err)
	}
	urls = urls[:0]
	for _, ix := range uv.Indexes() {
		urls = append(urls, ix.URL)
	}
	checkIndexes(t, "uv.toml", urls)
}

func checkIndexes(t *testing.T, file string, urls []string) {
	t.Helper()
	managed := 0
	for _, u := range urls {
		if known.ForHost(urlcred.Host(u)) != "" {
			managed++
		}
	}
	if len(urls) != 200 || managed != 20 {
		t.Errorf("%s: %d indexes, %d managed; want 200, 20", file, len(urls), managed)
	}
}
