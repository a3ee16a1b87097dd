package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/netrc"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/providers/known"
)

// Environment is what one command gets from credgen through its
// environment (exec, env): the variables, and a private netrc holding the
// user's own entries plus credgen's.
type Environment struct {
	Vars  []Var
	Netrc []byte // the content NETRC is to point at; it holds secrets
}

// Var is one environment variable.
type Var struct {
	Name, Value string
	Secret      bool // the value is a credential (masked in CI logs)
}

// Environment gets a fresh credential for every managed index (the
// credential cache's, an output's, or minted) and the variables that carry
// them: UV_INDEX_<NAME>_USERNAME and _PASSWORD per index, and with publish (a
// CodeArtifact index or its upload URL, managed for this call) the TWINE_*
// and UV_PUBLISH_* ones. No output file is written.
func (e *Engine) Environment(ctx context.Context, publish string) (*Environment, error) {
	e.startRun()
	s := e.settings()
	var idx []*managed
	snap, err := e.read(s)
	switch {
	case err == nil:
		idx = snap.idx
	case publish == "" || !errors.Is(err, errNothingToManage):
		return nil, err
	}
	var pub *managed
	if publish != "" {
		spec, err := publishIndex(publish)
		if err != nil {
			return nil, err
		}
		if pub = findIndex(idx, spec.URL); pub == nil {
			pub = &managed{IndexSpec: spec}
			idx = append(idx, pub)
		}
	}
	user, err := e.userNetrc(s)
	if err != nil {
		return nil, err
	}
	env := &Environment{}
	seen := map[string]bool{}
	for _, m := range idx {
		c, err := e.Credential(ctx, m.IndexSpec)
		if err != nil {
			return nil, &Error{Code: ExitMint, Err: fmt.Errorf("%s: %w", m.Host, err)}
		}
		if !seen[m.Host] {
			seen[m.Host] = true
			if err := user.SetMachine(m.Host, c.Username, c.Secret); err != nil {
				return nil, &Error{Code: ExitMint, Err: fmt.Errorf("%s: %w", m.Host, err)}
			}
		}
		name := uvEnvName(cmp.Or(m.Name, uvName(m.Provider, m.URL)))
		env.Vars = append(env.Vars,
			Var{Name: "UV_INDEX_" + name + "_USERNAME", Value: c.Username},
			Var{Name: "UV_INDEX_" + name + "_PASSWORD", Value: c.Secret, Secret: true})
		if m == pub {
			upload := uploadURL(m.URL)
			env.Vars = append(env.Vars,
				Var{Name: "TWINE_REPOSITORY_URL", Value: upload},
				Var{Name: "TWINE_USERNAME", Value: c.Username},
				Var{Name: "TWINE_PASSWORD", Value: c.Secret, Secret: true},
				Var{Name: "UV_PUBLISH_URL", Value: upload},
				Var{Name: "UV_PUBLISH_USERNAME", Value: c.Username},
				Var{Name: "UV_PUBLISH_PASSWORD", Value: c.Secret, Secret: true})
		}
	}
	env.Netrc = user.Bytes()
	return env, nil
}

// userNetrc is the user's netrc as credgen would write it (nil content when
// there is none), the base of the private netrc.
func (e *Engine) userNetrc(s *config.Settings) (*netrc.File, error) {
	data, _, err := atomicfile.Read(s.Paths[config.Netrc])
	if err != nil {
		return nil, usage("read %s: %v", s.Paths[config.Netrc], err)
	}
	f, err := netrc.Parse(data)
	if err != nil {
		return nil, usage("%s: %v (fix the file and run again)", s.Paths[config.Netrc], err)
	}
	return f, nil
}

// publishIndex is the index --publish names: an index URL, or the upload URL
// of one (the index is then its simple/ below it). Only providers whose
// indexes take uploads can be published to.
func publishIndex(raw string) (config.IndexSpec, error) {
	u := strings.TrimSuffix(raw, "/") + "/"
	if !strings.HasSuffix(u, "/simple/") {
		u += "simple/"
	}
	spec, err := config.NewIndexSpec(u, "", config.FromFlag)
	if err != nil {
		return config.IndexSpec{}, usage("--publish: %v", err)
	}
	if !known.TakesUploads(spec.Provider) {
		return config.IndexSpec{}, usage("--publish: %s takes no uploads (%s indexes are read-only)", raw, spec.Provider)
	}
	return spec, nil
}

func findIndex(idx []*managed, url string) *managed {
	for _, m := range idx {
		if namesAny([]*managed{m}, url) {
			return m
		}
	}
	return nil
}

// uvEnvName is an index name as uv spells it in UV_INDEX_<NAME>_*: upper
// case, every character but A–Z and 0–9 turned into _.
func uvEnvName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
}
