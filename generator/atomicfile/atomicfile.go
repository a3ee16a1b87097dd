// Package atomicfile replaces a file's content so that a crash leaves either
// the old file or the new one, never a mix: temp file in the target's real
// folder, fsync, rename, fsync of the folder. It writes through symlinks (the
// link stays, its target is replaced), creates files 0600, tightens a looser
// existing mode (on Windows: an access list for the owner alone), keeps the
// owner where that is safe, and leaves identical content untouched so the
// mtime stays. Hand-written because renameio replaces a symlinked ~/.netrc
// instead of writing through it.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Options change how Write works.
type Options struct {
	// DryRun reports what would change and writes nothing.
	DryRun bool
	// WriteHook, when set, replaces the write of data into the temp file;
	// tests use it to inject faults such as a full disk.
	WriteHook func(w io.Writer, data []byte) error
	// Expect, when set, is the content the caller read and built data from.
	// Write checks right before the rename that the file still holds it and
	// otherwise returns ErrChanged and writes nothing, so that an edit
	// another program made meanwhile is never overwritten.
	Expect *Content
}

// Content is a file's content as read: Exists false means there was no file.
type Content struct {
	Data   []byte
	Exists bool
}

// ErrChanged is returned by Write when the file no longer holds
// Options.Expect: the caller must read it again and redo its edit.
var ErrChanged = errors.New("changed by another program meanwhile")

// stillHolds says whether the file at real holds want now.
func stillHolds(real string, want *Content) error {
	cur, exists, err := Read(real)
	if err != nil {
		return fmt.Errorf("read %s: %w", real, errors.Unwrap(err))
	}
	if exists != want.Exists || !bytes.Equal(cur, want.Data) {
		return fmt.Errorf("%s: %w", real, ErrChanged)
	}
	return nil
}

// Result says what Write did (or, under DryRun, would do).
type Result struct {
	Path      string      // the file written: the symlink's final target when the path is a link
	Changed   bool        // the content differs from what is on disk (or the file is new)
	Created   bool        // there was no file
	Written   bool        // the new content is on disk (false under DryRun or when unchanged)
	Tightened fs.FileMode // the previous, looser mode when it was narrowed to owner-only; 0 otherwise
}

const maxLinks = 40

// Resolve follows symlinks from path to the file they finally name, which may
// not exist yet (a dangling link to a file credgen is about to create).
func Resolve(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// MaxRead is the largest file Read accepts. The netrc, pip.conf, uv.toml,
// config and state files people keep are kilobytes (a 10,000-machine netrc is
// under 1 MiB); parsing and checking a netrc costs about twenty times its size
// in memory, so a runaway file of tens of megabytes would cost gigabytes.
const MaxRead = 4 << 20

// TooLargeError is a file over the size limit of the read.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return "larger than " + sizeText(e.Limit) + ", the most credgen reads of this file"
}

// sizeText is n bytes as people say it: "4 MiB", or "99 bytes".
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ErrNotRegular is returned for a path that names a FIFO, device, socket or
// folder: reading a FIFO would block credgen for ever.
var ErrNotRegular = errors.New("not a regular file")

// Read returns the content of path (through symlinks); exists is false when
// there is no file, which is not an error. Anything but a regular file of at
// most MaxRead bytes is an error.
func Read(path string) (data []byte, exists bool, err error) {
	data, err = ReadLimited(path, MaxRead)
	switch {
	case err == nil:
		return data, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	default:
		return nil, false, err
	}
}

// ReadLimited reads the regular file at path, refusing one larger than limit
// bytes. It never blocks on a FIFO: the file is opened non-blocking and
// checked before any read. Errors are *fs.PathError.
func ReadLimited(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	if fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	// Sized from the stat, the buffer takes the file in one allocation, with
	// room left to see EOF (or that it grew) without another; io.ReadAll grows
	// step by step, which was a tenth of a large write pass.
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	return data, nil
}

