package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// digest identifies the content of a watched path: a file's bytes, or a folder's file names and contents.
// Comparing digests (rather than reacting to events) is what keeps credgen's own writes from triggering
// another pass: the loop takes digests right after each pass.
type digest string

// digestAbsent is a path that does not exist: a distinct state, so deleting a file is a change.
const digestAbsent digest = "absent"

// digestOf reads path (through symlinks) and returns its digest.
func digestOf(path string) digest {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return digestAbsent
	case err != nil:
		return unreadable(err)
	case info.IsDir():
		return digestFolder(path)
	}
	sum := sha256.New()
	if err := hashFile(sum, path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return digestAbsent
		}
		return unreadable(err)
	}
	return digest("file:" + hex.EncodeToString(sum.Sum(nil)))
}

// digestOfContent is the digest a file holding content has (nil: no file).
func digestOfContent(content []byte) digest {
	if content == nil {
		return digestAbsent
	}
	sum := sha256.Sum256(content)
	return digest("file:" + hex.EncodeToString(sum[:]))
}

func unreadable(err error) digest { return digest("unreadable: " + err.Error()) }

func hashFile(h hash.Hash, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// digestFolder hashes every name below the folder (in lexical order) with each file's content.
func digestFolder(path string) digest {
	root, err := filepath.EvalSymlinks(path)
	if err != nil {
		return unreadable(err)
	}
	sum := sha256.New()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked: the next event brings us back
			}
			return err
		}
		return hashEntry(sum, root, p, d)
	})
	if err != nil {
		return unreadable(err)
	}
	return digest("folder:" + hex.EncodeToString(sum.Sum(nil)))
}

func hashEntry(sum hash.Hash, root, p string, d fs.DirEntry) error {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return err
	}
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(p)
		fmt.Fprintf(sum, "link %q %q\n", rel, target)
	case d.IsDir():
		fmt.Fprintf(sum, "dir %q\n", rel)
	case d.Type().IsRegular():
		content := sha256.New()
		if err := hashFile(content, p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		fmt.Fprintf(sum, "file %q %x\n", rel, content.Sum(nil))
	}
	return nil
}
