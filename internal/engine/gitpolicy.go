package engine

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/credgen/credgen/generator/atomicfile"
)

// refuseTracked refuses, before anything is minted, a pass that would put
// secrets into an output git tracks whose kind refuses that.
func refuseTracked(snap *snapshot) error {
	if !snap.s.Embed || snap.s.AllowTracked {
		return nil
	}
	for _, o := range snap.outs {
		if o.kind.refuseTracked {
			if err := snap.tracked(o.path); err != nil {
				return err
			}
		}
	}
	return nil
}

// trackedPolicy applies the git policy to secrets bound for o: refused for
// the kinds that refuse (unless --allow-tracked), a warning for the others.
func (e *Engine) trackedPolicy(snap *snapshot, o *output) error {
	if snap.s.AllowTracked {
		return nil
	}
	err := snap.tracked(o.path)
	if err == nil || o.kind.refuseTracked {
		return err
	}
	e.log().Warn("git tracks this file or cannot say whether it does; its secrets may be committed", "path", o.path)
	return nil
}

// tracked is the refusal to put secrets into path when git tracks it, or when
// git cannot say whether it does; nil otherwise. Asked once per path and
// snapshot: it costs a git process.
func (snap *snapshot) tracked(path string) error {
	if snap.trackedAnswers == nil {
		snap.trackedAnswers = map[string]error{}
	}
	if err, ok := snap.trackedAnswers[path]; ok {
		return err
	}
	var err error
	switch tracked, gitErr := gitTracks(path); {
	case gitErr != nil:
		err = usage("%s: cannot tell whether git tracks it (%v): refusing to write secrets into it (use --no-embed to keep them in netrc only, or --allow-tracked)", path, gitErr)
	case tracked:
		err = usage("%s is tracked by git: refusing to write secrets into it (use --no-embed to keep them in netrc only, or --allow-tracked)", path)
	}
	snap.trackedAnswers[path] = err
	return err
}

// gitTracks says whether git tracks the file at path. A file outside any git
// work tree (no .git in its folder or above) is not tracked, with or without
// git. Inside one, git must answer: when it cannot (git missing, a repository
// it refuses to read, such as one owned by another user), the result is an
// error, so that credgen refuses rather than guesses. A file whose folder does
// not exist yet is asked of from the nearest folder that does. A bare
// repository whose work tree is elsewhere (the `git --git-dir=~/.dotfiles`
// style) leaves no .git to find and is not detected.
func gitTracks(path string) (bool, error) {
	real, err := atomicfile.Resolve(path)
	if err != nil {
		return false, nil // the write itself will fail and say why
	}
	dir := atomicfile.NearestFolder(filepath.Dir(real))
	if !insideGitWorkTree(dir) {
		return false, nil
	}
	rel, err := filepath.Rel(dir, real)
	if err != nil {
		return false, fmt.Errorf("locate %s: %w", real, err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", "-C", dir, "ls-files", "--error-unmatch", "--", rel)
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
