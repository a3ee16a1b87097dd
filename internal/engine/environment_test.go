package engine

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/credgen/credgen/internal/config"
)

func TestEnvironmentCarriesEveryIndexAndWritesNoOutput(t *testing.T) {
	w := newWorld(t)
	w.write(w.netrc(), "machine git.example.com login alice password alicepw\n")
	e := w.engine(config.Flags{DefaultIndex: cgrIndex, Indexes: []string{caIndex}})
	env, err := e.Environment(context.Background(), caIndex[:strings.LastIndex(caIndex, "simple/")])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Var{}
	for _, v := range env.Vars {
		got[v.Name] = v
	}
	for name, want := range map[string]string{
		"UV_INDEX_CHAINGUARD_PYTHON_USERNAME": "_token",
		"UV_INDEX_CHAINGUARD_PYTHON_PASSWORD": w.chainguard.lastSecret(),
		"UV_INDEX_MENDA_PLUGINS_USERNAME":     "aws",
		"UV_INDEX_MENDA_PLUGINS_PASSWORD":     w.menda.lastSecret(),
		"TWINE_REPOSITORY_URL":                "https://" + caHost + "/pypi/plugins/",
		"TWINE_USERNAME":                      "aws",
		"TWINE_PASSWORD":                      w.menda.lastSecret(),
		"UV_PUBLISH_URL":                      "https://" + caHost + "/pypi/plugins/",
		"UV_PUBLISH_PASSWORD":                 w.menda.lastSecret(),
	} {
		if got[name].Value != want {
			t.Errorf("%s = %q, want %q", name, got[name].Value, want)
		}
		if strings.HasSuffix(name, "PASSWORD") != got[name].Secret {
			t.Errorf("%s: Secret = %v", name, got[name].Secret)
		}
	}
	netrc := string(env.Netrc)
	for _, want := range []string{"machine git.example.com login alice password alicepw",
		"machine " + cgrHost + " login _token password " + w.chainguard.lastSecret()} {
		if !strings.Contains(netrc, want) {
			t.Errorf("private netrc lacks %q:\n%s", want, netrc)
		}
	}
	if data, _ := os.ReadFile(w.netrc()); string(data) != "machine git.example.com login alice password alicepw\n" {
		t.Errorf("the user's netrc changed:\n%s", data)
	}
	for _, p := range []string{w.pipConf(), w.uvToml(), w.state()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was written", p)
		}
	}
}

func TestEnvironmentRefusesPublishingToChainguard(t *testing.T) {
	w := newWorld(t)
	if _, err := w.engine(config.Flags{}).Environment(context.Background(), cgrIndex); ExitCode(err) != ExitUsage {
		t.Errorf("err = %v, want exit 2", err)
	}
}