// Write replaces the content of path with data, atomically.
func Write(path string, data []byte, opts Options) (Result, error) {
	real, err := Resolve(path)
	if err != nil {
		return Result{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	res := Result{Path: real}
	old, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.Created, res.Changed = true, true
	case err != nil:
		return res, fmt.Errorf("stat %s: %w", real, err)
	case !old.Mode().IsRegular():
		return res, fmt.Errorf("write %s: not a regular file", real)
	case old.Size() != int64(len(data)):
		res.Changed = true // no need to read it, and no limit on what it held
	default:
		cur, err := ReadLimited(real, int64(len(data)))
		var grew *TooLargeError
		switch {
		case errors.As(err, &grew): // since the stat
			res.Changed = true
		case err != nil:
			return res, fmt.Errorf("read %s: %w", real, errors.Unwrap(err))
		default:
			res.Changed = !bytes.Equal(cur, data)
		}
	}
	mode := fs.FileMode(0o600)
	if old != nil {
		mode = old.Mode().Perm() &^ 0o077
		if modeBitsGuardAccess && old.Mode().Perm()&0o077 != 0 {
			res.Tightened = old.Mode().Perm()
		}
	}
	var owner ownerPlan
	if res.Changed {
		if owner, err = planOwner(real, old); err != nil {
			return res, err
		}
	}
	if opts.DryRun {
		return res, nil
	}
	if !res.Changed {
		if res.Tightened != 0 {
			if err := os.Chmod(real, mode); err != nil {
				return res, fmt.Errorf("chmod %s: %w", real, err)
			}
		}
		return res, nil
	}
	if opts.Expect != nil {
		if err := stillHolds(real, opts.Expect); err != nil {
			return res, err
		}
	}
	if err := replace(real, data, mode, owner, opts); err != nil {
		return res, err
	}
	res.Written = true
	sweepStaleTemps(real)
	return res, nil
}

// staleTempAge is how old a temp file of ours must be before it counts as
// left behind by a killed credgen (a write takes milliseconds).
const staleTempAge = time.Minute

// sweepStaleTemps removes temp files a killed credgen left beside real: they
// hold secrets. Failures are ignored; the next write tries again.
func sweepStaleTemps(real string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(real), tempPrefix(real)+"*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			os.Remove(m)
		}
	}
}

// tempPrefix names credgen's temp files for real: hidden, and recognisably ours.
func tempPrefix(real string) string { return "." + filepath.Base(real) + ".credgen-" }

// replace writes data to a temp file beside real and renames it over real.
func replace(real string, data []byte, mode fs.FileMode, owner ownerPlan, opts Options) (err error) {
	dir := filepath.Dir(real)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(real)+"*")
	if err != nil {
		return fmt.Errorf("create temp file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := restrictToOwner(tmp); err != nil {
		return fmt.Errorf("restrict %s to its owner: %w", tmp.Name(), err)
	}
	if err := owner.apply(tmp); err != nil {
		return fmt.Errorf("keep owner of %s: %w", real, err)
	}
	if opts.WriteHook != nil {
		err = opts.WriteHook(tmp, data)
	} else {
		_, err = tmp.Write(data)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), unwrapPath(err))
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if opts.Expect != nil {
		// Again right before the rename: the temp file's fsync takes a while.
		if err := stillHolds(real, opts.Expect); err != nil {
			return err
		}
	}
	if err := rename(tmp.Name(), real); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp.Name(), real, err)
	}
	return syncDir(dir)
}

// unwrapPath drops an *fs.PathError's own copy of the path the message names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// NearestFolder is folder itself when it exists, else its nearest existing
// ancestor: where a file that is not there yet can be watched or asked of.
func NearestFolder(folder string) string {
	for {
		if info, err := os.Stat(folder); err == nil && info.IsDir() {
			return folder
		}
		parent := filepath.Dir(folder)
		if parent == folder {
			return folder
		}
		folder = parent
	}
}
