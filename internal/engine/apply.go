package engine

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/credgen/credgen/generator/atomicfile"
	"github.com/credgen/credgen/generator/urlcred"
	"github.com/credgen/credgen/internal/config"
	"github.com/credgen/credgen/internal/state"
	"github.com/credgen/credgen/providers"
)

// apply puts every host's credential into the parsed outputs, as SPEC.md
// says: netrc machines; credentials in every pip.conf and uv.toml URL of a
// managed host (bare URLs with --no-embed); in pip.conf the default index and
// extra-index-url entries for the indexes the user named (--index,
// --default-index, the config); in uv.toml one [[index]] table per managed
// index. A host with no credential at all (its first mint failed) gets no new
// entries.
func apply(s *config.Settings, o *outputs, plans []*hostPlan) {
	creds := map[string]*providers.Credential{}
	for _, p := range plans {
		if p.next != nil {
			creds[p.host] = p.next
		}
	}
	urlFor := func(raw string) string {
		c := creds[urlcred.Host(raw)]
		if c == nil {
			return raw
		}
		if s.Embed {
			return urlcred.With(raw, c.Username, c.Secret)
		}
		return urlcred.Strip(raw)
	}
	if o.netrc != nil {
		for _, p := range plans {
			if p.next == nil {
				continue
			}
			if err := o.netrc.SetMachine(p.host, p.next.Username, p.next.Secret); err != nil {
				// The new credential goes nowhere rather than only into pip.conf
				// and uv.toml; the current one stays everywhere.
				p.err = cmp.Or(p.err, fmt.Errorf("netrc cannot carry this credential: %w", err))
				p.next, p.minted = p.current, false
				creds[p.host] = p.current
				if p.current == nil {
					delete(creds, p.host)
				}
			}
		}
	}
	if o.pip != nil {
		o.pip.MapURLs(urlFor)
		for _, p := range plans {
			for _, m := range p.indexes {
				if p.next == nil || !m.Requested {
					continue
				}
				if m.Default {
					o.pip.SetIndexURL(urlFor(m.URL))
				} else {
					o.pip.AddExtraIndexURL(urlFor(m.URL))
				}
			}
		}
	}
	if o.uv != nil {
		o.uv.MapURLs(urlFor)
		for _, p := range plans {
			for _, m := range p.indexes {
				if p.next == nil {
					continue
				}
				m.Name = o.uv.UpsertIndex(cmp.Or(m.Name, uvName(m.Provider, m.URL)), urlFor(m.URL), m.Default)
			}
		}
	}
}

// writeOutputs writes every changed output atomically, or under dryRun adds
// the masked diff to the report. Before writing anything it checks that each
// new content parses back and that no secret goes into a file git tracks.
func (e *Engine) writeOutputs(s *config.Settings, o *outputs, plans []*hostPlan, dryRun bool, rep *Report) error {
	var secrets []string
	for _, p := range plans {
		if p.next != nil {
			secrets = append(secrets, p.next.Secret)
		}
	}
	news := map[string][]byte{}
	for _, kind := range s.Targets {
		data := o.render(kind)
		if bytes.Equal(data, o.orig[kind]) {
			continue
		}
		if err := verify(kind, data); err != nil {
			return &Error{Code: ExitUsage, Err: fmt.Errorf("%s: credgen's edit would not parse back (%v); nothing written — please report this", s.Paths[kind], err)}
		}
		if kind != config.Netrc && !dryRun && !s.AllowTracked && containsSecret(data, secrets) {
			if err := o.refuseIfTracked(s.Paths[kind]); err != nil {
				return err
			}
		}
		news[kind] = data
	}
	for _, kind := range s.Targets {
		fr := FileReport{Kind: kind, Path: s.Paths[kind], content: o.orig[kind]}
		data, changed := news[kind]
		if !changed {
			rep.Files = append(rep.Files, fr)
			continue
		}
		fr.content = data
		res, err := atomicfile.Write(s.Paths[kind], data, atomicfile.Options{DryRun: dryRun})
		if err != nil {
			return &Error{Code: ExitMint, Err: err}
		}
		fr.Changed, fr.Written, fr.Created = res.Changed, res.Written, res.Created
		switch {
		case res.Tightened != 0 && dryRun:
			e.log().Warn("would tighten a file that holds secrets to owner-only", "path", res.Path, "is", fmt.Sprintf("%04o", res.Tightened))
		case res.Tightened != 0:
			e.log().Warn("tightened a file that holds secrets to owner-only", "path", res.Path, "was", fmt.Sprintf("%04o", res.Tightened))
		}
		if dryRun {
			fr.Diff = udiff.Unified(fr.Path, fr.Path+" (credgen)", string(masked(kind, o.orig[kind])), string(masked(kind, data)))
		} else {
			e.log().Info("wrote", "kind", kind, "path", res.Path)
		}
		rep.Files = append(rep.Files, fr)
	}
	return nil
}

