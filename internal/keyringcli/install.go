package keyringcli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotOurs is returned by Install when DIR/keyring exists and is not a link
// to the program being linked: most likely Python's own keyring, which the
// user still needs.
var ErrNotOurs = errors.New("exists and is not a link to credgen")

// Install makes DIR/keyring a symbolic link to target (the running credgen),
// creating DIR (0755, as a folder of programs) when it is missing. An
// existing link to target, or to another program named "credgen" (an older
// install), is replaced atomically; anything else is left alone and ErrNotOurs
// returned. It returns the link's path and whether it was already right.
func Install(dir, target string) (link string, unchanged bool, err error) {
	link = filepath.Join(dir, Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return link, false, fmt.Errorf("create %s: %w", dir, err)
	}
	current, err := os.Readlink(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Symlink(target, link); err != nil {
			return link, false, fmt.Errorf("link %s: %w", link, err)
		}
		return link, false, nil
	case err != nil:
		if _, lerr := os.Lstat(link); lerr == nil {
			return link, false, fmt.Errorf("%s %w", link, ErrNotOurs)
		}
		return link, false, fmt.Errorf("read %s: %w", link, err)
	}
	if current == target {
		return link, true, nil
	}
	if !linksToCredgen(link, current, target) {
		return link, false, fmt.Errorf("%s %w (it points to %s)", link, ErrNotOurs, current)
	}
	return link, false, replaceLink(dir, link, target)
}

// linksToCredgen tells whether the link at path (pointing to dest) reaches
// target itself or a program named credgen.
func linksToCredgen(path, dest, target string) bool {
	if filepath.Base(dest) == "credgen" {
		return true
	}
	have, err := os.Stat(path)
	if err != nil {
		return false
	}
	want, err := os.Stat(target)
	return err == nil && os.SameFile(have, want)
}

// replaceLink swaps the link for a new one by rename, so a uv or pip running
// at that moment finds either the old link or the new one.
func replaceLink(dir, link, target string) error {
	tmp, err := os.MkdirTemp(dir, ".keyring-link-")
	if err != nil {
		return fmt.Errorf("replace %s: %w", link, err)
	}
	defer os.RemoveAll(tmp)
	next := filepath.Join(tmp, Name)
	if err := os.Symlink(target, next); err != nil {
		return fmt.Errorf("replace %s: %w", link, err)
	}
	if err := os.Rename(next, link); err != nil {
		return fmt.Errorf("replace %s: %w", link, err)
	}
	return nil
}
