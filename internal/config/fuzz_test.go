package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: credgen's config parser never panics, and what it refuses it
// refuses with a *Error naming the file, never quoting a value that could be a
// secret beyond what go-toml echoes of the syntax.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"refresh_before = \"30m\"\n",
		"targets = [\"netrc\", \"pip\"]\n[outputs]\nnetrc = \"~/.netrc\"\nembed = false\n",
		"[[index]]\nurl = \"https://libraries.cgr.dev/python/simple/\"\ndefault = true\nmode = \"pull-token\"\nparent = \"org\"\n",
		"[[index]]\nurl = \"https://x.d.codeartifact.eu-west-1.amazonaws.com/pypi/r/simple/\"\nprofile = \"ci\"\nprovider = \"menda\"\nname = \"r\"\n",
		"[[index]]\ncolour = 1\n",
		"refresh_before = 30\n",
		"[outputs]\nembed = \"yes\"\n",
		"[[index]\n",
		"index = [{url = \"https://libraries.cgr.dev/python/simple/\"}]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cfg, err := Parse("config.toml", []byte(data))
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "config.toml") {
				t.Fatalf("error %T %q does not name the file", err, err)
			}
			return
		}
		if cfg.RefreshBefore.Duration < 0 {
			t.Fatal("negative refresh_before accepted")
		}
		for _, ix := range cfg.Index {
			if ix.URL == "" {
				t.Fatal("index without url accepted")
			}
		}
	})
}