// refuseTracked refuses, before anything is minted, a run that would put
// secrets into a pip.conf or uv.toml that git tracks (a mint in pull-token
// mode creates an identity each time, so it must not happen in vain).
func refuseTracked(s *config.Settings, o *outputs) error {
	if !s.Embed || s.AllowTracked {
		return nil
	}
	for _, kind := range []string{config.Pip, config.UV} {
		if s.Targeted(kind) {
			if err := o.refuseIfTracked(s.Paths[kind]); err != nil {
				return err
			}
		}
	}
	return nil
}

// refuseIfTracked is the refusal to put secrets into path when git tracks it,
// or when git cannot say whether it does. Asked once per path and run: it
// costs a git process.
func (o *outputs) refuseIfTracked(path string) error {
	if o.tracked == nil {
		o.tracked = map[string]error{}
	}
	if err, ok := o.tracked[path]; ok {
		return err
	}
	var err error
	switch tracked, gitErr := gitTracks(path); {
	case gitErr != nil:
		err = usage("%s: cannot tell whether git tracks it (%v): refusing to write secrets into it (use --no-embed to keep them in netrc only, or --allow-tracked)", path, gitErr)
	case tracked:
		err = usage("%s is tracked by git: refusing to write secrets into it (use --no-embed to keep them in netrc only, or --allow-tracked)", path)
	}
	o.tracked[path] = err
	return err
}

// gitTracks says whether git tracks the file at path. A file outside any git
// work tree (no .git in its folder or above) is not tracked, with or without
// git. Inside one, git must answer: when it cannot (git missing, a repository
// it refuses to read, such as one owned by another user), the result is an
// error, so that credgen refuses rather than guesses. A bare repository whose
// work tree is elsewhere (the `git --git-dir=~/.dotfiles` style) leaves no
// .git to find and is not detected.
func gitTracks(path string) (bool, error) {
	real, err := atomicfile.Resolve(path)
	if err != nil {
		return false, nil // the write itself will fail and say why
	}
	dir := filepath.Dir(real)
	if !insideGitWorkTree(dir) {
		return false, nil
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", "-C", dir, "ls-files", "--error-unmatch", "--", filepath.Base(real))
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil // "did not match any file(s) known to git"
	case errors.As(err, &exit):
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return false, fmt.Errorf("git ls-files: %s", cmp.Or(msg, err.Error()))
	}
	return false, fmt.Errorf("run git: %w", err)
}

// insideGitWorkTree reports whether dir or a folder above it holds .git.
func insideGitWorkTree(dir string) bool {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// record updates the state with this run's indexes and credentials.
func (e *Engine) record(s *config.Settings, st *state.State, plans []*hostPlan, o *outputs) {
	var keep []*state.Index
	urls := o.urlsByHost()
	for _, p := range plans {
		// Where the host's new credential stands is the same for all its indexes.
		var writtenTo map[string]string
		if p.next != nil {
			writtenTo = map[string]string{}
			same := func(u, sec string) bool { return u == p.next.Username && sec == p.next.Secret }
			for _, kind := range s.Targets {
				if o.holds(kind, p.host, urls, same, s.Embed) {
					writtenTo[kind] = s.Paths[kind]
				}
			}
		}
		for _, m := range p.indexes {
			rec := st.Upsert(m.URL)
			if m.Requested {
				st.Unremove(m.URL)
			}
			rec.URL, rec.Host, rec.Provider, rec.Requested = m.URL, m.Host, m.Provider, m.Requested
			rec.Default, rec.Name, rec.Profile, rec.Mode, rec.Parent = m.Default, m.Name, m.Profile, m.Mode, m.Parent
			if p.next != nil {
				rec.Username, rec.MintedAt, rec.ExpiresAt = p.next.Username, p.next.ObtainedAt, p.next.Expiry
				rec.Fingerprint = providers.Fingerprint(p.next.Secret)
				rec.Outputs = maps.Clone(writtenTo)
			}
			switch {
			case p.err != nil:
				rec.LastError, rec.LastErrorAt = p.err.Error(), e.now()
			case p.next != nil && p.next.ObtainedAt.After(rec.LastErrorAt):
				// minted since the error, by this run or another credgen
				rec.LastError, rec.LastErrorAt = "", time.Time{}
			}
			keep = append(keep, rec)
		}
	}
	st.Indexes = keep
}
